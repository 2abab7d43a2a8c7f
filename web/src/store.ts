// The client's one copy of the meeting: a version and the state at that version. Every view renders
// from it. Events carry an RFC 6902 patch, so applying them needs no knowledge of the rules.
import { applyPatch, type Operation } from "fast-json-patch";

import type { HubEvent, Meeting, PresenceCounts, ReactionBurst, Role, Vote, VoteTally } from "./protocol.gen";

// The shapes the server sends are generated from its JSON Schema (protocol.gen.ts); the views take
// them from here. The replies below have no schema yet, so they are written by hand around the
// generated parts.
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

// The vote open in the meeting itself, at most one (hub/votes.py `open_vote`): advance polls, which have a
// closing time and close by themselves, run beside it.
export const meetingVote = (m: Meeting): Vote | undefined => m.votes.find((v) => v.status === "open" && !v.closes_at);

// Every poll open now: the meeting's own vote first, then advance polls, the soonest to close first.
export function openVotes(m: Meeting): Vote[] {
  const advance = m.votes.filter((v) => v.status === "open" && v.closes_at).sort((a, b) => Date.parse(a.closes_at!) - Date.parse(b.closes_at!));
  const own = meetingVote(m);
  return own ? [own, ...advance] : advance;
}

// `vote.tally`: how far an open vote has got (hub/pushes.py).
export type Tally = VoteTally;

// `reaction.burst`: the reactions sent since the last burst (hub/pushes.py), never part of the meeting's
// state. Bursts are kept this long: the chair's rolling count of requests adds up their `asks`.
export type { ReactionBurst };
export const REACTIONS_KEPT_MS = 30_000;

// An event as a big room ("a crowd", hub/crowds.py) is sent it: with `prior`, the version of the event
// shown before it, since events that only change who is here are not sent there.
export type ShownEvent = HubEvent & { prior?: number };

// A big room's presence counts, sent as `meeting.presence` instead of with each event.
export type Counts = PresenceCounts;

// What meeting.join and meeting.sync answer: a snapshot, or the events since the client's version.
// A big room's snapshot says `crowd`: its participants are only the notables (officers, the lobby,
// the removed), and the rest are read a page at a time with roster.page.
export interface CatchUp {
  version: number;
  meeting?: Meeting;
  events?: ShownEvent[];
  crowd?: boolean;
}

// A member's own ballot as this browser cast it: `choice` in a poll with one mark a ballot, `choices`
// (a ranking: first preference first) in the others. Both are null when a secret ballot was already
// in the box and this browser did not cast it.
export interface Ballot {
  choice: string | null;
  choices: string[] | null;
  receipt: string | null;
}

// `vote.ballots`: who voted how in an open vote.
export interface NamedBallot {
  name: string;
  choice?: string;
  choices?: string[];
}

export interface You {
  member_id: string;
  name: string;
  // Their own branch, if they belong to one.
  branch: string | null;
  role: Role;
  // The events this member's role may send: the server's permission matrix, so controls match it.
  may: string[];
  // Those of them a closed meeting refuses (the server's declaration).
  business: string[];
  // The member's home page: their other meetings, calendar and minutes.
  home: string | null;
  // For the chair: the meeting's projector view, for a hall screen (it needs no role).
  projector: string | null;
}

// meeting.join also says who the client is and what time the server has.
// A projector link's screen is nobody in the meeting: `you` is null and `projector` true.
export interface Joined extends CatchUp {
  you: You | null;
  projector?: boolean;
  server_time: string;
}

