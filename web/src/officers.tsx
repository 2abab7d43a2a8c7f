// The officers' console (/officers): branches, members (search, edit, deactivate, export, import with a
// preview) and meetings (create from a template beside the fair-time scores, reschedule, cancel), for
// an admin (everything) or a branch officer (their branches). Every call goes to /api/officers/...,
// which checks again on the server who may do what (signalling/officers.py).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { language, t } from "./i18n";
import { formatStart } from "./time";
import { utcOf, weekday } from "./consoletime";
import { LanguagePicker } from "./ui";
import { Invitations } from "./invitations";
import { api, refusal } from "./consoleapi";
import { HeatMap } from "./heatmap";
import type { Heat } from "./heatmap";
import { SeriesPlanner } from "./series";
import "./officers.css";

interface Me {
  member: { id: string; name: string; time_zone: string };
  admin: boolean;
  branches: string[];
  roles: string[];
  templates: Record<string, { title: string; agenda: AgendaLine[] }>;
}
interface StandingOrders {
  quorum: { kind: "number" | "fraction"; value: number };
  speech_seconds: number;
  [rest: string]: unknown;
}
interface Branch {
  id: string;
  name: string;
  home_time_zone: string;
  public_livestream: boolean;
  standing_orders: StandingOrders;
  members: number;
}
interface Member {
  id: string;
  name: string;
  email: string;
  time_zone: string;
  branch: string | null;
  role: string | null;
  gender: string | null;
  language: string;
  active: boolean;
  admin: boolean;
}
interface AgendaLine {
  title: string;
  kind: string;
  minutes_budget: number | null;
}
interface MeetingRow {
  id: string;
  title: string;
  kind: string;
  branch_id: string;
  branch: string;
  starts_at: string;
  time_zone: string;
  status: string;
  everyone: boolean;
  invited_branches: string[];
  invited: number;
  appointed: Array<{ member_id: string; name: string; role: string }>;
}
interface Score {
  weekday: number;
  start: string;
  next: string;
  night: number;
  edge: number;
  by_region: Record<string, { night: number; edge: number }>;
  varies: boolean;
}
interface FairTimes {
  time_zone: string;
  invited: number;
  best: Score[];
  picked: Score | null;
  heat: Heat;
}
interface PreviewRow {
  line: number;
  outcome: "new" | "updated" | "unchanged" | "error";
  member: { id: string; name: string; email: string; branch: string | null } | null;
  changed: string[];
  problems: Array<{ column: string; code: string; message: string }>;
}
interface Preview {
  ok: boolean;
  saved: boolean;
  counts: Record<string, number>;
  problems: Array<{ column: string; code: string; message: string }>;
  rows: PreviewRow[];
}

const ZONES: string[] = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? ["UTC"];
const AGENDA_KINDS = ["minutes", "report", "motion", "election", "other"];
const PAGE = 25;

export function Message({ text, kind }: { text: string; kind: "error" | "done" }) {
  if (!text) return null;
  return kind === "error" ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : (
    <p class="done" role="status">
      {text}
    </p>
  );
}

function ZonePicker({ id, value, onInput }: { id: string; value: string; onInput: (zone: string) => void }) {
  return (
    <>
      <input id={id} list="officers-zones" value={value} required onInput={(e) => onInput((e.target as HTMLInputElement).value)} autocomplete="off" />
    </>
  );
}

