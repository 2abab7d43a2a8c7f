// Elections on the agenda (hub/elections.py has the rules): under an election item, the posts it fills,
// each with its nominations and what members do about them (nominate themselves or another, second,
// accept with a statement, withdraw), and what officers do (add or remove a post; the chair opens its
// ballot). A post's ballot is a ranked secret poll, cast and counted in the Vote tab (motions.tsx).
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import { goToBallot } from "./moments";
import { MotionText } from "./motions";
import { closingTime, optionLabel } from "./phrases";
import { closingAt } from "./polls";
import type { Nomination, Post } from "./protocol.gen";
import { useRovingList } from "./roving";
import type { AgendaItem, Meeting, MeetingStore } from "./store";
import { formatStart } from "./time";
import { Action, ChairControls, Confirmed, useTick } from "./ui";

// The balance group a post's rule reserves seats for (hub/elections.py WOMEN).
const WOMEN = "woman";
// A desk opens the current item's elections at once; a phone keeps them folded to a line, a tap away,
// so that the Agenda tab stays short.
const WIDE = "(min-width: 701px)";

type Stage = "open" | "closed" | "ballot" | "decided";

// Where a post stands: taking nominations, closed to them (its closing time passed), its ballot open,
// or decided by its ballot.
function stageOf(post: Post, m: Meeting, now: number): Stage {
  const vote = m.votes.find((v) => v.id === post.vote_id);
  if (vote) return vote.status === "closed" ? "decided" : "ballot";
  return post.closes_at && now >= Date.parse(post.closes_at) ? "closed" : "open";
}

function stageText(stage: Stage, post: Post, m: Meeting): string {
  if (stage !== "decided") return t(`elections.stage_${stage}`);
  const vote = m.votes.find((v) => v.id === post.vote_id)!;
  const chosen = vote.result?.chosen ?? [];
  return chosen.length ? t("elections.elected", { names: chosen.map((id) => optionLabel(vote, id)).join(", ") }) : t("elections.none_elected");
}

// The post's seats and its balance rule, in words.
function facts(post: Post): string {
  const said = [t("elections.seats", { count: post.seats })];
  if (post.women_at_least) said.push(t("elections.women_at_least", { women: post.women_at_least, seats: post.seats }));
  if (post.women_only) said.push(t("elections.women_only"));
  return said.join(" · ");
}

// Those who would be on the ballot now: accepted, not withdrawn, seconded where the standing orders
// require it (hub/elections.py `standing`).
function standing(post: Post, m: Meeting): Nomination[] {
  const seconder = m.standing_orders.nominations_need_seconder;
  return m.nominations.filter((n) => n.post_id === post.id && n.accepted && !n.withdrawn && (n.seconded_by || !seconder));
}

function nominationState(n: Nomination, m: Meeting): string {
  if (n.withdrawn) return t("elections.withdrawn");
  if (!n.accepted) return t("elections.awaiting_acceptance");
  if (!n.seconded_by && m.standing_orders.nominations_need_seconder) return t("elections.awaiting_seconder");
  return t("elections.accepted");
}

// `elected`: the post's ballot elected this candidate.
function NominationRow({ n, post, m, store, open, elected }: { n: Nomination; post: Post; m: Meeting; store: MeetingStore; open: boolean; elected: boolean }) {
  const me = store.you?.member_id;
  const own = me === n.nominated_by || me === n.member_id;
  return (
    <li data-entry={n.id} class={n.withdrawn ? "withdrawn" : undefined}>
      <div class="nominee">
        <span class="who">
          <span class="name">{n.withdrawn ? <s>{n.name}</s> : n.name}</span>{" "}
          <span class="badge" data-state={n.withdrawn ? "withdrawn" : n.accepted ? "accepted" : "awaiting"}>
            {nominationState(n, m)}
          </span>{" "}
          {elected && <strong class="elected-mark">{t("poll.elected_mark")}</strong>}{" "}
          <span class="by">
            {n.nominated_by === n.member_id ? t("elections.self_nominated") : t("elections.nominated_by", { name: n.nominator_name })}
            {n.seconder_name ? t("motions.seconded_by", { name: n.seconder_name }) : ""}
            {n.group ? ` · ${t("elections.group", { group: t(`elections.group_${n.group}`, { defaultValue: n.group }) })}` : ""}
          </span>
        </span>
        {n.statement && !n.withdrawn && <MotionText text={n.statement} more="elections.read_statement" />}
      </div>
      {open && !n.withdrawn && !n.seconded_by && !own && store.may("election.second") && (
        <span class="controls">
          <Action action="election.second" args={{ nomination_id: n.id }} aria-label={t("elections.second_who", { name: n.name, title: post.title })}>
            {t("motions.second")}
          </Action>
        </span>
      )}
    </li>
  );
}

