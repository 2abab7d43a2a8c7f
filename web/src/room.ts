// The meeting room: header, agenda, the floor (current speech), the speaker queue and who is here.
// Everything renders from the store; controls carry data-action and are sent by main.ts.
import { button, clock, escape } from "./format";
import type { AgendaItem, Meeting, MeetingStore, Participant, QueueEntry } from "./store";
import { formalMode } from "./forwarding";
import { minutesView } from "./minutes";
import { motionsView } from "./motions";
import { formatStart } from "./time";

const STATUS: Record<string, string> = {
  scheduled: "Scheduled",
  open: "Open: members are arriving",
  in_session: "In session",
  closed: "Closed",
};

const REASON: Record<string, string> = {
  point_of_order: "Point of order: taken first",
  first_time: "Has not spoken on this item yet",
  spoken_before: "Has spoken on this item before",
  alternation: "Brought forward so that speakers alternate",
  moved_by_chair: "Placed here by the chair",
};


export function speechRemaining(store: MeetingStore): number | null {
  const speech = store.meeting?.speech;
  if (!speech) return null;
  const running = speech.started_at ? (store.serverNow() - Date.parse(speech.started_at)) / 1000 : 0;
  return speech.limit_seconds - (speech.elapsed_seconds + running);
}

function itemMinutes(item: AgendaItem, store: MeetingStore): string {
  const live = item.opened_at ? (store.serverNow() - Date.parse(item.opened_at)) / 1000 : 0;
  const used = clock(item.seconds_used + live);
  return item.minutes_budget ? `${used} of ${item.minutes_budget}:00` : used;
}

