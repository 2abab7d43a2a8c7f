// The meeting room: header, agenda, the floor (current speech), the speaker queue and who is here.
// Everything renders from the store; controls carry data-action and are sent by main.ts.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formalMode } from "./forwarding";
import { Minutes } from "./minutes";
import { Motions } from "./motions";
import { NextSteps } from "./nextsteps";
import type { AgendaItem, Meeting, MeetingStore, Participant, QueueEntry } from "./store";
import { formatStart } from "./time";
import { Action, clock } from "./ui";

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

// Those in the chair cannot be muted (hub/media.py).
const CHAIRS = new Set(["admin", "chair"]);

export function speechRemaining(store: MeetingStore): number | null {
  const speech = store.meeting?.speech;
  if (!speech) return null;
  const running = speech.started_at ? (store.serverNow() - Date.parse(speech.started_at)) / 1000 : 0;
  return speech.limit_seconds - (speech.elapsed_seconds + running);
}

// Re-renders its caller every `ms` while mounted: countdowns and time used tick between events.
function useTick(ms: number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

function ItemTime({ item, store }: { item: AgendaItem; store: MeetingStore }) {
  useTick(item.opened_at ? 250 : 60_000);
  const live = item.opened_at ? (store.serverNow() - Date.parse(item.opened_at)) / 1000 : 0;
  const used = clock(item.seconds_used + live);
  return (
    <span class="item-time" data-item-time={item.id}>
      {item.minutes_budget ? `${used} of ${item.minutes_budget}:00` : used}
    </span>
  );
}

const TRANSITIONS: Record<string, Array<[string, string]>> = {
  scheduled: [["open", "Open the meeting"]],
  open: [["in_session", "Start the session"], ["scheduled", "Back to scheduled"]],
  in_session: [["closed", "Close the meeting"]],
  closed: [],
};

function Header({ m, store }: { m: Meeting; store: MeetingStore }) {
  const when = formatStart(m.starts_at, m.time_zone);
  const you = store.you;
  return (
    <header>
      <h1 id="title">{m.title}</h1>
      <p>
        <span class="status" id="status">{STATUS[m.status] ?? m.status}</span>
        <span class={`quorum ${m.quorum.quorate ? "ok" : "short"}`} id="quorum">
          {m.quorum.quorate ? "Quorate" : "Not quorate"}: {m.quorum.present} present, {m.quorum.required} needed
        </span>
      </p>
      <dl class="when">
        <dt>Your time</dt>
        <dd>
          <time id="starts" dateTime={m.starts_at}>{when.local}</time>
        </dd>
        <dt>Meeting time ({m.time_zone})</dt>
        <dd class="home">{when.home}</dd>
      </dl>
      {you && (
        <p class="you" id="you">
          You are <strong>{you.name}</strong> ({you.role})
        </p>
      )}
      {you && store.may("attendance.apologise") && m.status === "scheduled" && !m.apologies[you.member_id] && (
        <form id="apologise" class="inline-form">
          <label>
            Can't come? <input name="note" maxLength={500} placeholder="A short note (optional)" />
          </label>
          <button type="submit">Send apologies</button>
        </form>
      )}
      {you && m.apologies[you.member_id] && <p id="apologised">Your apologies are recorded.</p>}
      {store.may("meeting.set_status") && (
        <p class="controls">
          {(TRANSITIONS[m.status] ?? []).map(([to, label]) => (
            <Action key={to} action="meeting.set_status" args={{ status: to }}>
              {label}
            </Action>
          ))}
        </p>
      )}
    </header>
  );
}

function Agenda({ m, store }: { m: Meeting; store: MeetingStore }) {
  const chair = store.may("agenda.select");
  const officer = store.may("agenda.add");
  return (
    <section aria-labelledby="agenda-h">
      <h2 id="agenda-h">Agenda</h2>
      <ol class="agenda" id="agenda">
        {m.agenda.map((item, index) => {
          const current = item.id === m.current_item;
          return (
            <li key={item.id} data-item={item.id} aria-current={current ? "step" : undefined} class={current ? "current" : undefined}>
              <span class="item-title">{item.title}</span>
              <ItemTime item={item} store={store} />
              {item.documents.map((d, i) => (
                <p key={i} class="document">{d}</p>
              ))}
              <span class="controls">
                {chair && !current && <Action action="agenda.select" args={{ item_id: item.id }}>Take up</Action>}
                {officer && index > 0 && (
                  <Action action="agenda.move" args={{ item_id: item.id, position: index - 1 }} aria-label={`Move ${item.title} up`}>↑</Action>
                )}
                {officer && index < m.agenda.length - 1 && (
                  <Action action="agenda.move" args={{ item_id: item.id, position: index + 1 }} aria-label={`Move ${item.title} down`}>↓</Action>
                )}
                {officer && !current && <Action action="agenda.remove" args={{ item_id: item.id }}>Remove</Action>}
              </span>
            </li>
          );
        })}
      </ol>
      {officer && (
        <form id="agenda-add" class="inline-form">
          <label>
            New item <input name="title" required maxLength={200} />
          </label>
          <label>
            Minutes <input name="minutes" type="number" min="0" max="1440" />
          </label>
          <button type="submit">Add to agenda</button>
        </form>
      )}
    </section>
  );
}

function Countdown({ store }: { store: MeetingStore }) {
  useTick(250);
  const remaining = speechRemaining(store) ?? 0;
  return (
    <p class={`countdown ${remaining < 0 ? "over" : ""}`} id="countdown" role="timer">
      {clock(remaining)}
    </p>
  );
}

function Floor({ m, store }: { m: Meeting; store: MeetingStore }) {
  const speech = m.speech;
  if (!speech) {
    return (
      <section aria-labelledby="floor-h">
        <h2 id="floor-h">The floor</h2>
        <p id="floor">Nobody is speaking.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="floor-h">
      <h2 id="floor-h">The floor</h2>
      <div id="floor" class="floor">
        <p>
          <strong id="speaker">{speech.name}</strong>
          {speech.kind === "point_of_order" ? " (point of order)" : ""}
        </p>
        <Countdown store={store} />
        {!speech.started_at && <p>Paused</p>}
        {store.may("speech.end") && (
          <p class="controls">
            {speech.started_at ? <Action action="speech.pause">Pause</Action> : <Action action="speech.start">Resume</Action>}
            <Action action="speech.extend" args={{ seconds: 60 }}>+1 min</Action>
            <Action action="speech.end">End speech</Action>
          </p>
        )}
      </div>
    </section>
  );
}

function Entry({ entry, index, count, mine, chair }: { entry: QueueEntry; index: number; count: number; mine: boolean; chair: boolean }) {
  return (
    <li data-entry={entry.id} data-member={entry.member_id} class={mine ? "mine" : ""}>
      <span class="name">{entry.name}</span>{" "}
      {entry.kind === "point_of_order" ? (
        <span class="poo">Point of order: {entry.rule ?? ""}</span>
      ) : (
        entry.stance && <span class="stance">{entry.stance}</span>
      )}
      <span class="reason">{REASON[entry.reason] ?? entry.reason}</span>
      {chair && (
        <span class="controls">
          <Action action="speaker.call" args={{ entry_id: entry.id }}>Call</Action>
          {index > 0 && (
            <Action action="speaker.move" args={{ entry_id: entry.id, position: index - 1 }} aria-label={`Move ${entry.name} up`}>↑</Action>
          )}
          {index < count - 1 && (
            <Action action="speaker.move" args={{ entry_id: entry.id, position: index + 1 }} aria-label={`Move ${entry.name} down`}>↓</Action>
          )}
          <Action action="speaker.remove" args={{ entry_id: entry.id }}>Remove</Action>
        </span>
      )}
    </li>
  );
}

function Queue({ m, store }: { m: Meeting; store: MeetingStore }) {
  const item = m.agenda.find((i) => i.id === m.current_item);
  if (!item) {
    return (
      <section aria-labelledby="queue-h">
        <h2 id="queue-h">Speakers</h2>
        <p>No item is under discussion.</p>
      </section>
    );
  }
  const me = store.you?.member_id;
  const chair = store.may("speaker.call");
  const queued = item.queue.findIndex((e) => e.member_id === me && e.kind === "speech");
  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">Speakers on “{item.title}”</h2>
      {!item.queue_open && <p class="closed" id="list-closed">The list is closed.</p>}
      {queued >= 0 && (
        <p id="my-place" class="my-place">
          You are number {queued + 1} in the queue: {REASON[item.queue[queued].reason] ?? ""}.
        </p>
      )}
      <ol class="queue" id="queue">
        {item.queue.map((e, i) => (
          <Entry key={e.id} entry={e} index={i} count={item.queue.length} mine={e.member_id === me} chair={chair} />
        ))}
      </ol>
      {!item.queue.length && <p>Nobody is waiting to speak.</p>}
      <p class="controls">
        {store.may("speaker.request") &&
          (queued >= 0 ? (
            <Action action="speaker.withdraw">Withdraw my request</Action>
          ) : item.queue_open ? (
            <>
              <Action action="speaker.request" args={{ stance: "for" }}>Ask to speak: for</Action>
              <Action action="speaker.request" args={{ stance: "against" }}>Ask to speak: against</Action>
              <Action action="speaker.request">Ask to speak</Action>
            </>
          ) : (
            <span>The list of speakers is closed.</span>
          ))}
        {chair && item.queue.length > 0 && <Action action="speaker.call">Call next speaker</Action>}
        {chair && (item.queue_open ? <Action action="speaker.close_list">Close the list</Action> : <Action action="speaker.reopen_list">Reopen the list</Action>)}
      </p>
      {store.may("speaker.point_of_order") && (
        <form id="point-of-order" class="inline-form">
          <label>
            Standing order <input name="rule" required maxLength={200} placeholder="e.g. SO 7.2" />
          </label>
          <button type="submit">Point of order</button>
        </form>
      )}
    </section>
  );
}

function Person({ p, m, store }: { p: Participant; m: Meeting; store: MeetingStore }) {
  const muted = m.muted.includes(p.member_id);
  const control = store.may("media.mute") && !CHAIRS.has(p.role);
  return (
    <li data-member={p.member_id}>
      <span class="name">{p.name}</span>
      {muted && <span class="muted-badge">Muted by the chair</span>}
      <span class="role">{p.role}</span>
      {control && (
        <span class="controls">
          {muted ? (
            <Action action="media.unmute" args={{ member_id: p.member_id }} aria-label={`Unmute ${p.name}`}>Unmute</Action>
          ) : (
            <Action action="media.mute" args={{ member_id: p.member_id }} aria-label={`Mute ${p.name}`}>Mute</Action>
          )}
        </span>
      )}
    </li>
  );
}

// The chair's media controls: mute everyone, formal mode and how many cameras are forwarded.
function MediaSettings({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("media.set_settings")) return null;
  const formal = m.media.formal;
  const choice = (value: string, label: string) => (
    <Action action="media.set_settings" args={{ formal: value }} aria-pressed={formal === value}>
      {label}
    </Action>
  );
  const state = formalMode(m) ? "on: only officers and the called speaker are heard" : "off: everyone who is not muted is heard";
  const auto = formal === "auto" ? ` (automatic: on when more than ${m.media.formal_above} are present)` : "";
  return (
    <div id="media-settings" class="media-settings">
      <h3>Audio and video</h3>
      {store.may("media.mute_all") && (
        <div class="controls">
          <Action action="media.mute_all">Mute all</Action>
        </div>
      )}
      <p id="formal-state">
        Formal mode is {state}
        {auto}.
      </p>
      <div class="controls" role="group" aria-label="Formal mode">
        {choice("on", "Formal: on")} {choice("off", "Formal: off")} {choice("auto", "Formal: automatic")}
      </div>
      <form id="media-settings-form" class="inline-form">
        <label>
          Cameras shown besides the speaker <input name="last_n" type="number" min="0" max="100" required defaultValue={String(m.media.last_n)} />
        </label>
        <label>
          Formal above (present) <input name="formal_above" type="number" min="0" max="100000" required defaultValue={String(m.media.formal_above)} />
        </label>
        <button type="submit">Save media settings</button>
      </form>
    </div>
  );
}

function People({ m, store }: { m: Meeting; store: MeetingStore }) {
  const present = Object.values(m.participants)
    .filter((p) => p.present)
    .sort((a, b) => a.name.localeCompare(b.name));
  const apologies = Object.entries(m.apologies);
  return (
    <section aria-labelledby="people-h">
      <h2 id="people-h">
        Here now (<span id="present-count">{present.length}</span>)
      </h2>
      <ul class="participants" id="participants">
        {present.map((p) => (
          <Person key={p.member_id} p={p} m={m} store={store} />
        ))}
      </ul>
      <MediaSettings m={m} store={store} />
      {apologies.length > 0 && (
        <>
          <h3>Apologies</h3>
          <ul id="apologies">
            {apologies.map(([id, a]) => (
              <li key={id}>
                {a.name}
                {a.note ? `: ${a.note}` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Room({ store, token }: { store: MeetingStore; token: string }) {
  const m = store.meeting;
  if (!m) return <p>Loading…</p>;
  return (
    <>
      <Header m={m} store={store} />
      <div class="columns">
        <div>
          <NextSteps m={m} store={store} />
          <Floor m={m} store={store} />
          <Queue m={m} store={store} />
          <Motions m={m} store={store} />
        </div>
        <div>
          <Agenda m={m} store={store} />
          <Minutes m={m} store={store} token={token} />
          <People m={m} store={store} />
        </div>
      </div>
    </>
  );
}

export function renderRoom(root: HTMLElement, store: MeetingStore, token: string): void {
  render(<Room store={store} token={token} />, root);
}

export function renderRefusal(root: HTMLElement, code: string, message: string): void {
  render(
    <div class="error" role="alert" data-code={code}>
      <h1>Cannot join this meeting</h1>
      <p>{message}</p>
    </div>,
    root,
  );
}