// The nominee's own part: accept with a statement (sent again, it replaces the statement), or withdraw.
function YourNomination({ n, post }: { n: Nomination; post: Post }) {
  const [statement, setStatement] = useState(n.statement);
  const fold = useRef<HTMLDetailsElement>(null);
  const accept = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reply = await act("election.accept", { nomination_id: n.id, statement });
    if (reply.ok && fold.current) fold.current.open = false;
  };
  const field = (
    <label>
      {t("elections.statement")}{" "}
      <textarea name="statement" rows={3} maxLength={2000} value={statement} onInput={(e) => setStatement(e.currentTarget.value)} />
    </label>
  );
  const withdraw = (
    <Confirmed
      label={t("elections.withdraw")}
      ariaLabel={t("elections.withdraw_from", { title: post.title })}
      question={t("elections.confirm_withdraw", { title: post.title })}
      yes={t("elections.yes_withdraw")}
      onYes={() => act("election.withdraw", { nomination_id: n.id })}
    />
  );
  if (!n.accepted) {
    return (
      <form class="stack-form your-nomination" data-nomination={n.id} onSubmit={accept}>
        <p>{t("elections.you_were_nominated", { name: n.nominator_name, title: post.title })}</p>
        {field}
        <p class="controls">
          <button type="submit" class="primary">{t("elections.accept")}</button> {withdraw}
        </p>
      </form>
    );
  }
  return (
    <div class="your-nomination" data-nomination={n.id}>
      <p>{t("elections.you_stand", { title: post.title })}</p>
      <details class="propose" ref={fold}>
        <summary>{t("elections.update_statement")}</summary>
        <form class="stack-form" onSubmit={accept}>
          {field}
          <button type="submit">{t("elections.update_statement")}</button>
        </form>
      </details>
      <p class="controls">{withdraw}</p>
    </div>
  );
}

// Nominating: oneself with a tap, or another member present who may stand, chosen from a list.
function Nominate({ post, m, store }: { post: Post; m: Meeting; store: MeetingStore }) {
  const [chosen, setChosen] = useState("");
  const you = store.you;
  if (!you || !store.may("election.nominate")) return null;
  const named = new Set(m.nominations.filter((n) => n.post_id === post.id && !n.withdrawn).map((n) => n.member_id));
  const others = Object.values(m.participants)
    .filter((p) => p.present && !p.waiting && p.member_id !== you.member_id && post.stand.includes(p.role) && !named.has(p.member_id))
    .sort((a, b) => a.name.localeCompare(b.name));
  const self = post.stand.includes(you.role) && !named.has(you.member_id);
  const nominate = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reply = await act("election.nominate", { post_id: post.id, member_id: chosen });
    if (reply.ok) setChosen("");
  };
  return (
    <>
      {self && (
        <p class="controls">
          <Action action="election.nominate" args={{ post_id: post.id, member_id: you.member_id }} aria-label={t("elections.nominate_myself_for", { title: post.title })}>
            {t("elections.nominate_myself")}
          </Action>
        </p>
      )}
      {others.length > 0 && (
        <details class="propose nominate-other">
          <summary>{t("elections.nominate_other")}</summary>
          <form class="inline-form" onSubmit={nominate}>
            <label>
              {t("elections.member")}{" "}
              <select name="member_id" required value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
                <option value="">{t("elections.choose_member")}</option>
                {others.map((p) => (
                  <option key={p.member_id} value={p.member_id}>{p.name}</option>
                ))}
              </select>
            </label>
            <button type="submit">{t("elections.nominate")}</button>
          </form>
        </details>
      )}
    </>
  );
}

