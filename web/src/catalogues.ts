// The text catalogues, one chunk per language: a page fetches only its member's language, and starts
// fetching it in the first module (main.ts), beside the views, rather than after them.
type Catalogue = Record<string, unknown>;

const LOADERS: Record<string, () => Promise<{ default: Catalogue }>> = {
  en: () => import("./locales/en.json"),
  es: () => import("./locales/es.json"),
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

export function catalogue(language: string): Promise<Catalogue> {
  let found = fetched.get(language);
  if (!found) {
    found = LOADERS[language]().then((module) => module.default);
    fetched.set(language, found);
  }
  return found;
}
