// The hub's own phrases said in the member's language. The hub words a vote's question, the majority
// rule a result applied and a procedural motion's title in English, for the record and the minutes;
// the state carries what they are made from (the vote's subject, its majority, the procedure), so the
// page builds them again from that. The hub's English stands in for anything this client does not know.
import { locale, t } from "./i18n";
import type { Meeting, Motion, Vote } from "./store";
import { formatStart } from "./time";

export function motionTitle(motion: Motion): string {
  if (motion.procedure === "adjourn" && motion.until) {
    // In the member's own zone: the meeting's zone is beside it once the adjournment is carried.
    const when = new Intl.DateTimeFormat(locale(), { weekday: "short", hour: "2-digit", minute: "2-digit" });
    return t("procedure.adjourn_until", { when: when.format(new Date(motion.until)) });
  }
  return motion.procedure ? t(`procedure.${motion.procedure}`, { defaultValue: motion.title }) : motion.title;
}

// A procedural motion moved without a reason reads as its title.
export function motionText(motion: Motion): string {
  return motion.procedure && motion.text === motion.title ? motionTitle(motion) : motion.text;
}

export function question(vote: Vote, m: Meeting): string {
  if (vote.subject.kind === "election") {
    // A post's ballot: its title (as the officers wrote it) and its seats.
    const post = m.posts.find((p) => p.id === vote.subject.post_id);
    return post ? t("question.election", { title: post.title, count: post.seats }) : vote.question;
  }
  const motion = m.motions.find((mo) => mo.id === vote.subject.motion_id);
  if (!motion) return vote.question;
  const title = motionTitle(motion);
  if (vote.subject.kind === "admission") return t("question.admission", { title });
  if (vote.subject.kind === "amendment") {
    const amendment = motion.amendments.find((a) => a.id === vote.subject.amendment_id);
    return amendment ? t("question.amendment", { title, name: amendment.mover_name }) : vote.question;
  }
  return title;
}

// The rule that decided a closed vote, and that a tie went (or would have gone) to the chair's casting
// vote; a tie the chair could not decide (up to k of N) is left to the meeting.
export function majorityRule(vote: Vote): string {
  const result = vote.result!;
  const rule = ruleOf(vote);
  if (!result.tied) return rule;
  return `${rule} ${t(vote.method === "up_to" ? "poll.tied_rule" : "majority.tied")}`;
}

function ruleOf(vote: Vote): string {
  const result = vote.result!;
  if (vote.method === "one_of") return t("poll.rule_one_of");
  if (vote.method === "up_to") return t("poll.rule_up_to", { count: vote.choose });
  if (vote.method === "ranked") return result.count ? t(`poll.rule_${result.count.method}`) : t("poll.nothing_to_count");
  return t(`majority.${vote.majority}`, { defaultValue: result.rule });
}

// How the meeting votes: whether names are kept (a show of hands where the hall raises them, an open
// ballot where it cannot, as in an advance poll, which the hall votes in online), and whether a ballot
// carries its delegates.
export function howVoted(vote: Vote): string {
  if (vote.secrecy === "secret") return t("method.secret");
  if (vote.weights) return t("method.card");
  return t((vote.method === "yes_no" || vote.method === "one_of") && !vote.closes_at ? "method.hands" : "method.open");
}

// When an advance poll closes, in the member's own zone (as the room shows other times).
export const closingTime = (vote: Vote, m: Meeting): string => formatStart(vote.closes_at!, m.time_zone).local;

// An option's words: a yes/no poll's for, against and abstain in the member's language, a question's
// options as the chair wrote them.
export function optionLabel(vote: Vote, id: string): string {
  if (vote.method === "yes_no") return t(`choice.${id}`, { defaultValue: id });
  return vote.options.find((o) => o.id === id)?.label ?? id;
}

// A ballot as it reads: "for" in a yes/no poll, the option or options marked, or a ranking "1. X, 2. Y".
export function ballotText(vote: Vote, ballot: { choice?: string | null; choices?: string[] | null }): string {
  if (ballot.choice) return vote.method === "yes_no" ? optionLabel(vote, ballot.choice).toLowerCase() : optionLabel(vote, ballot.choice);
  const marks = ballot.choices ?? [];
  if (vote.method === "ranked") return marks.map((id, n) => `${n + 1}. ${optionLabel(vote, id)}`).join(", ");
  return marks.map((id) => optionLabel(vote, id)).join(", ");
}

// What a closed vote decided: carried or lost, the options chosen (elected, in order, in a ranked poll),
// or a tie with those chosen before it.
export function outcomeText(vote: Vote): string {
  const result = vote.result!;
  if (result.outcome === "carried" || result.outcome === "lost") return t(`motion_status.${result.outcome}`);
  const chosen = result.chosen.map((id) => optionLabel(vote, id)).join(", ");
  if (result.outcome === "tied") return chosen ? t("poll.tied_with", { chosen }) : t("poll.tied");
  return t(vote.method === "ranked" ? "poll.elected" : "poll.chosen", { chosen });
}
