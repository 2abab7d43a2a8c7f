// Minutes: officers draft them from the record, edit and (the chair) approve; members read the
// approved minutes as a page or a PDF.
import { t } from "./i18n";
import type { Meeting, MeetingStore } from "./store";
import { Action } from "./ui";

export function Minutes({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  const record = m.minutes;
  const officer = store.may("minutes.draft");
  if (!record) {
    return officer ? (
      <section aria-labelledby="minutes-h">
        <h2 id="minutes-h">{t("minutes.title")}</h2>
        <p>{t("minutes.not_drafted")}</p>
        <Action action="minutes.draft">{t("minutes.draft")}</Action>
      </section>
    ) : null;
  }
  const query = `?token=${encodeURIComponent(token)}`;
  if (record.status === "approved") {
    return (
      <section aria-labelledby="minutes-h">
        <h2 id="minutes-h">{t("minutes.title")}</h2>
        <p id="minutes-status">
          {t("minutes.approved")}
          {record.approval_note ? `: ${record.approval_note}` : ""}.
        </p>
        <p>
          <a href={`/minutes/${encodeURIComponent(m.id)}.html${query}`} target="_blank" rel="noopener">
            {t("minutes.read")}
          </a>{" "}
          · <a href={`/minutes/${encodeURIComponent(m.id)}.pdf${query}`}>PDF</a>
        </p>
      </section>
    );
  }
  if (!officer) return null;
  return (
    <section aria-labelledby="minutes-h">
      <h2 id="minutes-h">{t("minutes.title")}</h2>
      <p id="minutes-status">
        {t("minutes.draft_status")}
        {record.edited_by ? t("minutes.edited_by", { name: record.edited_by }) : ""}.
      </p>
      <p class="controls">
        <button type="button" data-local="minutes.load">{t("minutes.open_draft")}</button>
        <Action action="minutes.draft">{t("minutes.redraft")}</Action>
      </p>
      <form id="minutes-edit" class="stack-form">
        <label>
          {t("minutes.text")} <textarea name="text" rows={14}></textarea>
        </label>
        <button type="submit">{t("minutes.save")}</button>
      </form>
      {store.may("minutes.approve") && (
        <form id="minutes-approve" class="inline-form">
          <label>
            {t("minutes.approval_note")} <input name="note" maxLength={500} placeholder={t("minutes.approval_example")} />
          </label>
          <button type="submit">{t("minutes.approve")}</button>
        </form>
      )}
    </section>
  );
}
