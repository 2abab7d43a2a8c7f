// The chair's "what next": what the standing orders allow or require now, drawn from the state with
// the same rules the hub enforces (hub/votes.py, hub/motions.py). Advice only: the hub decides.
import type { Meeting, MeetingStore } from "./store";

export interface Step {
  text: string;
  // Why the rules block this step for now, so the chair is never surprised by a refusal.
  blocked?: string;
  warning?: boolean;
}

const NOT_QUORATE = "the meeting is not quorate";

export function nextSteps(m: Meeting, cast: number | null): Step[] {
  const steps: Step[] = [];
  if (m.status === "scheduled") steps.push({ text: "Open the meeting so that members can check in." });
  if (m.status === "closed") return [{ text: "The meeting is closed. The secretary drafts the minutes." }];
  if (m.status === "open") steps.push({ text: "Start the session when you are ready to begin business." });
  const quorate = m.quorum.quorate;
  if (!quorate) {
    steps.push({
      text: `Not quorate: ${m.quorum.required - m.quorum.present} more needed (${m.quorum.present} present, ${m.quorum.required} needed). No vote can be opened.`,
      warning: true,
    });
  }
  const vote = m.votes.find((v) => v.status === "open");
  if (vote) {
    steps.push({ text: `Vote open on “${vote.question}”: ${cast ?? 0} of ${vote.eligible} have voted. Close it when voting is done; a tie needs your casting vote.` });
    return steps;
  }
  const item = m.agenda.find((i) => i.id === m.current_item);
  if (!item) {
    steps.push({ text: "Take up the next item on the agenda." });
    return steps;
  }
  if (m.speech) {
    steps.push({ text: `${m.speech.name} has the floor: pause, extend or end the speech.` });
  } else if (item.queue.length) {
    const next = item.queue[0];
    steps.push({ text: `Call ${next.name}${next.kind === "point_of_order" ? ` on a point of order (${next.rule})` : ""}: next in the queue.` });
  }
  const relevant = m.motions.filter((mo) => mo.item_id === m.current_item || mo.item_id === null || mo.procedure);
  const procedural = m.motions.find((mo) => mo.procedure && mo.status === "seconded");
  if (procedural) {
    steps.push({ text: `Put the procedural motion “${procedural.title}” to the vote: it interrupts debate and is decided first.`, blocked: quorate ? undefined : NOT_QUORATE });
    return steps;
  }
  for (const motion of relevant) {
    if (motion.status === "awaiting_admission") {
      steps.push({ text: `Emergency motion “${motion.title}”: the meeting votes whether to admit it.`, blocked: quorate ? undefined : NOT_QUORATE });
    } else if (motion.status === "proposed") {
      steps.push({ text: `“${motion.title}” needs a seconder before it can be debated.` });
    } else if (motion.status === "withdrawal_requested") {
      steps.push({ text: `The mover asks to withdraw “${motion.title}”: ask for the meeting's consent.` });
    } else if (motion.status === "seconded") {
      const amendment = motion.amendments.find((a) => a.status === "seconded");
      const unseconded = motion.amendments.filter((a) => a.status === "proposed").length;
      if (amendment) {
        steps.push({ text: `Put the amendment by ${amendment.mover_name} to “${motion.title}” to the vote: amendments are decided before the motion.`, blocked: quorate ? undefined : NOT_QUORATE });
      } else if (m.standing_orders.right_of_reply && !motion.reply_given) {
        steps.push({ text: `When debate ends, give ${motion.mover_name} the right of reply on “${motion.title}”, then put it to the vote.` });
      } else {
        const lapse = unseconded ? ` ${unseconded} unseconded amendment${unseconded > 1 ? "s" : ""} will fall.` : "";
        steps.push({ text: `Put “${motion.title}” to the vote.${lapse}`, blocked: quorate ? undefined : NOT_QUORATE });
      }
    }
  }
  if (!m.speech && !item.queue.length && !relevant.some((mo) => ["proposed", "seconded", "awaiting_admission", "withdrawal_requested"].includes(mo.status))) {
    steps.push({ text: "Nothing is pending on this item: move to the next item." });
  }
  return steps;
}

export function NextSteps({ m, store }: { m: Meeting; store: MeetingStore }) {
  if (!store.may("vote.open")) return null;
  const open = m.votes.find((v) => v.status === "open");
  const steps = nextSteps(m, open ? (store.tallies.get(open.id)?.cast ?? null) : null);
  return (
    <section aria-labelledby="next-h" class="next-steps">
      <h2 id="next-h">What next</h2>
      <ul id="next-steps">
        {steps.map((step, i) => (
          <li key={i} class={step.blocked || step.warning ? "blocked" : ""}>
            {step.text}
            {step.blocked && <strong> Not yet: {step.blocked}.</strong>}
          </li>
        ))}
      </ul>
    </section>
  );
}
