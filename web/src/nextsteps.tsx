// The chair's "what next": the hub's advice (hub/nextsteps.py, the meeting's `next_steps`), worded here.
// The hub works out the steps by its own rules; the page only names the motions, votes and people
// they are about, and adds the live counts it holds (the quorum, a vote's ballots so far).
import { t } from "./i18n";
import { motionTitle, question } from "./phrases";
import type { Meeting, MeetingStore } from "./store";
import type { Step } from "./protocol.gen";

export interface Line {
  text: string;
  // Why the rules block this step for now, so the chair is never surprised by a refusal.
  blocked?: string;
  warning?: boolean;
}

// `cast`: the ballots so far in each open vote, from the live counts (several may be open: advance polls).
function worded(step: Step, m: Meeting, cast: (voteId: string) => number): string {
  const motion = m.motions.find((x) => x.id === step.motion_id);
  const title = motion ? motionTitle(motion) : "";
  switch (step.step) {
    case "not_quorate":
      return t("next.not_quorate", {
        missing: m.quorum.required - m.quorum.present,
        present: m.quorum.present,
        required: m.quorum.required,
      });
    case "vote_open": {
      const vote = m.votes.find((v) => v.id === step.vote_id);
      return vote ? t("next.vote_open", { question: question(vote, m), cast: cast(vote.id), eligible: vote.eligible }) : "";
    }
    case "call_poo":
    case "rule":
      return t(`next.${step.step}`, { name: step.name, rule: step.rule });
    case "put":
      return t("next.put", { title }) + (step.falling ? t("next.will_fall", { count: step.falling }) : "");
    default:
      return t(`next.${step.step}`, { name: step.name, title });
  }
}

export function nextSteps(m: Meeting, cast: (voteId: string) => number): Line[] {
  return m.next_steps.map((step) => ({
    text: worded(step, m, cast),
    blocked: step.blocked ? t(`next.${step.blocked}_why`) : undefined,
    warning: step.warning,
  }));
}

export function NextSteps({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("vote.open")) return null;
  const steps = nextSteps(m, (voteId) => store.tallies.get(voteId)?.cast ?? 0);
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
