// Text for people: every string the views show comes from a catalogue, so that a translation is a
// new file in locales/. The language is the member's choice (kept in this browser), else the browser's.
import i18next from "i18next";
import en from "./locales/en.json";
import es from "./locales/es.json";

export const LANGUAGES: Record<string, string> = { en: "English", es: "Español" };
const KEY = "hub.language";

function preferred(): string {
  const saved = localStorage.getItem(KEY);
  if (saved && saved in LANGUAGES) return saved;
  const browser = navigator.languages.map((l) => l.slice(0, 2)).find((l) => l in LANGUAGES);
  return browser ?? "en";
}

export async function startI18n(): Promise<void> {
  await i18next.init({
    lng: preferred(),
    fallbackLng: "en",
    resources: { en: { translation: en }, es: { translation: es } },
    // Views escape or render as text themselves.
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = i18next.language;
}

export async function setLanguage(language: string): Promise<void> {
  localStorage.setItem(KEY, language);
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