// Opening a post's ballot in advance: with a closing time (typed in the chair's own zone), before its
// item comes up, even before the meeting; members vote from their home page too, and it closes by itself.
function AdvanceBallot({ post, now }: { post: Post; now: () => number }) {
  const [problem, setProblem] = useState("");
  const id = `advance-${post.id}`;
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const closing = closingAt(String(new FormData(event.currentTarget).get("closes_at") ?? ""), true, now());
    setProblem(closing.problem ?? "");
    if (closing.at) await act("election.open_ballot", { post_id: post.id, closes_at: closing.at });
  };
  return (
    <details class="propose advance-ballot" id={id}>
      <summary>{t("elections.open_advance")}</summary>
      <form class="stack-form" onSubmit={submit} aria-describedby={`${id}-hint ${id}-problem`} noValidate>
        <label>
          {t("elections.advance_closes_at")} <input name="closes_at" type="datetime-local" aria-required="true" />
        </label>
        <p id={`${id}-hint`} class="hint">
          {t("elections.advance_hint")}
        </p>
        <p id={`${id}-problem`} class="poll-problem" role="alert">
          {problem}
        </p>
        <button type="submit" aria-label={t("elections.open_advance_for", { title: post.title })}>
          {t("elections.open_advance_ballot")}
        </button>
      </form>
    </details>
  );
}

// The chair opens a post's ballot once enough candidates stand (and enough women, for a balance rule),
// with its item taken up, or in advance with a closing time; until then the buttons say why not. Anything
// else in the way the hub refuses in the notice banner.
function OpenBallot({ post, m, store }: { post: Post; m: Meeting; store: MeetingStore }) {
  const candidates = standing(post, m);
  const women = candidates.filter((n) => n.group === WOMEN).length;
  const short =
    candidates.length < post.seats
      ? t("elections.needs_candidates", { standing: candidates.length, seats: post.seats })
      : women < post.women_at_least
        ? t("elections.needs_women", { standing: women, reserved: post.women_at_least })
        : "";
  // An advance ballot is not held back by the order of business.
  const why = short || (post.item_id !== m.current_item ? t("elections.needs_item") : "");
  const reason = `open-why-${post.id}`;
  return (
    <>
      <button
        type="button"
        disabled={!!why}
        aria-label={t("elections.open_ballot_for", { title: post.title })}
        aria-describedby={why ? reason : undefined}
        onClick={() => act("election.open_ballot", { post_id: post.id })}
      >
        {t("elections.open_ballot")}
      </button>
      {why && (
        <span id={reason} class="hint">
          {why}
        </span>
      )}
      {!short && <AdvanceBallot post={post} now={() => store.serverNow()} />}
    </>
  );
}

function PostView({ post, m, store, keys }: { post: Post; m: Meeting; store: MeetingStore; keys: string }) {
  // Nominations close at their time without any event: look again now and then.
  useTick(30_000);
  const [open, setOpen] = useState(true);
  const list = useRovingList<HTMLUListElement>();
  const stage = stageOf(post, m, store.serverNow());
  const nominating = stage === "open";
  const nominations = m.nominations.filter((n) => n.post_id === post.id);
  const vote = m.votes.find((v) => v.id === post.vote_id);
  const chosen = vote?.result?.chosen ?? [];
  const me = store.you?.member_id;
  const mine = nominations.filter((n) => n.member_id === me && !n.withdrawn);
  const heading = `post-${post.id}-h`;
  const closes = post.closes_at ? formatStart(post.closes_at, m.time_zone).local : null;
  const chair = store.may("election.open_ballot") && !post.vote_id;
  const removable = store.may("election.remove_post") && !post.vote_id;
  return (
    <details class="post" data-post={post.id} open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <h4 id={heading}>{post.title}</h4>{" "}
        <span class="badge" data-stage={stage}>
          {stageText(stage, post, m)}
        </span>{" "}
        <span class="post-facts">{facts(post)}</span>
      </summary>
      <p class="closes">
        {closes ? (
          <>
            {t(nominating ? "elections.closes_at" : "elections.closed_at")} <time dateTime={post.closes_at!}>{closes}</time>
          </>
        ) : (
          t(post.vote_id ? "elections.closed_at_ballot" : "elections.closes_at_ballot")
        )}
      </p>
      {stage === "ballot" && vote?.closes_at && (
        <p class="closes">
          {t("elections.advance_ballot_closes")} <time dateTime={vote.closes_at}>{closingTime(vote, m)}</time>
        </p>
      )}
      {nominating && mine.map((n) => <YourNomination key={n.id} n={n} post={post} />)}
      <h5 id={`${heading}-nominations`}>{t("elections.nominations", { count: nominations.length })}</h5>
      <ul class="nominations" ref={list} aria-labelledby={`${heading} ${heading}-nominations`} aria-describedby={keys} hidden={!nominations.length}>
        {nominations.map((n) => (
          <NominationRow key={n.id} n={n} post={post} m={m} store={store} open={nominating} elected={chosen.includes(n.id)} />
        ))}
      </ul>
      {nominating && <Nominate post={post} m={m} store={store} />}
      {stage === "ballot" && (
        <p class="controls">
          <button type="button" onClick={() => goToBallot(post.vote_id!)}>{t("elections.to_ballot")}</button>
        </p>
      )}
      {stage === "decided" && (
        <p class="controls">
          <button type="button" onClick={() => document.getElementById("tab-vote")?.click()}>{t("elections.to_count")}</button>
        </p>
      )}
      {(chair || removable) && (
        <ChairControls>
          {chair && <OpenBallot post={post} m={m} store={store} />}
          {removable && (
            <Confirmed
              label={t("elections.remove_post")}
              ariaLabel={t("elections.remove_post_named", { title: post.title })}
              question={t("elections.confirm_remove", { title: post.title })}
              yes={t("elections.yes_remove")}
              onYes={() => act("election.remove_post", { post_id: post.id })}
            />
          )}
        </ChairControls>
      )}
    </details>
  );
}

