// Times in the officers' console: a wall-clock time in a branch's zone as an instant, and weekdays.
import { language } from "./i18n";

// A wall-clock time ("2031-06-07T14:00") in `zone` as a UTC instant, for showing it in another zone.
export function utcOf(local: string, zone: string): string | null {
  const [date, clock] = local.split("T");
  if (!date || !clock) return null;
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = clock.split(":").map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (at: number): number => {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" }).formatToParts(new Date(at));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - at;
  };
  const first = wall - offset(wall);
  return new Date(wall - offset(first)).toISOString();
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
export function weekday(n: number): string {
  // 2024-01-01 was a Monday: the slot's weekday 0.
  return new Intl.DateTimeFormat(language(), { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, WEEKDAYS[n])));
}

// The weekday (0 is Monday, as the hub counts them) of a wall-clock time "2031-06-07T14:00".
export function weekdayOf(local: string): number {
  const [y, m, d] = local.split("T")[0].split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}
