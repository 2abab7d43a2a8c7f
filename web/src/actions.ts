// Views send Socket.IO events through here; main.ts says how (with errors shown to the member).
// The promise says whether the hub accepted the event and, if so, what it answered.
export type Reply = { ok: true; data: unknown } | { ok: false };
type Sender = (action: string, args: object) => Promise<Reply>;

let sender: Sender = async () => ({ ok: false });

export function onAction(send: Sender): void {
  sender = send;
}

export function act(action: string, args: object = {}): Promise<Reply> {
  return sender(action, args);
}
