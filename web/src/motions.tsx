// Motions, amendments, procedural motions and votes: what is before the meeting and what members
// and the chair may do about it.
import type { Amendment, Meeting, MeetingStore, Motion, Vote } from "./store";
import { Action } from "./ui";

const STATUS: Record<string, string> = {
  awaiting_admission: "Emergency: awaiting admission",
  proposed: "Awaiting a seconder",
  seconded: "Before the meeting",
  withdrawal_requested: "Mover asks to withdraw",
  withdrawn: "Withdrawn",
  carried: "Carried",
  lost: "Lost",
  referred_back: "Referred back",
  dropped: "Not put (next business)",
  fallen: "Fell",
};

const PROCEDURES: Array<[string, string]> = [
  ["question_be_now_put", "That the question be now put"],
  ["next_business", "That the meeting proceed to next business"],
  ["refer_back", "That the matter be referred back"],
  ["adjourn", "That the meeting be adjourned"],
  ["challenge_chair", "That the chair's ruling be challenged"],
];

const METHODS: Record<string, string> = { hands: "Show of hands", secret: "Secret ballot", card: "Card vote" };
const CHOICES: Array<[string, string]> = [["for", "For"], ["against", "Against"], ["abstain", "Abstain"]];

function PutButtons({ kind, motionId, amendmentId }: { kind: string; motionId: string; amendmentId?: string }) {
  const subject = { kind, motion_id: motionId, ...(amendmentId ? { amendment_id: amendmentId } : {}) };
  return (
    <>
      <Action action="vote.open" args={{ subject, method: "hands" }}>Vote: show of hands</Action>{" "}
      <Action action="vote.open" args={{ subject, method: "secret" }}>Secret ballot</Action>{" "}
      <Action action="vote.open" args={{ subject, method: "card" }}>Card vote</Action>
    </>
  );
}

function Change({ a }: { a: Amendment }) {
  if (a.kind === "insert") {
    return (
      <>
        insert <ins>{a.text}</ins>
        {a.target ? ` after “${a.target}”` : " at the end"}
      </>
    );
  }
  if (a.kind === "delete") {
    return (
      <>
        delete <del>{a.target}</del>
      </>
    );
  }
  return (
    <>
      replace <del>{a.target}</del> with <ins>{a.text}</ins>
    </>
  );
}

