import { locale } from "./i18n";

// Times arrive in UTC; members see them in their own zone, with the meeting's home zone beside it.
const FORMAT: Intl.DateTimeFormatOptions = {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
};

// In the language the member reads the page in.
export function formatStart(utc: string, homeZone: string): { local: string; home: string } {
  const date = new Date(utc);
  return {
    local: new Intl.DateTimeFormat(locale(), FORMAT).format(date),
    home: new Intl.DateTimeFormat(locale(), { ...FORMAT, timeZone: homeZone }).format(date),
  };
}
