// A member's home: the advance polls open to them, their upcoming meetings (in their time zone and the
// meeting's), a calendar feed, and published minutes. Read once from /api/home/TOKEN; every link on it
// is the member's own.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { explain } from "./errors";
import { LANGUAGES, language, t } from "./i18n";
import { ballotText, optionLabel } from "./phrases";
import { type Cast, PollBallot } from "./polls";
import type { Ballot, Vote } from "./store";
import { formatStart } from "./time";
import { CopyButton, LanguagePicker } from "./ui";

interface HomeMeeting {
  id: string;
  title: string;
  branch: string;
  starts_at: string;
  time_zone: string;
  status: string;
  // One of a series of meetings: its place in it.
  series: { id: string; number: number; of: number } | null;
  role: string;
  join_url: string;
  // While the meeting's livestream is on.
  watch_url: string | null;
}

interface PublishedMinutes {
  meeting_id: string;
  title: string;
  branch: string;
  starts_at: string;
  time_zone: string;
  approval_note: string;
  html_url: string;
  pdf_url: string;
}

// An advance poll open to the member (signalling/home.py), with their ballot if they have cast one: what
// they chose in an open poll, their receipt in a secret one.
interface HomePoll {
  meeting_id: string;
  meeting_title: string;
  vote: Omit<Vote, "hall_count" | "result">;
  voted: boolean;
  choices: string[] | null;
  receipt: string | null;
}

interface HomeData {
  // `reminders` and `language`: the member's choice for the hub's letters to them.
  member: { id: string; name: string; time_zone: string; reminders: boolean; language: string };
  meetings: HomeMeeting[];
  minutes: PublishedMinutes[];
  polls: HomePoll[];
  calendar_url: string;
  // A signed-in branch officer or admin: the home links to the officers' console.
  officer?: boolean;
}

type Loaded = { state: "loading" } | { state: "ready"; home: HomeData } | { state: "failed"; message: string };

function MeetingCard({ meeting }: { meeting: HomeMeeting }) {
  const when = formatStart(meeting.starts_at, meeting.time_zone);
  return (
    <li class="meeting-card" data-meeting={meeting.id}>
      <h3>{meeting.title}</h3>
      <p class="by">
        {meeting.branch}
        {meeting.series ? <span class="series-place"> · {t("home.series", { number: meeting.series.number, of: meeting.series.of })}</span> : null}
      </p>
      <p>
        <span class="status">{t(`status.${meeting.status}`)}</span>
      </p>
      <dl class="when">
        <dt>{t("when.yours")}</dt>
        <dd>
          <time dateTime={meeting.starts_at}>{when.local}</time>
        </dd>
        <dt>{t("when.meeting", { zone: meeting.time_zone })}</dt>
        <dd class="home">{when.home}</dd>
      </dl>
      <p class="by">{t("home.role", { role: t(`role.${meeting.role}`) })}</p>
      <a class="button primary" href={meeting.join_url}>
        {t("home.join", { title: meeting.title })}
      </a>
      {meeting.watch_url && (
        <>
          {" "}
          <a class="button" href={meeting.watch_url}>
            {t("home.watch", { title: meeting.title })}
          </a>
        </>
      )}
    </li>
  );
}

// The member's ballot as the page loaded it: the first mark is the choice of a poll that takes one.
function loadedBallot(poll: HomePoll): Ballot | undefined {
  if (!poll.voted) return undefined;
  const single = poll.vote.method === "one_of" || poll.vote.method === "yes_no";
  return { choice: single ? (poll.choices?.[0] ?? null) : null, choices: poll.choices, receipt: poll.receipt };
}

// Whether names are kept beside ballots, as the member should know before casting from home.
function secrecyText(vote: Vote): string {
  if (vote.secrecy === "secret") return t("method.secret");
  return t(vote.weights ? "method.card" : "method.open");
}

// A yes/no poll's ballot: for, against and abstain, cast when pressed (as in the room).
function YesNo({ vote, chosen, cast }: { vote: Vote; chosen: string | null; cast: Cast }) {
  return (
    <div class="ballot" role="group" aria-label={t("motions.your_vote")}>
      {vote.options.map(({ id }) => (
        <button type="button" key={id} class={`choice ${chosen === id ? "chosen" : ""}`} aria-pressed={chosen === id} onClick={() => cast({ choice: id })}>
          {optionLabel(vote, id)}
        </button>
      ))}
    </div>
  );
}