function MotionView({ motion, m, store }: { motion: Motion; m: Meeting; store: MeetingStore }) {
  const me = store.you?.member_id;
  const chair = store.may("vote.open");
  const voter = store.may("motion.second");
  const open = m.votes.some((v) => v.status === "open");
  const ownMotion = me === motion.mover_id;
  return (
    <article class="motion" data-motion={motion.id}>
      <h3>
        {motion.title}{" "}
        <span class="badge" data-status={motion.status}>
          {STATUS[motion.status] ?? motion.status}
        </span>
      </h3>
      <p class="by">
        Moved by {motion.mover_name}
        {motion.seconder_name ? `, seconded by ${motion.seconder_name}` : ""}
      </p>
      <p class="motion-text">{motion.text}</p>
      {motion.history.length > 0 && (
        <p class="original">
          Original text: <del>{motion.original_text}</del>
        </p>
      )}
      {motion.amendments.length > 0 && (
        <ul class="amendments">
          {motion.amendments.map((a) => (
            <li key={a.id} data-amendment={a.id}>
              Amendment by {a.mover_name}
              {a.seconder_name ? `, seconded by ${a.seconder_name}` : ""}: <Change a={a} />{" "}
              <span class="badge">{STATUS[a.status] ?? a.status}</span>{" "}
              <span class="controls">
                {voter && me !== a.mover_id && a.status === "proposed" && (
                  <Action action="amendment.second" args={{ motion_id: motion.id, amendment_id: a.id }}>Second</Action>
                )}
                {me === a.mover_id && ["proposed", "seconded"].includes(a.status) && (
                  <Action action="amendment.withdraw" args={{ motion_id: motion.id, amendment_id: a.id }}>Withdraw</Action>
                )}
                {chair && !open && a.status === "seconded" && <PutButtons kind="amendment" motionId={motion.id} amendmentId={a.id} />}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p class="controls">
        {voter && !ownMotion && !motion.seconder_id && ["proposed", "awaiting_admission"].includes(motion.status) && (
          <Action action="motion.second" args={{ motion_id: motion.id }}>Second</Action>
        )}
        {ownMotion && ["proposed", "seconded", "awaiting_admission"].includes(motion.status) && (
          <Action action="motion.withdraw" args={{ motion_id: motion.id }}>Withdraw</Action>
        )}
        {chair && motion.status === "withdrawal_requested" && (
          <Action action="motion.allow_withdrawal" args={{ motion_id: motion.id }}>The meeting consents: withdraw</Action>
        )}
        {chair && motion.status === "seconded" && !motion.procedure && !motion.reply_given && m.standing_orders.right_of_reply && (
          <Action action="motion.reply" args={{ motion_id: motion.id }}>Right of reply</Action>
        )}
        {chair && !open && motion.status === "seconded" && <PutButtons kind={motion.procedure ? "procedural" : "motion"} motionId={motion.id} />}
        {chair && !open && motion.status === "awaiting_admission" && <PutButtons kind="admission" motionId={motion.id} />}
      </p>
      {voter && motion.status === "seconded" && !motion.procedure && (
        <form class="inline-form amend-form" data-motion={motion.id}>
          <label>
            Amendment{" "}
            <select name="kind">
              <option value="insert">Insert</option>
              <option value="delete">Delete</option>
              <option value="replace">Replace</option>
            </select>
          </label>
          <label>
            Words in the motion <input name="target" maxLength={5000} />
          </label>
          <label>
            New words <input name="text" maxLength={5000} />
          </label>
          <button type="submit">Move amendment</button>
        </form>
      )}
    </article>
  );
}

function OpenVote({ vote, store }: { vote: Vote; store: MeetingStore }) {
  const tally = store.tallies.get(vote.id);
  const mine = store.myBallot(vote.id);
  const names = store.ballotNames.get(vote.id);
  return (
    <section class="vote open" aria-labelledby="vote-h" id="vote-panel">
      <h2 id="vote-h">Vote now: {vote.question}</h2>
      <p>{METHODS[vote.method]}</p>
      {store.may("vote.cast") && (
        <div class="ballot" role="group" aria-label="Your vote">
          {CHOICES.map(([choice, label]) => (
            <Action
              key={choice}
              action="vote.cast"
              args={{ vote_id: vote.id, choice }}
              class={`choice ${mine?.choice === choice ? "chosen" : ""}`}
              aria-pressed={mine?.choice === choice}
            >
              {label}
            </Action>
          ))}
        </div>
      )}
      {mine && (
        <p class="recorded" id="recorded" role="status">
          Your vote is recorded: <strong>{mine.choice}</strong>
          {mine.receipt && (
            <>
              . Receipt: <code>{mine.receipt}</code>
            </>
          )}
        </p>
      )}
      <p id="tally">
        {tally?.cast ?? 0} of {vote.eligible} have voted.
        {tally?.counts ? ` For ${tally.counts.for}, against ${tally.counts.against}, abstain ${tally.counts.abstain}.` : ""}
      </p>
      {store.may("vote.ballots") && vote.method !== "secret" && (
        <>
          <p class="controls">
            <button type="button" data-local="vote.ballots" data-vote={vote.id}>Who voted how</button>
          </p>
          {names && (
            <ul id="ballot-names">
              {names.map((b, i) => (
                <li key={i}>
                  {b.name}: {b.choice}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {store.may("vote.close") && (
        <p class="controls">
          <Action action="vote.close" args={{ vote_id: vote.id }}>Close the vote</Action>{" "}
          <Action action="vote.close" args={{ vote_id: vote.id, casting_vote: "for" }}>Close: casting vote for</Action>{" "}
          <Action action="vote.close" args={{ vote_id: vote.id, casting_vote: "against" }}>Close: casting vote against</Action>
        </p>
      )}
    </section>
  );
}

function Result({ vote }: { vote: Vote }) {
  const r = vote.result!;
  const total = Math.max(1, r.counts.for + r.counts.against + r.counts.abstain);
  return (
    <article class="result" data-vote={vote.id}>
      <h3>
        {vote.question}: <span class="outcome">{r.outcome === "carried" ? "Carried" : "Lost"}</span>
      </h3>
      <div class="bars">
        {["for", "against", "abstain"].map((c) => (
          <div class="bar-row" key={c}>
            <span>{c}</span>
            <span class="bar" style={{ width: `${(100 * r.counts[c]) / total}%` }}></span>
            <span>{r.counts[c]}</span>
          </div>
        ))}
      </div>
      <p class="rule">
        {r.rule}
        {r.tied ? (r.casting_vote ? ` The chair gave a casting vote ${r.casting_vote}.` : " No casting vote was given.") : ""}
      </p>
    </article>
  );
}

export function Motions({ m, store }: { m: Meeting; store: MeetingStore }) {
  const open = m.votes.find((v) => v.status === "open");
  const relevant = m.motions.filter((mo) => mo.item_id === m.current_item || mo.item_id === null || mo.procedure);
  const results = m.votes.filter((v) => v.status === "closed").reverse();
  return (
    <>
      {open && <OpenVote vote={open} store={store} />}
      <section aria-labelledby="motions-h">
        <h2 id="motions-h">Motions</h2>
        <div id="motions">
          {relevant.length ? relevant.map((mo) => <MotionView key={mo.id} motion={mo} m={m} store={store} />) : <p>No motions on this item.</p>}
        </div>
        {store.may("motion.submit") && (
          <>
            <form id="motion-submit" class="stack-form">
              <h3>Submit a motion</h3>
              <label>
                Title <input name="title" required maxLength={200} />
              </label>
              <label>
                Text <textarea name="text" required maxLength={20000} rows={3}></textarea>
              </label>
              <label>
                <input type="checkbox" name="emergency" /> Emergency motion (needs the meeting's consent)
              </label>
              <button type="submit">Submit motion</button>
            </form>
            <form id="motion-procedural" class="inline-form">
              <label>
                Procedural motion{" "}
                <select name="procedure">
                  {PROCEDURES.map(([value, label]) => (
                    <option key={value} value={value}>{label}</option>
                  ))}
                </select>
              </label>
              <label>
                On{" "}
                <select name="target_id">
                  <option value="">(none)</option>
                  {m.motions
                    .filter((mo) => !mo.procedure && mo.status === "seconded")
                    .map((mo) => (
                      <option key={mo.id} value={mo.id}>{mo.title}</option>
                    ))}
                </select>
              </label>
              <button type="submit">Move procedural motion</button>
            </form>
          </>
        )}
      </section>
      {results.length > 0 && (
        <section aria-labelledby="results-h">
          <h2 id="results-h">Results</h2>
          <div id="results">
            {results.map((v) => (
              <Result key={v.id} vote={v} />
            ))}
          </div>
        </section>
      )}
    </>
  );
}