// Members: search, a page at a time; edit one; deactivate; export; import with a preview.
function Members({ me, branches }: { me: Me; branches: Branch[] }) {
  const [query, setQuery] = useState("");
  const [branch, setBranch] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ members: Member[]; total: number } | null>(null);
  const [editing, setEditing] = useState<Member | null>(null);
  const [message, setMessage] = useState<{ text: string; kind: "error" | "done" }>({ text: "", kind: "done" });
  const load = async (at = offset) => {
    const params = new URLSearchParams({ q: query, offset: String(at), limit: String(PAGE), ...(branch ? { branch } : {}) });
    const reply = await api<{ members: Member[]; total: number }>(`/api/officers/members?${params}`);
    if (reply.ok) {
      setPage(reply.data);
      setOffset(at);
    } else setMessage({ text: refusal(reply), kind: "error" });
  };
  useEffect(() => void load(0), []);
  const names = Object.fromEntries(branches.map((b) => [b.id, b.name]));
  const setActive = async (member: Member, active: boolean) => {
    const reply = await api<Member>(`/api/officers/members/${encodeURIComponent(member.id)}/active`, { active });
    setMessage(reply.ok ? { text: t(active ? "officers.reactivated" : "officers.deactivated", { name: member.name }), kind: "done" } : { text: refusal(reply), kind: "error" });
    await load();
  };
  const exportUrl = `/api/officers/members.csv${branch ? `?branch=${encodeURIComponent(branch)}` : ""}`;
  return (
    <section aria-labelledby="members-h" id="members">
      <h2 id="members-h">{t("officers.members")}</h2>
      <form
        class="officers-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void load(0);
        }}
      >
        <label for="member-q">{t("officers.search")}</label>
        <input id="member-q" type="search" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <label for="member-branch">{t("officers.branch")}</label>
        <select id="member-branch" value={branch} onChange={(e) => setBranch((e.target as HTMLSelectElement).value)}>
          <option value="">{t("officers.any_branch")}</option>
          {me.admin ? <option value="none">{t("officers.no_branch")}</option> : null}
          {branches.map((b) => (
            <option value={b.id} key={b.id}>
              {b.name}
            </option>
          ))}
        </select>
        <button type="submit">{t("officers.search_button")}</button>
        <a class="button" href={exportUrl} download="members.csv" id="members-export">
          {t("officers.export")}
        </a>
      </form>
      <Message {...message} />
      {page ? (
        <>
          <p role="status" id="members-count">
            {t("officers.showing", { from: page.total ? offset + 1 : 0, to: offset + page.members.length, total: page.total })}
          </p>
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="members-h">
            <table class="officers-table" id="members-table">
              <thead>
                <tr>
                  <th scope="col">{t("officers.name")}</th>
                  <th scope="col">{t("officers.number")}</th>
                  <th scope="col">{t("officers.email")}</th>
                  <th scope="col">{t("officers.branch")}</th>
                  <th scope="col">{t("officers.role")}</th>
                  <th scope="col">{t("officers.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {page.members.map((m) => (
                  <tr key={m.id} data-member={m.id} class={m.active ? "" : "inactive"}>
                    <th scope="row">
                      {m.name}
                      {m.active ? null : <span class="badge">{t("officers.inactive")}</span>}
                      {m.admin ? <span class="badge">{t("role.admin")}</span> : null}
                    </th>
                    <td>{m.id}</td>
                    <td>{m.email}</td>
                    <td>{m.branch ? (names[m.branch] ?? m.branch) : t("officers.no_branch")}</td>
                    <td>{m.role ? t(`role.${m.role}`) : ""}</td>
                    <td class="row-actions">
                      <button type="button" onClick={() => setEditing(m)} aria-label={t("officers.edit_who", { name: m.name })}>
                        {t("officers.edit")}
                      </button>
                      <button type="button" onClick={() => setActive(m, !m.active)} aria-label={t(m.active ? "officers.deactivate_who" : "officers.reactivate_who", { name: m.name })}>
                        {t(m.active ? "officers.deactivate" : "officers.reactivate")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label={t("officers.pages")}>
            <button type="button" disabled={offset === 0} onClick={() => load(Math.max(0, offset - PAGE))}>
              {t("officers.previous")}
            </button>
            <button type="button" disabled={offset + PAGE >= page.total} onClick={() => load(offset + PAGE)}>
              {t("officers.next")}
            </button>
          </nav>
        </>
      ) : (
        <p role="status">{t("loading")}</p>
      )}
      {editing ? (
        <MemberEditor
          me={me}
          member={editing}
          branches={branches}
          done={async (text) => {
            setEditing(null);
            if (text) setMessage({ text, kind: "done" });
            await load();
          }}
        />
      ) : null}
      <Import
        done={async () => {
          await load(0);
        }}
      />
    </section>
  );
}

function MemberEditor({ me, member, branches, done }: { me: Me; member: Member; branches: Branch[]; done: (text: string) => void }) {
  const [form, setForm] = useState({ ...member });
  const [failure, setFailure] = useState("");
  const set = (field: keyof Member) => (e: Event) => setForm({ ...form, [field]: (e.target as HTMLInputElement).value });
  const save = async (e: Event) => {
    e.preventDefault();
    const body = {
      name: form.name,
      email: form.email,
      time_zone: form.time_zone,
      branch: form.branch || null,
      role: form.branch && form.role ? form.role : null,
      gender: form.gender || null,
      language: form.language,
      ...(me.admin ? { admin: form.admin } : {}),
    };
    const reply = await api<Member>(`/api/officers/members/${encodeURIComponent(member.id)}`, body);
    if (reply.ok) done(t("officers.saved_member", { name: reply.data.name }));
    else setFailure(refusal(reply));
  };
  return (
    <form class="officers-form" id="member-edit" onSubmit={save} aria-labelledby="member-edit-h" onKeyDown={(e) => e.key === "Escape" && done("")}>
      <h3 id="member-edit-h">{t("officers.edit_who", { name: member.name })}</h3>
      <label for="m-name">{t("officers.name")}</label>
      <input id="m-name" value={form.name} required maxLength={120} onInput={set("name")} />
      <label for="m-email">{t("officers.email")}</label>
      <input id="m-email" type="email" value={form.email} onInput={set("email")} />
      <label for="m-zone">{t("officers.time_zone")}</label>
      <ZonePicker id="m-zone" value={form.time_zone} onInput={(zone) => setForm({ ...form, time_zone: zone })} />
      <label for="m-branch">{t("officers.branch")}</label>
      <select id="m-branch" value={form.branch ?? ""} onChange={set("branch")}>
        <option value="">{t("officers.no_branch")}</option>
        {branches.map((b) => (
          <option value={b.id} key={b.id}>
            {b.name}
          </option>
        ))}
      </select>
      <label for="m-role">{t("officers.role")}</label>
      <select id="m-role" value={form.role ?? ""} onChange={set("role")} disabled={!form.branch}>
        <option value="">{t("officers.role_kept")}</option>
        {me.roles.map((r) => (
          <option value={r} key={r}>
            {t(`role.${r}`)}
          </option>
        ))}
      </select>
      <label for="m-language">{t("language")}</label>
      <select id="m-language" value={form.language} onChange={set("language")}>
        <option value="en">English</option>
        <option value="es">Español</option>
      </select>
      {me.admin ? (
        <label class="check">
          <input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: (e.target as HTMLInputElement).checked })} /> {t("officers.is_admin")}
        </label>
      ) : null}
      <Message text={failure} kind="error" />
      <div class="form-actions">
        <button class="primary" type="submit">
          {t("officers.save")}
        </button>
        <button type="button" onClick={() => done("")}>
          {t("officers.cancel")}
        </button>
      </div>
    </form>
  );
}

