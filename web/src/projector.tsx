// The projector view (/join/TOKEN?view=projector): for a hall screen or a hybrid meeting's room, what
// the procedure stands at, in large type, with no controls: the item, who has the floor and their time
// left, the speaker list, the motion as it stands, and the meeting's open vote or the last result, with
// any advance polls open beside it; an adjourned meeting says until when. Opened with the chair's
// projector link it needs no role and sends nothing but its join.
import { render } from "preact";
import { Adjourned } from "./adjourned";
import { t } from "./i18n";
import { closingTime, majorityRule, motionText, motionTitle, optionLabel, outcomeText, question } from "./phrases";
import { speechRemaining } from "./room";
import { type Meeting, type MeetingStore, type Vote, meetingVote, openVotes } from "./store";
import { clock, useTick } from "./ui";

function Floor({ m, store }: { m: Meeting; store: MeetingStore }) {
  useTick(250);
  if (!m.speech) return <p class="projector-floor">{t("room.nobody_speaking")}</p>;
  const remaining = speechRemaining(store) ?? 0;
  return (
    <p class="projector-floor">
      <strong id="projector-speaker">{m.speech.name}</strong>
      {m.speech.kind === "point_of_order" ? t("room.on_point_of_order") : ""}{" "}
      <span class={`countdown ${remaining < 0 ? "over" : ""}`} role="timer">
        {clock(remaining)}
      </span>
    </p>
  );
}

// Each option's count: votes, marks (up to k of N) or first preferences (ranked).
function counts(vote: Vote): string {
  const result = vote.result!;
  return vote.options.map((o) => `${optionLabel(vote, o.id)} ${result.counts[o.id] ?? 0}`).join(", ");
}

// A closed vote: a yes/no poll's outcome with its counts, a question's chosen options (the elected, in
// order, in a ranked poll) with each option's count.
function Outcome({ vote }: { vote: Vote }) {
  if (vote.method === "yes_no") {
    return (
      <p>
        {outcomeText(vote)}: {counts(vote)}
      </p>
    );
  }
  const counted = { one_of: "poll.bars_one_of", up_to: "poll.bars_up_to", ranked: "poll.bars_ranked" }[vote.method];
  return (
    <>
      <p class="projector-outcome">{outcomeText(vote)}</p>
      <p>
        {t(counted)}: {counts(vote)}
      </p>
    </>
  );
}

function Projector({ store }: { store: MeetingStore }) {
  const m = store.meeting;
  if (!m) return <p role="status">{t("loading")}</p>;
  const item = m.agenda.find((i) => i.id === m.current_item);
  const number = item ? m.agenda.indexOf(item) + 1 : 0;
  const motions = m.motions.filter((mo) => mo.item_id === m.current_item && ["proposed", "seconded"].includes(mo.status));
  const open = meetingVote(m);
  const advance = openVotes(m).filter((v) => v.closes_at);
  const last = [...m.votes].reverse().find((v) => v.status === "closed");
  const tally = open ? store.tallies.get(open.id) : undefined;
  return (
    <main id="projector" class="projector" aria-labelledby="projector-h">
      <h1 id="projector-h">{m.title}</h1>
      <Adjourned m={m} store={store} />
      <p class="projector-item" id="projector-item">
        {item ? `${number}. ${item.title}` : t("room.no_item")}
      </p>
      <Floor m={m} store={store} />
      {item && item.queue.length > 0 && (
        <ol class="projector-queue" id="projector-queue" aria-label={t("room.speakers")}>
          {item.queue.map((e) => (
            <li key={e.id}>
              {e.name}
              {e.kind === "point_of_order" ? ` (${t("room.point_of_order_on", { rule: e.rule ?? "" })})` : ""}
            </li>
          ))}
        </ol>
      )}
      {motions.map((mo) => (
        <section key={mo.id} class="projector-motion" aria-label={motionTitle(mo)}>
          <h2>{motionTitle(mo)}</h2>
          <p class="motion-text">{motionText(mo)}</p>
        </section>
      ))}
      {open ? (
        <section class="projector-vote" id="projector-vote" aria-label={t("motions.vote_now", { question: question(open, m) })}>
          <h2>{t("motions.vote_now", { question: question(open, m) })}</h2>
          {open.method !== "yes_no" && (
            <ol class="projector-options" aria-label={t("poll.options")}>
              {open.options.map((o) => (
                <li key={o.id}>{o.label}</li>
              ))}
            </ol>
          )}
          <p>{t("motions.have_voted", { cast: tally?.cast ?? 0, eligible: open.eligible })}</p>
        </section>
      ) : (
        last?.result && (
          <section class="projector-vote" id="projector-result" aria-label={question(last, m)}>
            <h2>{question(last, m)}</h2>
            <Outcome vote={last} />
            <p>{majorityRule(last)}</p>
          </section>
        )
      )}
      {advance.length > 0 && (
        <section class="projector-advance" id="projector-advance" aria-labelledby="projector-advance-h">
          <h2 id="projector-advance-h">{t("poll.advance_open")}</h2>
          <ul>
            {advance.map((vote) => (
              <li key={vote.id}>
                <strong>{question(vote, m)}</strong>{" "}
                <span>
                  {t("poll.advance_closes")} <time dateTime={vote.closes_at!}>{closingTime(vote, m)}</time>.{" "}
                  {t("motions.have_voted", { cast: store.tallies.get(vote.id)?.cast ?? 0, eligible: vote.eligible })}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

export function renderProjector(root: HTMLElement, store: MeetingStore): void {
  render(<Projector store={store} />, root);
}
