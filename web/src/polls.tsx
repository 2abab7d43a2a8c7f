// Polls over options (motions.tsx puts them in the Vote tab): the ballot of a question that is not
// yes/no (one of N, up to k of N, a ranking), the chair's form that puts such a question, and the
// stage-by-stage count of a ranked poll. The hub checks every ballot and counts it (hub/polls.py); these
// only help the member mark a ballot the hub will take.
import type { JSX } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { act } from "./actions";
import { locale, t } from "./i18n";
import { optionLabel } from "./phrases";
import type { BalanceRule, PollMethod, Stage } from "./protocol.gen";
import type { Ballot, Tally, Vote } from "./store";

// The most options a question may offer, and the longest an option may be (docs/protocol/vote.ask.md).
const MOST_OPTIONS = 50;
const LONGEST_OPTION = 200;

function Problem({ id, text }: { id: string; text: string }) {
  return (
    <p id={id} class="poll-problem" role="alert">
      {text}
    </p>
  );
}

// How a marked ballot reaches the box: in the room over the meeting's connection, from the home page
// over HTTP (home.tsx).
export type Cast = (ballot: { choice: string } | { choices: string[] }) => void;

const castInRoom = (vote: Vote): Cast => (ballot) => void act("vote.cast", { vote_id: vote.id, ...ballot });

// `ids` comes before the ids of a ballot's parts where a page shows several ballots (the home page);
// the room shows one, under plain ids.
interface BallotProps {
  vote: Vote;
  mine?: Ballot;
  cast: Cast;
  ids: string;
}

// One of N: a radio group and a Cast button.
function OneOf({ vote, mine, cast: send, ids }: BallotProps) {
  const [choice, setChoice] = useState(mine?.choice ?? "");
  const [problem, setProblem] = useState("");
  const cast = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!choice) return setProblem(t("poll.choose_one"));
    setProblem("");
    send({ choice });
  };
  return (
    <form id={`${ids}ballot`} class="ballot poll-ballot" onSubmit={cast} aria-describedby={`${ids}ballot-problem`} noValidate>
      <fieldset>
        <legend>{t("poll.legend_one_of")}</legend>
        {vote.options.map((option) => (
          <label key={option.id} class="poll-option">
            <input type="radio" name={`choice-${vote.id}`} value={option.id} checked={choice === option.id} onChange={() => setChoice(option.id)} />{" "}
            {option.label}
          </label>
        ))}
      </fieldset>
      <Problem id={`${ids}ballot-problem`} text={problem} />
      <button type="submit" class="cast primary">{t("poll.cast")}</button>
    </form>
  );
}

// Up to k of N: checkboxes; a mark beyond the k-th is refused in place, so the hub never has to.
function UpTo({ vote, mine, cast: send, ids }: BallotProps) {
  const [marks, setMarks] = useState<string[]>(mine?.choices ?? []);
  const [problem, setProblem] = useState("");
  const mark = (event: JSX.TargetedEvent<HTMLInputElement>, id: string) => {
    const box = event.currentTarget;
    if (!box.checked) {
      setProblem("");
      return setMarks(marks.filter((m) => m !== id));
    }
    if (marks.length >= vote.choose) {
      box.checked = false;
      return setProblem(t("poll.too_many", { count: vote.choose }));
    }
    setProblem("");
    setMarks([...marks, id]);
  };
  const cast = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!marks.length) return setProblem(t("poll.mark_one"));
    setProblem("");
    send({ choices: marks });
  };
  return (
    <form id={`${ids}ballot`} class="ballot poll-ballot" onSubmit={cast} aria-describedby={`${ids}ballot-marked ${ids}ballot-problem`} noValidate>
      <fieldset>
        <legend>{t("poll.legend_up_to", { count: vote.choose })}</legend>
        {vote.options.map((option) => (
          <label key={option.id} class="poll-option">
            <input type="checkbox" name="choices" value={option.id} checked={marks.includes(option.id)} onChange={(event) => mark(event, option.id)} />{" "}
            {option.label}
          </label>
        ))}
      </fieldset>
      <p id={`${ids}ballot-marked`} class="hint" aria-live="polite">
        {t("poll.marked", { count: marks.length, most: vote.choose })}
      </p>
      <Problem id={`${ids}ballot-problem`} text={problem} />
      <button type="submit" class="cast primary">{t("poll.cast")}</button>
    </form>
  );
}

