// Motions, amendments, procedural motions and votes: what is before the meeting and what members
// and the chair may do about it.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { act } from "./actions";
import { HallCount, handsInHall } from "./hall";
import { t } from "./i18n";
import { ballotText, closingTime, howVoted, majorityRule, motionText, motionTitle, optionLabel, outcomeText, question } from "./phrases";
import { AskQuestion, BallotsLink, CountTable, PollBallot, castingOptions, tallyText } from "./polls";
import type { Payloads } from "./protocol.gen";
import { type Amendment, type Meeting, type MeetingStore, type Motion, type Vote, meetingVote, openVotes } from "./store";
import { Action, ChairControls, CopyButton } from "./ui";

const PROCEDURES = ["question_be_now_put", "next_business", "refer_back", "adjourn", "challenge_chair"];
const status = (code: string): string => t(`motion_status.${code}`, { defaultValue: code });

type SubjectKind = Payloads["vote.open"]["subject"]["kind"];

function PutButtons({ kind, motionId, amendmentId }: { kind: SubjectKind; motionId: string; amendmentId?: string }) {
  const subject = { kind, motion_id: motionId, ...(amendmentId ? { amendment_id: amendmentId } : {}) };
  return (
    <span class="controls chair">
      <Action action="vote.open" args={{ subject, secrecy: "open" }}>{t("motions.put_hands")}</Action>{" "}
      <Action action="vote.open" args={{ subject, secrecy: "secret" }}>{t("motions.put_secret")}</Action>{" "}
      <Action action="vote.open" args={{ subject, weights: true }}>{t("motions.put_card")}</Action>
    </span>
  );
}

export function Change({ a }: { a: Amendment }) {
  if (a.kind === "insert") {
    return (
      <>
        {t("motions.insert")} <ins>{a.text}</ins>
        {a.target ? t("motions.after", { target: a.target }) : t("motions.at_end")}
      </>
    );
  }
  if (a.kind === "delete") {
    return (
      <>
        {t("motions.delete")} <del>{a.target}</del>
      </>
    );
  }
  return (
    <>
      {t("motions.replace")} <del>{a.target}</del> {t("motions.with")} <ins>{a.text}</ins>
    </>
  );
}

// A motion on an agenda item that is not the current one waits for it: the hub refuses to put it (or
// its amendments) to the vote before the chair takes that item up. One whose item was removed is on none.
export const waitsForItem = (motion: Motion, m: Meeting): boolean =>
  !motion.procedure && motion.item_id !== m.current_item && m.agenda.some((item) => item.id === motion.item_id);
// A seconded motion is before the meeting only once its item is.
const motionStatus = (motion: Motion, m: Meeting): string =>
  motion.status === "seconded" && waitsForItem(motion, m) ? t("motions.seconded_waiting") : status(motion.status);

// A long motion is cut to a few lines on a phone, with a button for the rest (style.css): the tab
// stays short and the member still reaches every word.
const LONG = 280;

// `more`: what the button that shows the rest says (a candidate's statement is cut short in the same way).
export function MotionText({ text, more = "motions.read_all" }: { text: string; more?: string }) {
  const [whole, setWhole] = useState(false);
  const long = text.length > LONG;
  return (
    <>
      <p class={`motion-text${long && !whole ? " clamped" : ""}`}>{text}</p>
      {long && (
        <button type="button" class="small read-all" aria-expanded={whole} onClick={() => setWhole(!whole)}>
          {t(whole ? "motions.read_less" : more)}
        </button>
      )}
    </>
  );
}

