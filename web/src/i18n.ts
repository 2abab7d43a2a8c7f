// Text for people: every string the views show comes from a catalogue, so that a translation is a
// new file in locales/ (and a line in catalogues.ts). The language is the member's choice (kept in this
// browser), else the browser's. Every catalogue has every text (tests/unit/test_locales.py), so none
// falls back to another.
import i18next from "i18next";
import { LANGUAGES, catalogue, preferred, remember } from "./catalogues";

export { LANGUAGES };

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

export async function setLanguage(language: string): Promise<void> {
  remember(language);
  if (!i18next.hasResourceBundle(language, "translation")) {
    i18next.addResourceBundle(language, "translation", await catalogue(language));
  }
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
