// Who is here in a big room ("a crowd", hub/crowds.py): the meeting holds only its officers, those in
// the lobby and those removed, so everyone else is read from the hub with roster.page, a page at a
// time by name, and searched there.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import { useRovingList } from "./roving";
import type { Meeting, Participant } from "./store";

const PAGE = 20;
// The most one roster.page answers (hub/crowds.py PAGE_MOST).
const PAGE_MOST = 100;
const TYPING_MS = 300;

interface Page {
  version: number;
  participants: Participant[];
  total: number;
  next: string | null;
}

interface Loaded {
  rows: Participant[];
  total: number;
  next: string | null;
  // The present count when these rows were read: a big change reads them again.
  present: number;
}

async function read(query: string, after: string | null, limit: number): Promise<Page | null> {
  const reply = await act("roster.page", { query, after, limit });
  return reply.ok ? (reply.data as Page) : null;
}

// Enough arrivals or departures that the rows read before are worth reading again.
const changed = (before: number, now: number): boolean => Math.abs(now - before) >= Math.max(5, before / 10);

// `name` prefixes the ids and `find` labels the search, for a second roster on the page (card weights);
// `label` names the list; `roving`: the list is one tab stop with arrow keys (rows of buttons, not of fields to type in).
export function Roster({
  m,
  row,
  name = "roster",
  find = t("room.find_participant"),
  roving = false,
  label = t("room.roster"),
}: {
  m: Meeting;
  row: (p: Participant) => ComponentChildren;
  name?: string;
  find?: string;
  roving?: boolean;
  label?: string;
}) {
  const list = useRovingList<HTMLUListElement>();
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  // Only the newest read lands: a reply to an older search or refresh is dropped.
  const serial = useRef(0);
  const present = m.presence.present;

  // Reads the first `count` rows (at least a page) again: on opening, on a new search, on a refresh.
  const load = async (search: string, count: number) => {
    const mine = ++serial.current;
    const rows: Participant[] = [];
    let after: string | null = null;
    let page: Page | null;
    do {
      page = await read(search, after, Math.min(PAGE_MOST, Math.max(PAGE, count - rows.length)));
      if (page === null || mine !== serial.current) return;
      rows.push(...page.participants);
      after = page.next;
    } while (after !== null && rows.length < count);
    setLoaded({ rows, total: page.total, next: after, present });
  };

  const more = async () => {
    if (!loaded?.next) return;
    const mine = ++serial.current;
    const page = await read(query, loaded.next, PAGE);
    if (page === null || mine !== serial.current) return;
    setLoaded({ ...loaded, rows: [...loaded.rows, ...page.participants], total: page.total, next: page.next });
  };

  useEffect(() => {
    const timer = setTimeout(() => setQuery(typed.trim()), TYPING_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  useEffect(() => void load(query, PAGE), [query]);
  useEffect(() => {
    if (loaded && changed(loaded.present, present)) void load(query, loaded.rows.length);
  }, [present]);

  return (
    <div id={name} class="roster">
      <p class="hint">{t("room.roster_hint")}</p>
      <div class="roster-tools">
        <label>
          {find}{" "}
          <input id={`${name}-search`} type="search" maxLength={120} value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" id={`${name}-refresh`} onClick={() => void load(query, loaded?.rows.length ?? PAGE)}>
          {t("room.refresh")}
        </button>
      </div>
      <p id={`${name}-total`} role="status">
        {!loaded ? t("loading") : loaded.total === 0 && query ? t("room.roster_none", { query }) : t("room.roster_shown", { shown: loaded.rows.length, total: loaded.total })}
      </p>
      <ul
        class="participants"
        id={name === "roster" ? "participants" : `${name}-list`}
        ref={roving ? list : undefined}
        aria-label={label}
        aria-describedby={roving ? "people-keys" : undefined}
      >
        {/* Officers, the lobby and the removed are kept live in the meeting: show them as they are now. */}
        {loaded?.rows.map((p) => row(m.participants[p.member_id] ?? p))}
      </ul>
      {loaded?.next && (
        <button type="button" id={`${name}-more`} onClick={() => void more()}>
          {t("room.show_more")}
        </button>
      )}
    </div>
  );
}
