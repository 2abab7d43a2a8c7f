// Motions, amendments, procedural motions and votes: what is before the meeting and what members
// and the chair may do about it.
import { button, escape } from "./format";
import type { Meeting, MeetingStore, Motion, Vote } from "./store";


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


function putButtons(kind: string, motionId: string, amendmentId?: string): string {
  const subject = { kind, motion_id: motionId, ...(amendmentId ? { amendment_id: amendmentId } : {}) };
  return [
    button("Vote: show of hands", "vote.open", { subject, method: "hands" }),
    button("Secret ballot", "vote.open", { subject, method: "secret" }),
    button("Card vote", "vote.open", { subject, method: "card" }),
  ].join(" ");
}

function motionView(motion: Motion, m: Meeting, store: MeetingStore): string {
  const me = store.you?.member_id;
  const chair = store.may("vote.open");
  const voter = store.may("motion.second");
  const open = m.votes.some((v) => v.status === "open");
  const actions: string[] = [];
  if (voter && me !== motion.mover_id && !motion.seconder_id && ["proposed", "awaiting_admission"].includes(motion.status))
    actions.push(button("Second", "motion.second", { motion_id: motion.id }));
  if (me === motion.mover_id && ["proposed", "seconded", "awaiting_admission"].includes(motion.status))
    actions.push(button("Withdraw", "motion.withdraw", { motion_id: motion.id }));
  if (chair && motion.status === "withdrawal_requested")
    actions.push(button("The meeting consents: withdraw", "motion.allow_withdrawal", { motion_id: motion.id }));
  if (chair && motion.status === "seconded" && !motion.procedure && !motion.reply_given && m.standing_orders.right_of_reply)
    actions.push(button("Right of reply", "motion.reply", { motion_id: motion.id }));
  if (chair && !open && motion.status === "seconded")
    actions.push(putButtons(motion.procedure ? "procedural" : "motion", motion.id));
  if (chair && !open && motion.status === "awaiting_admission")
    actions.push(putButtons("admission", motion.id));
  const amendments = motion.amendments
    .map((a) => {
      const change =
        a.kind === "insert"
          ? `insert <ins>${escape(a.text)}</ins>${a.target ? ` after “${escape(a.target)}”` : " at the end"}`
          : a.kind === "delete"
            ? `delete <del>${escape(a.target)}</del>`
            : `replace <del>${escape(a.target)}</del> with <ins>${escape(a.text)}</ins>`;
      const controls = [
        voter && me !== a.mover_id && a.status === "proposed" ? button("Second", "amendment.second", { motion_id: motion.id, amendment_id: a.id }) : "",
        me === a.mover_id && ["proposed", "seconded"].includes(a.status) ? button("Withdraw", "amendment.withdraw", { motion_id: motion.id, amendment_id: a.id }) : "",
        chair && !open && a.status === "seconded" ? putButtons("amendment", motion.id, a.id) : "",
      ].join(" ");
      return `<li data-amendment="${escape(a.id)}">Amendment by ${escape(a.mover_name)}${a.seconder_name ? `, seconded by ${escape(a.seconder_name)}` : ""}: ${change}
        <span class="badge">${escape(STATUS[a.status] ?? a.status)}</span> <span class="controls">${controls}</span></li>`;
    })
    .join("");
  const amend =
    voter && motion.status === "seconded" && !motion.procedure
      ? `<form class="inline-form amend-form" data-motion="${escape(motion.id)}">
           <label>Amendment <select name="kind"><option value="insert">Insert</option><option value="delete">Delete</option><option value="replace">Replace</option></select></label>
           <label>Words in the motion <input name="target" maxlength="5000" /></label>
           <label>New words <input name="text" maxlength="5000" /></label>
           <button type="submit">Move amendment</button></form>`
      : "";
  const amended = motion.history.length ? `<p class="original">Original text: <del>${escape(motion.original_text)}</del></p>` : "";
  return `<article class="motion" data-motion="${escape(motion.id)}">
      <h3>${escape(motion.title)} <span class="badge" data-status="${escape(motion.status)}">${escape(STATUS[motion.status] ?? motion.status)}</span></h3>
      <p class="by">Moved by ${escape(motion.mover_name)}${motion.seconder_name ? `, seconded by ${escape(motion.seconder_name)}` : ""}</p>
      <p class="motion-text">${escape(motion.text)}</p>${amended}
      ${amendments ? `<ul class="amendments">${amendments}</ul>` : ""}
      <p class="controls">${actions.join(" ")}</p>${amend}
    </article>`;
}

