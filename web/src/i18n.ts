// Text for people: every string the views show comes from a catalogue, so that a translation is a
// new file in locales/ (and a line in catalogues.ts). The language is the member's choice (kept in this
// browser), else the browser's. Every catalogue has every text (tests/unit/test_locales.py), so none
// falls back to another.
import i18next from "i18next";
import { LANGUAGES, type Part, catalogue, preferred, remember } from "./catalogues";

export { LANGUAGES };

// The parts of the text this page has (the room's always), fetched again for a new language.
const parts = new Set<Part>(["room"]);

async function add(language: string, part: Part): Promise<void> {
  i18next.addResourceBundle(language, "translation", await catalogue(language, part), true, false);
}

export async function startI18n(): Promise<void> {
  const lng = preferred();
  await i18next.init({
    lng,
    fallbackLng: false,
    resources: { [lng]: { translation: await catalogue(lng) } },
    // Views escape or render as text themselves.
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = i18next.language;
}

// The text of the pages outside a meeting (home, sign-in, the officers' console), before showing one.
export async function withText(part: Part): Promise<void> {
  parts.add(part);
  await add(i18next.language, part);
}

export async function setLanguage(language: string): Promise<void> {
  remember(language);
  for (const part of parts) await add(language, part);
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

export const t = i18next.t.bind(i18next);
export const language = (): string => i18next.language;

// For dates and numbers: the browser's own variant of the chosen language (en-GB, es-MX), if it has one.
export function locale(): string {
  const chosen = language();
  return navigator.languages.find((l) => l.slice(0, 2) === chosen) ?? chosen;
}
