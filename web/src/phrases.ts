// The hub's own phrases said in the member's language. The hub words a vote's question, the majority
// rule a result applied and a procedural motion's title in English, for the record and the minutes;
// the state carries what they are made from (the vote's subject, its majority, the procedure), so the
// page builds them again from that. The hub's English stands in for anything this client does not know.
import { locale, t } from "./i18n";
import type { Meeting, Motion, Vote } from "./store";

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

// The rule that decided a closed vote, and that a tie went to the chair's casting vote.
export function majorityRule(vote: Vote): string {
  const result = vote.result!;
  const rule = t(`majority.${vote.majority}`, { defaultValue: result.rule });
  return result.tied ? `${rule} ${t("majority.tied")}` : rule;
}
