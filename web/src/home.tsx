// A member's home: their upcoming meetings (in their time zone and the meeting's), a calendar feed,
// and published minutes. Read once from /api/home/TOKEN; every link on it is the member's own.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { explain } from "./errors";
import { LANGUAGES, language, t } from "./i18n";
import { formatStart } from "./time";
import { LanguagePicker } from "./ui";

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

interface HomeData {
  // `reminders` and `language`: the member's choice for the hub's letters to them.
  member: { id: string; name: string; time_zone: string; reminders: boolean; language: string };
  meetings: HomeMeeting[];
  minutes: PublishedMinutes[];
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
