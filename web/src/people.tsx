// The People tab: who is here (in a big room, the officers here and a searchable roster of everyone),
// the lobby, those removed and the apologies. Each list is one tab stop with arrow keys (roving.ts),
// so a keyboard user crosses a room of hundreds in one step.
import type { ComponentChildren } from "preact";
import { act } from "./actions";
import { AttendanceBadge } from "./attendance";
import { HallAttendance } from "./hall";
import { t } from "./i18n";
import { Roster } from "./roster";
import { useRovingList } from "./roving";
import { type Meeting, type MeetingStore, type Participant, presentCount } from "./store";
import { Action, Confirmed } from "./ui";

// Those in the chair cannot be muted or removed (hub/media.py).
const CHAIRS = new Set(["admin", "chair"]);
// Officers stay in a big room's view, which leaves most members out (hub/models.py OFFICER_ROLES).
export const OFFICERS = new Set(["admin", "chair", "secretary"]);

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
      {p.media === "follow" && <span class="away-badge following-badge">{t("media.following_livestream")}</span>}
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

// A list of people with one tab stop: arrow keys move between them and into their buttons.
function PeopleList({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  const list = useRovingList<HTMLUListElement>();
  return (
    <ul class="participants" id={id} ref={list} aria-label={label} aria-describedby="people-keys">
      {children}
    </ul>
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
          <PeopleList id="waiting" label={t("lobby.waiting")}>
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
          </PeopleList>
        </>
      )}
    </div>
  );
}

// In a big room the meeting holds only a few of the participants (store.crowd): the count comes from
// the hub, the officers here are shown from the meeting, and everyone is listed from the roster.
export function People({ m, store }: { m: Meeting; store: MeetingStore }) {
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
        {t("room.here_now")} (<span id="present-count">{presentCount(m, store)}</span>)
      </h2>
      <p id="people-keys" class="hint">
        {t("room.people_keys")}
      </p>
      {store.crowd ? (
        <>
          <h3 id="officers-h">{t("room.officers_here")}</h3>
          <PeopleList id="officers" label={t("room.officers_here")}>
            {present.map(person)}
          </PeopleList>
          {!waiting && (
            <>
              <h3>{t("room.roster")}</h3>
              <Roster m={m} row={person} roving />
            </>
          )}
        </>
      ) : (
        <PeopleList id="participants" label={t("room.here_now")}>
          {present.map(person)}
        </PeopleList>
      )}
      <Lobby m={m} store={store} />
      <HallAttendance m={m} store={store} />
      {store.may("participant.readmit") && m.removed.length > 0 && (
        <>
          <h3>{t("room.removed_title")}</h3>
          <PeopleList id="removed" label={t("room.removed_title")}>
            {m.removed.map((id) => (
              <li key={id} data-member={id}>
                <span class="name">{m.participants[id]?.name ?? id}</span>
                <Action action="participant.readmit" args={{ member_id: id }} aria-label={t("room.readmit_name", { name: m.participants[id]?.name ?? id })}>
                  {t("room.readmit")}
                </Action>
              </li>
            ))}
          </PeopleList>
        </>
      )}
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
