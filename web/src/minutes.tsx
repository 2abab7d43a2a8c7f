// Minutes: officers draft them from the record, edit and (the chair) approve; members read the
// approved minutes as a page or a PDF.
import type { Meeting, MeetingStore } from "./store";
import { Action } from "./ui";

export function Minutes({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  const record = m.minutes;
  const officer = store.may("minutes.draft");
  if (!record) {
    return officer ? (
      <section aria-labelledby="minutes-h">
        <h2 id="minutes-h">Minutes</h2>
        <p>Not drafted yet.</p>
        <Action action="minutes.draft">Draft the minutes from the record</Action>
      </section>
    ) : null;
  }
  const query = `?token=${encodeURIComponent(token)}`;
  if (record.status === "approved") {
    return (
      <section aria-labelledby="minutes-h">
        <h2 id="minutes-h">Minutes</h2>
        <p id="minutes-status">Approved{record.approval_note ? `: ${record.approval_note}` : ""}.</p>
        <p>
          <a href={`/minutes/${encodeURIComponent(m.id)}.html${query}`} target="_blank" rel="noopener">
            Read the minutes
          </a>{" "}
          · <a href={`/minutes/${encodeURIComponent(m.id)}.pdf${query}`}>PDF</a>
        </p>
      </section>
    );
  }
  if (!officer) return null;
  return (
    <section aria-labelledby="minutes-h">
      <h2 id="minutes-h">Minutes</h2>
      <p id="minutes-status">Draft{record.edited_by ? `, edited by ${record.edited_by}` : ""}.</p>
      <p class="controls">
        <button type="button" data-local="minutes.load">Open the draft</button>
        <Action action="minutes.draft">Redraft from the record</Action>
      </p>
      <form id="minutes-edit" class="stack-form">
        <label>
          Text (Markdown) <textarea name="text" rows={14}></textarea>
        </label>
        <button type="submit">Save the minutes</button>
      </form>
      {store.may("minutes.approve") && (
        <form id="minutes-approve" class="inline-form">
          <label>
            Approval note <input name="note" maxLength={500} placeholder="Approved at the meeting of …" />
          </label>
          <button type="submit">Approve and publish</button>
        </form>
      )}
    </section>
  );
}
