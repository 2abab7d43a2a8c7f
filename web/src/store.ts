// The client's one copy of the meeting: a version and the state at that version. Every view renders
// from it. Events carry an RFC 6902 patch, so applying them needs no knowledge of the rules.
import { applyPatch, type Operation } from "fast-json-patch";

export interface Participant {
  member_id: string;
  name: string;
  role: string;
  present: boolean;
  waiting: boolean;
  first_joined_at: string;
  last_seen_at: string;
}

export interface QueueEntry {
  id: string;
  member_id: string;
  name: string;
  kind: "speech" | "point_of_order";
  stance: "for" | "against" | null;
  rule: string | null;
  requested_at: string;
  reason: string;
}

export interface AgendaItem {
  id: string;
  title: string;
  kind: string;
  minutes_budget: number | null;
  documents: string[];
  seconds_used: number;
  opened_at: string | null;
  queue: QueueEntry[];
  queue_open: boolean;
  spoken: Record<string, number>;
}

export interface Speech {
  item_id: string;
  member_id: string;
  name: string;
  kind: "speech" | "point_of_order";
  limit_seconds: number;
  started_at: string | null;
  elapsed_seconds: number;
}

export interface Amendment {
  id: string;
  mover_id: string;
  mover_name: string;
  seconder_id: string | null;
  seconder_name: string | null;
  kind: "insert" | "delete" | "replace";
  target: string;
  text: string;
  status: string;
}

export interface Motion {
  id: string;
  item_id: string | null;
  title: string;
  text: string;
  original_text: string;
  mover_id: string;
  mover_name: string;
  seconder_id: string | null;
  seconder_name: string | null;
  emergency: boolean;
  procedure: string | null;
  target_id: string | null;
  status: string;
  amendments: Amendment[];
  history: Array<{ amendment_id: string; before: string; after: string; at: string }>;
  reply_given: boolean;
}

export interface VoteResult {
  counts: Record<string, number>;
  outcome: "carried" | "lost";
  casting_vote: "for" | "against" | null;
  tied: boolean;
  rule: string;
}

export interface Vote {
  id: string;
  subject: { kind: string; motion_id: string; amendment_id: string | null };
  question: string;
  method: "hands" | "secret" | "card";
  majority: string;
  status: "open" | "closed";
  eligible: number;
  present: number;
  result: VoteResult | null;
}

export interface Tally {
  vote_id: string;
  cast: number;
  eligible: number;
  counts?: Record<string, number>;
}

export interface MediaSettings {
  formal: "auto" | "on" | "off";
  formal_above: number;
  last_n: number;
}

// A branch's rules for the meeting (hub/models.py StandingOrders).
export interface StandingOrders {
  quorum: { kind: "number" | "fraction"; value: number };
  speech_seconds: number;
  mover_seconds: number;
  right_of_reply: boolean;
  amendments_need_seconder: boolean;
  alternate_by_gender: boolean;
  chair_challenge_majority: "simple" | "two_thirds_present";
  vote_changes_allowed: boolean;
}

export interface Meeting {
  id: string;
  branch_id: string;
  title: string;
  starts_at: string;
  time_zone: string;
  status: string;
  participants: Record<string, Participant>;
  apologies: Record<string, { name: string; at: string; note: string }>;
  agenda: AgendaItem[];
  current_item: string | null;
  speech: Speech | null;
  quorum: { required: number; present: number; quorate: boolean };
  motions: Motion[];
  votes: Vote[];
  minutes: { status: "draft" | "approved"; edited_by: string | null; approval_note: string } | null;
  standing_orders: StandingOrders;
  // Delegates each member carries in card votes; a member not listed carries one.
  card_weights: Record<string, number>;
  media: MediaSettings;
  // Members the chair has muted: the relay forwards none of their audio.
  muted: string[];
  removed: string[];
  lobby: boolean;
  chat: ChatMessage[];
  chat_open: boolean;
}

export interface ChatMessage {
  id: string;
  member_id: string;
  name: string;
  text: string;
  at: string;
  hidden_by: string | null;
}

export interface HubEvent {
  version: number;
  type: string;
  actor: string | null;
  at: string;
  data: Record<string, unknown>;
  patch: Operation[];
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
  role: string;
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
    this.meeting = applyPatch(this.meeting, event.patch, false, false).newDocument;
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
