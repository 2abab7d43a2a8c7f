// The meeting room: header, agenda, the floor (current speech), the speaker queue and who is here.
// Everything renders from the store; controls send through actions.ts.
import { render } from "preact";
import { useState } from "preact/hooks";
import { act } from "./actions";
import { Adjourned } from "./adjourned";
import { AttendanceBadge, CheckIn, RegisterLink } from "./attendance";
import { EditItem } from "./agendaedit";
import { Chat } from "./chat";
import { formalMode } from "./forwarding";
import { Minutes } from "./minutes";
import { Moments } from "./moments";
import { ItemMotions, Motions } from "./motions";
import { NextSteps } from "./nextsteps";
import { Roster } from "./roster";
import { Settings } from "./settings";
import type { AgendaItem, Meeting, MeetingStore, Participant, QueueEntry } from "./store";
import { t } from "./i18n";
import { formatStart } from "./time";
import { Action, Confirmed, CopyButton, LanguagePicker, clock, reorderable, useTick } from "./ui";

const reason = (code: string): string => t(`reason.${code}`, { defaultValue: code });

// Those in the chair cannot be muted (hub/media.py).
const CHAIRS = new Set(["admin", "chair"]);
// Officers stay in a big room's view, which leaves most members out (hub/models.py OFFICER_ROLES).
const OFFICERS = new Set(["admin", "chair", "secretary"]);

export function speechRemaining(store: MeetingStore): number | null {
  const speech = store.meeting?.speech;
  if (!speech) return null;
  const running = speech.started_at ? (store.serverNow() - Date.parse(speech.started_at)) / 1000 : 0;
  return speech.limit_seconds - (speech.elapsed_seconds + running);
}

function ItemTime({ item, store }: { item: AgendaItem; store: MeetingStore }) {
  useTick(item.opened_at ? 250 : 60_000);
  const live = item.opened_at ? (store.serverNow() - Date.parse(item.opened_at)) / 1000 : 0;
  const used = clock(item.seconds_used + live);
  return (
    <span class="item-time" data-item-time={item.id}>
      {item.minutes_budget ? t("room.time_of", { used, budget: item.minutes_budget }) : used}
    </span>
  );
}

function Header({ m, store }: { m: Meeting; store: MeetingStore }) {
  const when = formatStart(m.starts_at, m.time_zone);
  const you = store.you;
  return (
    <header>
      <div class="title-row">
        <h1 id="title">{m.title}</h1>
        <LanguagePicker onChange={() => store.notify()} />
      </div>
      <p>
        <span class="status" id="status">{t(`status.${m.status}`)}</span>
        <span class={`quorum ${m.quorum.quorate ? "ok" : "short"}`} id="quorum">
          {t("room.quorum", { state: t(m.quorum.quorate ? "room.quorate" : "room.not_quorate"), present: m.quorum.present, required: m.quorum.required })}
        </span>
      </p>
      <dl class="when">
        <dt>{t("when.yours")}</dt>
        <dd>
          <time id="starts" dateTime={m.starts_at}>{when.local}</time>
        </dd>
        <dt>{t("when.meeting", { zone: m.time_zone })}</dt>
        <dd class="home">{when.home}</dd>
      </dl>
      {you && (
        <p class="you" id="you">
          {t("room.you_are")} <strong>{you.name}</strong> ({t(`role.${you.role}`)})
          {you.home && (
            <>
              {" · "}
              <a href={you.home} id="home-link">
                {t("room.your_meetings")}
              </a>
            </>
          )}
        </p>
      )}
      {you?.projector && (
        <p class="projector-link" id="projector-link" title={t("room.projector_hint")}>
          {t("room.projector_link")}
          <CopyButton text={new URL(you.projector, location.href).href} label={t("room.projector_copy")} />
          <a href={you.projector} target="_blank" rel="noopener" id="projector-open">
            {t("room.projector_open")}
          </a>
        </p>
      )}
      {you && store.may("attendance.apologise") && m.status === "scheduled" && !m.apologies[you.member_id] && (
        <form id="apologise" class="inline-form">
          <label>
            {t("room.cant_come")} <input name="note" maxLength={500} placeholder={t("room.apology_note")} />
          </label>
          <button type="submit">{t("room.send_apologies")}</button>
        </form>
      )}
      {you && m.apologies[you.member_id] && <p id="apologised">{t("room.apologised")}</p>}
      {store.may("meeting.set_status") && (
        <p class="controls">
          {m.next_statuses.map((to) =>
            to === "closed" ? (
              <Confirmed
                key={to}
                label={t("room.to_closed")}
                question={t("room.confirm_close")}
                yes={t("room.yes_close")}
                onYes={() => act("meeting.set_status", { status: to })}
              />
            ) : (
              <Action key={to} action="meeting.set_status" args={{ status: to }}>
                {t(statusMove(m.status, to))}
              </Action>
            ),
          )}
        </p>
      )}
    </header>
  );
}

