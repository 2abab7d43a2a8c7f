// Minutes: officers draft them from the record, edit and (the chair) approve; members read the
// approved minutes as a page or a PDF.
import { escape } from "./format";
import type { Meeting, MeetingStore } from "./store";


export function minutesView(m: Meeting, store: MeetingStore, token: string): string {

  const record = m.minutes;
  const officer = store.may("minutes.draft");
  if (!record) {
    return officer
      ? `<section aria-labelledby="minutes-h"><h2 id="minutes-h">Minutes</h2><p>Not drafted yet.</p>
          <button type="button" data-action="minutes.draft" data-args="{}">Draft the minutes from the record</button></section>`
      : "";
  }
  const links = `<a href="/minutes/${encodeURIComponent(m.id)}.html?token=${encodeURIComponent(token)}" target="_blank" rel="noopener">Read the minutes</a>
    · <a href="/minutes/${encodeURIComponent(m.id)}.pdf?token=${encodeURIComponent(token)}">PDF</a>`;
  if (record.status === "approved") {
    return `<section aria-labelledby="minutes-h"><h2 id="minutes-h">Minutes</h2>
      <p id="minutes-status">Approved${record.approval_note ? `: ${escape(record.approval_note)}` : ""}.</p><p>${links}</p></section>`;
  }
  if (!officer) return "";
  const approve = store.may("minutes.approve")
    ? `<form id="minutes-approve" class="inline-form"><label>Approval note <input name="note" maxlength="500" placeholder="Approved at the meeting of …" /></label>
        <button type="submit">Approve and publish</button></form>`
    : "";
  return `<section aria-labelledby="minutes-h"><h2 id="minutes-h">Minutes</h2>
    <p id="minutes-status">Draft${record.edited_by ? `, edited by ${escape(record.edited_by)}` : ""}.</p>
    <p class="controls"><button type="button" data-local="minutes.load">Open the draft</button>
      <button type="button" data-action="minutes.draft" data-args="{}">Redraft from the record</button></p>
    <form id="minutes-edit" class="stack-form"><label>Text (Markdown) <textarea name="text" rows="14"></textarea></label>
      <button type="submit">Save the minutes</button></form>${approve}</section>`;
}
