// Views send Socket.IO events through here; main.ts says how (with errors shown to the member).
type Sender = (action: string, args: object) => void;

let sender: Sender = () => {};

export function onAction(send: Sender): void {
  sender = send;
}

export function act(action: string, args: object = {}): void {
  sender(action, args);
}