// The words on a status button: a break is a suspension, and a closed meeting is reopened.
function statusMove(from: Meeting["status"], to: Meeting["status"]): string {
  if (from === "in_session" && to === "open") return "room.suspend_session";
  if (from === "closed" && to === "open") return "room.reopen";
  return `room.to_${to}`;
}

function Agenda({ m, store }: { m: Meeting; store: MeetingStore }) {
  const chair = store.may("agenda.select");
  const officer = store.may("agenda.add");
  return (
    <section aria-labelledby="agenda-h">
      <h2 id="agenda-h">{t("room.agenda")}</h2>
      <ol class="agenda" id="agenda">
        {m.agenda.map((item, index) => {
          const current = item.id === m.current_item;
          return (
            <li
              key={item.id}
              data-item={item.id}
              aria-current={current ? "step" : undefined}
              class={current ? "current" : undefined}
              {...(officer ? reorderable(item.id, index, (id, position) => act("agenda.move", { item_id: id, position })) : {})}
            >
              <span class="item-title">{item.title}</span>
              <ItemTime item={item} store={store} />
              {item.documents.map((d, i) => (
                <p key={i} class="document">{d}</p>
              ))}
              <ItemMotions m={m} itemId={item.id} />
              <span class="controls">
                {chair && !current && <Action action="agenda.select" args={{ item_id: item.id }}>{t("room.take_up")}</Action>}
                {officer && index > 0 && (
                  <Action action="agenda.move" args={{ item_id: item.id, position: index - 1 }} aria-label={t("room.move_up", { name: item.title })}>↑</Action>
                )}
                {officer && index < m.agenda.length - 1 && (
                  <Action action="agenda.move" args={{ item_id: item.id, position: index + 1 }} aria-label={t("room.move_down", { name: item.title })}>↓</Action>
                )}
                {officer && !current && (
                  <Confirmed
                    label={t("room.remove")}
                    ariaLabel={t("room.remove_item", { title: item.title })}
                    question={t("room.confirm_remove_item", { title: item.title })}
                    yes={t("room.yes_remove_item")}
                    onYes={() => act("agenda.remove", { item_id: item.id })}
                  />
                )}
              </span>
              {store.may("agenda.update") && <EditItem item={item} />}
            </li>
          );
        })}
      </ol>
      {officer && (
        <form id="agenda-add" class="inline-form">
          <label>
            {t("room.new_item")} <input name="title" required maxLength={200} />
          </label>
          <label>
            {t("room.item_minutes")} <input name="minutes" type="number" min="0" max="1440" />
          </label>
          <button type="submit">{t("room.add_item")}</button>
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

// A point of order: the standing order it relies on, and what the point is.
function RaisePoint() {
  const [rule, setRule] = useState("");
  const [point, setPoint] = useState("");
  const raise = async (event: Event) => {
    event.preventDefault();
    const reply = await act("speaker.point_of_order", { rule, point });
    if (reply.ok) {
      setRule("");
      setPoint("");
    }
  };
  return (
    <form id="raise-point" class="inline-form" onSubmit={raise}>
      <label>
        {t("room.standing_order")}{" "}
        <input name="rule" required maxLength={200} value={rule} placeholder={t("room.standing_order_example")} onInput={(e) => setRule(e.currentTarget.value)} />
      </label>
      <label>
        {t("room.your_point")}{" "}
        <input name="point" required maxLength={500} value={point} onInput={(e) => setPoint(e.currentTarget.value)} />
      </label>
      <button type="submit">{t("room.point_of_order")}</button>
    </form>
  );
}

// The chair's ruling on the point of order heard last, once its speech is over: upheld or not, in words.
function Ruling({ m, store }: { m: Meeting; store: MeetingStore }) {
  const [words, setWords] = useState("");
  const point = m.points.find((p) => p.ruling === null);
  if (!point || !store.may("point.rule") || m.speech?.kind === "point_of_order") return null;
  const rule = async (upheld: boolean) => {
    const reply = await act("point.rule", { point_id: point.id, upheld, ruling: words });
    if (reply.ok) setWords("");
  };
  return (
    <form id="ruling" class="stack-form chair-console" onSubmit={(e) => e.preventDefault()} aria-labelledby="ruling-h">
      <h3 id="ruling-h">{t("room.ruling_on", { name: point.name, rule: point.rule })}</h3>
      <p>
        <q class="point">{point.point}</q>
      </p>
      <label>
        {t("room.ruling")} <textarea name="ruling" required maxLength={2000} value={words} onInput={(e) => setWords(e.currentTarget.value)} />
      </label>
      <p class="controls">
        <button type="button" disabled={!words.trim()} onClick={() => rule(true)}>
          {t("room.uphold")}
        </button>
        <button type="button" disabled={!words.trim()} onClick={() => rule(false)}>
          {t("room.not_uphold")}
        </button>
      </p>
    </form>
  );
}

function Floor({ m, store }: { m: Meeting; store: MeetingStore }) {
  const speech = m.speech;
  if (!speech) {
    return (
      <section aria-labelledby="floor-h">
        <h2 id="floor-h">{t("room.floor")}</h2>
        <p id="floor">{t("room.nobody_speaking")}</p>
        <Ruling m={m} store={store} />
      </section>
    );
  }
  return (
    <section aria-labelledby="floor-h">
      <h2 id="floor-h">{t("room.floor")}</h2>
      <Ruling m={m} store={store} />
      <div id="floor" class="floor">
        <p>
          <strong id="speaker">{speech.name}</strong>
          {speech.kind === "point_of_order" ? t("room.on_point_of_order") : ""}
        </p>
        <Countdown store={store} />
        {!speech.started_at && <p>{t("room.paused")}</p>}
        {store.may("speech.end") && (
          <p class="controls">
            {speech.started_at ? <Action action="speech.pause">{t("room.pause")}</Action> : <Action action="speech.start">{t("room.resume")}</Action>}
            <Action action="speech.extend" args={{ seconds: 60 }}>{t("room.extend")}</Action>
            <Action action="speech.end">{t("room.end_speech")}</Action>
          </p>
        )}
      </div>
    </section>
  );
}

function Entry({ entry, index, count, mine, chair }: { entry: QueueEntry; index: number; count: number; mine: boolean; chair: boolean }) {
  return (
    <li
      data-entry={entry.id}
      data-member={entry.member_id}
      class={mine ? "mine" : ""}
      {...(chair ? reorderable(entry.id, index, (id, position) => act("speaker.move", { entry_id: id, position })) : {})}
    >
      <span class="name">{entry.name}</span>{" "}
      {entry.kind === "point_of_order" ? (
        <>
          <span class="poo">{t("room.point_of_order_on", { rule: entry.rule ?? "" })}</span>{" "}
          {entry.point && <q class="point">{entry.point}</q>}
        </>
      ) : (
        entry.stance && <span class="stance">{t(`stance.${entry.stance}`)}</span>
      )}
      <span class="reason">{reason(entry.reason)}</span>
      {mine && entry.kind === "point_of_order" && (
        <Action action="speaker.withdraw" args={{ entry_id: entry.id }}>{t("room.withdraw_point")}</Action>
      )}
      {chair && (
        <span class="controls">
          <Action action="speaker.call" args={{ entry_id: entry.id }}>{t("room.call")}</Action>
          {index > 0 && (
            <Action action="speaker.move" args={{ entry_id: entry.id, position: index - 1 }} aria-label={t("room.move_up", { name: entry.name })}>↑</Action>
          )}
          {index < count - 1 && (
            <Action action="speaker.move" args={{ entry_id: entry.id, position: index + 1 }} aria-label={t("room.move_down", { name: entry.name })}>↓</Action>
          )}
          <Action action="speaker.remove" args={{ entry_id: entry.id }}>{t("room.remove")}</Action>
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
        <h2 id="queue-h">{t("room.speakers")}</h2>
        <p>{t("room.no_item")}</p>
      </section>
    );
  }
  const me = store.you?.member_id;
  const chair = store.may("speaker.call");
  const queued = item.queue.findIndex((e) => e.member_id === me && e.kind === "speech");
  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">{t("room.speakers_on", { title: item.title })}</h2>
      {!item.queue_open && <p class="closed" id="list-closed">{t("room.list_closed")}</p>}
      {queued >= 0 && (
        <p id="my-place" class="my-place">
          {t("room.my_place", { place: queued + 1, reason: reason(item.queue[queued].reason) })}
        </p>
      )}
      <ol class="queue" id="queue">
        {item.queue.map((e, i) => (
          <Entry key={e.id} entry={e} index={i} count={item.queue.length} mine={e.member_id === me} chair={chair} />
        ))}
      </ol>
      {!item.queue.length && <p>{t("room.nobody_waiting")}</p>}
      <p class="controls">
        {store.may("speaker.request") &&
          (queued >= 0 ? (
            <Action action="speaker.withdraw">{t("room.withdraw_request")}</Action>
          ) : item.queue_open ? (
            <>
              <Action action="speaker.request" args={{ stance: "for" }}>{t("room.ask_for")}</Action>
              <Action action="speaker.request" args={{ stance: "against" }}>{t("room.ask_against")}</Action>
              <Action action="speaker.request">{t("room.ask")}</Action>
            </>
          ) : (
            <span>{t("room.list_closed_member")}</span>
          ))}
        {chair && item.queue.length > 0 && <Action action="speaker.call">{t("room.call_next")}</Action>}
        {chair && (item.queue_open ? <Action action="speaker.close_list">{t("room.close_list")}</Action> : <Action action="speaker.reopen_list">{t("room.reopen_list")}</Action>)}
      </p>
      {store.may("speaker.point_of_order") && <RaisePoint />}
    </section>
  );
}

// Removing someone is asked twice: it closes their connections and bars them until readmitted.
function RemoveButton({ p }: { p: Participant }) {
  return (
    <Confirmed
      label={t("room.remove_person")}
      ariaLabel={t("room.remove_name", { name: p.name })}
      question={t("room.confirm_remove", { name: p.name })}
      yes={t("room.yes_remove")}
      onYes={() => act("participant.remove", { member_id: p.member_id })}
    />
  );
}

function Person({ p, m, store }: { p: Participant; m: Meeting; store: MeetingStore }) {
  const muted = m.muted.includes(p.member_id);
  const control = store.may("media.mute") && !CHAIRS.has(p.role);
  const removable = store.may("participant.remove") && !CHAIRS.has(p.role);
  return (
    <li data-member={p.member_id}>
      <span class="name">{p.name}</span>
      {muted && <span class="muted-badge">{t("room.muted")}</span>}
      {/* Only a big room's roster lists those who are not here. */}
      <AttendanceBadge p={p} />
      <span class="role">{t(`role.${p.role}`)}</span>
      {(control || removable) && (
        <span class="controls">
          {control &&
            (muted ? (
              <Action action="media.unmute" args={{ member_id: p.member_id }} aria-label={t("room.unmute_name", { name: p.name })}>{t("room.unmute")}</Action>
            ) : (
              <Action action="media.mute" args={{ member_id: p.member_id }} aria-label={t("room.mute_name", { name: p.name })}>{t("room.mute")}</Action>
            ))}
          {removable && <RemoveButton p={p} />}
        </span>
      )}
    </li>
  );
}

// The chair's media controls: mute everyone, formal mode and how many cameras are forwarded.
function MediaSettings({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("media.set_settings")) return null;
  const formal = m.media.formal;
  const choice = (value: Meeting["media"]["formal"], label: string) => (
    <Action action="media.set_settings" args={{ formal: value }} aria-pressed={formal === value}>
      {label}
    </Action>
  );
  const state = t(formalMode(m) ? "room.formal_on_state" : "room.formal_off_state");
  const auto = formal === "auto" ? t("room.formal_auto", { count: m.media.formal_above }) : "";
  return (
    <div id="media-settings" class="media-settings">
      <h3>{t("room.media")}</h3>
      {store.may("media.mute_all") && (
        <div class="controls">
          <Action action="media.mute_all">{t("room.mute_all")}</Action>
        </div>
      )}
      <p id="formal-state">{t("room.formal_is", { state, auto })}</p>
      <div class="controls" role="group" aria-label={t("room.formal_mode")}>
        {choice("on", t("room.formal_on"))} {choice("off", t("room.formal_off"))} {choice("auto", t("room.formal_automatic"))}
      </div>
      <form id="media-settings-form" class="inline-form">
        <label>
          {t("room.last_n")} <input name="last_n" type="number" min="0" max="100" required defaultValue={String(m.media.last_n)} />
        </label>
        <label>
          {t("room.formal_above")} <input name="formal_above" type="number" min="0" max="100000" required defaultValue={String(m.media.formal_above)} />
        </label>
        <button type="submit">{t("room.save_media")}</button>
      </form>
    </div>
  );
}

// The chair's lobby: on or off, and who is waiting, with Admit and Remove.
function Lobby({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("lobby.admit")) return null;
  const waiting = Object.values(m.participants)
    .filter((p) => p.waiting)
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div id="lobby" class="lobby">
      <h3>{t("lobby.title")}</h3>
      <p id="lobby-state">{t(m.lobby ? "lobby.on" : "lobby.off")}</p>
      <p class="controls">
        <Action action="lobby.set" args={{ on: !m.lobby }}>{t(m.lobby ? "lobby.turn_off" : "lobby.turn_on")}</Action>
      </p>
      {waiting.length > 0 && (
        <>
          <h4>
            {t("lobby.waiting")} ({waiting.length})
          </h4>
          <ul id="waiting" class="participants">
            {waiting.map((p) => (
              <li key={p.member_id} data-member={p.member_id}>
                <span class="name">{p.name}</span>
                <span class="controls">
                  <Action action="lobby.admit" args={{ member_id: p.member_id }} aria-label={t("lobby.admit_name", { name: p.name })}>
                    {t("lobby.admit")}
                  </Action>
                  {store.may("participant.remove") && <RemoveButton p={p} />}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

// In a big room the meeting holds only a few of the participants (store.crowd): the count comes from
// the hub, the officers here are shown from the meeting, and everyone is listed from the roster.
function People({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  const present = Object.values(m.participants)
    .filter((p) => p.present && (!store.crowd || OFFICERS.has(p.role)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const apologies = Object.entries(m.apologies);
  const person = (p: Participant) => <Person key={p.member_id} p={p} m={m} store={store} />;
  // The hub reads the roster only to those present: not to someone still waiting in the lobby.
  const waiting = store.you ? m.participants[store.you.member_id]?.waiting : false;
  return (
    <section aria-labelledby="people-h">
      <h2 id="people-h">
        {t("room.here_now")} (<span id="present-count">{store.crowd ? m.presence.present : present.length}</span>)
      </h2>
      {store.crowd ? (
        <>
          <h3 id="officers-h">{t("room.officers_here")}</h3>
          <ul class="participants" id="officers" aria-labelledby="officers-h">
            {present.map(person)}
          </ul>
          {!waiting && (
            <>
              <h3>{t("room.roster")}</h3>
              <Roster m={m} row={person} />
            </>
          )}
        </>
      ) : (
        <ul class="participants" id="participants">
          {present.map(person)}
        </ul>
      )}
      <Lobby m={m} store={store} />
      {store.may("participant.readmit") && m.removed.length > 0 && (
        <>
          <h3>{t("room.removed_title")}</h3>
          <ul id="removed" class="participants">
            {m.removed.map((id) => (
              <li key={id} data-member={id}>
                <span class="name">{m.participants[id]?.name ?? id}</span>
                <Action action="participant.readmit" args={{ member_id: id }} aria-label={t("room.readmit_name", { name: m.participants[id]?.name ?? id })}>
                  {t("room.readmit")}
                </Action>
              </li>
            ))}
          </ul>
        </>
      )}
      <MediaSettings m={m} store={store} />
      <RegisterLink m={m} store={store} token={token} />
      {apologies.length > 0 && (
        <>
          <h3>{t("room.apologies")}</h3>
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
  if (!m) return <p role="status">{t("loading")}</p>;
  const waiting = store.you ? m.participants[store.you.member_id]?.waiting : false;
  return (
    <>
      {waiting && (
        <p id="in-lobby" class="in-lobby" role="status">
          {t("lobby.you_wait")}
        </p>
      )}
      <Moments m={m} store={store} />
      <Adjourned m={m} store={store} />
      {/* Before the header: on a phone the member sees it on arrival without scrolling. */}
      <CheckIn m={m} store={store} />
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
          <Chat m={m} store={store} />
          <People m={m} store={store} token={token} />
          <Settings m={m} store={store} />
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
      <h1>{t("room.refused")}</h1>
      <p>{message}</p>
    </div>,
    root,
  );
}
