// A meeting's invitations in the officers' console: invite everyone not yet invited, watch the letters
// go (queued, sent, failed with the mail server's reason), resend one or all that failed, and choose the
// meeting's reminders. Every call goes to /api/officers/meetings/ID/invitations, which checks on the
// server who may (signalling/invitations.py).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, refusal } from "./consoleapi";
import { locale, t } from "./i18n";
import "./invitations.css";

interface LetterRecord {
  status: "queued" | "retrying" | "sent" | "failed";
  error: string | null;
  attempts: number;
  queued_at: string;
  sent_at: string | null;
}
interface Recipient {
  member_id: string;
  name: string;
  email: string;
  language: string;
  time_zone: string;
  reminders: boolean;
  kind: "invitation" | "update" | "cancellation" | null;
  letter: LetterRecord | null;
  reminder: LetterRecord | null;
}
type Where = "not_invited" | "queued" | "retrying" | "sent" | "failed" | "no_address";
interface Listing {
  meeting: { id: string; title: string; status: string };
  counts: Record<Where | "recipients", number>;
  total: number;
  offset: number;
  recipients: Recipient[];
  reminders: { minutes: number[]; own: boolean; hub: number[] };
  sending: boolean;
}

const WHERE: Where[] = ["not_invited", "queued", "retrying", "sent", "failed", "no_address"];
const PAGE = 50;
// Reminders an officer may pick for a meeting, in minutes before its start.
const PRESETS = [10080, 2880, 1440, 180, 60, 15];
// While letters are still going, the list is read again this often.
const POLL_MS = 2000;

// "1 day", "3 hours", "15 minutes", in the page's language.
export function before(minutes: number): string {
  const [unit, size] = minutes % 1440 === 0 ? (["day", 1440] as const) : minutes % 60 === 0 ? (["hour", 60] as const) : (["minute", 1] as const);
  return new Intl.NumberFormat(locale(), { style: "unit", unit, unitDisplay: "long" }).format(minutes / size);
}

function listOf(minutes: number[]): string {
  if (!minutes.length) return t("invitations.no_reminders");
  return new Intl.ListFormat(locale(), { type: "conjunction" }).format(minutes.map(before));
}

function Status({ record }: { record: LetterRecord | null }) {
  if (record === null) return <span class="letter-status">{t("invitations.status.not_invited")}</span>;
  const when = record.sent_at ? new Date(record.sent_at).toLocaleString(locale()) : null;
  return (
    <span class={`letter-status status-${record.status}`}>
      {t(`invitations.status.${record.status}`)}
      {when ? <span class="by"> · {when}</span> : null}
      {record.error ? <span class="reason">{t("invitations.reason", { reason: record.error })}</span> : null}
    </span>
  );
}

function Reminders({ path, listing, saved }: { path: string; listing: Listing; saved: (text: string, ok: boolean) => void }) {
  const [own, setOwn] = useState(listing.reminders.own);
  const [chosen, setChosen] = useState<number[]>(listing.reminders.minutes);
  const offered = [...new Set([...PRESETS, ...listing.reminders.minutes])].sort((a, b) => b - a);
  const save = async (event: Event) => {
    event.preventDefault();
    const reply = await api<{ minutes: number[]; own: boolean }>(`${path}/reminders`, { minutes: own ? chosen : null });
    saved(reply.ok ? t("invitations.reminders_saved", { list: listOf(reply.data.minutes) }) : refusal(reply), reply.ok);
  };
  return (
    <form class="invitations-reminders" onSubmit={save}>
      <fieldset>
        <legend>{t("invitations.reminders")}</legend>
        <label class="check">
          <input type="radio" name={`reminders-${listing.meeting.id}`} checked={!own} onChange={() => setOwn(false)} />
          {t("invitations.reminders_hub", { list: listOf(listing.reminders.hub) })}
        </label>
        <label class="check">
          <input type="radio" name={`reminders-${listing.meeting.id}`} checked={own} onChange={() => setOwn(true)} />
          {t("invitations.reminders_own")}
        </label>
        <div class="checks" role="group" aria-label={t("invitations.reminders_own")}>
          {offered.map((m) => (
            <label class="check" key={m}>
              <input
                type="checkbox"
                disabled={!own}
                checked={chosen.includes(m)}
                onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? [...chosen, m] : chosen.filter((c) => c !== m))}
              />
              {t("invitations.before", { span: before(m) })}
            </label>
          ))}
        </div>
        <div class="form-actions">
          <button type="submit">{t("invitations.reminders_save")}</button>
        </div>
      </fieldset>
    </form>
  );
}