function voteView(vote: Vote, store: MeetingStore): string {
  const chair = store.may("vote.close");
  const tally = store.tallies.get(vote.id);
  const mine = store.myBallot(vote.id);
  const methods: Record<string, string> = { hands: "Show of hands", secret: "Secret ballot", card: "Card vote" };
  if (vote.status === "open") {
    const choices = store.may("vote.cast")
      ? `<div class="ballot" role="group" aria-label="Your vote">${["for", "against", "abstain"]
          .map((c) => button(c === "for" ? "For" : c === "against" ? "Against" : "Abstain", "vote.cast", { vote_id: vote.id, choice: c }, `class="choice ${mine?.choice === c ? "chosen" : ""}" aria-pressed="${mine?.choice === c}"`))
          .join(" ")}</div>`
      : "";
    const recorded = mine
      ? `<p class="recorded" id="recorded" role="status">Your vote is recorded: <strong>${escape(mine.choice)}</strong>${mine.receipt ? `. Receipt: <code>${escape(mine.receipt)}</code>` : ""}</p>`
      : "";
    const counts = tally?.counts ? ` For ${tally.counts.for}, against ${tally.counts.against}, abstain ${tally.counts.abstain}.` : "";
    const live = `<p id="tally">${tally?.cast ?? 0} of ${vote.eligible} have voted.${counts}</p>`;
    const names = store.ballotNames.get(vote.id);
    const tellers =
      store.may("vote.ballots") && vote.method !== "secret"
        ? `<p class="controls"><button type="button" data-local="vote.ballots" data-vote="${escape(vote.id)}">Who voted how</button></p>
           ${names ? `<ul id="ballot-names">${names.map((b) => `<li>${escape(b.name)}: ${escape(b.choice)}</li>`).join("")}</ul>` : ""}`
        : "";
    const close = chair
      ? `<p class="controls">${button("Close the vote", "vote.close", { vote_id: vote.id })} ${button("Close: casting vote for", "vote.close", { vote_id: vote.id, casting_vote: "for" })} ${button("Close: casting vote against", "vote.close", { vote_id: vote.id, casting_vote: "against" })}</p>`
      : "";
    return `<section class="vote open" aria-labelledby="vote-h" id="vote-panel"><h2 id="vote-h">Vote now: ${escape(vote.question)}</h2>
      <p>${methods[vote.method]}</p>${choices}${recorded}${live}${tellers}${close}</section>`;
  }
  const r = vote.result!;
  const total = Math.max(1, r.counts.for + r.counts.against + r.counts.abstain);
  const bars = ["for", "against", "abstain"]
    .map((c) => `<div class="bar-row"><span>${c}</span><span class="bar" style="width:${(100 * r.counts[c]) / total}%"></span><span>${r.counts[c]}</span></div>`)
    .join("");
  return `<article class="result" data-vote="${escape(vote.id)}"><h3>${escape(vote.question)}: <span class="outcome">${r.outcome === "carried" ? "Carried" : "Lost"}</span></h3>
    <div class="bars">${bars}</div>
    <p class="rule">${escape(r.rule)}${r.tied ? (r.casting_vote ? ` The chair gave a casting vote ${r.casting_vote}.` : " No casting vote was given.") : ""}</p></article>`;
}

export function motionsView(m: Meeting, store: MeetingStore): string {
  const voter = store.may("motion.submit");
  const open = m.votes.find((v) => v.status === "open");
  const relevant = m.motions.filter((mo) => mo.item_id === m.current_item || mo.item_id === null || mo.procedure);
  const submit = voter
    ? `<form id="motion-submit" class="stack-form"><h3>Submit a motion</h3>
        <label>Title <input name="title" required maxlength="200" /></label>
        <label>Text <textarea name="text" required maxlength="20000" rows="3"></textarea></label>
        <label><input type="checkbox" name="emergency" /> Emergency motion (needs the meeting's consent)</label>
        <button type="submit">Submit motion</button></form>
       <form id="motion-procedural" class="inline-form"><label>Procedural motion <select name="procedure">${PROCEDURES.map(([v, l]) => `<option value="${v}">${escape(l)}</option>`).join("")}</select></label>
        <label>On <select name="target_id"><option value="">(none)</option>${m.motions.filter((mo) => !mo.procedure && mo.status === "seconded").map((mo) => `<option value="${escape(mo.id)}">${escape(mo.title)}</option>`).join("")}</select></label>
        <button type="submit">Move procedural motion</button></form>`
    : "";
  const results = m.votes.filter((v) => v.status === "closed").slice().reverse().map((v) => voteView(v, store)).join("");
  return `${open ? voteView(open, store) : ""}
    <section aria-labelledby="motions-h"><h2 id="motions-h">Motions</h2>
      <div id="motions">${relevant.map((mo) => motionView(mo, m, store)).join("") || "<p>No motions on this item.</p>"}</div>
      ${submit}</section>
    ${results ? `<section aria-labelledby="results-h"><h2 id="results-h">Results</h2><div id="results">${results}</div></section>` : ""}`;
}

