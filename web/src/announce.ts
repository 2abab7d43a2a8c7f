// What a screen reader should hear when the meeting changes: drawn from the state before and after,
// so it holds whether a change came as one event or a catch-up. Urgent ones concern the member
// directly (their turn to speak, a vote to cast) and interrupt; the rest wait for a pause. The first
// state (on joining) is no change: nothing of it, such as the chat so far, is read out.
import { t } from "./i18n";
import { closingTime, outcomeText, question } from "./phrases";
import type { Meeting, Vote } from "./store";

// More new chat messages than this at once (a catch-up after a dropped connection) are counted, not read.
const CHAT_READ = 3;

export interface Announcement {
  text: string;
  urgent: boolean;
}

// `admits`: whether this member admits people from the lobby (and so hears who arrives there).
export function announcements(before: Meeting | null, after: Meeting, me: string | null, admits = false): Announcement[] {
  if (!before) return [];
  const said: Announcement[] = [];
  const say = (text: string, urgent = false) => said.push({ text, urgent });

  for (const p of admits ? Object.values(after.participants) : []) {
    if (p.waiting && !before.participants[p.member_id]?.waiting) say(t("lobby.announce", { name: p.name }));
  }
  if (after.current_item !== before.current_item) {
    const item = after.agenda.find((i) => i.id === after.current_item);
    if (item) say(t("announce.item", { title: item.title }));
  }
  const queueBefore = before.agenda.find((i) => i.id === after.current_item)?.queue ?? [];
  const queueAfter = after.agenda.find((i) => i.id === after.current_item)?.queue ?? [];
  const known = new Set(queueBefore.map((e) => e.id));
  for (const entry of queueAfter.filter((e) => !known.has(e.id))) {
    if (entry.member_id === me) continue;
    say(t(entry.kind === "point_of_order" ? "announce.poo" : "announce.asked", { name: entry.name }));
  }
  const place = (queue: typeof queueAfter) => queue.findIndex((e) => e.member_id === me && e.kind === "speech");
  const was = place(queueBefore);
  const now = place(queueAfter);
  if (now >= 0 && now !== was) say(t("announce.place", { place: now + 1 }));

  if (after.speech && after.speech.member_id !== before.speech?.member_id) {
    if (after.speech.member_id === me) {
      say(t("announce.your_floor", { minutes: Math.round(after.speech.limit_seconds / 60) }), true);
    } else {
      say(t("announce.floor", { name: after.speech.name }));
    }
  }

  // Several may open together (advance polls beside the meeting's own vote): each is said once.
  const opened = after.votes.filter((v) => v.status === "open" && !before.votes.some((b) => b.id === v.id && b.status === "open"));
  for (const vote of opened) say(voteOpened(vote, after), true);
  for (const vote of after.votes) {
    const earlier = before.votes.find((b) => b.id === vote.id);
    if (vote.status === "closed" && vote.result && earlier?.status === "open") say(voteClosed(vote, after), true);
  }

  const seen = new Set(before.chat.map((c) => c.id));
  const chat = after.chat.filter((c) => !seen.has(c.id) && c.member_id !== me && !c.hidden_by);
  if (chat.length > CHAT_READ) say(t("announce.chats", { number: chat.length }));
  else for (const c of chat) say(t("announce.chat", { name: c.name, text: c.text }));
  return said;
}

// A vote opening, with how its ballot is marked, and when an advance poll closes.
function voteOpened(vote: Vote, m: Meeting): string {
  const said = howToVote(vote, m);
  return vote.closes_at ? `${said} ${t("announce.advance", { when: closingTime(vote, m) })}` : said;
}

function howToVote(vote: Vote, m: Meeting): string {
  const asked = question(vote, m);
  if (vote.method === "yes_no") return t("announce.vote_open", { question: asked });
  // An election's question already says its seats.
  if (vote.subject.kind === "election") return t("announce.election_open", { question: asked });
  return t(`announce.poll_open_${vote.method}`, { question: asked, count: vote.choose });
}

// A vote's result: a yes/no poll's counts, or the options a question chose (elected, in a ranked poll).
function voteClosed(vote: Vote, m: Meeting): string {
  const asked = question(vote, m);
  const outcome = outcomeText(vote);
  if (vote.method !== "yes_no") return t("announce.poll_closed", { question: asked, outcome });
  const c = vote.result!.counts;
  return t("announce.vote_closed", { question: asked, outcome, for: c.for, against: c.against, abstain: c.abstain });
}

// Two live regions, polite and assertive, kept out of sight but read aloud.
export class Announcer {
  private last: Meeting | null = null;

  constructor(
    private polite: HTMLElement,
    private urgent: HTMLElement,
  ) {}

  update(meeting: Meeting | null, me: string | null, admits: boolean): void {
    if (!meeting || meeting === this.last) return;
    const said = announcements(this.last, meeting, me, admits);
    this.last = meeting;
    const polite = said.filter((a) => !a.urgent).map((a) => a.text);
    const urgent = said.filter((a) => a.urgent).map((a) => a.text);
    if (polite.length) this.polite.textContent = polite.join(" ");
    if (urgent.length) this.urgent.textContent = urgent.join(" ");
  }

  // Said at once, not drawn from the meeting: a refusal of what the member just did.
  sayNow(text: string): void {
    this.urgent.textContent = text;
  }
}
