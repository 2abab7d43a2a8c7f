// Views send Socket.IO events through here; pages.ts says how (with errors shown to the member).
// The promise says whether the hub accepted the event and, if so, what it answered.
import type { Payloads } from "./protocol.gen";

export type Reply = { ok: true; data: unknown } | { ok: false };
// `quiet`: a refusal is only answered, not shown (a poll's failure is no news to the member).
type Sender = (action: string, args: object, quiet?: boolean) => Promise<Reply>;

let sender: Sender = async () => ({ ok: false });

export function onAction(send: Sender): void {
  sender = send;
}

// The payload is checked against the event's schema at compile time; it may be left out when every
// field has a default.
export type Args<E extends keyof Payloads> = {} extends Payloads[E] ? [args?: Payloads[E]] : [args: Payloads[E]];

export function act<E extends keyof Payloads>(action: E, ...[args]: Args<E>): Promise<Reply> {
  return sender(action, args ?? {});
}

// As `act`, for a query repeated in the background: a refusal is not shown.
export function ask<E extends keyof Payloads>(action: E, ...[args]: Args<E>): Promise<Reply> {
  return sender(action, args ?? {}, true);
}
