// The meeting room: the header, the stage (the floor and the video), the toolbar, and the panel's tabs
// (agenda, speakers, motions, vote, chat, people, and the chair's console). Everything renders from the
// store; controls send through actions.ts.
import { render } from "preact";
import { useRef, useState } from "preact/hooks";
import { act } from "./actions";
import { Adjourned } from "./adjourned";
import { CheckIn } from "./attendance";
import { EditItem } from "./agendaedit";
import type { MediaSession } from "./media";
import { MediaStage } from "./mediaview";
import { Panel, type Tab, type TabSpec, hasConsole, savedTab, saveTab } from "./panel";
import { ReactionsShown } from "./reactions";
import { ShortcutsHelp, useShortcuts } from "./shortcuts";
import { type AgendaItem, type Meeting, type MeetingStore, type QueueEntry, waitingCount } from "./store";
import { t, withText } from "./i18n";
import { formatStart } from "./time";
import { Toolbar } from "./toolbar";
import { Action, ChairControls, Confirmed, CopyButton, LanguagePicker, clock, reorderable, useTick } from "./ui";

const reason = (code: string): string => t(`reason.${code}`, { defaultValue: code });


// The room's panels and the moments shown over them (panels.ts), fetched with their text once the join
// screen shows (pages.ts): on a slow link the join screen comes first. Until they arrive a tab says it is
// loading; a fetch that failed is tried again 5 s later. `loaded` is called once they are here.
let panels: typeof import("./panels") | null = null;
let loading = false;
const RETRY_PANELS_MS = 5000;

export function loadPanels(loaded: () => void): void {
  if (loading) return;
  loading = true;
  Promise.all([import("./panels"), withText("panels")]).then(
    ([module]) => {
      panels = module;
      loaded();
    },
    () => {
      loading = false;
      window.setTimeout(() => loadPanels(loaded), RETRY_PANELS_MS);
    },
  );
}

const Loading = () => <p role="status" class="loading">{t("loading")}</p>;

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

