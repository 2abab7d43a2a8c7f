// Minutes: officers draft them from the record, edit and (the chair) approve; members read the
// approved minutes as a page or a PDF.
import { useEffect, useState } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import type { Meeting, MeetingStore } from "./store";
import { Action, Confirmed } from "./ui";

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
      <Editor drafted={record.drafted_at} edited={record.edited_by !== null} />
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

// The secretary's editor: it opens with the saved text in it (the draft, or the edits since), and
// fetches it again after each new draft. Redrafting replaces the text with a fresh draft from the
// record, so when the text has been edited since the draft (saved or not) it asks first.
function Editor({ drafted, edited }: { drafted: string; edited: boolean }) {
  // The text as saved on the server, and as it stands in the box; null until fetched.
  const [saved, setSaved] = useState<string | null>(null);
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // A new draft: the box waits for it, and nothing typed meanwhile is overwritten.
    setText(null);
    void act("minutes.get").then((reply) => {
      if (!live || !reply.ok) return;
      const fetched = (reply.data as { text: string }).text;
      setSaved(fetched);
      setText(fetched);
    });
    return () => {
      live = false;
    };
  }, [drafted]);
  const changed = edited || (text !== null && text !== saved);
  const save = async (event: Event) => {
    event.preventDefault();
    if (text === null) return;
    if ((await act("minutes.edit", { text })).ok) setSaved(text);
  };
  return (
    <>
      <p class="controls">
        {changed ? (
          <Confirmed
            label={t("minutes.redraft")}
            question={t("minutes.redraft_question")}
            yes={t("minutes.redraft_yes")}
            onYes={() => void act("minutes.draft")}
          />
        ) : (
          <Action action="minutes.draft">{t("minutes.redraft")}</Action>
        )}
      </p>
      <form id="minutes-editor" class="stack-form" onSubmit={save}>
        <label>
          {t("minutes.text")}{" "}
          <textarea
            name="text"
            rows={14}
            value={text ?? ""}
            disabled={text === null}
            aria-busy={text === null}
            onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
          ></textarea>
        </label>
        <button type="submit" disabled={text === null}>
          {t("minutes.save")}
        </button>
      </form>
    </>
  );
}
