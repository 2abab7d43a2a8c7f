// The chair's console: the controls that run the meeting rather than take part in it, on a tab of their
// own and drawn apart from a member's controls (the `.console` style). What to do next, the meeting's
// status, the livestream, media for everyone, standing orders, the minutes and the register.
import type { ComponentChildren } from "preact";
import { act } from "./actions";
import { RegisterLink } from "./attendance";
import { formalMode } from "./forwarding";
import { t } from "./i18n";
import { LivestreamControls } from "./livestreamcontrols";
import { Minutes } from "./minutes";
import { NextSteps } from "./nextsteps";
import { outcomeText, question } from "./phrases";
import { BallotsLink, CountTable } from "./polls";
import { Settings } from "./settings";
import type { Meeting, MeetingStore } from "./store";
import { Action, Confirmed } from "./ui";

// The words on a status button: a break is a suspension, and a closed meeting is reopened.
function statusMove(from: Meeting["status"], to: Meeting["status"]): string {
  if (from === "in_session" && to === "open") return "room.suspend_session";
  if (from === "closed" && to === "open") return "room.reopen";
  return `room.to_${to}`;
}

function Status({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("meeting.set_status")) return null;
  return (
    <section aria-labelledby="status-h">
      <h3 id="status-h">{t("console.status", { status: t(`status.${m.status}`) })}</h3>
      <p class="controls" id="status-controls">
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
    </section>
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

function Folded({ id, title, shown, children }: { id: string; title: string; shown: boolean; children: ComponentChildren }) {
  if (!shown) return null;
  return (
    <details class="fold" id={id}>
      <summary>{title}</summary>
      {children}
    </details>
  );
}

// The latest result, with a ranked poll's count stage by stage and its ballots, at hand for the chair.
function LastResult({ m, token }: { m: Meeting; token: string }) {
  const vote = [...m.votes].reverse().find((v) => v.status === "closed" && v.result);
  return (
    <Folded id="result-fold" title={t("console.last_result")} shown={!!vote}>
      {vote && (
        <>
          <p class="console-result">
            {question(vote, m)}
            {vote.method === "yes_no" ? ": " : " — "}
            <strong>{outcomeText(vote)}</strong>
          </p>
          <CountTable vote={vote} place="console-" />
          <BallotsLink meetingId={m.id} vote={vote} token={token} />
        </>
      )}
    </Folded>
  );
}

export function Console({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  return (
    <section class="console" aria-labelledby="console-h">
      <h2 id="console-h">{t("console.title")}</h2>
      <Status m={m} store={store} />
      <NextSteps m={m} store={store} />
      {/* The AGM's livestream: started and stopped during the meeting, so not folded away. */}
      <LivestreamControls m={m} store={store} token={token} />
      {store.may("minutes.draft") && <Minutes m={m} store={store} token={token} />}
      {/* Set once, before or early in a meeting: folded so that the console stays short. */}
      <Folded id="media-settings-fold" title={t("room.media")} shown={store.may("media.set_settings")}>
        <MediaSettings m={m} store={store} />
      </Folded>
      <Folded id="settings-fold" title={t("settings.title")} shown={store.may("meeting.set_standing_orders") || store.may("meeting.set_card_weights")}>
        <Settings m={m} store={store} />
      </Folded>
      <LastResult m={m} token={token} />
      <RegisterLink m={m} store={store} token={token} />
    </section>
  );
}
