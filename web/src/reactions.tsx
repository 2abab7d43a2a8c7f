// Placement: ReactionPicker in the bottom toolbar (after "ask to speak"); ReactionsShown inside the stage, whose box must be `position: relative` (it overlays the stage and takes no clicks).
//
// Reactions, as members know them from Zoom and Jitsi: applause, agree, disagree, and two requests to the
// chair, "can't hear" and "slower". A member sends one (reaction.send; the hub limits how many); everyone
// sees them float briefly over the stage (reaction.burst, never part of the meeting's state); screen
// readers hear them only as a sum now and then; the chair sees a rolling count of the requests.
import "./reactions.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import type { ReactionShown } from "./protocol.gen";
import { type MeetingStore, type ReactionBurst, REACTIONS_KEPT_MS } from "./store";

type Kind = ReactionShown["kind"];

export const REACTIONS: ReadonlyArray<{ kind: Kind; icon: string }> = [
  { kind: "applause", icon: "👏" },
  { kind: "agree", icon: "👍" },
  { kind: "disagree", icon: "👎" },
  { kind: "cant_hear", icon: "👂" },
  { kind: "slower", icon: "🐢" },
];
const ICON = Object.fromEntries(REACTIONS.map((r) => [r.kind, r.icon])) as Record<Kind, string>;
// The requests to the chair, counted for the chair over the last REACTIONS_KEPT_MS.
const REQUESTS: Kind[] = ["cant_hear", "slower"];
// How long a reaction floats over the stage.
const SHOWN_MS = 4000;
// Screen readers hear the reactions at most this often, as one sentence.
const ANNOUNCE_EVERY_MS = 6000;
// Those who see the requests: the ones in the chair.
const CHAIRS = new Set(["admin", "chair"]);

