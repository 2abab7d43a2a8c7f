// The client's one copy of the meeting: a version and the state at that version. Every view renders
// from it. Events carry an RFC 6902 patch, so applying them needs no knowledge of the rules.
import { applyPatch, type Operation } from "fast-json-patch";

import type { HubEvent, Meeting, Role } from "./protocol.gen";

// The shapes the server sends are generated from its JSON Schema (protocol.gen.ts); the views take
// them from here. The replies and vote.tally below have no schema yet, so they are written by hand
// around the generated parts.
export type {
  AgendaItem,
  Amendment,
  HubEvent,
  Meeting,
  Motion,
  Participant,
  QueueEntry,
  StandingOrders,
  Vote,
} from "./protocol.gen";

export interface Tally {
  vote_id: string;
  cast: number;
  eligible: number;
  counts?: Record<string, number>;
}

// What meeting.join and meeting.sync answer: a snapshot, or the events since the client's version.
export interface CatchUp {
  version: number;
  meeting?: Meeting;
  events?: HubEvent[];
}

export interface You {
  member_id: string;
  name: string;
  // Their own branch, if they belong to one.
  branch: string | null;
  role: Role;
  // The events this member's role may send: the server's permission matrix, so controls match it.
  may: string[];
}

// meeting.join also says who the client is and what time the server has.
export interface Joined extends CatchUp {
  you: You;
  server_time: string;
}

export class MeetingStore {
  version = 0;
  meeting: Meeting | null = null;
  you: You | null = null;
  // Server clock minus this device's clock, in milliseconds.
  clockOffset = 0;
  // Live counts of open votes (not part of the versioned state), and this member's own ballots.
  tallies = new Map<string, Tally>();
  // A choice is null when a secret ballot was already in the box and this browser did not cast it.
  myBallots = new Map<string, { choice: string | null; receipt: string | null }>();
  // Who voted how, fetched by the chair or a teller for an open (not secret) vote.
  ballotNames = new Map<string, Array<{ name: string; choice: string }>>();
  // Events that arrive while a join or sync is in flight wait here for its reply.
  private early: HubEvent[] | null = [];
  private listeners: Array<() => void> = [];

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  // Returns false when an event is missing and the caller must ask for a sync.
  expectCatchUp(): void {
    this.early ??= [];
  }

  receive(event: HubEvent): boolean {
    if (this.early !== null || this.meeting === null) {
      (this.early ??= []).push(event);
      return true;
    }
    if (event.version <= this.version) return true;
    if (event.version !== this.version + 1) return false;
    // The schema says only that each operation is an object; it is an RFC 6902 operation.
    this.meeting = applyPatch(this.meeting, event.patch as unknown as Operation[], false, false).newDocument;
    this.version = event.version;
    this.notify();
    return true;
  }

  catchUp(reply: CatchUp): boolean {
    if (reply.meeting) {
      this.meeting = reply.meeting;
      this.version = reply.version;
    }
    const pending = [...(reply.events ?? []), ...(this.early ?? [])];
    this.early = null;
    let whole = true;
    for (const event of pending) whole = this.receive(event) && whole;
    this.notify();
    return whole && this.version >= reply.version;
  }

  joined(reply: Joined): boolean {
    this.you = reply.you;
    this.clockOffset = Date.parse(reply.server_time) - Date.now();
    return this.catchUp(reply);
  }

  tally(tally: Tally): void {
    this.tallies.set(tally.vote_id, tally);
    this.notify();
  }

  recordBallot(voteId: string, choice: string | null, receipt: string | null): void {
    this.myBallots.set(voteId, { choice, receipt });
    sessionStorage.setItem(`ballot:${this.meeting?.id}:${voteId}`, JSON.stringify({ choice, receipt }));
    this.notify();
  }

  myBallot(voteId: string): { choice: string | null; receipt: string | null } | undefined {
    const kept = sessionStorage.getItem(`ballot:${this.meeting?.id}:${voteId}`);
    return this.myBallots.get(voteId) ?? (kept ? JSON.parse(kept) : undefined);
  }

  may(event: string): boolean {
    return this.you?.may.includes(event) ?? false;
  }

  serverNow(): number {
    return Date.now() + this.clockOffset;
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
