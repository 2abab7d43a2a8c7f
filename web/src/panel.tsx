// The room's panel: tabs beside the stage on a desktop, a bar at the foot of the screen on a phone.
// Every tab's content stays rendered (hidden when not chosen), so what a member has typed in one tab
// survives a look at another. The chosen tab is kept for this browser tab across reloads.
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";
import { t } from "./i18n";
import type { MeetingStore } from "./store";

export const TABS = ["agenda", "speakers", "motions", "vote", "chat", "people", "console"] as const;
export type Tab = (typeof TABS)[number];

// Whether this member has a console at all: the tab is shown only to those who run the meeting.
const CONSOLE_EVENTS = ["meeting.set_status", "vote.open", "minutes.draft", "media.set_settings", "meeting.set_standing_orders", "meeting.set_card_weights"];
export const hasConsole = (store: MeetingStore): boolean => CONSOLE_EVENTS.some((event) => store.you?.may.includes(event));

const KEY = "hub:tab";

export function savedTab(): Tab {
  const saved = sessionStorage.getItem(KEY);
  return (TABS as readonly string[]).includes(saved ?? "") ? (saved as Tab) : "agenda";
}

export function saveTab(tab: Tab): void {
  sessionStorage.setItem(KEY, tab);
}

export interface TabSpec {
  id: Tab;
  // A count or mark beside the name (unread messages, people waiting, an open vote).
  badge?: string;
  // Said with the name by screen readers, when the badge alone would not be clear.
  badgeLabel?: string;
  content: ComponentChildren;
}

// The tab list follows the WAI-ARIA tabs pattern: one tab stop, arrow keys move between tabs and
// choose them, Home and End go to the ends.
export function Panel({ tabs, chosen, choose }: { tabs: TabSpec[]; chosen: Tab; choose: (tab: Tab) => void }) {
  const list = useRef<HTMLDivElement>(null);
  const shown = tabs.some((tab) => tab.id === chosen) ? chosen : tabs[0].id;
  const onKey = (event: KeyboardEvent) => {
    const index = tabs.findIndex((tab) => tab.id === shown);
    const to =
      event.key === "ArrowRight" || event.key === "ArrowDown"
        ? (index + 1) % tabs.length
        : event.key === "ArrowLeft" || event.key === "ArrowUp"
          ? (index - 1 + tabs.length) % tabs.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? tabs.length - 1
              : -1;
    if (to < 0) return;
    event.preventDefault();
    choose(tabs[to].id);
    list.current?.querySelector<HTMLElement>(`#tab-${tabs[to].id}`)?.focus();
  };
  return (
    <div id="panel" class="panel">
      <h2 class="visually-hidden" id="panel-h">
        {t("tabs.panel")}
      </h2>
      <div class="tabs" role="tablist" aria-labelledby="panel-h" ref={list} onKeyDown={onKey}>
        {tabs.map((tab) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            class={`tab tab-${tab.id}`}
            aria-selected={tab.id === shown}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === shown ? 0 : -1}
            onClick={() => choose(tab.id)}
          >
            <span class="tab-name">{t(`tabs.${tab.id}`)}</span>
            {tab.badge && (
              <span class="tab-badge" aria-label={tab.badgeLabel}>
                {tab.badge}
              </span>
            )}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div key={tab.id} role="tabpanel" id={`panel-${tab.id}`} class="tab-panel" aria-labelledby={`tab-${tab.id}`} hidden={tab.id !== shown}>
          {tab.content}
        </div>
      ))}
    </div>
  );
}