function Header({ m, store, onHelp }: { m: Meeting; store: MeetingStore; onHelp: () => void }) {
  const when = formatStart(m.starts_at, m.time_zone);
  const you = store.you;
  return (
    <header class="room-header">
      <div class="title-row">
        <h1 id="title">{m.title}</h1>
        <p class="state">
          <span class="status" id="status">{t(`status.${m.status}`)}</span>
          <span class={`quorum ${m.quorum.quorate ? "ok" : "short"}`} id="quorum">
            {t("room.quorum", { state: t(m.quorum.quorate ? "room.quorate" : "room.not_quorate"), present: m.quorum.present, required: m.quorum.required })}
          </span>
        </p>
      </div>
      <div class="you-row">
        {you && (
          <p class="you" id="you">
            {t("room.you_are")} <strong>{you.name}</strong> ({t(`role.${you.role}`)})
          </p>
        )}
        {/* Folded away: on a phone the room starts with the business, not the particulars. */}
        <details class="about" id="about">
          <summary>{t("room.about")}</summary>
          {you?.home && (
            <p>
              <a href={you.home} id="home-link">
                {t("room.your_meetings")}
              </a>
            </p>
          )}
        <dl class="when">
          <dt>{t("when.yours")}</dt>
          <dd>
            <time id="starts" dateTime={m.starts_at}>{when.local}</time>
          </dd>
          <dt>{t("when.meeting", { zone: m.time_zone })}</dt>
          <dd class="home">{when.home}</dd>
        </dl>
        <LanguagePicker onChange={() => store.notify()} />
        {m.code_of_conduct && (
          <section class="conduct" aria-labelledby="conduct-h">
            <h2 id="conduct-h">{t("room.code_of_conduct")}</h2>
            <p id="code-of-conduct">{m.code_of_conduct}</p>
          </section>
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
        <p>
          <button type="button" id="shortcuts-open" onClick={onHelp}>
            {t("shortcuts.title")}
          </button>
        </p>
      </details>
      </div>
      {you && store.may("attendance.apologise") && m.status === "scheduled" && !m.apologies[you.member_id] && (
        <details class="apologies">
          <summary>{t("room.cant_come")}</summary>
          <form id="apologise" class="inline-form">
            <label>
              {t("room.apology_note")} <input name="note" maxLength={500} />
            </label>
            <button type="submit">{t("room.send_apologies")}</button>
          </form>
        </details>
      )}
      {you && m.apologies[you.member_id] && <p id="apologised">{t("room.apologised")}</p>}
    </header>
  );
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
              {panels && <panels.ItemMotions m={m} itemId={item.id} />}
              <span class="controls chair">
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
              {panels && <panels.Elections item={item} m={m} store={store} />}
            </li>
          );
        })}
      </ol>
      {officer && (
        <form id="agenda-add" class="inline-form chair-controls">
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
    <form id="ruling" class="stack-form chair-controls" onSubmit={(e) => e.preventDefault()} aria-labelledby="ruling-h">
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

// The floor, at the head of the stage: who has it and their time left, or that nobody has; the chair's
// controls of the speech beside it.
function Floor({ m, store }: { m: Meeting; store: MeetingStore }) {
  const speech = m.speech;
  const item = m.agenda.find((i) => i.id === m.current_item);
  return (
    <div class="floor-bar" aria-labelledby="floor-h">
      <h2 id="floor-h" class="visually-hidden">
        {t("room.floor")}
      </h2>
      <p class="current-item" id="current-item">
        {item ? item.title : t("room.no_item")}
      </p>
      {speech ? (
        <div id="floor" class="floor">
          <p class="speaker-line">
            <strong id="speaker">{speech.name}</strong>
            {speech.kind === "point_of_order" ? t("room.on_point_of_order") : ""}
            {!speech.started_at && <span class="paused"> {t("room.paused")}</span>}
          </p>
          <Countdown store={store} />
          {store.may("speech.end") && (
            <ChairControls>
              {speech.started_at ? <Action action="speech.pause">{t("room.pause")}</Action> : <Action action="speech.start">{t("room.resume")}</Action>}
              <Action action="speech.extend" args={{ seconds: 60 }}>{t("room.extend")}</Action>
              <Action action="speech.end" id="end-speech">{t("room.end_speech")}</Action>
            </ChairControls>
          )}
        </div>
      ) : (
        <p id="floor" class="floor">
          {t("room.nobody_speaking")}
        </p>
      )}
    </div>
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
        <span class="controls chair">
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
        <Ruling m={m} store={store} />
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
      <Ruling m={m} store={store} />
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
      </p>
      {chair && (
        <ChairControls>
          {item.queue.length > 0 && <Action action="speaker.call" id="call-next">{t("room.call_next")}</Action>}
          {item.queue_open ? <Action action="speaker.close_list">{t("room.close_list")}</Action> : <Action action="speaker.reopen_list">{t("room.reopen_list")}</Action>}
        </ChairControls>
      )}
      {store.may("speaker.point_of_order") && <RaisePoint />}
    </section>
  );
}

// The room: the stage (the floor and the video) beside a panel of tabs, and the toolbar. A moment that
// matters (the floor, a vote) shows over the page wherever the member is (moments.tsx), not by switching tabs.
function Room({ store, token, media }: { store: MeetingStore; token: string; media: MediaSession }) {
  const [tab, setTab] = useState<Tab>(savedTab);
  const [helpOpen, setHelpOpen] = useState(false);
  const m = store.meeting;
  // The newest chat message seen while the Chat tab was showing (on arrival: all of them).
  const seen = useRef<string | null | undefined>(undefined);
  const choose = (to: Tab) => {
    saveTab(to);
    setTab(to);
  };
  useShortcuts(store, media, () => setHelpOpen(true));
  if (!m) return <p role="status">{t("loading")}</p>;
  const newest = m.chat.at(-1)?.id ?? null;
  if (seen.current === undefined || tab === "chat") seen.current = newest;
  const seenAt = m.chat.findIndex((message) => message.id === seen.current);
  const unread = seen.current === newest ? 0 : m.chat.length - 1 - seenAt;
  const waiting = store.you ? m.participants[store.you.member_id]?.waiting : false;
  // Advance polls are open beside the meeting's own vote: one open shows a dot, several their number.
  const voting = m.votes.filter((v) => v.status === "open").length;
  const queue = m.agenda.find((i) => i.id === m.current_item)?.queue.length ?? 0;
  const lobby = waitingCount(m, store);
  const tabs: TabSpec[] = [
    { id: "agenda", content: <Agenda m={m} store={store} /> },
    { id: "speakers", badge: queue ? String(queue) : undefined, badgeLabel: t("tabs.waiting_to_speak", { count: queue }), content: <Queue m={m} store={store} /> },
    { id: "motions", content: panels ? <panels.Motions m={m} store={store} /> : <Loading /> },
    { id: "vote", badge: voting > 1 ? String(voting) : voting ? "●" : undefined, badgeLabel: t("tabs.votes_open", { count: voting }), content: panels ? <panels.Votes m={m} store={store} token={token} /> : <Loading /> },
    { id: "chat", badge: unread ? String(unread) : undefined, badgeLabel: t("tabs.unread", { count: unread }), content: panels ? <panels.Chat m={m} store={store} /> : <Loading /> },
    {
      id: "people",
      badge: lobby ? String(lobby) : undefined,
      badgeLabel: t("tabs.in_lobby", { count: lobby }),
      content: panels ? <panels.People m={m} store={store} /> : <Loading />,
    },
    ...(hasConsole(store) ? [{ id: "console" as const, content: panels ? <panels.Console m={m} store={store} token={token} /> : <Loading /> }] : []),
  ];
  // Approved minutes are for everyone: those who do not draft them read them with the agenda.
  if (!store.may("minutes.draft")) {
    tabs[0].content = (
      <>
        <Agenda m={m} store={store} />
        {panels && <panels.Minutes m={m} store={store} token={token} />}
      </>
    );
  }
  return (
    <div class="room">
      <nav class="skip-links" aria-label={t("skip.label")}>
        <a href="#stage">{t("skip.stage")}</a>
        <a href="#panel">{t("skip.panel")}</a>
        <a href="#toolbar">{t("skip.toolbar")}</a>
      </nav>
      {waiting && (
        <p id="in-lobby" class="in-lobby" role="status">
          {t("lobby.you_wait")}
        </p>
      )}
      {panels && <panels.Moments m={m} store={store} />}
      <Adjourned m={m} store={store} />
      {/* Before the header: on a phone the member sees it on arrival without scrolling. */}
      <CheckIn m={m} store={store} />
      <Header m={m} store={store} onHelp={() => setHelpOpen(true)} />
      <div class="room-grid">
        <section id="stage" class="room-stage" aria-labelledby="stage-h" tabIndex={-1}>
          <h2 id="stage-h" class="visually-hidden">
            {t("room.stage")}
          </h2>
          <Floor m={m} store={store} />
          <MediaStage session={media} store={store} token={token} />
          <ReactionsShown store={store} />
        </section>
        <Toolbar m={m} store={store} session={media} choose={choose} unread={unread} />
        <Panel tabs={tabs} chosen={tab} choose={choose} />
      </div>
      <ShortcutsHelp open={helpOpen} close={() => setHelpOpen(false)} store={store} />
    </div>
  );
}

export function renderRoom(root: HTMLElement, store: MeetingStore, token: string, media: MediaSession): void {
  render(<Room store={store} token={token} media={media} />, root);
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
