// The text catalogues, one chunk per language and part: what the join screen and the stage need (with
// what every page shares) in locales/LANG.json; the room's panels, motions, votes and polls in
// locales/panels/LANG.json (fetched with the panels, and by the home page for its polls); the other
// pages' (home, sign-in, the officers' console) in locales/home/LANG.json. So a join link, often opened
// on a slow link, fetches first only its member's language and only the join screen's text; main.ts
// starts fetching it beside the views, not after them.
type Catalogue = Record<string, unknown>;
export type Part = "room" | "panels" | "home";

const LOADERS: Record<Part, Record<string, () => Promise<{ default: Catalogue }>>> = {
  room: {
    en: () => import("./locales/en.json"),
    es: () => import("./locales/es.json"),
  },
  panels: {
    en: () => import("./locales/panels/en.json"),
    es: () => import("./locales/panels/es.json"),
  },
  home: {
    en: () => import("./locales/home/en.json"),
    es: () => import("./locales/home/es.json"),
  },
};

export const LANGUAGES: Record<string, string> = { en: "English", es: "Español" };
const KEY = "hub.language";

// The member's choice (kept in this browser), else the browser's, else English.
export function preferred(): string {
  const saved = localStorage.getItem(KEY);
  if (saved && saved in LANGUAGES) return saved;
  const browser = navigator.languages.map((l) => l.slice(0, 2)).find((l) => l in LANGUAGES);
  return browser ?? "en";
}

export function remember(language: string): void {
  localStorage.setItem(KEY, language);
}

const fetched = new Map<string, Promise<Catalogue>>();

export function catalogue(language: string, part: Part = "room"): Promise<Catalogue> {
  const key = `${part}:${language}`;
  let found = fetched.get(key);
  if (!found) {
    found = LOADERS[part][language]().then((module) => module.default);
    fetched.set(key, found);
    // One that failed to arrive is fetched again when next asked for.
    found.catch(() => fetched.delete(key));
  }
  return found;
}