function base64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

// Import: choose a CSV file, see what saving it would do row by row, then save (only without errors).
function Import({ done }: { done: () => void }) {
  const [file, setFile] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);
  const send = async (save: boolean) => {
    if (!file) return;
    setBusy(true);
    const reply = await api<Preview>("/api/officers/import", { file, save });
    setBusy(false);
    if (!reply.ok) {
      setFailure(refusal(reply));
      return;
    }
    setFailure("");
    setPreview(reply.data);
    if (reply.data.saved) done();
  };
  const shown = preview ? preview.rows.filter((r) => r.outcome !== "unchanged") : [];
  return (
    <section aria-labelledby="import-h" class="officers-import">
      <h3 id="import-h">{t("officers.import")}</h3>
      <p>{t("officers.import_help")}</p>
      <label for="import-file">{t("officers.import_file")}</label>
      <input
        id="import-file"
        type="file"
        accept=".csv,text/csv"
        onChange={async (e) => {
          const chosen = (e.target as HTMLInputElement).files?.[0];
          setPreview(null);
          setFile(chosen ? base64(await chosen.arrayBuffer()) : null);
        }}
      />
      <button type="button" id="import-preview" disabled={!file || busy} onClick={() => send(false)}>
        {t("officers.import_preview")}
      </button>
      <Message text={failure} kind="error" />
      {preview ? (
        <div id="import-result">
          {preview.problems.map((p) => (
            <p class="error" role="alert" key={p.code}>
              {t(`imports.${p.code}`, { defaultValue: p.message })}
            </p>
          ))}
          {preview.rows.length ? (
            <p role="status" id="import-counts">
              {preview.saved
                ? t("officers.import_saved", { new: preview.counts.new, updated: preview.counts.updated })
                : t("officers.import_counts", { new: preview.counts.new, updated: preview.counts.updated, unchanged: preview.counts.unchanged, error: preview.counts.error })}
            </p>
          ) : null}
          {shown.length ? (
            <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="import-h">
              <table class="officers-table" id="import-rows">
                <caption>{t("officers.import_rows")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("officers.line")}</th>
                    <th scope="col">{t("officers.outcome")}</th>
                    <th scope="col">{t("officers.member")}</th>
                    <th scope="col">{t("officers.details")}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.line} class={`outcome-${r.outcome}`} data-line={r.line}>
                      <td>{r.line}</td>
                      <td>{t(`officers.outcome_${r.outcome}`)}</td>
                      <td>{r.member ? `${r.member.name} (${r.member.id})` : ""}</td>
                      <td>
                        {r.outcome === "error"
                          ? r.problems.map((p) => (
                              <span class="problem" key={p.code}>
                                {t("officers.problem", { column: p.column, problem: t(`imports.${p.code}`, { defaultValue: p.message }) })}
                              </span>
                            ))
                          : r.changed.join(", ")}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {!preview.saved ? (
            <button type="button" class="primary" id="import-save" disabled={!preview.ok || busy} onClick={() => send(true)}>
              {preview.ok ? t("officers.import_save") : t("officers.import_fix")}
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function When({ utc, zone, own }: { utc: string; zone: string; own: string }) {
  const home = formatStart(utc, zone).home;
  const yours = formatStart(utc, own).home;
  return (
    <>
      <span>{home}</span>
      {yours !== home ? <span class="by"> · {t("officers.your_time", { time: yours })}</span> : null}
    </>
  );
}

// Meetings: the list, with reschedule and cancel, and a new one from a template.
function Meetings({ me, branches }: { me: Me; branches: Branch[] }) {
  const [meetings, setMeetings] = useState<MeetingRow[] | null>(null);
  const [message, setMessage] = useState<{ text: string; kind: "error" | "done" }>({ text: "", kind: "done" });
  const [moving, setMoving] = useState<string | null>(null);
  const load = async () => {
    const reply = await api<MeetingRow[]>("/api/officers/meetings");
    if (reply.ok) setMeetings(reply.data);
  };
  useEffect(() => void load(), []);
  const cancel = async (meeting: MeetingRow) => {
    if (!confirm(t("officers.cancel_confirm", { title: meeting.title }))) return;
    const reply = await api<MeetingRow>(`/api/officers/meetings/${encodeURIComponent(meeting.id)}/cancel`, {});
    setMessage(reply.ok ? { text: t("officers.cancelled", { title: meeting.title }), kind: "done" } : { text: refusal(reply), kind: "error" });
    await load();
  };
  return (
    <section aria-labelledby="meetings-h" id="meetings">
      <h2 id="meetings-h">{t("officers.meetings")}</h2>
      <Message {...message} />
      {meetings === null ? (
        <p role="status">{t("loading")}</p>
      ) : meetings.length === 0 ? (
        <p>{t("officers.no_meetings")}</p>
      ) : (
        <ul class="officers-meetings" id="meetings-list">
          {meetings.map((m) => (
            <li key={m.id} data-meeting={m.id} class="meeting-card">
              <h3>{m.title}</h3>
              <p class="by">
                {t(`officers.kind_${m.kind}`)} · {m.branch} · <span class="status">{t(`status.${m.status}`)}</span>
              </p>
              <p>
                <When utc={m.starts_at} zone={m.time_zone} own={me.member.time_zone} />
              </p>
              <p class="by">{m.everyone ? t("officers.invited_everyone", { count: m.invited }) : t("officers.invited_count", { count: m.invited })}</p>
              {m.status === "scheduled" ? (
                <div class="row-actions">
                  <button type="button" onClick={() => setMoving(moving === m.id ? null : m.id)} aria-expanded={moving === m.id} aria-label={t("officers.reschedule_what", { title: m.title })}>
                    {t("officers.reschedule")}
                  </button>
                  <button type="button" onClick={() => cancel(m)} aria-label={t("officers.cancel_what", { title: m.title })}>
                    {t("officers.cancel_meeting")}
                  </button>
                </div>
              ) : null}
              {moving === m.id ? (
                <Reschedule
                  meeting={m}
                  own={me.member.time_zone}
                  done={async (text, ok) => {
                    setMessage({ text, kind: ok ? "done" : "error" });
                    if (ok) setMoving(null);
                    await load();
                  }}
                />
              ) : null}
              <Invitations meeting={m.id} title={m.title} />
            </li>
          ))}
        </ul>
      )}
      <NewMeeting
        me={me}
        branches={branches}
        created={async (said) => {
          setMessage({ text: said, kind: "done" });
          await load();
        }}
      />
    </section>
  );
}

function Reschedule({ meeting, own, done }: { meeting: MeetingRow; own: string; done: (text: string, ok: boolean) => void }) {
  const [at, setAt] = useState("");
  const utc = at ? utcOf(at, meeting.time_zone) : null;
  const send = async (e: Event) => {
    e.preventDefault();
    const reply = await api<MeetingRow>(`/api/officers/meetings/${encodeURIComponent(meeting.id)}/reschedule`, { starts_at: at });
    done(reply.ok ? t("officers.rescheduled", { title: meeting.title }) : refusal(reply), reply.ok);
  };
  const id = `move-${meeting.id}`;
  return (
    <form class="officers-form" onSubmit={send}>
      <label for={id}>{t("officers.new_time", { zone: meeting.time_zone })}</label>
      <input id={id} type="datetime-local" required value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} />
      {utc ? <p class="by">{t("officers.your_time", { time: formatStart(utc, own).home })}</p> : null}
      <button type="submit" class="primary">
        {t("officers.reschedule")}
      </button>
    </form>
  );
}

function NewMeeting({ me, branches, created }: { me: Me; branches: Branch[]; created: (said: string) => void }) {
  const first = branches[0];
  const [kind, setKind] = useState("branch");
  const [branchId, setBranchId] = useState(first?.id ?? "");
  const [title, setTitle] = useState(t("officers.kind_branch"));
  const [at, setAt] = useState("");
  const [invite, setInvite] = useState<"branch" | "branches" | "everyone">("branch");
  const [others, setOthers] = useState<string[]>([]);
  const [agenda, setAgenda] = useState<AgendaLine[]>(me.templates.branch?.agenda ?? []);
  const [chair, setChair] = useState("");
  const [secretary, setSecretary] = useState("");
  const [tellers, setTellers] = useState("");
  const [lobby, setLobby] = useState(false);
  const [conduct, setConduct] = useState("");
  const [quorum, setQuorum] = useState<{ kind: "number" | "fraction"; value: number }>(first?.standing_orders.quorum ?? { kind: "number", value: 5 });
  const [speech, setSpeech] = useState(first?.standing_orders.speech_seconds ?? 180);
  const [failure, setFailure] = useState("");
  const [fair, setFair] = useState<FairTimes | null>(null);
  // A series of meetings rather than one, and the series' times (SeriesPlanner).
  const [plural, setPlural] = useState(false);
  const [starts, setStarts] = useState<string[]>([]);
  const branch = branches.find((b) => b.id === branchId);
  const zone = branch?.home_time_zone ?? "UTC";
  const utc = at ? utcOf(at, zone) : null;
  const chooseTemplate = (next: string) => {
    setKind(next);
    setAgenda(me.templates[next]?.agenda ?? []);
    setTitle(t(`officers.kind_${next}`));
    if (next === "agm" && me.admin) setInvite("everyone");
  };
  const chooseBranch = (id: string) => {
    setBranchId(id);
    const chosen = branches.find((b) => b.id === id);
    if (chosen) {
      setQuorum(chosen.standing_orders.quorum);
      setSpeech(chosen.standing_orders.speech_seconds);
    }
    setOthers(others.filter((o) => o !== id));
  };
  const invitees = () => ({ branch_id: branchId, invite, invited_branches: invite === "branches" ? others : [] });
  const checkFairTimes = async (day?: number) => {
    const reply = await api<FairTimes>("/api/officers/fair-times", { ...invitees(), ...(at ? { starts_at: at } : {}), ...(day === undefined ? {} : { weekday: day }) });
    if (reply.ok) setFair(reply.data);
    else setFailure(refusal(reply));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const ids = (text: string) =>
      text
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    const body = {
      ...invitees(),
      kind,
      title,
      ...(plural ? { starts } : { starts_at: at }),
      agenda: agenda.filter((line) => line.title.trim()),
      standing_orders: { ...(branch?.standing_orders ?? {}), quorum, speech_seconds: speech },
      ...(chair ? { chair } : {}),
      ...(secretary ? { secretary } : {}),
      tellers: ids(tellers),
      lobby,
      code_of_conduct: conduct,
    };
    if (plural) {
      const reply = await api<{ series: string; meetings: MeetingRow[] }>("/api/officers/series", body);
      if (reply.ok) {
        setFailure("");
        created(t("officers.series_created", { title, count: reply.data.meetings.length }));
      } else setFailure(refusal(reply));
      return;
    }
    const reply = await api<MeetingRow>("/api/officers/meetings", body);
    if (reply.ok) {
      setFailure("");
      created(t("officers.created", { title: reply.data.title }));
    } else setFailure(refusal(reply));
  };
  const line = (n: number, change: Partial<AgendaLine>) => setAgenda(agenda.map((l, i) => (i === n ? { ...l, ...change } : l)));
  if (!branches.length) return null;
  return (
    <form class="officers-form" id="meeting-new" onSubmit={submit} aria-labelledby="meeting-new-h">
      <h3 id="meeting-new-h">{t("officers.new_meeting")}</h3>
      <label for="nm-kind">{t("officers.template")}</label>
      <select id="nm-kind" value={kind} onChange={(e) => chooseTemplate((e.target as HTMLSelectElement).value)}>
        {Object.keys(me.templates).map((k) => (
          <option value={k} key={k}>
            {t(`officers.kind_${k}`)}
          </option>
        ))}
      </select>
      <label for="nm-branch">{t("officers.branch")}</label>
      <select id="nm-branch" value={branchId} onChange={(e) => chooseBranch((e.target as HTMLSelectElement).value)}>
        {branches.map((b) => (
          <option value={b.id} key={b.id}>
            {b.name}
          </option>
        ))}
      </select>
      <label for="nm-title">{t("officers.title")}</label>
      <input id="nm-title" value={title} required maxLength={plural ? 100 : 120} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      <fieldset>
        <legend>{t("officers.invited")}</legend>
        <label class="check">
          <input type="radio" name="invite" value="branch" checked={invite === "branch"} onChange={() => setInvite("branch")} /> {t("officers.invite_branch")}
        </label>
        <label class="check">
          <input type="radio" name="invite" value="branches" checked={invite === "branches"} onChange={() => setInvite("branches")} /> {t("officers.invite_branches")}
        </label>
        {invite === "branches" ? (
          <div class="checks">
            {branches
              .filter((b) => b.id !== branchId)
              .map((b) => (
                <label class="check" key={b.id}>
                  <input
                    type="checkbox"
                    checked={others.includes(b.id)}
                    onChange={(e) => setOthers((e.target as HTMLInputElement).checked ? [...others, b.id] : others.filter((o) => o !== b.id))}
                  />{" "}
                  {b.name}
                </label>
              ))}
          </div>
        ) : null}
        {me.admin ? (
          <label class="check">
            <input type="radio" name="invite" value="everyone" checked={invite === "everyone"} onChange={() => setInvite("everyone")} /> {t("officers.invite_everyone")}
          </label>
        ) : null}
      </fieldset>
      <fieldset class="one-or-series">
        <legend>{t("officers.one_or_series")}</legend>
        <label class="check">
          <input type="radio" name="plural" checked={!plural} onChange={() => setPlural(false)} /> {t("officers.one_meeting")}
        </label>
        <label class="check">
          <input type="radio" name="plural" id="nm-series" checked={plural} onChange={() => setPlural(true)} /> {t("officers.a_series")}
        </label>
      </fieldset>
      {plural ? (
        <SeriesPlanner invitees={invitees} zone={zone} own={me.member.time_zone} starts={starts} setStarts={setStarts} />
      ) : (
        <div class="when-picker">
          <div>
            <label for="nm-at">{t("officers.starts_at", { zone })}</label>
            <input id="nm-at" type="datetime-local" required value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} />
            <p class="by" id="nm-yours" aria-live="polite">
              {utc ? t("officers.your_time", { time: formatStart(utc, me.member.time_zone).home }) : ""}
            </p>
            <button type="button" id="nm-fair" onClick={() => checkFairTimes()}>
              {t("officers.fair_check")}
            </button>
          </div>
          {fair ? <FairTable fair={fair} use={(next) => setAt(next)} /> : null}
          {fair ? (
            <HeatMap
              heat={fair.heat}
              zone={fair.time_zone}
              picked={fair.picked && fair.picked.weekday === fair.heat.weekday ? fair.picked.start : null}
              chooseDay={(day) => checkFairTimes(day)}
              use={(next) => setAt(next)}
            />
          ) : null}
        </div>
      )}
      <fieldset>
        <legend>{t("officers.agenda")}</legend>
        <ol class="agenda-lines">
          {agenda.map((l, n) => (
            <li key={n}>
              <input aria-label={t("officers.item_title", { n: n + 1 })} value={l.title} maxLength={200} onInput={(e) => line(n, { title: (e.target as HTMLInputElement).value })} />
              <select aria-label={t("officers.item_kind", { n: n + 1 })} value={l.kind} onChange={(e) => line(n, { kind: (e.target as HTMLSelectElement).value })}>
                {AGENDA_KINDS.map((k) => (
                  <option value={k} key={k}>
                    {t(`officers.agenda_${k}`)}
                  </option>
                ))}
              </select>
              <input
                aria-label={t("officers.item_minutes", { n: n + 1 })}
                type="number"
                min={0}
                max={1440}
                value={l.minutes_budget ?? ""}
                onInput={(e) => {
                  const text = (e.target as HTMLInputElement).value;
                  line(n, { minutes_budget: text ? Number(text) : null });
                }}
              />
              <button type="button" onClick={() => setAgenda(agenda.filter((_, i) => i !== n))} aria-label={t("officers.item_remove", { n: n + 1 })}>
                ×
              </button>
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => setAgenda([...agenda, { title: "", kind: "other", minutes_budget: null }])}>
          {t("officers.item_add")}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t("officers.standing_orders")}</legend>
        <label for="nm-quorum-kind">{t("officers.quorum_kind")}</label>
        <select id="nm-quorum-kind" value={quorum.kind} onChange={(e) => setQuorum({ ...quorum, kind: (e.target as HTMLSelectElement).value as "number" | "fraction" })}>
          <option value="number">{t("officers.quorum_number")}</option>
          <option value="fraction">{t("officers.quorum_fraction")}</option>
        </select>
        <label for="nm-quorum">{t("officers.quorum")}</label>
        <input id="nm-quorum" type="number" min={0} step="any" value={quorum.value} onInput={(e) => setQuorum({ ...quorum, value: Number((e.target as HTMLInputElement).value) })} />
        <label for="nm-speech">{t("officers.speech_seconds")}</label>
        <input id="nm-speech" type="number" min={10} max={3600} value={speech} onInput={(e) => setSpeech(Number((e.target as HTMLInputElement).value))} />
      </fieldset>
      <fieldset>
        <legend>{t("officers.appointments")}</legend>
        <p class="by">{t("officers.appointments_help")}</p>
        <label for="nm-chair">{t("officers.chair")}</label>
        <input id="nm-chair" value={chair} onInput={(e) => setChair((e.target as HTMLInputElement).value.trim())} />
        <label for="nm-secretary">{t("officers.secretary")}</label>
        <input id="nm-secretary" value={secretary} onInput={(e) => setSecretary((e.target as HTMLInputElement).value.trim())} />
        <label for="nm-tellers">{t("officers.tellers")}</label>
        <input id="nm-tellers" value={tellers} onInput={(e) => setTellers((e.target as HTMLInputElement).value)} />
      </fieldset>
      <label class="check">
        <input type="checkbox" id="nm-lobby" checked={lobby} onChange={(e) => setLobby((e.target as HTMLInputElement).checked)} /> {t("officers.lobby")}
      </label>
      <label for="nm-conduct">{t("officers.code_of_conduct")}</label>
      <textarea id="nm-conduct" rows={3} maxLength={5000} value={conduct} onInput={(e) => setConduct((e.target as HTMLTextAreaElement).value)} />
      <Message text={failure} kind="error" />
      <button class="primary" type="submit" id="nm-create" disabled={plural && !starts.length}>
        {plural ? t("officers.series_create", { count: starts.length }) : t("officers.create")}
      </button>
    </form>
  );
}

// The fair-time scores beside the date picker: the picked slot and the best ones, by how many invited
// members each asks to meet at night (23:00-07:00 their time) or at the edge of their day.
function FairTable({ fair, use }: { fair: FairTimes; use: (next: string) => void }) {
  const row = (s: Score, picked: boolean) => (
    <tr key={`${s.weekday}-${s.start}-${picked}`} class={picked ? "picked" : ""}>
      <th scope="row">
        {picked ? `${t("officers.fair_picked")}: ` : ""}
        {weekday(s.weekday)} {s.start}
      </th>
      <td>{s.night}</td>
      <td>{s.edge}</td>
      <td>
        {Object.entries(s.by_region)
          .map(([region, b]) => t("officers.fair_region", { region, night: b.night, edge: b.edge }))
          .join("; ")}
        {s.varies ? ` ${t("officers.fair_varies")}` : ""}
      </td>
      <td>
        {picked ? null : (
          <button type="button" onClick={() => use(s.next)} aria-label={t("officers.fair_use", { slot: `${weekday(s.weekday)} ${s.start}` })}>
            {t("officers.fair_use_short")}
          </button>
        )}
      </td>
    </tr>
  );
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="fair-caption">
      <table class="officers-table" id="fair-times">
        <caption id="fair-caption">{t("officers.fair_caption", { count: fair.invited, zone: fair.time_zone })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("officers.fair_slot")}</th>
            <th scope="col">{t("officers.fair_night")}</th>
            <th scope="col">{t("officers.fair_edge")}</th>
            <th scope="col">{t("officers.fair_regions")}</th>
            <th scope="col">
              <span class="visually-hidden">{t("officers.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {fair.picked ? row(fair.picked, true) : null}
          {fair.best.map((s) => row(s, false))}
        </tbody>
      </table>
    </div>
  );
}

// Branches: the list, each editable; a new one (admins).
function Branches({ me, branches, changed }: { me: Me; branches: Branch[]; changed: () => void }) {
  const [editing, setEditing] = useState<Branch | null>(null);
  const [message, setMessage] = useState("");
  const blank: Branch = { id: "", name: "", home_time_zone: me.member.time_zone, public_livestream: false, standing_orders: { quorum: { kind: "number", value: 5 }, speech_seconds: 180 }, members: 0 };
  return (
    <section aria-labelledby="branches-h" id="branches">
      <h2 id="branches-h">{t("officers.branches")}</h2>
      <Message text={message} kind="done" />
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="branches-h">
        <table class="officers-table" id="branches-table">
          <thead>
            <tr>
              <th scope="col">{t("officers.name")}</th>
              <th scope="col">{t("officers.time_zone")}</th>
              <th scope="col">{t("officers.members")}</th>
              <th scope="col">{t("officers.livestream")}</th>
              <th scope="col">{t("officers.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {branches.map((b) => (
              <tr key={b.id} data-branch={b.id}>
                <th scope="row">{b.name}</th>
                <td>{b.home_time_zone}</td>
                <td>{b.members}</td>
                <td>{b.public_livestream ? t("officers.public") : t("officers.members_only")}</td>
                <td>
                  <button type="button" onClick={() => setEditing(b)} aria-label={t("officers.edit_who", { name: b.name })}>
                    {t("officers.edit")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing ? (
        <BranchEditor
          branch={editing}
          done={(text) => {
            setEditing(null);
            setMessage(text);
            if (text) changed();
          }}
        />
      ) : me.admin ? (
        <button type="button" id="branch-new" onClick={() => setEditing(blank)}>
          {t("officers.new_branch")}
        </button>
      ) : null}
    </section>
  );
}

function BranchEditor({ branch, done }: { branch: Branch; done: (text: string) => void }) {
  const [form, setForm] = useState(branch);
  const [failure, setFailure] = useState("");
  const creating = !branch.id;
  const orders = form.standing_orders;
  const save = async (e: Event) => {
    e.preventDefault();
    const body = { name: form.name, home_time_zone: form.home_time_zone, public_livestream: form.public_livestream, standing_orders: orders };
    const reply = await api<Branch>(creating ? "/api/officers/branches" : `/api/officers/branches/${encodeURIComponent(branch.id)}`, body);
    if (reply.ok) done(t("officers.saved_branch", { name: reply.data.name }));
    else setFailure(refusal(reply));
  };
  return (
    <form class="officers-form" id="branch-edit" onSubmit={save} aria-labelledby="branch-edit-h" onKeyDown={(e) => e.key === "Escape" && done("")}>
      <h3 id="branch-edit-h">{creating ? t("officers.new_branch") : t("officers.edit_who", { name: branch.name })}</h3>
      <label for="b-name">{t("officers.name")}</label>
      <input id="b-name" value={form.name} required maxLength={120} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} />
      <label for="b-zone">{t("officers.home_time_zone")}</label>
      <ZonePicker id="b-zone" value={form.home_time_zone} onInput={(zone) => setForm({ ...form, home_time_zone: zone })} />
      <label class="check">
        <input type="checkbox" checked={form.public_livestream} onChange={(e) => setForm({ ...form, public_livestream: (e.target as HTMLInputElement).checked })} /> {t("officers.public_livestream")}
      </label>
      <fieldset>
        <legend>{t("officers.default_orders")}</legend>
        <label for="b-quorum-kind">{t("officers.quorum_kind")}</label>
        <select id="b-quorum-kind" value={orders.quorum.kind} onChange={(e) => setForm({ ...form, standing_orders: { ...orders, quorum: { ...orders.quorum, kind: (e.target as HTMLSelectElement).value as "number" | "fraction" } } })}>
          <option value="number">{t("officers.quorum_number")}</option>
          <option value="fraction">{t("officers.quorum_fraction")}</option>
        </select>
        <label for="b-quorum">{t("officers.quorum")}</label>
        <input id="b-quorum" type="number" min={0} step="any" value={orders.quorum.value} onInput={(e) => setForm({ ...form, standing_orders: { ...orders, quorum: { ...orders.quorum, value: Number((e.target as HTMLInputElement).value) } } })} />
        <label for="b-speech">{t("officers.speech_seconds")}</label>
        <input id="b-speech" type="number" min={10} max={3600} value={orders.speech_seconds} onInput={(e) => setForm({ ...form, standing_orders: { ...orders, speech_seconds: Number((e.target as HTMLInputElement).value) } })} />
      </fieldset>
      <Message text={failure} kind="error" />
      <div class="form-actions">
        <button class="primary" type="submit">
          {t("officers.save")}
        </button>
        <button type="button" onClick={() => done("")}>
          {t("officers.cancel")}
        </button>
      </div>
    </form>
  );
}

function Console() {
  const [me, setMe] = useState<Me | null>(null);
  const [branches, setBranches] = useState<Branch[]>([]);
  const [failure, setFailure] = useState("");
  const [, setLanguageShown] = useState(language());
  const loadBranches = async () => {
    const reply = await api<Branch[]>("/api/officers/branches");
    if (reply.ok) setBranches(reply.data);
  };
  useEffect(() => {
    void api<Me>("/api/officers/me").then((reply) => {
      if (reply.ok) {
        setMe(reply.data);
        void loadBranches();
      } else setFailure(refusal(reply));
    });
  }, []);
  const picker = <LanguagePicker onChange={() => setLanguageShown(language())} />;
  if (failure) {
    return (
      <div class="officers">
        <div class="error" role="alert">
          <h1>{t("officers.title_page")}</h1>
          <p>{failure}</p>
          <a href="/home">{t("officers.back_home")}</a>
        </div>
      </div>
    );
  }
  if (!me) return <p role="status">{t("loading")}</p>;
  return (
    <div class="officers">
      <header class="home-header">
        <div>
          <h1>{t("officers.title_page")}</h1>
          <p>{me.admin ? t("officers.you_admin", { name: me.member.name }) : t("officers.you_officer", { name: me.member.name, count: me.branches.length })}</p>
        </div>
        <div class="header-actions">
          {picker}
          <a class="button" href="/home">
            {t("officers.back_home")}
          </a>
        </div>
      </header>
      <nav aria-label={t("officers.sections")} class="officers-nav">
        <a href="#members">{t("officers.members")}</a>
        <a href="#meetings">{t("officers.meetings")}</a>
        <a href="#branches">{t("officers.branches")}</a>
      </nav>
      <datalist id="officers-zones">
        {ZONES.map((z) => (
          <option value={z} key={z} />
        ))}
      </datalist>
      <Members me={me} branches={branches} />
      {branches.length ? <Meetings me={me} branches={branches} /> : null}
      <Branches me={me} branches={branches} changed={loadBranches} />
    </div>
  );
}

export function showOfficers(root: HTMLElement): void {
  root.replaceChildren();
  render(<Console />, root);
}
