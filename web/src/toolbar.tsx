// The toolbar at the foot of the room, with the habits members bring from Zoom and Jitsi: their own
// microphone, camera and screen (mediaview.tsx), the raised hand (ask to speak), reactions, chat with its
// unread count, the people here, and leaving the call.
import { act } from "./actions";
import { t } from "./i18n";
import type { MediaSession } from "./media";
import { MediaControls } from "./mediaview";
import type { Tab } from "./panel";
import { ReactionPicker } from "./reactions";
import { type Meeting, type MeetingStore, presentCount } from "./store";

// The member's place in the current item's list of speakers (not a point of order), or -1.
export function myPlace(m: Meeting, store: MeetingStore): number {
  const queue = m.agenda.find((i) => i.id === m.current_item)?.queue ?? [];
  return queue.findIndex((e) => e.member_id === store.you?.member_id && e.kind === "speech");
}

// The raised hand: asks to speak on the current item, or withdraws the request. False when there is
// nothing to do (no item, the list closed, not a speaker).
export function raiseHand(m: Meeting, store: MeetingStore): boolean {
  const item = m.agenda.find((i) => i.id === m.current_item);
  if (!item || !store.may("speaker.request")) return false;
  if (myPlace(m, store) >= 0) void act("speaker.withdraw");
  else if (item.queue_open) void act("speaker.request");
  else return false;
  return true;
}

interface Props {
  m: Meeting;
  store: MeetingStore;
  session: MediaSession;
  choose: (tab: Tab) => void;
  unread: number;
}

export function Toolbar({ m, store, session, choose, unread }: Props) {
  const inMedia = session.phase === "joining" || session.phase === "joined" || session.phase === "reconnecting";
  const item = m.agenda.find((i) => i.id === m.current_item);
  const place = myPlace(m, store);
  const hand = !!item && store.may("speaker.request") && (place >= 0 || item.queue_open);
  // Chosen from the toolbar: the tab comes into view and takes keyboard focus, as a click on it would.
  const show = (tab: Tab) => {
    choose(tab);
    const button = document.getElementById(`tab-${tab}`);
    button?.focus();
    button?.scrollIntoView({ block: "nearest" });
  };
  return (
    <section id="toolbar" class="toolbar" aria-label={t("toolbar.label")} tabIndex={-1}>
      {inMedia && <MediaControls session={session} store={store} />}
      <div class="controls toolbar-room">
        {hand && (
          <button type="button" id="hand" aria-pressed={place >= 0} onClick={() => raiseHand(m, store)} aria-keyshortcuts="H">
            {place >= 0 ? t("toolbar.lower_hand", { place: place + 1 }) : t("toolbar.raise_hand")}
          </button>
        )}
        <ReactionPicker store={store} />
        <button type="button" id="toolbar-chat" onClick={() => show("chat")}>
          {t("toolbar.chat")}
          {unread > 0 && (
            <span class="tab-badge" aria-label={t("tabs.unread", { count: unread })}>
              {unread}
            </span>
          )}
        </button>
        <button type="button" id="toolbar-people" onClick={() => show("people")}>
          {t("toolbar.people", { count: presentCount(m, store) })}
        </button>
      </div>
    </section>
  );
}
