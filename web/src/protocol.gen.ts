// Generated from docs/protocol/schema/ by web/scripts/types.mjs: do not edit.
// After a model changes: `python -m hub.schema docs/protocol/schema`, then `npm run types` in web/.

export type MeetingStatus = "scheduled" | "open" | "in_session" | "closed" | "cancelled";
export type Role = "admin" | "chair" | "secretary" | "treasurer" | "officer" | "member" | "observer";
export type AgendaKind = "minutes" | "report" | "motion" | "election" | "other";
/**
 * Procedural motions: they interrupt debate and are decided first.
 */
export type Procedure = "next_business" | "question_be_now_put" | "refer_back" | "adjourn" | "challenge_chair";
export type AmendmentKind = "insert" | "delete" | "replace";
export type PollMethod = "yes_no" | "one_of" | "up_to" | "ranked";
export type Secrecy = "open" | "secret";
export type Majority = "simple" | "two_thirds_cast" | "two_thirds_present";
export type Method = "irv" | "scottish_stv";
export type StageKind = "first" | "surplus" | "exclusion";
export type Reason = "quota" | "last_vacancies" | "lowest" | "balance";

/**
 * What crosses the wire: the public view of a meeting, a pushed event, every payload.
 */
export interface Protocol {
  Meeting: Meeting;
  HubEvent: HubEvent;
  VoteTally: VoteTally;
  PresenceCounts: PresenceCounts;
  ReactionBurst: ReactionBurst;
  Payloads: Payloads;
}
/**
 * A meeting as every client sees it: the `meeting` of a snapshot.
 */
export interface Meeting {
  id: string;
  branch_id: string;
  title: string;
  starts_at: string;
  time_zone: string;
  status: MeetingStatus;
  kind: "branch" | "committee" | "agm";
  series: SeriesPlace | null;
  roles: {
    [k: string]: Role;
  };
  /**
   * @maxItems 100
   */
  invited_branches: string[];
  everyone: boolean;
  code_of_conduct: string;
  standing_orders: StandingOrders;
  electorate: number;
  participants: {
    [k: string]: Participant;
  };
  presence: Presence;
  apologies: {
    [k: string]: Apology;
  };
  agenda: AgendaItem[];
  posts: Post[];
  nominations: Nomination[];
  current_item: string | null;
  speech: Speech | null;
  adjourned_until: string | null;
  points: PointOfOrder[];
  motions: Motion[];
  votes: Vote[];
  minutes: Minutes | null;
  card_weights: {
    [k: string]: number;
  };
  media: MediaSettings;
  muted: string[];
  removed: string[];
  lobby: boolean;
  admitted: string[];
  chat: ChatMessage[];
  chat_open: boolean;
  livestream: Livestream;
  serial: number;
  /**
   * What the standing orders allow or require of the chair now (hub/nextsteps.py).
   */
  next_steps: Step[];
  /**
   * Where the meeting may go from here (`meeting.set_status`), in the order the chair is offered.
   */
  next_statuses: MeetingStatus[];
  quorum: QuorumState;
}
/**
 * Where a meeting stands in a series the officers' console created (hub/series.py).
 */
export interface SeriesPlace {
  id: string;
  number: number;
  of: number;
}
/**
 * A branch's procedural rules; defaults follow the UK Labour model procedural rules.
 */
export interface StandingOrders {
  quorum: Quorum;
  speech_seconds: number;
  mover_seconds: number;
  reply_seconds: number;
  right_of_reply: boolean;
  amendments_need_seconder: boolean;
  alternate_by_gender: boolean;
  alternate_by_stance: boolean;
  chair_challenge_majority: "simple" | "two_thirds_present";
  vote_changes_allowed: boolean;
  nominations_need_seconder: boolean;
}
export interface Quorum {
  kind: "number" | "fraction";
  value: number;
}
export interface Participant {
  member_id: string;
  name: string;
  role: Role;
  present: boolean;
  attended: boolean;
  away_since: string | null;
  hall: boolean;
  waiting: boolean;
  first_joined_at: string;
  last_seen_at: string;
  media: ("full" | "audio" | "listen") | "follow" | null;
  microphone: boolean;
}
/**
 * Counts of the participants, kept as entries change (`counted`) so that nothing that happens
 * at every join has to walk the whole room: quorum, formal mode, and a big room's view read these.
 */