const rankingText = (vote: Vote, ranking: string[]): string =>
  ranking.map((id, n) => `${n + 1}. ${optionLabel(vote, id)}`).join(", ");

// Six dots, the grip by which a row is dragged.
const Grip = () => (
  <svg class="grip" viewBox="0 0 10 16" width="10" height="16" aria-hidden="true" focusable="false">
    {[3, 8, 13].map((y) => [3, 7].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.5" />))}
  </svg>
);

// A drag under way: the option dragged (ranked or not), the pointer dragging it, where that pointer
// started and how far it has come, and the place in the ranking it would land at (null: nowhere, as for
// an unranked option not yet over the ranking).
interface Drag {
  id: string;
  pointer: number;
  from: number;
  by: number;
  place: number | null;
}

// A ranking, first preference first: the member adds options in order, then moves or removes them.
// Every control is a button, so the ranking is made by keyboard as by touch; focus stays with the option
// moved (or goes to its neighbour), and a live region says the new order. A ranked row can also be
// dragged by its grip (or moved by the arrow keys while the grip has focus), and an unranked one dragged
// into the ranking at a place: pointer events, so a mouse and a finger drag alike.
function Ranked({ vote, mine, cast: send, ids }: BallotProps) {
  const [ranking, setRanking] = useState<string[]>(mine?.choices ?? []);
  const [said, setSaid] = useState("");
  const [problem, setProblem] = useState("");
  const [drag, setDrag] = useState<Drag | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const focusNext = useRef<string | null>(null);
  // As soon as the list is drawn again, before anything else can run: moving a row moves its focused
  // button in the page, which loses focus, and a key pressed meanwhile would go nowhere.
  useLayoutEffect(() => {
    if (focusNext.current) form.current?.querySelector<HTMLElement>(focusNext.current)?.focus();
    focusNext.current = null;
  });
  const label = (id: string) => optionLabel(vote, id);
  const unranked = vote.options.filter((o) => !ranking.includes(o.id));

  const change = (next: string[], what: string, focus: string) => {
    setRanking(next);
    setProblem("");
    setSaid(`${what} ${next.length ? t("poll.ranking_now", { ranking: rankingText(vote, next) }) : t("poll.ranking_empty")}`);
    focusNext.current = focus;
  };
  const add = (id: string) => {
    const at = unranked.findIndex((o) => o.id === id);
    const rest = unranked.filter((o) => o.id !== id);
    const neighbour = rest[Math.min(at, rest.length - 1)];
    change([...ranking, id], t("poll.added", { option: label(id), place: ranking.length + 1 }), neighbour ? `[data-add="${neighbour.id}"]` : ".cast");
  };
  // Puts an option, ranked or not, at a place in the ranking.
  const put = (id: string, to: number, focus: string) => {
    const next = ranking.filter((r) => r !== id);
    next.splice(to, 0, id);
    const what = ranking.includes(id) ? "poll.moved" : "poll.added";
    change(next, t(what, { option: label(id), place: to + 1 }), focus);
  };
  const move = (id: string, by: -1 | 1) => {
    const to = ranking.indexOf(id) + by;
    // At the top (or the foot) the same button no longer moves it: focus goes to the other one.
    const button = (by < 0 && to > 0) || (by > 0 && to === ranking.length - 1) ? "up" : "down";
    put(id, to, `[data-${button}="${id}"]`);
  };
  const remove = (id: string) => {
    const at = ranking.indexOf(id);
    const next = ranking.filter((r) => r !== id);
    const neighbour = next[Math.min(at, next.length - 1)];
    change(next, t("poll.removed", { option: label(id) }), neighbour ? `[data-remove="${neighbour}"]` : `[data-add="${id}"]`);
  };
  // Where a drag would land: after every other ranked row whose middle is above the pointer. An unranked
  // option lands only once it is over the ranking, above the heading of those not ranked.
  const landing = (id: string, y: number): number | null => {
    const below = document.getElementById(`${ids}unranked-h`);
    if (!ranking.includes(id) && below && y >= below.getBoundingClientRect().top) return null;
    const rows = [...(form.current?.querySelectorAll<HTMLElement>(".ranking > li") ?? [])];
    return rows.filter((row, n) => {
      const box = row.getBoundingClientRect();
      return ranking[n] !== id && box.top + box.height / 2 < y;
    }).length;
  };
  const grip = (id: string) => ({
    onPointerDown: (event: PointerEvent) => {
      if (drag || event.button !== 0) return;
      (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
      setDrag({ id, pointer: event.pointerId, from: event.clientY, by: 0, place: null });
    },
    onPointerMove: (event: PointerEvent) => {
      if (drag?.pointer !== event.pointerId) return;
      setDrag({ ...drag, by: event.clientY - drag.from, place: landing(id, event.clientY) });
    },
    onPointerUp: (event: PointerEvent) => {
      if (drag?.pointer !== event.pointerId) return;
      setDrag(null);
      const place = landing(id, event.clientY);
      if (place !== null && place !== ranking.indexOf(id)) put(id, place, `[data-drag="${id}"]`);
    },
    // After a drop, or when the browser takes the pointer back (a cancelled touch, say).
    onLostPointerCapture: () => setDrag(null),
  });
  const nudge = (event: KeyboardEvent, id: string) => {
    const by = event.key === "ArrowUp" ? -1 : event.key === "ArrowDown" ? 1 : 0;
    if (!by) return;
    event.preventDefault();
    const to = ranking.indexOf(id) + by;
    if (to >= 0 && to < ranking.length) put(id, to, `[data-drag="${id}"]`);
  };
  // While a drag is under way: the row dragged follows the pointer, and a line marks where it would land.
  const others = ranking.filter((r) => r !== drag?.id);
  const rowClass = (id: string) => {
    if (drag?.id === id) return "dragging";
    if (drag?.place == null) return undefined;
    if (others[drag.place] === id) return "drop-before";
    return drag.place === others.length && others.at(-1) === id ? "drop-after" : undefined;
  };
  const follows = (id: string) => ({ transform: drag?.id === id ? `translateY(${drag.by}px)` : "" });
  const cast = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!ranking.length) return setProblem(t("poll.rank_one"));
    setProblem("");
    send({ choices: ranking });
  };
  return (
    <form id={`${ids}ballot`} class={`ballot poll-ballot ranked${drag ? " drag-on" : ""}`} ref={form} onSubmit={cast} aria-describedby={`${ids}ballot-problem`} noValidate>
      <fieldset>
        <legend>{vote.subject.kind === "election" ? t("poll.legend_election", { count: vote.choose }) : t("poll.legend_ranked", { count: vote.choose })}</legend>
        <p class="hint">{t("poll.ranked_hint")}</p>
        <p class="visually-hidden" id={`${ids}drag-hint`}>
          {t("poll.drag_hint")}
        </p>
        <h3 id={`${ids}ranking-h`}>{t("poll.your_ranking")}</h3>
        {ranking.length ? (
          <ol class="ranking" aria-labelledby={`${ids}ranking-h`}>
            {ranking.map((id, n) => (
              <li key={id} class={rowClass(id)} style={follows(id)}>
                <button
                  type="button"
                  class="drag-handle"
                  data-drag={id}
                  aria-label={t("poll.drag_who", { option: label(id) })}
                  aria-describedby={`${ids}drag-hint`}
                  onKeyDown={(event) => nudge(event, id)}
                  {...grip(id)}
                >
                  <Grip />
                </button>
                <span class="ranked-label">{label(id)}</span>
                <span class="ranked-controls">
                  <button type="button" class="small" data-up={id} disabled={n === 0} aria-label={t("poll.move_up_who", { option: label(id) })} onClick={() => move(id, -1)}>
                    {t("poll.move_up")}
                  </button>
                  <button type="button" class="small" data-down={id} disabled={n === ranking.length - 1} aria-label={t("poll.move_down_who", { option: label(id) })} onClick={() => move(id, 1)}>
                    {t("poll.move_down")}
                  </button>
                  <button type="button" class="small" data-remove={id} aria-label={t("poll.remove_who", { option: label(id) })} onClick={() => remove(id)}>
                    {t("poll.remove")}
                  </button>
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <p class={`hint${drag?.place === 0 ? " drop-here" : ""}`}>{t("poll.ranking_none")}</p>
        )}
        {unranked.length > 0 && (
          <>
            <h3 id={`${ids}unranked-h`}>{t("poll.not_ranked")}</h3>
            <ul class="unranked" aria-labelledby={`${ids}unranked-h`}>
              {unranked.map((option) => (
                <li key={option.id} class={rowClass(option.id)} style={follows(option.id)}>
                  {/* Only a pointer's way in at a chosen place: by keyboard, the button adds it. */}
                  <span class="drag-handle" aria-hidden="true" {...grip(option.id)}>
                    <Grip />
                  </span>
                  <span class="ranked-label">{option.label}</span>{" "}
                  <button
                    type="button"
                    class="small"
                    data-add={option.id}
                    aria-label={t("poll.add_who", { place: ranking.length + 1, option: option.label })}
                    onClick={() => add(option.id)}
                  >
                    {t("poll.add", { place: ranking.length + 1 })}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </fieldset>
      <p class="visually-hidden" aria-live="polite" id={`${ids}ranking-said`}>
        {said}
      </p>
      {ranking.length > 0 && (
        <p id={`${ids}ballot-summary`} class="poll-summary">
          {t("poll.your_ballot", { ballot: rankingText(vote, ranking) })}
        </p>
      )}
      <Problem id={`${ids}ballot-problem`} text={problem} />
      <button type="submit" class="cast primary">{t("poll.cast")}</button>
    </form>
  );
}

// The ballot of a poll that is not yes/no, by its method. A secret ballot in the box cannot change:
// once this browser has cast one, only the record of it shows (motions.tsx, home.tsx). Cast in the room
// unless `cast` says otherwise.
export function PollBallot({ vote, mine, cast, ids = "" }: { vote: Vote; mine?: Ballot; cast?: Cast; ids?: string }) {
  if (mine && vote.secrecy === "secret") return null;
  const props = { vote, mine, ids, cast: cast ?? castInRoom(vote) };
  if (vote.method === "one_of") return <OneOf {...props} />;
  if (vote.method === "up_to") return <UpTo {...props} />;
  return <Ranked {...props} />;
}

// The live counts of an open poll, option by option (first preferences in a ranked poll).
export function tallyText(vote: Vote, tally: Tally | undefined): string {
  if (!tally?.counts) return "";
  const counts = tally.counts;
  if (vote.method === "yes_no") return t("motions.counts", counts);
  const listed = vote.options.map((o) => `${o.label} ${counts[o.id] ?? 0}`).join(", ");
  return t(`poll.tally_${vote.method}`, { counts: listed });
}

// The options level at the top of a one-of-N poll so far, for the chair's casting vote: from the live
// count and the hands entered in the hall; every option in a secret ballot, whose count nobody sees
// before the close (the casting vote counts only if the options it names are tied).
export function castingOptions(vote: Vote, tally: Tally | undefined): string[] {
  if (vote.method !== "one_of") return [];
  if (vote.secrecy === "secret") return vote.options.map((o) => o.id);
  const hall = vote.hall_count?.counts ?? {};
  const total = Object.fromEntries(vote.options.map((o) => [o.id, (tally?.counts?.[o.id] ?? 0) + (hall[o.id] ?? 0)]));
  const top = Math.max(...Object.values(total));
  const level = vote.options.filter((o) => total[o.id] === top).map((o) => o.id);
  return top > 0 && level.length > 1 ? level : [];
}

const METHODS: PollMethod[] = ["one_of", "up_to", "ranked", "yes_no"];

// Why a question cannot be put as it stands, before the hub has to say so; null when it can.
function askProblem(method: PollMethod, options: string[], choose: number): string | null {
  if (method === "yes_no") return null;
  if (options.length < 2) return t("poll.ask_two_options");
  if (options.length > MOST_OPTIONS) return t("poll.ask_too_many_options", { count: MOST_OPTIONS });
  const seen = new Set<string>();
  for (const option of options) {
    if (option.length > LONGEST_OPTION) return t("poll.ask_long_option", { count: LONGEST_OPTION });
    const key = option.toLocaleLowerCase();
    if (seen.has(key)) return t("poll.ask_twice", { option });
    seen.add(key);
  }
  if (method !== "one_of" && !(Number.isInteger(choose) && choose >= 1 && choose < options.length)) {
    return t("poll.ask_choose", { count: options.length });
  }
  return null;
}

// The closing time typed (a datetime-local value: the member's own time) as the UTC instant the hub takes,
// or why it cannot be: none given where one is needed, or one not in the future. Empty: none, and none needed.
export function closingAt(typed: string, needed: boolean, now: number): { at?: string; problem?: string } {
  if (!typed) return needed ? { problem: t("poll.ask_closes_needed") } : {};
  const at = new Date(typed);
  if (Number.isNaN(at.getTime()) || at.getTime() <= now) return { problem: t("poll.ask_closes_past") };
  return { at: at.toISOString() };
}

// The chair puts a question that concerns no motion: its options (one a line), how they are marked,
// how many may be chosen (seats in a ranked poll), whether the ballot is secret or a card vote, and a
// closing time that makes it an advance poll. While the meeting's own vote is open (`beside`) only an
// advance poll can be put, so the closing time is wanted. `now`: the hub's clock.
export function AskQuestion({ beside, now }: { beside: boolean; now: () => number }) {
  const [method, setMethod] = useState<PollMethod>("one_of");
  const [problem, setProblem] = useState("");
  const fold = useRef<HTMLDetailsElement>(null);
  const several = method === "up_to" || method === "ranked";

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const options = String(data.get("options") ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    const choose = several ? Number(data.get("choose")) : 1;
    const closing = closingAt(String(data.get("closes_at") ?? ""), beside, now());
    const wrong = askProblem(method, options, choose) ?? closing.problem ?? null;
    setProblem(wrong ?? "");
    if (wrong) return;
    const reply = await act("vote.ask", {
      question: String(data.get("question")).trim(),
      method,
      ...(method === "yes_no" ? {} : { options }),
      ...(several ? { choose } : {}),
      secrecy: data.get("secret") === "on" ? "secret" : "open",
      weights: data.get("card") === "on",
      ...(closing.at ? { closes_at: closing.at } : {}),
    });
    if (reply.ok) {
      form.reset();
      setMethod("one_of");
      if (fold.current) fold.current.open = false;
    }
  };
  return (
    <details class="propose" id="ask-question" ref={fold}>
      <summary>{t(beside ? "poll.ask_advance_title" : "poll.ask_title")}</summary>
      <form id="ask-form" class="stack-form" onSubmit={submit} aria-describedby="ask-problem">
        {beside && <p class="hint">{t("poll.ask_advance_only")}</p>}
        <label>
          {t("poll.ask_question")} <input name="question" required maxLength={500} />
        </label>
        <label>
          {t("poll.ask_method")}{" "}
          <select name="method" value={method} onChange={(event) => setMethod((event.target as HTMLSelectElement).value as PollMethod)}>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {t(`poll.method_${m}`)}
              </option>
            ))}
          </select>
        </label>
        {method !== "yes_no" && (
          <label>
            {t("poll.ask_options")} <textarea name="options" rows={4} maxLength={MOST_OPTIONS * (LONGEST_OPTION + 1)}></textarea>
          </label>
        )}
        {several && (
          <label>
            {t(method === "ranked" ? "poll.ask_seats" : "poll.ask_up_to")} <input name="choose" type="number" inputMode="numeric" min={1} max={MOST_OPTIONS - 1} step={1} required defaultValue="1" />
          </label>
        )}
        <label class="check">
          <input type="checkbox" name="secret" /> {t("poll.ask_secret")}
        </label>
        <label class="check">
          <input type="checkbox" name="card" /> {t("poll.ask_card")}
        </label>
        <label>
          {t(beside ? "poll.ask_closes_at_needed" : "poll.ask_closes_at")}{" "}
          <input name="closes_at" type="datetime-local" aria-required={beside} aria-describedby="ask-closes-hint" />
        </label>
        <p id="ask-closes-hint" class="hint">
          {t("poll.ask_closes_hint")}
        </p>
        <Problem id="ask-problem" text={problem} />
        <button type="submit">{t("poll.ask_put")}</button>
      </form>
    </details>
  );
}

// A count's number of votes as the member's language writes it: whole votes without decimals, fractions
// of a transfer to the five places the count keeps.
function votes(value: string | undefined): string {
  return Number(value ?? 0).toLocaleString(locale(), { maximumFractionDigits: 5 });
}

function stageTitle(stage: Stage): string {
  const who = stage.subject.join(", ");
  return t(`poll.stage_${stage.kind}`, { number: stage.number, who });
}

// What happened to a candidate at a stage, and why: elected on reaching the quota or as the last left for
// the seats; excluded with the fewest votes, or passed over by the balance rule (hub/stv.py `Reason`).
function decided(stage: Stage, candidate: string): { text: string; elected: boolean } | null {
  const elected = stage.elected.find((d) => d.candidate === candidate);
  if (elected) return { text: t(`poll.elected_${elected.reason}`), elected: true };
  const excluded = stage.excluded.find((d) => d.candidate === candidate);
  return excluded ? { text: t(`poll.excluded_${excluded.reason}`), elected: false } : null;
}

// A post's balance rule in words: at least so many of its seats to a group (women, as the hub's posts reserve them).
function balanceText(balance: BalanceRule, seats: number): string {
  return Object.entries(balance.minimums)
    .map(([group, least]) => t(group === "woman" ? "poll.balance_women" : "poll.balance_group", { least, seats, group }))
    .join(" ");
}

const groupName = (group: string): string => t(`elections.group_${group}`, { defaultValue: group });

// What the table cannot show by itself, stage by stage: whom the balance rule kept from exclusion, and
// how a tie was broken.
function countNotes(stages: Stage[]): string[] {
  return stages.flatMap((stage) => [
    ...(stage.kept.length ? [t("poll.kept", { number: stage.number, who: stage.kept.join(", ") })] : []),
    ...stage.ties.map((tie) =>
      t(`poll.tie_${tie.decided_by}`, {
        number: stage.number,
        level: tie.candidates.join(", "),
        chosen: tie.chosen,
        purpose: t(`poll.tie_for_${tie.purpose}`),
        earlier: tie.stage ?? "",
      }),
    ),
  ]);
}

// A ranked poll's count: a row per candidate (with their balance group where a rule applies) and a
// column per stage, with each candidate's votes at the end of the stage and who was elected or excluded
// at it, and why; then what else a stage decided and the elected in order. On a phone the table scrolls
// sideways in its own box.
// `place` tells apart two copies of one count on the page (the Vote tab's and the chair's console's).
export function CountTable({ vote, place = "" }: { vote: Vote; place?: string }) {
  const count = vote.result?.count;
  if (!count) return null;
  const id = `${place}count-${vote.id}`;
  const balance = vote.balance;
  const notes = countNotes(count.stages);
  return (
    <section class="stv-count" aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`}>{t("poll.count_title")}</h4>
      <p class="count-facts">
        {t("poll.count_facts", { valid: count.valid, seats: count.seats, quota: count.quota })}
        {count.empty > 0 ? ` ${t("poll.count_empty", { count: count.empty })}` : ""}
      </p>
      {balance && <p class="count-balance">{balanceText(balance, count.seats)}</p>}
      {/* The caption stays in view above the box the table scrolls in on a phone. */}
      <p id={`${id}-caption`} class="count-caption">
        {t("poll.count_caption")}
      </p>
      <div class="count-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table id={id} class="count-table" aria-labelledby={`${id}-caption`}>
          <thead>
            <tr>
              <th scope="col">{t("poll.candidate")}</th>
              {count.stages.map((stage) => (
                <th key={stage.number} scope="col">
                  {stageTitle(stage)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {count.candidates.map((candidate) => (
              <tr key={candidate} class={count.elected.includes(candidate) ? "elected" : undefined}>
                <th scope="row">
                  {candidate}
                  {balance?.groups[candidate] && <span class="count-group"> ({groupName(balance.groups[candidate])})</span>}
                </th>
                {count.stages.map((stage) => {
                  const mark = decided(stage, candidate);
                  return (
                    <td key={stage.number}>
                      {votes(stage.votes[candidate])}
                      {mark && <strong class={`count-mark ${mark.elected ? "in" : "out"}`}> {mark.text}</strong>}
                    </td>
                  );
                })}
              </tr>
            ))}
            <tr class="non-transferable">
              <th scope="row">{t("poll.non_transferable")}</th>
              {count.stages.map((stage) => (
                <td key={stage.number}>{votes(stage.non_transferable)}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      {notes.length > 0 && (
        <ul class="count-notes">
          {notes.map((note, n) => (
            <li key={n}>{note}</li>
          ))}
        </ul>
      )}
      <h5 id={`${id}-elected`}>{t("poll.elected_in_order")}</h5>
      <ol class="count-elected" aria-labelledby={`${id}-elected`}>
        {count.elected.map((candidate) => (
          <li key={candidate}>{candidate}</li>
        ))}
      </ol>
    </section>
  );
}

// A closed ranked poll's anonymised ballots, to recount with another program (signalling/ballotfile.py).
export function BallotsLink({ meetingId, vote, token }: { meetingId: string; vote: Vote; token: string }) {
  if (!vote.result?.count) return null;
  const href = `/ballots/${encodeURIComponent(meetingId)}/${encodeURIComponent(vote.id)}.blt?token=${encodeURIComponent(token)}`;
  return (
    <p>
      <a class="blt-link" href={href} download>
        {t("poll.download_ballots")}
      </a>
    </p>
  );
}
