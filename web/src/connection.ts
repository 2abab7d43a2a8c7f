// The Socket.IO connection: msgpack on the wire, one ack envelope for every event, and resync on
// reconnect from the version the store already holds.
import { io, type Socket } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";
import type { CatchUp, Counts, Joined, MeetingStore, ReactionBurst, ShownEvent, Tally } from "./store";

export interface HubError {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

type Ack<T> = { ok: true; data: T } | { ok: false; error: HubError };

// Tries after a `store.unavailable` refusal: waits of 1, 2, 4 and 8 seconds cover a Redis restart,
// and a `media.unavailable` one the time the hub takes to move a meeting's media off a node that died.
const STORE_RETRIES = 4;
const RETRIED = new Set(["store.unavailable", "media.unavailable"]);

export interface ConnectionCallbacks {
  onOnline(online: boolean): void;
  onRefused(error: HubError): void;
}

export class Connection {
  readonly socket: Socket;
  private joinedListeners: Array<() => void> = [];

  constructor(token: string, private store: MeetingStore, callbacks: ConnectionCallbacks) {
    // WebSocket first: under `hub serve --workers N` a WebSocket stays on the process that accepted it,
    // while a polling session's requests must be passed between processes. Polling remains the
    // fallback where WebSocket is blocked.
    this.socket = io({
      auth: { token },
      parser: msgpackParser,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    this.socket.on("connect", () => {
      callbacks.onOnline(true);
      void this.join();
    });
    this.socket.on("disconnect", () => callbacks.onOnline(false));
    this.socket.on("connect_error", (err: Error & { data?: HubError }) => {
      // A refusal by the server (bad link) is final; anything else is retried by the client.
      if (err.data?.code) callbacks.onRefused(err.data);
      else callbacks.onOnline(false);
    });
    this.socket.on("vote.tally", (tally: Tally) => this.store.tally(tally));
    this.socket.on("reaction.burst", (burst: ReactionBurst) => this.store.reacted(burst));
    this.socket.on("meeting.presence", (counts: Counts) => {
      if (!this.store.counts(counts)) void this.sync();
    });
    this.socket.on("meeting.events", (events: ShownEvent[]) => {
      let whole = true;
      for (const event of events) whole = this.store.receive(event) && whole;
      if (!whole) void this.sync();
    });
  }

  // A refusal because the server cannot reach its store (or the node running the meeting's media) is
  // retried with the same payload, waiting longer each time (a cast is idempotent in the store, so a
  // retried ballot never counts twice); after the last try the refusal goes to the caller like any other.
  async send<T>(event: string, payload: object = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const ack = (await this.socket.emitWithAck(event, payload)) as Ack<T>;
      if (ack.ok) return ack.data;
      if (!RETRIED.has(ack.error.code) || attempt >= STORE_RETRIES) throw ack.error;
      const after = Number(ack.error.details.retry_after ?? 1);
      await new Promise((resolve) => setTimeout(resolve, after * 1000 * 2 ** attempt));
    }
  }

  // Called each time this connection has (re)joined the meeting: what rides on a joined connection,
  // such as media, can start again.
  onJoined(listener: () => void): void {
    this.joinedListeners.push(listener);
  }

  private async join(): Promise<void> {
    const since = this.store.meeting ? { since: this.store.version } : {};
    this.store.expectCatchUp();
    const reply = await this.send<Joined>("meeting.join", since);
    if (!this.store.joined(reply)) await this.sync();
    for (const listener of this.joinedListeners) listener();
  }

  async sync(): Promise<void> {
    this.store.expectCatchUp();
    const reply = await this.send<CatchUp>("meeting.sync", { since: this.store.version });
    this.store.catchUp(reply);
  }
}