// The record of the member's ballot: what they chose in an open poll; in a secret one, only that it is
// in the box and their receipt (the hub keeps no choice beside a name).
function Recorded({ vote, mine, already }: { vote: Vote; mine: Ballot; already: boolean }) {
  if (vote.secrecy !== "secret") {
    return (
      <>
        {t("motions.recorded")} <strong>{ballotText(vote, mine)}</strong>
      </>
    );
  }
  return (
    <>
      {already ? t("motions.recorded_before") : t("home.poll_recorded")}{" "}
      {mine.receipt && (
        <>
          {t("motions.your_receipt")} <code>{mine.receipt}</code>
          <CopyButton text={mine.receipt} label={t("motions.copy_receipt")} />
        </>
      )}
    </>
  );
}

// One advance poll: its question, meeting and closing time, the ballot (cast over HTTP, into the same box
// as the room's), and the member's ballot once cast. A secret ballot cast cannot change: no form then.
// `zone`: the member's time zone, which the closing time is shown in.
function PollCard({ poll, token, zone }: { poll: HomePoll; token: string | null; zone: string }) {
  const vote: Vote = { ...poll.vote, hall_count: null, result: null };
  const [mine, setMine] = useState(loadedBallot(poll));
  const [already, setAlready] = useState(false);
  const [problem, setProblem] = useState("");
  const ids = `poll-${poll.meeting_id}-${vote.id}-`;
  const cast: Cast = async (ballot) => {
    const path = token === null ? "/api/home/ballots" : `/api/home/${encodeURIComponent(token)}/ballots`;
    setProblem("");
    try {
      const body = JSON.stringify({ meeting_id: poll.meeting_id, vote_id: vote.id, ...ballot });
      const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      const reply = await response.json();
      if (!reply.ok) return setProblem(explain(reply.error));
      setMine({ choice: reply.data.choice, choices: reply.data.choices, receipt: reply.data.receipt });
      setAlready(reply.data.already);
    } catch {
      setProblem(t("home.unreachable"));
    }
  };
  const shut = !!mine && vote.secrecy === "secret";
  return (
    <li class="home-poll" data-vote={vote.id}>
      <h3>{vote.question}</h3>
      <p class="by">{t("home.poll_meeting", { title: poll.meeting_title })}</p>
      <p class="by">
        {t("home.poll_closes", { when: formatStart(vote.closes_at!, zone).home })} · {secrecyText(vote)}
      </p>
      {vote.method === "yes_no" ? (
        !shut && <YesNo vote={vote} chosen={mine?.choice ?? null} cast={cast} />
      ) : (
        <PollBallot vote={vote} mine={mine} cast={cast} ids={ids} />
      )}
      <p role="alert" class={problem ? "error" : ""}>
        {problem}
      </p>
      <p class="recorded" role="status">
        {mine && <Recorded vote={vote} mine={mine} already={already} />}
      </p>
    </li>
  );
}