// An officer adds a post: its title and seats, a balance rule (at least so many seats to women) or a
// post only women stand for, and when nominations close (typed in the member's own zone, sent in UTC).
function AddPost({ item }: { item: AgendaItem }) {
  const [problem, setProblem] = useState("");
  const fold = useRef<HTMLDetailsElement>(null);
  const problemId = `add-post-problem-${item.id}`;
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const seats = Number(data.get("seats"));
    const women = Number(data.get("women_at_least") || 0);
    if (women > seats) return setProblem(t("elections.reserved_too_many"));
    setProblem("");
    const closes = String(data.get("closes_at") ?? "");
    const reply = await act("election.add_post", {
      item_id: item.id,
      title: String(data.get("title")).trim(),
      seats,
      women_at_least: women,
      women_only: data.get("women_only") === "on",
      ...(closes ? { closes_at: new Date(closes).toISOString() } : {}),
    });
    if (reply.ok) {
      form.reset();
      if (fold.current) fold.current.open = false;
    }
  };
  return (
    <details class="propose add-post" id={`add-post-${item.id}`} ref={fold}>
      <summary>{t("elections.add_post")}</summary>
      <form class="stack-form" onSubmit={submit} aria-describedby={problemId}>
        <label>
          {t("elections.post_title")} <input name="title" required maxLength={200} />
        </label>
        <label>
          {t("elections.post_seats")} <input name="seats" type="number" inputMode="numeric" min={1} max={50} step={1} required defaultValue="1" />
        </label>
        <label>
          {t("elections.post_women_at_least")} <input name="women_at_least" type="number" inputMode="numeric" min={0} max={50} step={1} defaultValue="0" />
        </label>
        <label class="check">
          <input type="checkbox" name="women_only" /> {t("elections.post_women_only")}
        </label>
        <label>
          {t("elections.post_closes_at")} <input name="closes_at" type="datetime-local" />
        </label>
        <p id={problemId} class="poll-problem" role="alert">
          {problem}
        </p>
        <button type="submit">{t("elections.add_post")}</button>
      </form>
    </details>
  );
}

// An election item's posts, under the item in the agenda: open on a desk while the item is the current
// one, until the member folds or unfolds it.
export function Elections({ item, m, store }: { item: AgendaItem; m: Meeting; store: MeetingStore }) {
  const [open, setOpen] = useState<boolean | null>(null);
  const posts = m.posts.filter((p) => p.item_id === item.id);
  const officer = store.may("election.add_post");
  if (item.kind !== "election" || (!posts.length && !officer)) return null;
  const heading = `elections-${item.id}`;
  return (
    <details class="elections" data-item={item.id} open={open ?? (item.id === m.current_item && matchMedia(WIDE).matches)} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <h3 id={heading}>
          {t("elections.title")} <span class="count">({t("elections.posts", { count: posts.length })})</span>
        </h3>
      </summary>
      <p id={`${heading}-keys`} class="visually-hidden">
        {t("elections.keys")}
      </p>
      {posts.map((post) => (
        <PostView key={post.id} post={post} m={m} store={store} keys={`${heading}-keys`} />
      ))}
      {officer && (
        <ChairControls>
          <AddPost item={item} />
        </ChairControls>
      )}
    </details>
  );
}