export class MeetingStore {
  version = 0;
  meeting: Meeting | null = null;
  // Whether the meeting is a big room (see CatchUp).
  crowd = false;
  you: You | null = null;
  // Joined with a projector link: only the projector view.
  projector = false;
  // Server clock minus this device's clock, in milliseconds.
  clockOffset = 0;
  // Live counts of open votes (not part of the versioned state), and this member's own ballots.
  tallies = new Map<string, Tally>();
  myBallots = new Map<string, Ballot>();
  // Who voted how, fetched by the chair or a teller for an open (not secret) vote.
  ballotNames = new Map<string, NamedBallot[]>();
  // Reactions received in the last REACTIONS_KEPT_MS, with when each burst arrived (this device's clock).
  reactions: Array<{ at: number; burst: ReactionBurst }> = [];
  // Events that arrive while a join or sync is in flight wait here for its reply.
  private early: ShownEvent[] | null = [];
  // A big room's counts move without moving `version`: the version they were counted at, and the
  // newest received (kept when they cannot apply yet, during a join or before a sync to the crowd view).
  private countsVersion = 0;
  private latestCounts: Counts | null = null;
  private listeners: Array<() => void> = [];

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  // Returns false when an event is missing and the caller must ask for a sync.
  expectCatchUp(): void {
    this.early ??= [];
  }

  receive(event: ShownEvent): boolean {
    if (this.early !== null || this.meeting === null) {
      (this.early ??= []).push(event);
      return true;
    }
    if (event.version <= this.version) return true;
    if (event.prior !== undefined) {
      // A big room's event applies on top of the one shown before it; a client still holding the whole
      // roster when the room became big must sync to the crowd view.
      if (!this.crowd || event.prior > this.version) return false;
    } else if (event.version !== this.version + 1) return false;
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
      this.crowd = reply.crowd === true;
      this.countsVersion = reply.version;
      this.applyCounts();
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
    this.projector = reply.projector === true;
    this.clockOffset = Date.parse(reply.server_time) - Date.now();
    return this.catchUp(reply);
  }

  // `meeting.presence`: a big room's counts, applied when newer than those held. Returns false when the
  // client holds a whole roster: counts are sent only to a big room, so the room has become one since
  // (the join that did it is not sent as an event) and the caller must sync to the crowd view.
  counts(counts: Counts): boolean {
    if (this.latestCounts === null || counts.version > this.latestCounts.version) this.latestCounts = counts;
    if (this.applyCounts()) this.notify();
    return this.crowd || this.early !== null || this.meeting === null || counts.version <= this.version;
  }

  private applyCounts(): boolean {
    const counts = this.latestCounts;
    if (!this.crowd || this.meeting === null || counts === null || counts.version <= this.countsVersion) return false;
    this.meeting = { ...this.meeting, presence: counts.presence, quorum: counts.quorum };
    this.countsVersion = counts.version;
    return true;
  }

  tally(tally: Tally): void {
    this.tallies.set(tally.vote_id, tally);
    this.notify();
  }

  reacted(burst: ReactionBurst): void {
    const now = Date.now();
    this.reactions = [...this.reactions.filter((r) => now - r.at < REACTIONS_KEPT_MS), { at: now, burst }];
    this.notify();
  }

  recordBallot(voteId: string, ballot: Ballot): void {
    this.myBallots.set(voteId, ballot);
    sessionStorage.setItem(`ballot:${this.meeting?.id}:${voteId}`, JSON.stringify(ballot));
    this.notify();
  }

  myBallot(voteId: string): Ballot | undefined {
    const kept = sessionStorage.getItem(`ballot:${this.meeting?.id}:${voteId}`);
    // Kept before polls had several marks a ballot: no `choices`.
    return this.myBallots.get(voteId) ?? (kept ? { choices: null, ...JSON.parse(kept) } : undefined);
  }

  // Whether this member may send `event` now: their role allows it, and the meeting is not closed (or
  // adjourned) to it.
  may(event: string): boolean {
    const you = this.you;
    if (!you?.may.includes(event)) return false;
    const shut = this.meeting?.status === "closed" || Boolean(this.meeting?.adjourned_until);
    return !(shut && you.business.includes(event));
  }

  serverNow(): number {
    return Date.now() + this.clockOffset;
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}

// How many are waiting in the lobby, for the tab's badge (only those who admit them see it).
export const waitingCount = (m: Meeting, store: MeetingStore): number =>
  store.may("lobby.admit") ? Object.values(m.participants).filter((p) => p.waiting).length : 0;

// How many are here: from the hub's counts in a big room, whose meeting lists only its officers.
export const presentCount = (m: Meeting, store: MeetingStore): number =>
  store.crowd ? m.presence.present : Object.values(m.participants).filter((p) => p.present).length;