export interface Presence {
  present: number;
  voting: number;
  attended: number;
  hall: number;
  waiting: number;
  joined: number;
}
export interface Apology {
  name: string;
  at: string;
  note: string;
}
export interface AgendaItem {
  id: string;
  title: string;
  kind: AgendaKind;
  minutes_budget: number | null;
  documents: string[];
  seconds_used: number;
  opened_at: string | null;
  queue: QueueEntry[];
  queue_open: boolean;
  spoken: {
    [k: string]: number;
  };
}
export interface QueueEntry {
  id: string;
  member_id: string;
  name: string;
  kind: "speech" | "point_of_order";
  stance: ("for" | "against") | null;
  rule: string | null;
  point: string | null;
  requested_at: string;
  reason: string;
}
/**
 * A post an election item fills: its seats, who may stand, and its balance rule.
 */
export interface Post {
  id: string;
  item_id: string;
  title: string;
  seats: number;
  women_at_least: number;
  stand: Role[];
  women_only: boolean;
  voters: Role[];
  closes_at: string | null;
  vote_id: string | null;
}
export interface Nomination {
  id: string;
  post_id: string;
  member_id: string;
  name: string;
  nominated_by: string;
  nominator_name: string;
  seconded_by: string | null;
  seconder_name: string | null;
  accepted: boolean;
  statement: string;
  withdrawn: boolean;
  group: string | null;
  at: string;
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
/**
 * A point of order once the chair has called it, and the chair's ruling on it.
 */
export interface PointOfOrder {
  id: string;
  item_id: string;
  member_id: string;
  name: string;
  rule: string;
  point: string;
  heard_at: string;
  upheld: boolean | null;
  ruling: string | null;
  ruled_at: string | null;
  overturned: boolean;
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
  procedure: Procedure | null;
  target_id: string | null;
  until: string | null;
  status: string;
  amendments: Amendment[];
  history: TextChange[];
  reply_given: boolean;
  submitted_at: string;
  /**
   * The motion's text as each undecided amendment would leave it if carried, by amendment id.
   */
  would_read: {
    [k: string]: string;
  };
}
export interface Amendment {
  id: string;
  mover_id: string;
  mover_name: string;
  seconder_id: string | null;
  seconder_name: string | null;
  kind: AmendmentKind;
  target: string;
  text: string;
  status: string;
}
export interface TextChange {
  amendment_id: string;
  before: string;
  after: string;
  at: string;
}
/**
 * A poll: a question, its options, how they are marked (method), whether names are kept beside
 * ballots (secrecy) and whether a member's ballot carries their delegates (weights: a card vote).
 */
export interface Vote {
  id: string;
  subject: VoteSubject;
  question: string;
  method: PollMethod;
  secrecy: Secrecy;
  weights: boolean;
  options: PollOption[];
  choose: number;
  balance: BalanceRule | null;
  voters: Role[] | null;
  majority: Majority;
  status: "open" | "closed";
  opened_at: string;
  closes_at: string | null;
  closed_at: string | null;
  eligible: number;
  present: number;
  hall: number;
  hall_count: HallCount | null;
  result: VoteResult | null;
}
export interface VoteSubject {
  kind: "motion" | "amendment" | "procedural" | "admission" | "question" | "election";
  motion_id: string | null;
  amendment_id: string | null;
  post_id: string | null;
}
export interface PollOption {
  id: string;
  label: string;
}
/**
 * At least `minimums[group]` seats to each group; `groups` gives candidates (by name) their group.
 */
export interface BalanceRule {
  groups: {
    [k: string]: string;
  };
  minimums: {
    [k: string]: number;
  };
}
/**
 * The hands the tellers counted in the hall for an open vote (hub/hall.py `count`); the last one
 * entered stands, with who entered it.
 */
export interface HallCount {
  counts: {
    [k: string]: number;
  };
  by: string;
  by_id: string;
  at: string;
}
export interface VoteResult {
  counts: {
    [k: string]: number;
  };
  online: {
    [k: string]: number;
  } | null;
  hall: {
    [k: string]: number;
  } | null;
  outcome: "carried" | "lost" | "chosen" | "tied";
  chosen: string[];
  casting_vote: string | null;
  tied: boolean;
  rule: string;
  count: Count | null;
}
export interface Count {
  title: string;
  method: Method;
  seats: number;
  candidates: string[];
  withdrawn: string[];
  valid: number;
  empty: number;
  quota: number;
  balance: BalanceRule | null;
  seed: string;
  stages: Stage[];
  elected: string[];
}
export interface Stage {
  number: number;
  kind: StageKind;
  subject: string[];
  transfer_values: string[];
  transfers: {
    [k: string]: string;
  };
  votes: {
    [k: string]: string;
  };
  non_transferable: string;
  fractions: string;
  elected: Decision[];
  excluded: Decision[];
  kept: string[];
  ties: Tie[];
}
export interface Decision {
  candidate: string;
  reason: Reason;
}
/**
 * Candidates level when one had to be chosen, and how the choice was made (rules 50 and 52).
 */
export interface Tie {
  purpose: "exclusion" | "surplus" | "election_order";
  candidates: string[];
  chosen: string;
  decided_by: "earlier_stage" | "lot";
  stage: number | null;
}
export interface Minutes {
  status: "draft" | "approved";
  drafted_at: string;
  edited_by: string | null;
  approved_at: string | null;
  approved_by: string | null;
  approval_note: string;
}
/**
 * How the relay forwards audio and video in this meeting (hub/media.py applies them).
 */
export interface MediaSettings {
  formal: "auto" | "on" | "off";
  formal_above: number;
  last_n: number;
}
export interface ChatMessage {
  id: string;
  member_id: string;
  name: string;
  text: string;
  at: string;
  hidden_by: string | null;
}
/**
 * The meeting's livestream: the programme feed (hub/programme.py, docs/livestream.md), whether it
 * is on, at what size, who may watch it and whether it is recorded. Where its files are is not here:
 * that is a capability, kept in the store.
 */
export interface Livestream {
  on: boolean;
  started_at: string | null;
  ended_at: string | null;
  quality: "360p" | "720p";
  audience: "branch" | "members" | "public";
  record: boolean;
  language: "en" | "es";
  /**
   * @maxItems 100
   */
  recordings: Recording[];
  push_to: string | null;
}
/**
 * A livestream's recording, once finished (signalling/live/recordings.py): one MP4 with its
 * chapters, and a WebVTT chapters track beside it, or `failed` when it could not be made.
 */
export interface Recording {
  id: string;
  started_at: string;
  ended_at: string;
  seconds: number;
  status: "ready" | "failed";
  /**
   * @maxItems 1000
   */
  parts: RecordingPart[];
}
/**
 * A run of the feed within a recording: the wall time of its first frame and its length.
 */
export interface RecordingPart {
  t0: string;
  seconds: number;
}
export interface Step {
  step:
    | "open"
    | "closed"
    | "start"
    | "not_quorate"
    | "vote_open"
    | "take_up"
    | "speaking"
    | "call"
    | "call_poo"
    | "procedural"
    | "admission"
    | "needs_seconder"
    | "withdrawal"
    | "amendment"
    | "reply"
    | "put"
    | "nothing"
    | "rule"
    | "adjourned";
  name: string | null;
  rule: string | null;
  motion_id: string | null;
  vote_id: string | null;
  point_id: string | null;
  falling: number;
  blocked: "not_quorate" | null;
  warning: boolean;
}
export interface QuorumState {
  required: number;
  present: number;
  quorate: boolean;
}
/**
 * One event of `meeting.events`: its `patch` (RFC 6902) edits the public view.
 */
export interface HubEvent {
  version: number;
  type: string;
  actor: string | null;
  at: string;
  data: {
    [k: string]: unknown;
  };
  patch: {
    [k: string]: unknown;
  }[];
}
/**
 * What the hub pushes as `vote.tally`.
 */
export interface VoteTally {
  vote_id: string;
  cast: number;
  eligible: number;
  counts?: {
    [k: string]: number;
  } | null;
}
/**
 * What the hub pushes as `meeting.presence`.
 */
export interface PresenceCounts {
  version: number;
  presence: Presence;
  quorum: QuorumState;
}
/**
 * What the hub pushes as `reaction.burst`.
 */
export interface ReactionBurst {
  counts: {
    [k: string]: number;
  };
  named: ReactionShown[];
  asks: {
    [k: string]: number;
  };
}
/**
 * One member's reaction, named in a burst.
 */
export interface ReactionShown {
  member_id: string;
  name: string;
  kind: "applause" | "agree" | "disagree" | "cant_hear" | "slower";
}
/**
 * The payload of each client event, by the event's name.
 */
export interface Payloads {
  "agenda.add": AgendaAdd;
  "agenda.move": AgendaMove;
  "agenda.remove": AgendaRemove;
  "agenda.select": AgendaSelect;
  "agenda.update": AgendaUpdate;
  "amendment.move": AmendmentMove;
  "amendment.second": AmendmentSecond;
  "amendment.withdraw": AmendmentWithdraw;
  "attendance.apologise": AttendanceApologise;
  "attendance.check_in": AttendanceCheckIn;
  "chat.hide": ChatHide;
  "chat.send": ChatSend;
  "chat.set_open": ChatSetOpen;
  "election.accept": ElectionAccept;
  "election.add_post": ElectionAddPost;
  "election.nominate": ElectionNominate;
  "election.open_ballot": ElectionOpenBallot;
  "election.remove_post": ElectionRemovePost;
  "election.second": ElectionSecond;
  "election.withdraw": ElectionWithdraw;
  "hall.check_in": HallCheckIn;
  "hall.check_out": HallCheckOut;
  "hall.roll": HallRoll;
  "livestream.push": LivestreamPush;
  "livestream.set": LivestreamSet;
  "livestream.start": LivestreamStart;
  "livestream.status": LivestreamStatus;
  "livestream.stop": LivestreamStop;
  "lobby.admit": LobbyAdmit;
  "lobby.set": LobbySet;
  "media.answer": MediaAnswer;
  "media.follow": MediaFollow;
  "media.join": MediaJoin;
  "media.leave": MediaLeave;
  "media.microphone": MediaMicrophone;
  "media.mute": MediaMute;
  "media.mute_all": MediaMuteAll;
  "media.set_settings": MediaSetSettings;
  "media.share": MediaShare;
  "media.unmute": MediaUnmute;
  "meeting.join": MeetingJoin;
  "meeting.leave": MeetingLeave;
  "meeting.resume": MeetingResume;
  "meeting.set_card_weights": MeetingSetCardWeights;
  "meeting.set_standing_orders": MeetingSetStandingOrders;
  "meeting.set_status": MeetingSetStatus;
  "meeting.sync": MeetingSync;
  "minutes.approve": MinutesApprove;
  "minutes.draft": MinutesDraft;
  "minutes.edit": MinutesEdit;
  "minutes.get": MinutesGet;
  "motion.allow_withdrawal": MotionAllowWithdrawal;
  "motion.procedural": MotionProcedural;
  "motion.reply": MotionReply;
  "motion.second": MotionSecond;
  "motion.submit": MotionSubmit;
  "motion.withdraw": MotionWithdraw;
  "participant.readmit": ParticipantReadmit;
  "participant.remove": ParticipantRemove;
  "point.rule": PointRule;
  "reaction.send": ReactionSend;
  "roster.page": RosterPage;
  "speaker.call": SpeakerCall;
  "speaker.close_list": SpeakerCloseList;
  "speaker.move": SpeakerMove;
  "speaker.point_of_order": SpeakerPointOfOrder;
  "speaker.remove": SpeakerRemove;
  "speaker.reopen_list": SpeakerReopenList;
  "speaker.request": SpeakerRequest;
  "speaker.withdraw": SpeakerWithdraw;
  "speech.end": SpeechEnd;
  "speech.extend": SpeechExtend;
  "speech.pause": SpeechPause;
  "speech.start": SpeechStart;
  "vote.ask": VoteAsk;
  "vote.ballots": VoteBallots;
  "vote.cast": VoteCast;
  "vote.close": VoteClose;
  "vote.hall_count": VoteHallCount;
  "vote.open": VoteOpen;
  "vote.verify": VoteVerify;
}
/**
 * The payload of `agenda.add`.
 */
export interface AgendaAdd {
  title: string;
  kind?: AgendaKind;
  minutes_budget?: number | null;
  /**
   * @maxItems 10
   */
  documents?: string[];
  position?: number | null;
}
/**
 * The payload of `agenda.move`.
 */
export interface AgendaMove {
  item_id: string;
  position: number;
}
/**
 * The payload of `agenda.remove`.
 */
export interface AgendaRemove {
  item_id: string;
}
/**
 * The payload of `agenda.select`.
 */
export interface AgendaSelect {
  item_id: string | null;
}
/**
 * The payload of `agenda.update`.
 */
export interface AgendaUpdate {
  item_id: string;
  title?: string | null;
  kind?: AgendaKind | null;
  minutes_budget?: number | null;
  documents?: string[] | null;
}
/**
 * The payload of `amendment.move`.
 */
export interface AmendmentMove {
  motion_id: string;
  kind: AmendmentKind;
  target?: string;
  text?: string;
}
/**
 * The payload of `amendment.second`.
 */
export interface AmendmentSecond {
  motion_id: string;
  amendment_id: string;
}
/**
 * The payload of `amendment.withdraw`.
 */
export interface AmendmentWithdraw {
  motion_id: string;
  amendment_id: string;
}
/**
 * The payload of `attendance.apologise`.
 */
export interface AttendanceApologise {
  note?: string;
}
/**
 * The payload of `attendance.check_in`.
 */
export interface AttendanceCheckIn {}
/**
 * The payload of `chat.hide`.
 */
export interface ChatHide {
  message_id: string;
}
/**
 * The payload of `chat.send`.
 */
export interface ChatSend {
  text: string;
}
/**
 * The payload of `chat.set_open`.
 */
export interface ChatSetOpen {
  open: boolean;
}
/**
 * The payload of `election.accept`.
 */
export interface ElectionAccept {
  nomination_id: string;
  statement?: string;
}
/**
 * The payload of `election.add_post`.
 */
export interface ElectionAddPost {
  item_id: string;
  title: string;
  seats?: number;
  women_at_least?: number;
  stand?: Role[] | null;
  women_only?: boolean;
  voters?: Role[] | null;
  closes_at?: string | null;
}
/**
 * The payload of `election.nominate`.
 */
export interface ElectionNominate {
  post_id: string;
  member_id: string;
}
/**
 * The payload of `election.open_ballot`.
 */
export interface ElectionOpenBallot {
  post_id: string;
  closes_at?: string | null;
}
/**
 * The payload of `election.remove_post`.
 */
export interface ElectionRemovePost {
  post_id: string;
}
/**
 * The payload of `election.second`.
 */
export interface ElectionSecond {
  nomination_id: string;
}
/**
 * The payload of `election.withdraw`.
 */
export interface ElectionWithdraw {
  nomination_id: string;
}
/**
 * The payload of `hall.check_in`.
 */
export interface HallCheckIn {
  member_id: string;
}
/**
 * The payload of `hall.check_out`.
 */
export interface HallCheckOut {
  member_id: string;
}
/**
 * The payload of `hall.roll`.
 */
export interface HallRoll {
  query?: string;
  after?: string | null;
  limit?: number;
}
/**
 * The payload of `livestream.push`.
 */
export interface LivestreamPush {
  url: string | null;
}
/**
 * The payload of `livestream.set`.
 */
export interface LivestreamSet {
  quality?: ("360p" | "720p") | null;
  audience?: ("branch" | "members" | "public") | null;
  record?: boolean | null;
  language?: ("en" | "es") | null;
}
/**
 * The payload of `livestream.start`.
 */
export interface LivestreamStart {
  quality?: ("360p" | "720p") | null;
  audience?: ("branch" | "members" | "public") | null;
  record?: boolean | null;
  language?: ("en" | "es") | null;
}
/**
 * The payload of `livestream.status`.
 */
export interface LivestreamStatus {}
/**
 * The payload of `livestream.stop`.
 */
export interface LivestreamStop {}
/**
 * The payload of `lobby.admit`.
 */
export interface LobbyAdmit {
  member_id: string;
}
/**
 * The payload of `lobby.set`.
 */
export interface LobbySet {
  on: boolean;
}
/**
 * The payload of `media.answer`.
 */
export interface MediaAnswer {
  sdp: string;
}
/**
 * The payload of `media.follow`.
 */
export interface MediaFollow {}
/**
 * The payload of `media.join`.
 */
export interface MediaJoin {
  mode?: "full" | "audio" | "listen";
  microphone?: boolean;
}
/**
 * The payload of `media.leave`.
 */
export interface MediaLeave {}
/**
 * The payload of `media.microphone`.
 */
export interface MediaMicrophone {
  on: boolean;
}
/**
 * The payload of `media.mute`.
 */
export interface MediaMute {
  member_id: string;
}
/**
 * The payload of `media.mute_all`.
 */
export interface MediaMuteAll {}
/**
 * The payload of `media.set_settings`.
 */
export interface MediaSetSettings {
  formal?: ("auto" | "on" | "off") | null;
  formal_above?: number | null;
  last_n?: number | null;
}
/**
 * The payload of `media.share`.
 */
export interface MediaShare {
  on: boolean;
}
/**
 * The payload of `media.unmute`.
 */
export interface MediaUnmute {
  member_id: string;
}
/**
 * The payload of `meeting.join`.
 */
export interface MeetingJoin {
  since?: number | null;
}
/**
 * The payload of `meeting.leave`.
 */
export interface MeetingLeave {}
/**
 * The payload of `meeting.resume`.
 */
export interface MeetingResume {}
/**
 * The payload of `meeting.set_card_weights`.
 */
export interface MeetingSetCardWeights {
  weights: {
    [k: string]: number;
  };
}
/**
 * The payload of `meeting.set_standing_orders`.
 */
export interface MeetingSetStandingOrders {
  standing_orders: StandingOrdersInput;
}
/**
 * A branch's procedural rules; defaults follow the UK Labour model procedural rules.
 */
export interface StandingOrdersInput {
  quorum?: QuorumInput;
  speech_seconds?: number;
  mover_seconds?: number;
  reply_seconds?: number;
  right_of_reply?: boolean;
  amendments_need_seconder?: boolean;
  alternate_by_gender?: boolean;
  alternate_by_stance?: boolean;
  chair_challenge_majority?: "simple" | "two_thirds_present";
  vote_changes_allowed?: boolean;
  nominations_need_seconder?: boolean;
}
export interface QuorumInput {
  kind?: "number" | "fraction";
  value?: number;
}
/**
 * The payload of `meeting.set_status`.
 */
export interface MeetingSetStatus {
  status: MeetingStatus;
}
/**
 * The payload of `meeting.sync`.
 */
export interface MeetingSync {
  since: number;
}
/**
 * The payload of `minutes.approve`.
 */
export interface MinutesApprove {
  note?: string;
}
/**
 * The payload of `minutes.draft`.
 */
export interface MinutesDraft {}
/**
 * The payload of `minutes.edit`.
 */
export interface MinutesEdit {
  text: string;
}
/**
 * The payload of `minutes.get`.
 */
export interface MinutesGet {}
/**
 * The payload of `motion.allow_withdrawal`.
 */
export interface MotionAllowWithdrawal {
  motion_id: string;
}
/**
 * The payload of `motion.procedural`.
 */
export interface MotionProcedural {
  procedure: Procedure;
  target_id?: string | null;
  reason?: string;
  until?: string | null;
}
/**
 * The payload of `motion.reply`.
 */
export interface MotionReply {
  motion_id: string;
}
/**
 * The payload of `motion.second`.
 */
export interface MotionSecond {
  motion_id: string;
}
/**
 * The payload of `motion.submit`.
 */
export interface MotionSubmit {
  title: string;
  text: string;
  item_id?: string | null;
  emergency?: boolean;
}
/**
 * The payload of `motion.withdraw`.
 */
export interface MotionWithdraw {
  motion_id: string;
}
/**
 * The payload of `participant.readmit`.
 */
export interface ParticipantReadmit {
  member_id: string;
}
/**
 * The payload of `participant.remove`.
 */
export interface ParticipantRemove {
  member_id: string;
}
/**
 * The payload of `point.rule`.
 */
export interface PointRule {
  point_id: string;
  upheld: boolean;
  ruling: string;
}
/**
 * The payload of `reaction.send`.
 */
export interface ReactionSend {
  kind: "applause" | "agree" | "disagree" | "cant_hear" | "slower";
}
/**
 * The payload of `roster.page`.
 */
export interface RosterPage {
  query?: string;
  after?: string | null;
  limit?: number;
}
/**
 * The payload of `speaker.call`.
 */
export interface SpeakerCall {
  entry_id?: string | null;
}
/**
 * The payload of `speaker.close_list`.
 */
export interface SpeakerCloseList {}
/**
 * The payload of `speaker.move`.
 */
export interface SpeakerMove {
  entry_id: string;
  position: number;
}
/**
 * The payload of `speaker.point_of_order`.
 */
export interface SpeakerPointOfOrder {
  rule: string;
  point: string;
}
/**
 * The payload of `speaker.remove`.
 */
export interface SpeakerRemove {
  entry_id: string;
}
/**
 * The payload of `speaker.reopen_list`.
 */
export interface SpeakerReopenList {}
/**
 * The payload of `speaker.request`.
 */
export interface SpeakerRequest {
  stance?: ("for" | "against") | null;
}
/**
 * The payload of `speaker.withdraw`.
 */
export interface SpeakerWithdraw {
  entry_id?: string | null;
}
/**
 * The payload of `speech.end`.
 */
export interface SpeechEnd {}
/**
 * The payload of `speech.extend`.
 */
export interface SpeechExtend {
  seconds: number;
}
/**
 * The payload of `speech.pause`.
 */
export interface SpeechPause {}
/**
 * The payload of `speech.start`.
 */
export interface SpeechStart {}
/**
 * The payload of `vote.ask`.
 */
export interface VoteAsk {
  question: string;
  method?: PollMethod;
  /**
   * @maxItems 50
   */
  options?: string[];
  choose?: number;
  secrecy?: Secrecy;
  weights?: boolean;
  closes_at?: string | null;
}
/**
 * The payload of `vote.ballots`.
 */
export interface VoteBallots {
  vote_id: string;
}
/**
 * The payload of `vote.cast`.
 */
export interface VoteCast {
  vote_id: string;
  choice?: string | null;
  choices?: string[] | null;
}
/**
 * The payload of `vote.close`.
 */
export interface VoteClose {
  vote_id: string;
  casting_vote?: string | null;
}
/**
 * The payload of `vote.hall_count`.
 */
export interface VoteHallCount {
  vote_id: string;
  counts: {
    [k: string]: number;
  };
}
/**
 * The payload of `vote.open`.
 */
export interface VoteOpen {
  subject: VoteSubjectInput;
  secrecy?: Secrecy;
  weights?: boolean;
  closes_at?: string | null;
}
export interface VoteSubjectInput {
  kind: "motion" | "amendment" | "procedural" | "admission" | "question" | "election";
  motion_id?: string | null;
  amendment_id?: string | null;
  post_id?: string | null;
}
/**
 * The payload of `vote.verify`.
 */
export interface VoteVerify {
  vote_id: string;
  receipt: string;
}
