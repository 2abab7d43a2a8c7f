// Placement: HallAttendance in the People tab (officers only: it renders nothing for others); HallCount in the Vote tab under each poll the hall votes in by hands.
//
// A hybrid meeting's hall. The secretary (or the chair) checks in members who are in the room without a
// device and checks them out (hall.check_in, hall.check_out), finding them on the meeting's roll
// (hall.roll); a teller (the secretary) or the chair enters the hands counted in the hall for an open
// vote (vote.hall_count). The hub decides everything (hub/hall.py): who may, whether the meeting sits,
// how many hands the hall can have; this only shows it and says why before the hub has to.
import "./hall.css";
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import { optionLabel } from "./phrases";
import type { Meeting, MeetingStore, Vote } from "./store";

const SITTING = new Set(["open", "in_session"]);
// A search is sent once typing pauses this long.
const SEARCH_PAUSE_MS = 250;

// One member on the roll, as hall.roll answers.
interface OnRoll {
  member_id: string;
  name: string;
  role: string;
  here: "hall" | "online" | null;
  checked_in: boolean;
  removed: boolean;
}

interface RollPage {
  members: OnRoll[];
  total: number;
  next: string | null;
}

// The secretary's list: who is in the hall now (each with "Check out"), and a search of the roll to find
// a member who is not here and check them in.
export function HallAttendance({ m, store }: { m: Meeting; store: MeetingStore }) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<RollPage | null>(null);
  const asked = useRef(0);
  const may = store.may("hall.check_in");
  const sitting = SITTING.has(m.status);
  const inHall = Object.values(m.participants)
    .filter((p) => p.hall)
    .sort((a, b) => a.name.localeCompare(b.name));

  const search = async (text: string) => {
    const mine = ++asked.current;
    const reply = await act("hall.roll", { query: text.trim(), limit: 20 });
    // Only the answer to the latest search is shown.
    if (mine === asked.current) setFound(reply.ok ? (reply.data as RollPage) : null);
  };
  useEffect(() => {
    if (!may || !query.trim()) {
      setFound(null);
      return;
    }
    const timer = setTimeout(() => void search(query), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [query, may]);
  // Who is where changes as members are checked in, join or leave: the results follow.
  useEffect(() => {
    if (may && query.trim() && found) void search(query);
  }, [m.presence.hall, m.presence.present]);

  if (!may) return null;
  return (
    <section class="hall" aria-labelledby="hall-h">
      <h3 id="hall-h">{t("hall.title")}</h3>
      <p class="hall-count" id="hall-count">
        {t("hall.count", { count: m.presence.hall })}
      </p>
      {!sitting && <p class="hall-hint">{t("hall.not_sitting")}</p>}
      {inHall.length > 0 && (
        <ul class="hall-list" aria-labelledby="hall-h">
          {inHall.map((p) => (
            <li key={p.member_id}>
              <span class="hall-name">{p.name}</span>{" "}
              {p.present && <span class="hall-also">{t("hall.also_online")}</span>}{" "}
              <button
                type="button"
                class="small"
                aria-label={t("hall.check_out_who", { name: p.name })}
                onClick={() => act("hall.check_out", { member_id: p.member_id })}
              >
                {t("hall.check_out")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="hall-search" role="search" onSubmit={(event) => (event.preventDefault(), void search(query))}>
        <label>
          {t("hall.find")}{" "}
          <input
            type="search"
            id="hall-query"
            value={query}
            maxLength={120}
            autoComplete="off"
            aria-describedby="hall-found"
            onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
          />
        </label>
      </form>
      <p id="hall-found" class="hall-found" aria-live="polite">
        {found ? t("hall.found", { count: found.total }) : ""}
      </p>
      {found && found.members.length > 0 && (
        <ul class="hall-results">
          {found.members.map((member) => (
            <li key={member.member_id}>
              <span class="hall-name">{member.name}</span> <span class="hall-where">{where(member)}</span>{" "}
              {member.here === null && !member.removed && sitting && (
                <button
                  type="button"
                  class="small"
                  aria-label={t("hall.check_in_who", { name: member.name })}
                  onClick={async () => {
                    if ((await act("hall.check_in", { member_id: member.member_id })).ok) void search(query);
                  }}
                >
                  {t("hall.check_in")}
                </button>
              )}
              {member.here === "hall" && (
                <button
                  type="button"
                  class="small"
                  aria-label={t("hall.check_out_who", { name: member.name })}
                  onClick={async () => {
                    if ((await act("hall.check_out", { member_id: member.member_id })).ok) void search(query);
                  }}
                >
                  {t("hall.check_out")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {found && found.total > found.members.length && <p class="hall-more">{t("hall.more", { count: found.total - found.members.length })}</p>}
    </section>
  );
}

function where(member: OnRoll): string {
  if (member.removed) return t("hall.removed");
  if (member.here === "hall") return t("hall.in_hall");
  if (member.here === "online") return t("hall.online");
  return member.checked_in ? t("hall.gone") : t("hall.not_here");
}

// Whether members in the hall vote by show of hands, counted by the tellers: in an open poll with one
// mark a ballot (yes/no, one of N). In any other they vote online like everyone else (hub/models.py), as
// in an advance poll, whose box admits every member invited with a vote and which no hall's hands reach.
export const handsInHall = (vote: Vote): boolean =>
  vote.secrecy === "open" && (vote.method === "yes_no" || vote.method === "one_of") && !vote.closes_at;

function counted(vote: Vote, counts: Record<string, number>): string {
  return vote.options.map((o) => t("hall.choice_count", { choice: optionLabel(vote, o.id), count: counts[o.id] ?? 0 })).join(", ");
}

// The tellers' form for an open poll the hall votes in by hands: the hands counted in the hall for each
// option, which the hub adds to the online ballots when the vote closes; and, for everyone, the count that
// stands (who entered it) and, once closed, the result's online and hall parts beside the total.
export function HallCount({ vote, m, store }: { vote: Vote; m: Meeting; store: MeetingStore }) {
  const [hands, setHands] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState("");
  const entered = vote.hall_count;
  const result = vote.result;
  const counting = vote.status === "open" && handsInHall(vote) && store.may("vote.hall_count");
  const id = `hall-count-${vote.id}`;
  const ids = vote.options.map((o) => o.id);

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const numbers = ids.map((o) => ((hands[o] ?? "").trim() === "" ? 0 : Number(hands[o])));
    if (numbers.some((n) => !Number.isInteger(n) || n < 0)) return setProblem(t("hall.whole_numbers"));
    const total = numbers.reduce((a, b) => a + b, 0);
    if (total > vote.hall) return setProblem(t("hall.too_many", { count: total, most: vote.hall }));
    setProblem("");
    const counts = Object.fromEntries(ids.map((o, n) => [o, numbers[n]]));
    if ((await act("vote.hall_count", { vote_id: vote.id, counts })).ok) setHands({});
  };

  // A meeting with nobody in the hall (most are wholly online) has nothing to count there.
  if ((!counting || vote.hall === 0) && !entered && !result?.hall) return null;
  return (
    <section class="hall-vote" aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`}>{t("hall.vote_title")}</h4>
      {result?.hall && result.online ? (
        <dl class="hall-result" id={`${id}-result`}>
          <dt>{t("hall.online_ballots")}</dt>
          <dd>{counted(vote, result.online)}</dd>
          <dt>{t("hall.hall_hands")}</dt>
          <dd>{counted(vote, result.hall)}</dd>
          <dt>{t("hall.total")}</dt>
          <dd>{counted(vote, result.counts)}</dd>
        </dl>
      ) : (
        entered && (
          <p class="hall-entered" id={`${id}-entered`}>
            {t("hall.entered", { name: entered.by, counts: counted(vote, entered.counts) })}
          </p>
        )
      )}
      {counting && vote.hall > 0 && (
        <form class="hall-form" id={id} onSubmit={submit} aria-describedby={`${id}-most ${id}-problem`} noValidate>
          <p id={`${id}-most`} class="hall-hint">
            {t("hall.most", { count: vote.hall })}
            {/* Those checked in after the vote opened do not vote in it, in the hall as online. */}
            {m.presence.hall !== vote.hall && ` ${t("hall.now", { count: m.presence.hall })}`}
          </p>
          <div class="hall-fields">
            {ids.map((option) => (
              <label key={option}>
                {optionLabel(vote, option)}{" "}
                <input
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={vote.hall}
                  step={1}
                  name={option}
                  value={hands[option] ?? ""}
                  onInput={(event) => setHands({ ...hands, [option]: (event.target as HTMLInputElement).value })}
                />
              </label>
            ))}
          </div>
          <p id={`${id}-problem`} class="hall-problem" role="alert">
            {problem}
          </p>
          <button type="submit">{entered ? t("hall.replace") : t("hall.enter")}</button>
        </form>
      )}
    </section>
  );
}
