// What the relay forwards, as far as the page can tell from the meeting: the same rules as
// hub/media.py, used only to tell people what is happening (the relay enforces them).
import type { Meeting, MeetingStore } from "./store";

// Heard in formal mode without being called (hub/media.py).
export const HEARD_IN_FORMAL = new Set(["admin", "chair", "secretary"]);
// The floor stays open this long past the time allowed (hub/media.py).
const OVERRUN_SECONDS = 10;

// More present than the size at which the meeting turns formal by itself. `presence` is the server's own
// count, in a big room too, where `participants` holds only a few.
export function large(m: Meeting): boolean {
  return m.presence.present > m.media.formal_above;
}

export function formalMode(m: Meeting): boolean {
  if (m.media.formal === "auto") return large(m);
  return m.media.formal === "on";
}

// Whether the member's speech is running within its time: the relay opens their mic then.
export function hasFloor(m: Meeting, memberId: string, store: MeetingStore): boolean {
  const speech = m.speech;
  if (!speech || speech.member_id !== memberId || !speech.started_at) return false;
  const elapsed = speech.elapsed_seconds + (store.serverNow() - Date.parse(speech.started_at)) / 1000;
  return elapsed < speech.limit_seconds + OVERRUN_SECONDS;
}
