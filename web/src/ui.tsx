// Small pieces every view uses.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type Args, act } from "./actions";
import { LANGUAGES, language, setLanguage, t } from "./i18n";
import type { Payloads } from "./protocol.gen";

type ButtonProps<E extends keyof Payloads> = Omit<JSX.HTMLAttributes<HTMLButtonElement>, "action"> & {
  action: E;
  children: ComponentChildren;
} & ({} extends Payloads[E] ? { args?: Payloads[E] } : { args: Payloads[E] });

// A control that sends the Socket.IO event `action` with `args` when clicked (see actions.ts).
export function Action<E extends keyof Payloads>({ action, args, children, ...rest }: ButtonProps<E>) {
  return (
    <button type="button" onClick={() => act(action, ...([args] as Args<E>))} {...rest}>
      {children}
    </button>
  );
}

// Drag and drop to reorder a list (the queue, the agenda); the ↑ and ↓ buttons do the same by keyboard.
export function reorderable(id: string, index: number, move: (id: string, position: number) => void) {
  return {
    draggable: true,
    onDragStart: (event: DragEvent) => event.dataTransfer?.setData("text/plain", id),
    onDragOver: (event: DragEvent) => event.preventDefault(),
    onDrop: (event: DragEvent) => {
      event.preventDefault();
      const dragged = event.dataTransfer?.getData("text/plain");
      if (dragged && dragged !== id) move(dragged, index);
    },
  };
}

export function clock(seconds: number): string {
  const sign = seconds < 0 ? "−" : "";
  const whole = Math.abs(Math.round(seconds));
  return `${sign}${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// A length with its hours when it has any: 0:05, 12:05, 1:02:03.
export function timecode(seconds: number): string {
  const whole = Math.round(seconds);
  return whole >= 3600 ? `${Math.floor(whole / 3600)}:${clock(whole % 3600).padStart(5, "0")}` : clock(whole);
}

// The page's language; `onChange` re-renders whatever shows text.
export function LanguagePicker({ onChange }: { onChange: () => void }) {
  return (
    <label class="language">
      {t("language")}{" "}
      <select
        value={language()}
        onChange={async (event) => {
          await setLanguage((event.target as HTMLSelectElement).value);
          onChange();
        }}
      >
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option value={code} lang={code} key={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

// Re-renders its caller every `ms` while mounted: countdowns, time used and level meters move between
// events.
export function useTick(ms: number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

// A button whose action is asked about first, in place: what cannot be undone lightly (closing the
// meeting, removing an item or a person). Keyboard focus follows the question and comes back.
export function Confirmed({
  label,
  ariaLabel,
  question,
  yes,
  onYes,
}: {
  label: string;
  ariaLabel?: string;
  question: string;
  yes: string;
  onYes: () => void;
}) {
  const { open: asking, toggle: ask, focus } = useOpener<HTMLButtonElement>();
  if (!asking) {
    return (
      <button type="button" ref={focus} aria-label={ariaLabel} onClick={() => ask(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>{" "}
      <button
        type="button"
        ref={focus}
        onClick={() => {
          ask(false);
          onYes();
        }}
      >
        {yes}
      </button>{" "}
      <button type="button" onClick={() => ask(false)}>
        {t("room.cancel")}
      </button>
    </span>
  );
}

// Copies `text` (a receipt) to the clipboard, and says so where a screen reader hears it.
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"" | "copied" | "failed">("");
  return (
    <>
      {" "}
      <button
        type="button"
        aria-label={label}
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setState("copied"),
            () => setState("failed"),
          )
        }
      >
        {t("copy")}
      </button>{" "}
      <span role="status" class="copied">
        {state && t(`copy_${state}`)}
      </span>
    </>
  );
}

// A control that opens in place (a question, a form): keyboard focus moves to `focus` in the new state
// whenever it opens or closes, so it lands in the opened part and comes back to the opener.
export function useOpener<T extends HTMLElement>() {
  const [open, setOpen] = useState(false);
  const focus = useRef<T | null>(null);
  const moved = useRef(false);
  useEffect(() => {
    if (moved.current) focus.current?.focus();
  }, [open]);
  const toggle = (on: boolean) => {
    moved.current = true;
    setOpen(on);
  };
  return { open, toggle, focus };
}

// Controls only those running the meeting have, drawn apart from a member's (the `.chair-controls`
// style, marked "Chair") so that a chair never mistakes one for the other, and grouped for screen readers.
export function ChairControls({ children }: { children: ComponentChildren }) {
  return (
    <div class="chair-controls" role="group" aria-label={t("console.chair_controls")}>
      <span class="chair-mark" aria-hidden="true">
        {t("console.chair")}
      </span>
      {children}
    </div>
  );
}