// A toolbar button that opens a small menu of the five reactions. A menu button as WAI-ARIA describes
// it: Enter, Space or the down arrow open it on the first reaction, the arrow keys, Home and End move,
// Enter or Space sends, Escape closes and returns to the button, and Tab leaves.
export function ReactionPicker({ store }: { store: MeetingStore }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const items = useRef<Array<HTMLButtonElement | null>>([]);
  useEffect(() => {
    if (open) items.current[active]?.focus();
  }, [open, active]);
  useEffect(() => {
    if (!open) return;
    const away = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);
  if (!store.may("reaction.send")) return null;

  const last = REACTIONS.length - 1;
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) trigger.current?.focus();
  };
  const openAt = (index: number) => {
    setActive(index);
    setOpen(true);
  };
  const send = (kind: Kind) => {
    close(true);
    void act("reaction.send", { kind });
  };
  const onMenuKey = (event: KeyboardEvent) => {
    // From the item that has the focus, moved at once: a quick second key must not find it elsewhere.
    const moves: Record<string, (from: number) => number> = {
      ArrowRight: (from) => (from + 1) % REACTIONS.length,
      ArrowDown: (from) => (from + 1) % REACTIONS.length,
      ArrowLeft: (from) => (from + last) % REACTIONS.length,
      ArrowUp: (from) => (from + last) % REACTIONS.length,
      Home: () => 0,
      End: () => last,
    };
    if (event.key in moves) {
      event.preventDefault();
      const to = moves[event.key](Math.max(0, items.current.indexOf(document.activeElement as HTMLButtonElement)));
      items.current[to]?.focus();
      setActive(to);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    }
  };
  return (
    <div class="reactions-picker" ref={root}>
      <button
        type="button"
        id="reactions-button"
        class="reactions-button"
        ref={trigger}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? "reactions-menu" : undefined}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            openAt(event.key === "ArrowUp" ? last : 0);
          }
        }}
      >
        <span class="reaction-icon" aria-hidden="true">
          {ICON.applause}
        </span>{" "}
        {t("reactions.button")}
      </button>
      {open && (
        <div id="reactions-menu" class="reactions-menu" role="menu" aria-label={t("reactions.menu")} onKeyDown={onMenuKey}>
          {REACTIONS.map(({ kind, icon }, n) => (
            <button
              type="button"
              role="menuitem"
              key={kind}
              data-reaction={kind}
              tabIndex={n === active ? 0 : -1}
              ref={(element) => {
                items.current[n] = element;
              }}
              onClick={() => send(kind)}
            >
              <span class="reaction-icon" aria-hidden="true">
                {icon}
              </span>{" "}
              <span>{t(`reactions.${kind}`)}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

// What a burst shows: a bubble per named reaction, and one "×N" per kind for the rest of that kind.
function bubbles(burst: ReactionBurst): Array<{ kind: Kind; label: string }> {
  const shown: Array<{ kind: Kind; label: string }> = burst.named.map((r) => ({ kind: r.kind, label: r.name }));
  for (const { kind } of REACTIONS) {
    const more = (burst.counts[kind] ?? 0) - burst.named.filter((r) => r.kind === kind).length;
    if (more > 0) shown.push({ kind, label: t("reactions.more", { count: more }) });
  }
  return shown;
}

// Counts per kind over some bursts, as one sentence ("3 applause, 1 can't hear").
function summary(bursts: ReactionBurst[], field: "counts" | "asks", kinds: readonly Kind[]): Record<Kind, number> {
  const total = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<Kind, number>;
  for (const burst of bursts) for (const kind of kinds) total[kind] += burst[field][kind] ?? 0;
  return total;
}

// Reactions floating over the stage for a few seconds (decorative: hidden from screen readers), one
// polite sentence now and then for screen readers with what was sent since the last, and for those in
// the chair the members who asked in the last 30 seconds to be heard or for the speaker to slow down.
export function ReactionsShown({ store }: { store: MeetingStore }) {
  const [, setTick] = useState(0);
  const [said, setSaid] = useState("");
  const announcedUpTo = useRef(Date.now());
  const timer = useRef<number | null>(null);
  const newest = store.reactions.at(-1)?.at ?? 0;
  const kept = newest > 0 && Date.now() - newest < REACTIONS_KEPT_MS;

  // Moves the bubbles and the rolling count on while there is anything to move.
  useEffect(() => {
    if (!kept) return;
    const ticking = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(ticking);
  }, [kept]);
  // One sentence for everything since the last, at most every ANNOUNCE_EVERY_MS.
  useEffect(() => {
    if (newest <= announcedUpTo.current || timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      const fresh = store.reactions.filter((r) => r.at > announcedUpTo.current).map((r) => r.burst);
      announcedUpTo.current = store.reactions.at(-1)?.at ?? Date.now();
      const counts = summary(fresh, "counts", REACTIONS.map((r) => r.kind));
      const parts = REACTIONS.filter(({ kind }) => counts[kind] > 0).map(({ kind }) =>
        t(`reactions.said_${kind}`, { count: counts[kind] }),
      );
      if (parts.length) setSaid(t("reactions.said", { list: parts.join(", ") }));
    }, ANNOUNCE_EVERY_MS);
  }, [newest]);
  useEffect(() => () => {
    if (timer.current !== null) clearTimeout(timer.current);
  }, []);

  const now = Date.now();
  const floating = store.reactions.filter((r) => now - r.at < SHOWN_MS);
  const chair = CHAIRS.has(store.you?.role ?? "");
  const asks = summary(
    store.reactions.filter((r) => now - r.at < REACTIONS_KEPT_MS).map((r) => r.burst),
    "asks",
    REQUESTS,
  );
  const asking = REQUESTS.some((kind) => asks[kind] > 0);
  return (
    <div class="reactions-shown">
      <ul class="reactions-float" aria-hidden="true">
        {floating.flatMap(({ at, burst }) =>
          bubbles(burst).map((bubble, n) => (
            <li
              key={`${at}-${n}`}
              class={`reaction-bubble reaction-${bubble.kind}`}
              // Spread across the stage, the same place for the same bubble on every render.
              style={{ left: `${8 + ((at / 7 + n * 23) % 80)}%` }}
            >
              <span class="reaction-icon">{ICON[bubble.kind]}</span> <span class="reaction-name">{bubble.label}</span>
            </li>
          )),
        )}
      </ul>
      <p class="reactions-live" aria-live="polite">
        {said}
      </p>
      {chair && asking && (
        <p class="reactions-asks" id="reactions-asks">
          {REQUESTS.filter((kind) => asks[kind] > 0)
            .map((kind) => t(`reactions.asks_${kind}`, { count: asks[kind] }))
            .join(" · ")}{" "}
          <span class="reactions-window">{t("reactions.window")}</span>
        </p>
      )}
    </div>
  );
}
