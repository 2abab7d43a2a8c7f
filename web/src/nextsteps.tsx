// The chair's "what next": what the standing orders allow or require now, drawn from the state with
// the same rules the hub enforces (hub/votes.py, hub/motions.py). Advice only: the hub decides.
import { t } from "./i18n";
import { motionTitle, question } from "./phrases";
import type { Meeting, MeetingStore } from "./store";

export interface Step {
  text: string;
  // Why the rules block this step for now, so the chair is never surprised by a refusal.
  blocked?: string;
  warning?: boolean;
}


export function nextSteps(m: Meeting, cast: number | null): Step[] {
  const steps: Step[] = [];
  if (m.status === "scheduled") steps.push({ text: t("next.open") });
  if (m.status === "closed") return [{ text: t("next.closed") }];
  if (m.status === "open") steps.push({ text: t("next.start") });
  const quorate = m.quorum.quorate;
  if (!quorate) {
    steps.push({
      text: t("next.not_quorate", { missing: m.quorum.required - m.quorum.present, present: m.quorum.present, required: m.quorum.required }),
      warning: true,
    });
  }
  const vote = m.votes.find((v) => v.status === "open");
  if (vote) {
    steps.push({ text: t("next.vote_open", { question: question(vote, m), cast: cast ?? 0, eligible: vote.eligible }) });
    return steps;
  }
  const item = m.agenda.find((i) => i.id === m.current_item);
  if (!item) {
    steps.push({ text: t("next.take_up") });
    return steps;
  }
  if (m.speech) {
    steps.push({ text: t("next.speaking", { name: m.speech.name }) });
  } else if (item.queue.length) {
    const next = item.queue[0];
    steps.push({ text: t(next.kind === "point_of_order" ? "next.call_poo" : "next.call", { name: next.name, rule: next.rule }) });
  }
  const relevant = m.motions.filter((mo) => mo.item_id === m.current_item || mo.item_id === null || mo.procedure);
  const procedural = m.motions.find((mo) => mo.procedure && mo.status === "seconded");
  if (procedural) {
    steps.push({ text: t("next.procedural", { title: motionTitle(procedural) }), blocked: quorate ? undefined : t("next.not_quorate_why") });
    return steps;
  }
  for (const motion of relevant) {
    if (motion.status === "awaiting_admission") {
      steps.push({ text: t("next.admission", { title: motionTitle(motion) }), blocked: quorate ? undefined : t("next.not_quorate_why") });
    } else if (motion.status === "proposed") {
      steps.push({ text: t("next.needs_seconder", { title: motionTitle(motion) }) });
    } else if (motion.status === "withdrawal_requested") {
      steps.push({ text: t("next.withdrawal", { title: motionTitle(motion) }) });
    } else if (motion.status === "seconded") {
      const amendment = motion.amendments.find((a) => a.status === "seconded");
      const unseconded = motion.amendments.filter((a) => a.status === "proposed").length;
      if (amendment) {
        steps.push({ text: t("next.amendment", { name: amendment.mover_name, title: motionTitle(motion) }), blocked: quorate ? undefined : t("next.not_quorate_why") });
      } else if (m.standing_orders.right_of_reply && !motion.reply_given) {
        steps.push({ text: t("next.reply", { name: motion.mover_name, title: motionTitle(motion) }) });
      } else {
        const lapse = unseconded ? t("next.will_fall", { count: unseconded }) : "";
        steps.push({ text: t("next.put", { title: motionTitle(motion) }) + lapse, blocked: quorate ? undefined : t("next.not_quorate_why") });
      }
    }
  }
  if (!m.speech && !item.queue.length && !relevant.some((mo) => ["proposed", "seconded", "awaiting_admission", "withdrawal_requested"].includes(mo.status))) {
    steps.push({ text: t("next.nothing") });
  }
  return steps;
}

export function NextSteps({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("vote.open")) return null;
  const open = m.votes.find((v) => v.status === "open");
  const steps = nextSteps(m, open ? (store.tallies.get(open.id)?.cast ?? null) : null);
  return (
    <section aria-labelledby="next-h" class="next-steps">
      <h2 id="next-h">{t("next.title")}</h2>
      <ul id="next-steps">
        {steps.map((step, i) => (
          <li key={i} class={step.blocked || step.warning ? "blocked" : ""}>
            {step.text}
            {step.blocked && <strong> {t("next.not_yet", { why: step.blocked })}</strong>}
          </li>
        ))}
      </ul>
    </section>
  );
}