function header(m: Meeting, store: MeetingStore): string {
  const when = formatStart(m.starts_at, m.time_zone);
  const you = store.you;
  const chair = store.may("meeting.set_status");
  const transitions: Record<string, Array<[string, string]>> = {
    scheduled: [["open", "Open the meeting"]],
    open: [["in_session", "Start the session"], ["scheduled", "Back to scheduled"]],
    in_session: [["closed", "Close the meeting"]],
    closed: [],
  };
  return `
    <header>
      <h1 id="title">${escape(m.title)}</h1>
      <p>
        <span class="status" id="status">${escape(STATUS[m.status] ?? m.status)}</span>
        <span class="quorum ${m.quorum.quorate ? "ok" : "short"}" id="quorum">
          ${m.quorum.quorate ? "Quorate" : "Not quorate"}: ${m.quorum.present} present, ${m.quorum.required} needed
        </span>
      </p>
      <dl class="when">
        <dt>Your time</dt>
        <dd><time id="starts" datetime="${escape(m.starts_at)}">${escape(when.local)}</time></dd>
        <dt>Meeting time (${escape(m.time_zone)})</dt>
        <dd class="home">${escape(when.home)}</dd>
      </dl>
      ${you ? `<p class="you" id="you">You are <strong>${escape(you.name)}</strong> (${escape(you.role)})</p>` : ""}
      ${you && store.may("attendance.apologise") && m.status === "scheduled" && !m.apologies[you.member_id]
        ? `<form id="apologise" class="inline-form"><label>Can't come? <input name="note" maxlength="500" placeholder="A short note (optional)" /></label><button type="submit">Send apologies</button></form>`
        : ""}
      ${you && m.apologies[you.member_id] ? `<p id="apologised">Your apologies are recorded.</p>` : ""}
      ${chair ? `<p class="controls">${(transitions[m.status] ?? []).map(([to, label]) => button(label, "meeting.set_status", { status: to })).join(" ")}</p>` : ""}
    </header>`;
}

function agendaView(m: Meeting, store: MeetingStore): string {
  const chair = store.may("agenda.select");
  const officer = store.may("agenda.add");
  const items = m.agenda
    .map((item, index) => {
      const current = item.id === m.current_item;
      const controls = [
        chair && !current ? button("Take up", "agenda.select", { item_id: item.id }) : "",
        officer && index > 0 ? button("↑", "agenda.move", { item_id: item.id, position: index - 1 }, `aria-label="Move ${escape(item.title)} up"`) : "",
        officer && index < m.agenda.length - 1 ? button("↓", "agenda.move", { item_id: item.id, position: index + 1 }, `aria-label="Move ${escape(item.title)} down"`) : "",
        officer && !current ? button("Remove", "agenda.remove", { item_id: item.id }) : "",
      ].join(" ");
      return `<li data-item="${escape(item.id)}" ${current ? 'aria-current="step" class="current"' : ""}>
          <span class="item-title">${escape(item.title)}</span>
          <span class="item-time" data-item-time="${escape(item.id)}">${itemMinutes(item, store)}</span>
          ${item.documents.map((d) => `<p class="document">${escape(d)}</p>`).join("")}
          <span class="controls">${controls}</span>
        </li>`;
    })
    .join("");
  const add = officer
    ? `<form id="agenda-add" class="inline-form">
         <label>New item <input name="title" required maxlength="200" /></label>
         <label>Minutes <input name="minutes" type="number" min="0" max="1440" /></label>
         <button type="submit">Add to agenda</button>
       </form>`
    : "";
  return `<section aria-labelledby="agenda-h"><h2 id="agenda-h">Agenda</h2>
    <ol class="agenda" id="agenda">${items}</ol>${add}</section>`;
}

function floorView(m: Meeting, store: MeetingStore): string {
  const chair = store.may("speech.end");
  const speech = m.speech;
  if (!speech) return `<section aria-labelledby="floor-h"><h2 id="floor-h">The floor</h2><p id="floor">Nobody is speaking.</p></section>`;
  const remaining = speechRemaining(store) ?? 0;
  const controls = chair
    ? [
        speech.started_at ? button("Pause", "speech.pause") : button("Resume", "speech.start"),
        button("+1 min", "speech.extend", { seconds: 60 }),
        button("End speech", "speech.end"),
      ].join(" ")
    : "";
  return `<section aria-labelledby="floor-h"><h2 id="floor-h">The floor</h2>
    <div id="floor" class="floor">
      <p><strong id="speaker">${escape(speech.name)}</strong>${speech.kind === "point_of_order" ? " (point of order)" : ""}</p>
      <p class="countdown ${remaining < 0 ? "over" : ""}" id="countdown" role="timer">${clock(remaining)}</p>
      ${speech.started_at ? "" : "<p>Paused</p>"}
      <p class="controls">${controls}</p>
    </div></section>`;
}

function entryLine(entry: QueueEntry, index: number, count: number, mine: boolean, chair: boolean): string {
  const stance = entry.stance ? ` <span class="stance">${entry.stance}</span>` : "";
  const what = entry.kind === "point_of_order" ? ` <span class="poo">Point of order: ${escape(entry.rule ?? "")}</span>` : stance;
  const controls = chair
    ? [
        button("Call", "speaker.call", { entry_id: entry.id }),
        index > 0 ? button("↑", "speaker.move", { entry_id: entry.id, position: index - 1 }, `aria-label="Move ${escape(entry.name)} up"`) : "",
        index < count - 1 ? button("↓", "speaker.move", { entry_id: entry.id, position: index + 1 }, `aria-label="Move ${escape(entry.name)} down"`) : "",
        button("Remove", "speaker.remove", { entry_id: entry.id }),
      ].join(" ")
    : "";
  return `<li data-entry="${escape(entry.id)}" data-member="${escape(entry.member_id)}" class="${mine ? "mine" : ""}">
      <span class="name">${escape(entry.name)}</span>${what}
      <span class="reason">${escape(REASON[entry.reason] ?? entry.reason)}</span>
      <span class="controls">${controls}</span></li>`;
}

function queueView(m: Meeting, store: MeetingStore): string {
  const item = m.agenda.find((i) => i.id === m.current_item);
  if (!item) return `<section aria-labelledby="queue-h"><h2 id="queue-h">Speakers</h2><p>No item is under discussion.</p></section>`;
  const me = store.you?.member_id;
  const chair = store.may("speaker.call");
  const queued = item.queue.findIndex((e) => e.member_id === me && e.kind === "speech");
  const mine =
    queued >= 0
      ? `<p id="my-place" class="my-place">You are number ${queued + 1} in the queue: ${escape(REASON[item.queue[queued].reason] ?? "")}.</p>`
      : "";
  const memberButtons = store.may("speaker.request")
    ? queued >= 0
      ? button("Withdraw my request", "speaker.withdraw")
      : item.queue_open
        ? [button("Ask to speak: for", "speaker.request", { stance: "for" }), button("Ask to speak: against", "speaker.request", { stance: "against" }), button("Ask to speak", "speaker.request", {})].join(" ")
        : "<span>The list of speakers is closed.</span>"
    : "";
  const poo = store.may("speaker.point_of_order")
    ? `<form id="point-of-order" class="inline-form"><label>Standing order <input name="rule" required maxlength="200" placeholder="e.g. SO 7.2" /></label><button type="submit">Point of order</button></form>`
    : "";
  const chairButtons = chair
    ? [item.queue.length ? button("Call next speaker", "speaker.call", {}) : "", item.queue_open ? button("Close the list", "speaker.close_list") : button("Reopen the list", "speaker.reopen_list")].join(" ")
    : "";
  return `<section aria-labelledby="queue-h"><h2 id="queue-h">Speakers on “${escape(item.title)}”</h2>
    ${item.queue_open ? "" : '<p class="closed" id="list-closed">The list is closed.</p>'}
    ${mine}
    <ol class="queue" id="queue">${item.queue.map((e, i) => entryLine(e, i, item.queue.length, e.member_id === me, chair)).join("") || ""}</ol>
    ${item.queue.length ? "" : "<p>Nobody is waiting to speak.</p>"}
    <p class="controls">${memberButtons} ${chairButtons}</p>${poo}</section>`;
}

// Those in the chair cannot be muted (hub/media.py).
const CHAIRS = new Set(["admin", "chair"]);

function personLine(p: Participant, m: Meeting, store: MeetingStore): string {
  const muted = m.muted.includes(p.member_id);
  const control =
    store.may("media.mute") && !CHAIRS.has(p.role)
      ? muted
        ? button("Unmute", "media.unmute", { member_id: p.member_id }, `aria-label="Unmute ${escape(p.name)}"`)
        : button("Mute", "media.mute", { member_id: p.member_id }, `aria-label="Mute ${escape(p.name)}"`)
      : "";
  return `<li data-member="${escape(p.member_id)}"><span class="name">${escape(p.name)}</span>
    ${muted ? '<span class="muted-badge">Muted by the chair</span>' : ""}
    <span class="role">${escape(p.role)}</span>${control ? `<span class="controls">${control}</span>` : ""}</li>`;
}

// The chair's media controls: mute everyone, formal mode and how many cameras are forwarded.
function mediaSettingsView(m: Meeting, store: MeetingStore): string {
  if (!store.may("media.set_settings")) return "";
  const formal = m.media.formal;
  const choice = (value: string, label: string) =>
    button(label, "media.set_settings", { formal: value }, `aria-pressed="${formal === value}"`);
  const state = formalMode(m) ? "on: only officers and the called speaker are heard" : "off: everyone who is not muted is heard";
  const auto = formal === "auto" ? ` (automatic: on when more than ${m.media.formal_above} are present)` : "";
  return `<div id="media-settings" class="media-settings">
    <h3>Audio and video</h3>
    ${store.may("media.mute_all") ? `<div class="controls">${button("Mute all", "media.mute_all")}</div>` : ""}
    <p id="formal-state">Formal mode is ${state}${auto}.</p>
    <div class="controls" role="group" aria-label="Formal mode">${choice("on", "Formal: on")} ${choice("off", "Formal: off")} ${choice("auto", "Formal: automatic")}</div>
    <form id="media-settings-form" class="inline-form">
      <label>Cameras shown besides the speaker <input name="last_n" type="number" min="0" max="100" required value="${m.media.last_n}" /></label>
      <label>Formal above (present) <input name="formal_above" type="number" min="0" max="100000" required value="${m.media.formal_above}" /></label>
      <button type="submit">Save media settings</button>
    </form></div>`;
}

function peopleView(m: Meeting, store: MeetingStore): string {
  const present = Object.values(m.participants)
    .filter((p) => p.present)
    .sort((a, b) => a.name.localeCompare(b.name));
  const apologies = Object.values(m.apologies);
  return `<section aria-labelledby="people-h"><h2 id="people-h">Here now (<span id="present-count">${present.length}</span>)</h2>
    <ul class="participants" id="participants">
      ${present.map((p) => personLine(p, m, store)).join("")}
    </ul>
    ${mediaSettingsView(m, store)}
    ${apologies.length ? `<h3>Apologies</h3><ul id="apologies">${apologies.map((a) => `<li>${escape(a.name)}${a.note ? `: ${escape(a.note)}` : ""}</li>`).join("")}</ul>` : ""}
  </section>`;
}

export function renderRoom(root: HTMLElement, store: MeetingStore, token: string): void {
  const m = store.meeting;
  if (!m) return;
  // Keep what the user is typing: forms are re-created, so carry their values over.
  const kept = new Map<string, string>();
  const fields = "form input:not([type=checkbox]), form textarea";
  const formKey = (input: HTMLInputElement) => `${input.form?.id || input.form?.dataset.motion}/${input.name}`;
  // Only what the user changed: a field filled from the state follows the state.
  root.querySelectorAll<HTMLInputElement>(fields).forEach((input) => {
    if (input.value !== input.defaultValue) kept.set(formKey(input), input.value);
  });
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = focused?.dataset.action
    ? `${focused.dataset.action}|${focused.dataset.args}`
    : focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement
      ? formKey(focused as HTMLInputElement)
      : null;
  root.innerHTML = `${header(m, store)}<div class="columns"><div>${floorView(m, store)}${queueView(m, store)}${motionsView(m, store)}</div><div>${agendaView(m, store)}${minutesView(m, store, token)}${peopleView(m, store)}</div></div>`;
  root.querySelectorAll<HTMLInputElement>(fields).forEach((input) => {
    const value = kept.get(formKey(input));
    if (value !== undefined) input.value = value;
    if (focusKey === formKey(input)) input.focus();
  });
  if (focusKey && focused?.dataset.action) {
    for (const el of root.querySelectorAll<HTMLElement>("[data-action]")) {
      if (`${el.dataset.action}|${el.dataset.args}` === focusKey) el.focus();
    }
  }
}

// Countdown and time used tick between events.
export function tick(root: HTMLElement, store: MeetingStore): void {
  const countdown = root.querySelector("#countdown");
  const remaining = speechRemaining(store);
  if (countdown && remaining !== null) {
    countdown.textContent = clock(remaining);
    countdown.classList.toggle("over", remaining < 0);
  }
  const m = store.meeting;
  const item = m?.agenda.find((i) => i.id === m.current_item);
  const used = item && root.querySelector(`[data-item-time="${item.id}"]`);
  if (item && used) used.textContent = itemMinutes(item, store);
}