// A home link's token, or null for the signed-in member's home (the session cookie says who).
function Home({ token }: { token: string | null }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  // Bumped when the language changes, so every string is read again.
  const [, setLanguageShown] = useState(language());

  useEffect(() => {
    fetch(token === null ? "/api/home" : `/api/home/${encodeURIComponent(token)}`)
      .then(async (response) => {
        const reply = await response.json();
        if (token === null && response.status === 401) {
          location.assign("/signin");
          return;
        }
        setLoaded(reply.ok ? { state: "ready", home: reply.data } : { state: "failed", message: explain(reply.error) });
      })
      .catch(() => setLoaded({ state: "failed", message: t("home.unreachable") }));
  }, [token]);

  const picker = <LanguagePicker onChange={() => setLanguageShown(language())} />;
  if (loaded.state === "loading") return <p role="status">{t("loading")}</p>;
  if (loaded.state === "failed") {
    return (
      <div class="error" role="alert">
        <h1>{t("home.refused")}</h1>
        <p>{loaded.message}</p>
        {picker}
      </div>
    );
  }
  const { home } = loaded;
  return (
    <>
      <header class="home-header">
        <div>
          <h1>{t("home.title")}</h1>
          <p>{t("home.greeting", { name: home.member.name })}</p>
        </div>
        <div class="header-actions">
          {picker}
          {home.officer ? (
            <a class="button" href="/officers" id="officers-link">
              {t("home.officers")}
            </a>
          ) : null}
          {token === null ? <SignOut /> : null}
        </div>
      </header>
      {home.polls.length > 0 && (
        <section aria-labelledby="polls-h" id="polls">
          <h2 id="polls-h">{t("home.polls")}</h2>
          <p>{t("home.polls_help")}</p>
          <ul class="home-polls">
            {home.polls.map((poll) => (
              <PollCard poll={poll} token={token} zone={home.member.time_zone} key={`${poll.meeting_id}/${poll.vote.id}`} />
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="upcoming-h">
        <h2 id="upcoming-h">{t("home.upcoming")}</h2>
        {home.meetings.length ? (
          <ul class="meeting-cards" id="upcoming">
            {home.meetings.map((m) => (
              <MeetingCard meeting={m} key={m.id} />
            ))}
          </ul>
        ) : (
          <p>{t("home.none_upcoming")}</p>
        )}
      </section>
      <section aria-labelledby="calendar-h">
        <h2 id="calendar-h">{t("home.calendar")}</h2>
        <p>{t("home.calendar_help")}</p>
        <a class="button" href={home.calendar_url} id="calendar-link">
          {t("home.calendar_link")}
        </a>
      </section>
      <section aria-labelledby="minutes-list-h">
        <h2 id="minutes-list-h">{t("home.minutes")}</h2>
        {home.minutes.length ? (
          <ul class="published" id="published">
            {home.minutes.map((m) => (
              <li key={m.meeting_id} data-meeting={m.meeting_id}>
                <a href={m.html_url} aria-label={t("home.read_minutes", { title: m.title })}>
                  {m.title}
                </a>{" "}
                (<a href={m.pdf_url} aria-label={t("home.pdf", { title: m.title })}>PDF</a>)
                <span class="by">
                  {" "}
                  {m.branch} · {formatStart(m.starts_at, m.time_zone).local}
                </span>
                {m.approval_note ? <p class="by">{m.approval_note}</p> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("home.none_minutes")}</p>
        )}
      </section>
      <Letters token={token} member={home.member} />
    </>
  );
}

// The member's letters: reminders on or off (as the link in a reminder turns them off), and the
// language they are written in. Saved at once.
function Letters({ token, member }: { token: string | null; member: HomeData["member"] }) {
  const [chosen, setChosen] = useState({ reminders: member.reminders, language: member.language });
  const [said, setSaid] = useState<{ text: string; ok: boolean }>({ text: "", ok: true });
  const save = async (change: Partial<typeof chosen>) => {
    const path = token === null ? "/api/home/letters" : `/api/home/${encodeURIComponent(token)}/letters`;
    try {
      const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(change) });
      const reply = await response.json();
      if (reply.ok) setChosen(reply.data);
      setSaid(reply.ok ? { text: t("home.saved"), ok: true } : { text: explain(reply.error), ok: false });
    } catch {
      setSaid({ text: t("home.unreachable"), ok: false });
    }
  };
  return (
    <section aria-labelledby="letters-h" id="letters">
      <h2 id="letters-h">{t("home.letters")}</h2>
      <p>{t("home.letters_help")}</p>
      <p>
        <label>
          <input type="checkbox" id="reminders" checked={chosen.reminders} onChange={(e) => save({ reminders: (e.target as HTMLInputElement).checked })} /> {t("home.reminders")}
        </label>
      </p>
      <p>
        <label for="letters-language">{t("home.letters_language")}</label>{" "}
        <select id="letters-language" value={chosen.language} onChange={(e) => save({ language: (e.target as HTMLSelectElement).value })}>
          {Object.entries(LANGUAGES).map(([code, name]) => (
            <option value={code} key={code} lang={code}>
              {name}
            </option>
          ))}
        </select>
      </p>
      <p role={said.ok ? "status" : "alert"} class={said.ok ? "" : "error"}>
        {said.text}
      </p>
    </section>
  );
}

function SignOut() {
  const signOut = async () => {
    await fetch("/api/signout", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    location.assign("/signin");
  };
  return (
    <button type="button" id="signout" onClick={signOut}>
      {t("signin.signout")}
    </button>
  );
}

export function showHome(root: HTMLElement, token: string | null): void {
  render(<Home token={token} />, root);
}