// The panel for one meeting; `title` names it for screen readers.
export function Invitations({ meeting, title }: { meeting: string; title: string }) {
  const path = `/api/officers/meetings/${encodeURIComponent(meeting)}/invitations`;
  const [open, setOpen] = useState(false);
  const [listing, setListing] = useState<Listing | null>(null);
  const [filter, setFilter] = useState<Where | "all">("all");
  const [offset, setOffset] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; ok: boolean }>({ text: "", ok: true });
  const timer = useRef<number | null>(null);

  const load = async () => {
    const reply = await api<Listing>(`${path}?status=${filter}&offset=${offset}&limit=${PAGE}`);
    if (reply.ok) setListing(reply.data);
    else setMessage({ text: refusal(reply), ok: false });
    return reply.ok ? reply.data : null;
  };

  // Read again while letters are on their way, so the counts show the sending's progress.
  useEffect(() => {
    if (!open) return;
    let stopped = false;
    const round = async () => {
      const found = await load();
      if (stopped) return;
      if (found && found.counts.queued + found.counts.retrying > 0) timer.current = window.setTimeout(round, POLL_MS);
    };
    void round();
    return () => {
      stopped = true;
      if (timer.current !== null) window.clearTimeout(timer.current);
    };
  }, [open, filter, offset, busy]);

  const act = async (body: object, what: "invite" | "resend") => {
    setBusy(true);
    setMessage({ text: "", ok: true });
    const reply = await api<{ queued: number; already?: number; no_address?: number }>(what === "invite" ? path : `${path}/resend`, body);
    if (!reply.ok) setMessage({ text: refusal(reply), ok: false });
    else if (what === "invite") setMessage({ text: t("invitations.invited", { queued: reply.data.queued, already: reply.data.already ?? 0, no_address: reply.data.no_address ?? 0 }), ok: true });
    else setMessage({ text: t("invitations.resent", { count: reply.data.queued }), ok: true });
    setBusy(false);
  };

  const counts = listing?.counts;
  const going = counts ? counts.queued + counts.retrying : 0;
  const done = counts ? counts.sent + counts.failed : 0;
  const over = listing ? ["closed", "cancelled"].includes(listing.meeting.status) : false;
  return (
    <div class="invitations" data-open={open ? "" : undefined}>
      <button type="button" class="invitations-toggle" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={t("invitations.open", { title })}>
        {t("invitations.title")}
      </button>
      {open ? (
        <section class="invitations-panel" aria-label={t("invitations.open", { title })}>
          {listing === null ? (
            <p role="status">{t("loading")}</p>
          ) : (
            <>
              {!listing.sending ? <p class="note">{t("invitations.not_sending")}</p> : null}
              <ul class="invitation-counts" aria-label={t("invitations.counts")}>
                <li>{t("invitations.recipients", { count: counts!.recipients })}</li>
                {WHERE.map((w) => (
                  <li key={w} data-where={w}>
                    {t(`invitations.status.${w}`)}: <strong>{counts![w]}</strong>
                  </li>
                ))}
              </ul>
              {going > 0 ? (
                <p role="status" class="sending">
                  <progress max={going + done} value={done} aria-label={t("invitations.progress")} /> {t("invitations.going", { done, total: going + done })}
                </p>
              ) : null}
              <div class="row-actions">
                <button type="button" class="primary" disabled={busy || over} onClick={() => act({}, "invite")}>
                  {busy ? t("invitations.inviting") : t("invitations.invite_everyone")}
                </button>
                {counts!.failed > 0 ? (
                  <button type="button" disabled={busy} onClick={() => act({ failed: true }, "resend")}>
                    {t("invitations.resend_failed", { count: counts!.failed })}
                  </button>
                ) : null}
              </div>
              {message.text ? (
                <p class={message.ok ? "done" : "error"} role={message.ok ? "status" : "alert"}>
                  {message.text}
                </p>
              ) : null}
              <Reminders path={path} listing={listing} saved={(text, ok) => setMessage({ text, ok })} key={`${listing.reminders.own}:${listing.reminders.minutes.join()}`} />
              <label>
                {t("invitations.show")}{" "}
                <select
                  value={filter}
                  onChange={(e) => {
                    setFilter((e.target as HTMLSelectElement).value as Where | "all");
                    setOffset(0);
                  }}
                >
                  <option value="all">{t("invitations.show_all")}</option>
                  {WHERE.map((w) => (
                    <option value={w} key={w}>
                      {t(`invitations.status.${w}`)}
                    </option>
                  ))}
                </select>
              </label>
              <div class="table-scroll" tabIndex={0} role="region" aria-label={t("invitations.table", { title })}>
                <table class="officers-table invitations-table">
                  <caption>{t("invitations.table", { title })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("invitations.name")}</th>
                      <th scope="col">{t("invitations.letter")}</th>
                      <th scope="col">{t("invitations.reminder")}</th>
                      <th scope="col">{t("invitations.actions")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {listing.recipients.map((r) => (
                      <tr key={r.member_id} data-member={r.member_id} class={r.letter ? `status-${r.letter.status}` : ""}>
                        <th scope="row">
                          {r.name}
                          <span class="by">
                            {" "}
                            {r.email || t("invitations.status.no_address")} · {r.language}
                          </span>
                        </th>
                        <td>
                          {r.kind ? <span class="by">{t(`invitations.kind.${r.kind}`)}: </span> : null}
                          <Status record={r.letter} />
                        </td>
                        <td>{r.reminders ? (r.reminder ? <Status record={r.reminder} /> : "—") : t("invitations.unsubscribed")}</td>
                        <td>
                          <button type="button" disabled={busy || !r.email || (over && r.kind === null)} onClick={() => act({ member_id: r.member_id }, "resend")} aria-label={t(r.letter ? "invitations.resend_to" : "invitations.send_to", { name: r.name })}>
                            {r.letter ? t("invitations.resend") : t("invitations.send")}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {listing.total > PAGE ? (
                <div class="pager">
                  <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                    {t("invitations.previous")}
                  </button>
                  <span>{t("invitations.page", { from: offset + 1, to: Math.min(offset + PAGE, listing.total), total: listing.total })}</span>
                  <button type="button" disabled={offset + PAGE >= listing.total} onClick={() => setOffset(offset + PAGE)}>
                    {t("invitations.next")}
                  </button>
                </div>
              ) : null}
            </>
          )}
        </section>
      ) : null}
    </div>
  );
}