function MotionView({ motion, m, store }: { motion: Motion; m: Meeting; store: MeetingStore }) {
  const me = store.you?.member_id;
  const waiting = waitsForItem(motion, m);
  const chair = store.may("vote.open") && !waiting;
  const voter = store.may("motion.second");
  // Advance polls run beside the meeting's own vote: only that one keeps another from being put.
  const open = !!meetingVote(m);
  const ownMotion = me === motion.mover_id;
  return (
    <article class="motion" data-motion={motion.id}>
      <h4>
        {motionTitle(motion)}{" "}
        <span class="badge" data-status={motion.status}>
          {motionStatus(motion, m)}
        </span>
      </h4>
      <p class="by">
        {t("motions.moved_by", { name: motion.mover_name })}
        {motion.seconder_name ? t("motions.seconded_by", { name: motion.seconder_name }) : ""}
      </p>
      <MotionText text={motionText(motion)} />
      {waiting && <p class="waits">{t("motions.waits_for_item")}</p>}
      {motion.history.length > 0 && (
        <p class="original">
          {t("motions.original")} <del>{motion.original_text}</del>
        </p>
      )}
      {motion.amendments.length > 0 && (
        <ul class="amendments">
          {motion.amendments.map((a) => (
            <li key={a.id} data-amendment={a.id}>
              {t("motions.amendment_by", { name: a.mover_name })}
              {a.seconder_name ? t("motions.seconded_by", { name: a.seconder_name }) : ""}: <Change a={a} />{" "}
              <span class="badge">{status(a.status)}</span>{" "}
              {motion.would_read[a.id] !== undefined && (
                <span class="would-read">
                  {t("motions.would_read")} <q>{motion.would_read[a.id]}</q>{" "}
                </span>
              )}
              <span class="controls">
                {voter && me !== a.mover_id && a.status === "proposed" && (
                  <Action action="amendment.second" args={{ motion_id: motion.id, amendment_id: a.id }}>{t("motions.second")}</Action>
                )}
                {me === a.mover_id && ["proposed", "seconded"].includes(a.status) && (
                  <Action action="amendment.withdraw" args={{ motion_id: motion.id, amendment_id: a.id }}>{t("motions.withdraw")}</Action>
                )}
                {chair && !open && a.status === "seconded" && <PutButtons kind="amendment" motionId={motion.id} amendmentId={a.id} />}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p class="controls">
        {voter && !ownMotion && !motion.seconder_id && ["proposed", "awaiting_admission"].includes(motion.status) && (
          <Action action="motion.second" args={{ motion_id: motion.id }}>{t("motions.second")}</Action>
        )}
        {ownMotion && ["proposed", "seconded", "awaiting_admission"].includes(motion.status) && (
          <Action action="motion.withdraw" args={{ motion_id: motion.id }}>{t("motions.withdraw")}</Action>
        )}
        {chair && motion.status === "withdrawal_requested" && (
          <Action action="motion.allow_withdrawal" args={{ motion_id: motion.id }}>{t("motions.consent_withdraw")}</Action>
        )}
        {chair && motion.status === "seconded" && !motion.procedure && !motion.reply_given && m.standing_orders.right_of_reply && (
          <Action action="motion.reply" args={{ motion_id: motion.id }}>{t("motions.right_of_reply")}</Action>
        )}
        {chair && !open && motion.status === "seconded" && <PutButtons kind={motion.procedure ? "procedural" : "motion"} motionId={motion.id} />}
        {chair && !open && motion.status === "awaiting_admission" && <PutButtons kind="admission" motionId={motion.id} />}
      </p>
      {voter && !waiting && motion.status === "seconded" && !motion.procedure && (
        <details class="propose amend" data-motion={motion.id}>
        <summary>{t("motions.propose_amendment")}</summary>
        <form class="inline-form amend-form" data-motion={motion.id}>
          <label>
            {t("motions.amendment")}{" "}
            <select name="kind">
              <option value="insert">{t("motions.kind_insert")}</option>
              <option value="delete">{t("motions.kind_delete")}</option>
              <option value="replace">{t("motions.kind_replace")}</option>
            </select>
          </label>
          <label>
            {t("motions.words")} <input name="target" maxLength={5000} />
          </label>
          <label>
            {t("motions.new_words")} <input name="text" maxLength={5000} />
          </label>
          <button type="submit">{t("motions.move_amendment")}</button>
        </form>
        </details>
      )}
    </article>
  );
}

// A secret ballot's receipt, and asking the hub whether the ballot behind it is in the box. The hub
// never says what it was (so a receipt cannot prove a vote to anyone); the page shows the member's own
// choice from this browser session (store.myBallot), which also keeps the receipt for after the result.
function CheckBallot({ voteId, receipt }: { voteId: string; receipt: string }) {
  const [answer, setAnswer] = useState<{ counted: boolean } | null>(null);
  const check = async () => {
    const reply = await act("vote.verify", { vote_id: voteId, receipt });
    if (reply.ok) setAnswer(reply.data as { counted: boolean });
  };
  return (
    <div class="check-ballot" data-vote={voteId}>
      <button type="button" onClick={check}>{t("motions.check_ballot")}</button>
      <p class="verified" role="status">
        {answer && (answer.counted ? t("motions.counted") : t("motions.not_counted"))}
      </p>
    </div>
  );
}

// A yes/no poll's ballot: a button for each of for, against and abstain, the member's choice pressed.
function YesNo({ vote, mine }: { vote: Vote; mine?: string | null }) {
  return (
    <div class="ballot" role="group" aria-label={t("motions.your_vote")}>
      {vote.options.map(({ id }) => (
        <Action key={id} action="vote.cast" args={{ vote_id: vote.id, choice: id }} class={`choice ${mine === id ? "chosen" : ""}`} aria-pressed={mine === id}>
          {optionLabel(vote, id)}
        </Action>
      ))}
    </div>
  );
}

// The chair's ways to close: plainly, or with a casting vote for a tie (for or against in a yes/no poll,
// one of the options level at the top of a one-of-N poll).
function CloseVote({ vote, store }: { vote: Vote; store: MeetingStore }) {
  const close = <Action action="vote.close" args={{ vote_id: vote.id }}>{t("motions.close_vote")}</Action>;
  if (vote.method === "yes_no") {
    return (
      <>
        {close}{" "}
        <Action action="vote.close" args={{ vote_id: vote.id, casting_vote: "for" }}>{t("motions.close_for")}</Action>{" "}
        <Action action="vote.close" args={{ vote_id: vote.id, casting_vote: "against" }}>{t("motions.close_against")}</Action>
      </>
    );
  }
  return (
    <>
      {close}
      {castingOptions(vote, store.tallies.get(vote.id)).map((id) => (
        <span key={id}>
          {" "}
          <Action action="vote.close" args={{ vote_id: vote.id, casting_vote: id }}>{t("poll.close_casting", { option: optionLabel(vote, id) })}</Action>
        </span>
      ))}
    </>
  );
}

// An advance poll closes by itself at its time, and members vote in it from their home page too.
function Advance({ vote, m, ids }: { vote: Vote; m: Meeting; ids: string }) {
  return (
    <>
      <p class="advance-closes" id={`${ids}closes`}>
        <strong>{t("poll.advance_closes")}</strong> <time dateTime={vote.closes_at!}>{closingTime(vote, m)}</time>
      </p>
      <p class="hint">{t("poll.advance_hint")}</p>
    </>
  );
}

// An open poll: its question, ballot, the member's record of it, the count so far and the chair's close.
// The meeting's own vote goes by plain ids; an advance poll's come after its id, so that several show at once.
function OpenVote({ vote, m, store }: { vote: Vote; m: Meeting; store: MeetingStore }) {
  const tally = store.tallies.get(vote.id);
  const mine = store.myBallot(vote.id);
  const names = store.ballotNames.get(vote.id);
  const ids = vote.closes_at ? `${vote.id}-` : "";
  // Checked in in the hall: their hand is counted there, not a ballot here (hub/hall.py).
  const byHand = !!store.you && !!m.participants[store.you.member_id]?.hall && handsInHall(vote);
  return (
    <section class={`vote open${vote.closes_at ? " advance" : ""}`} aria-labelledby={`${ids}vote-h`} id={`${ids}vote-panel`} data-vote={vote.id}>
      <h2 id={`${ids}vote-h`}>{t("motions.vote_now", { question: question(vote, m) })}</h2>
      {vote.closes_at && <Advance vote={vote} m={m} ids={ids} />}
      <p>{howVoted(vote)}</p>
      {byHand && (
        <p class="hint" id={`${ids}vote-in-hall`}>
          {t("motions.vote_in_hall")}
        </p>
      )}
      {store.may("vote.cast") && !byHand && (vote.method === "yes_no" ? <YesNo vote={vote} mine={mine?.choice} /> : <PollBallot key={vote.id} vote={vote} mine={mine} ids={ids} />)}
      {mine && (
        <p class="recorded" id={`${ids}recorded`} role="status">
          {mine.choice || mine.choices?.length ? (
            <>
              {t("motions.recorded")} <strong>{ballotText(vote, mine)}</strong>
            </>
          ) : (
            t("motions.recorded_before")
          )}
          {mine.receipt && (
            <>
              {t("motions.receipt")} <code>{mine.receipt}</code>
              <CopyButton text={mine.receipt} label={t("motions.copy_receipt")} />
            </>
          )}
        </p>
      )}
      {mine?.receipt && store.may("vote.verify") && <CheckBallot voteId={vote.id} receipt={mine.receipt} />}
      <p id={`${ids}tally`}>
        {t("motions.have_voted", { cast: tally?.cast ?? 0, eligible: vote.eligible })}
        {tallyText(vote, tally)}
      </p>
      {store.may("vote.ballots") && vote.secrecy !== "secret" && (
        <>
          <p class="controls">
            <button type="button" data-local="vote.ballots" data-vote={vote.id}>{t("motions.who_voted")}</button>
          </p>
          {names && (
            <ul id={`${ids}ballot-names`}>
              {names.map((b, i) => (
                <li key={i}>
                  {b.name}: {ballotText(vote, b)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {store.may("vote.close") && (
        <ChairControls>
          <CloseVote vote={vote} store={store} />
        </ChairControls>
      )}
    </section>
  );
}

// What the bars count: votes, marks (up to k of N) or first preferences (ranked).
const COUNTED = { yes_no: null, one_of: null, up_to: "poll.bars_up_to", ranked: "poll.bars_ranked" } as const;

function Result({ vote, m, store, token }: { vote: Vote; m: Meeting; store: MeetingStore; token: string }) {
  const r = vote.result!;
  const receipt = store.myBallot(vote.id)?.receipt;
  const total = Math.max(1, vote.options.reduce((sum, o) => sum + (r.counts[o.id] ?? 0), 0));
  const counted = COUNTED[vote.method];
  const chosenMark = t(vote.method === "ranked" ? "poll.elected_mark" : "poll.chosen_mark");
  return (
    <article class="result" data-vote={vote.id}>
      <h3>
        {/* A poll's outcome has a colon of its own ("Chosen: Lisbon"): a dash keeps the two apart. */}
        {question(vote, m)}
        {vote.method === "yes_no" ? ": " : " — "}
        <span class="outcome">{outcomeText(vote)}</span>
      </h3>
      {counted && <p class="bars-title">{t(counted)}</p>}
      <div class={`bars${vote.method === "yes_no" ? "" : " poll"}`}>
        {vote.options.map(({ id }) => (
          <div class={`bar-row${r.chosen.includes(id) ? " chosen" : ""}`} key={id}>
            <span>
              {optionLabel(vote, id)}
              {r.chosen.includes(id) && <strong class="chosen-mark"> {chosenMark}</strong>}
            </span>
            <span class="bar" style={{ width: `${(100 * (r.counts[id] ?? 0)) / total}%` }}></span>
            <span>{r.counts[id] ?? 0}</span>
          </div>
        ))}
      </div>
      <p class="rule">
        {majorityRule(vote)}
        {r.tied && vote.method !== "up_to" ? (r.casting_vote ? casting(vote, r.casting_vote) : t("motions.no_casting")) : ""}
      </p>
      <CountTable vote={vote} />
      <BallotsLink meetingId={m.id} vote={vote} token={token} />
      {receipt && store.may("vote.verify") && (
        <>
          <p class="receipt">
            {t("motions.your_receipt")} <code>{receipt}</code>
            <CopyButton text={receipt} label={t("motions.copy_receipt")} />
          </p>
          <CheckBallot voteId={vote.id} receipt={receipt} />
        </>
      )}
    </article>
  );
}

const casting = (vote: Vote, choice: string): string =>
  vote.method === "yes_no" ? t("motions.casting", { choice: t(`stance.${choice}`) }) : t("poll.casting", { option: optionLabel(vote, choice) });

// The motions of one agenda item (null: those on no item), as a short list under the item in the agenda.
export function ItemMotions({ m, itemId }: { m: Meeting; itemId: string }) {
  const mine = m.motions.filter((mo) => mo.item_id === itemId && !mo.procedure);
  if (!mine.length) return null;
  return (
    <ul class="item-motions" aria-label={t("motions.on_item")}>
      {mine.map((mo) => (
        <li key={mo.id} data-motion={mo.id}>
          <span class="item-motion-title">{motionTitle(mo)}</span>{" "}
          <span class="by">
            {t("motions.moved_by", { name: mo.mover_name })}
            {mo.seconder_name ? t("motions.seconded_by", { name: mo.seconder_name }) : ""}
          </span>{" "}
          <span class="badge" data-status={mo.status}>
            {motionStatus(mo, m)}
          </span>
        </li>
      ))}
    </ul>
  );
}

// The motions grouped by agenda item: the current item's first, then the others in agenda order, then
// those on no item.
function groups(m: Meeting): Array<{ id: string | null; title: string; motions: Motion[] }> {
  const items = [...m.agenda].sort((a, b) => Number(b.id === m.current_item) - Number(a.id === m.current_item));
  const found = [
    ...items.map((item) => ({ id: item.id as string | null, title: item.title, motions: m.motions.filter((mo) => mo.item_id === item.id) })),
    { id: null, title: t("motions.no_item"), motions: m.motions.filter((mo) => mo.item_id === null || !m.agenda.some((i) => i.id === mo.item_id)) },
  ];
  return found.filter((group) => group.motions.length > 0);
}

// The Vote tab: the polls open now (the meeting's own vote first, then advance polls, the soonest to
// close first), each with its ballot and its count so far; the chair's form to put a question (only an
// advance poll while the meeting's own vote is open); and the results before them.
export function Votes({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  const open = openVotes(m);
  const results = m.votes.filter((v) => v.status === "closed").reverse();
  return (
    <>
      {open.map((vote) => (
        <Fragment key={vote.id}>
          <OpenVote vote={vote} m={m} store={store} />
          <HallCount vote={vote} m={m} store={store} />
        </Fragment>
      ))}
      {!open.length && (
        <p id="no-vote" class="hint">
          {t("motions.no_vote_open")}
        </p>
      )}
      {store.may("vote.ask") && (
        <ChairControls>
          <AskQuestion beside={!!meetingVote(m)} now={() => store.serverNow()} />
        </ChairControls>
      )}
      {results.length > 0 && (
        <section aria-labelledby="results-h">
          <h2 id="results-h">{t("motions.results")}</h2>
          <div id="results">
            {results.map((v) => (
              <div key={v.id}>
                <Result vote={v} m={m} store={store} token={token} />
                <HallCount vote={v} m={m} store={store} />
              </div>
            ))}
          </div>
        </section>
      )}
    </>
  );
}

type Group = ReturnType<typeof groups>[number];

// The motions of one item. Only the current item's are open at first: the others wait folded, each
// under its item's title with how many motions it has, so the tab stays short on a phone.
function MotionGroup({ group, m, store }: { group: Group; m: Meeting; store: MeetingStore }) {
  const current = group.id !== null && group.id === m.current_item;
  const [open, setOpen] = useState<boolean | null>(null);
  // Until the member folds or unfolds it, a group is open while its item is the current one.
  const shown = open ?? current;
  return (
    <details
      class="motion-group"
      data-item={group.id ?? undefined}
      open={shown}
      onToggle={(event) => setOpen((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <h3 id={`motions-${group.id ?? "none"}`}>
          {group.title} <span class="count">({group.motions.length})</span>
          {current && <span class="badge">{t("motions.current_item")}</span>}
        </h3>
      </summary>
      {group.motions.map((mo) => (
        <MotionView key={mo.id} motion={mo} m={m} store={store} />
      ))}
    </details>
  );
}

export function Motions({ m, store }: { m: Meeting; store: MeetingStore }) {
  const grouped = groups(m);
  return (
    <>
      <section aria-labelledby="motions-h">
        <h2 id="motions-h">{t("motions.title")}</h2>
        <div id="motions">
          {grouped.length ? (
            grouped.map((group) => (
              <MotionGroup key={group.id ?? ""} group={group} m={m} store={store} />
            ))
          ) : (
            <p>{t("motions.none")}</p>
          )}
        </div>
        {store.may("motion.submit") && (
          <>
            <details class="propose" id="propose-motion">
            <summary>{t("motions.submit_title")}</summary>
            <form id="motion-submit" class="stack-form">
              <label>
                {t("motions.field_title")} <input name="title" required maxLength={200} />
              </label>
              <label>
                {t("motions.field_text")} <textarea name="text" required maxLength={20000} rows={3}></textarea>
              </label>
              {m.agenda.length > 0 && (
                <label>
                  {t("motions.field_item")}{" "}
                  <select name="item_id">
                    {/* Empty: the current item, as the hub takes it when no item is named. */}
                    {m.current_item ? <option value="">{t("motions.this_item")}</option> : <option value="">{t("motions.no_item")}</option>}
                    {m.agenda
                      .filter((item) => item.id !== m.current_item)
                      .map((item) => (
                        <option key={item.id} value={item.id}>{item.title}</option>
                      ))}
                  </select>
                </label>
              )}
              <label>
                <input type="checkbox" name="emergency" /> {t("motions.emergency")}
              </label>
              <button type="submit">{t("motions.submit")}</button>
            </form>
            </details>
            <details class="propose" id="propose-procedural">
            <summary>{t("motions.procedural_title")}</summary>
            <form id="motion-procedural" class="inline-form">
              <label>
                {t("motions.procedural")}{" "}
                <select name="procedure">
                  {PROCEDURES.map((value) => (
                    <option key={value} value={value}>{t(`procedure.${value}`)}</option>
                  ))}
                </select>
              </label>
              <label>
                {t("motions.on")}{" "}
                <select name="target_id">
                  <option value="">{t("motions.none_option")}</option>
                  {m.motions
                    .filter((mo) => !mo.procedure && mo.status === "seconded")
                    .map((mo) => (
                      <option key={mo.id} value={mo.id}>{motionTitle(mo)}</option>
                    ))}
                  {/* A challenge to the chair names the ruling it challenges. */}
                  {m.points
                    .filter((p) => p.ruling !== null && !p.overturned)
                    .map((p) => (
                      <option key={p.id} value={p.id}>{t("motions.ruling_option", { name: p.name, rule: p.rule })}</option>
                    ))}
                </select>
              </label>
              <label>
                {t("motions.adjourn_until")} <input type="datetime-local" name="until" step="1" />
              </label>
              <button type="submit">{t("motions.move_procedural")}</button>
            </form>
            </details>
          </>
        )}
      </section>
    </>
  );
}
