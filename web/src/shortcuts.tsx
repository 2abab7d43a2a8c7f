// Keyboard shortcuts for the common actions, as in Jitsi: M the microphone, V the camera, H the raised
// hand, and for the chair N to call the next speaker and E to end the speech; ? lists them. Single keys
// act only when no field has the focus, and a member can switch them off (WCAG 2.1.4).
import { useEffect, useRef } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import type { MediaSession } from "./media";
import type { MeetingStore } from "./store";
import { raiseHand } from "./toolbar";

const KEY = "hub:shortcuts";

export const shortcutsOn = (): boolean => localStorage.getItem(KEY) !== "off";

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
}

// The shortcut keys and what they do now; a key whose action is not open to this member does nothing.
export function useShortcuts(store: MeetingStore, session: MediaSession, help: () => void): void {
  // The handler is added once and reads the newest state through these.
  const latest = useRef({ store, session, help });
  latest.current = { store, session, help };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (!shortcutsOn() || document.querySelector("dialog[open]")) return;
      const { store, session, help } = latest.current;
      const m = store.meeting;
      const inMedia = session.phase === "joined";
      let done = true;
      switch (event.key.toLowerCase()) {
        case "m":
          if (inMedia && session.mode !== "listen") session.setMicrophone(!session.micMuted);
          else done = false;
          break;
        case "v":
          if (inMedia && session.mode === "full") void session.setCamera(!session.cameraOff);
          else done = false;
          break;
        case "h":
          done = !!m && raiseHand(m, store);
          break;
        case "n":
          if (store.may("speaker.call") && m?.agenda.find((i) => i.id === m.current_item)?.queue.length) void act("speaker.call");
          else done = false;
          break;
        case "e":
          if (store.may("speech.end") && m?.speech) void act("speech.end");
          else done = false;
          break;
        case "?":
          help();
          break;
        default:
          done = false;
      }
      if (done) event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}

const KEYS: Array<[string, string, string | null]> = [
  ["M", "shortcuts.mic", null],
  ["V", "shortcuts.camera", null],
  ["H", "shortcuts.hand", null],
  ["N", "shortcuts.call_next", "speaker.call"],
  ["E", "shortcuts.end_speech", "speech.end"],
  ["?", "shortcuts.help", null],
];

// The list of shortcuts, in a modal dialog (the browser's own, which keeps focus inside and closes on
// Escape), with the switch that turns them off.
export function ShortcutsHelp({ open, close, store }: { open: boolean; close: () => void; store: MeetingStore }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  const on = shortcutsOn();
  return (
    <dialog id="shortcuts" class="shortcuts" ref={dialog} aria-labelledby="shortcuts-h" onClose={close}>
      <h2 id="shortcuts-h">{t("shortcuts.title")}</h2>
      <dl>
        {KEYS.filter(([, , event]) => !event || store.may(event)).map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{t(what)}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">{t("shortcuts.where")}</p>
      <p class="controls">
        <button
          type="button"
          id="shortcuts-switch"
          aria-pressed={!on}
          onClick={() => {
            localStorage.setItem(KEY, on ? "off" : "on");
            close();
          }}
        >
          {t("shortcuts.off")}
        </button>
        <button type="button" id="shortcuts-close" onClick={close}>
          {t("shortcuts.close")}
        </button>
      </p>
    </dialog>
  );
}
