// An adjourned meeting (an adjournment carried with a time): until when, in the meeting's zone and the
// member's own, and a countdown, where the business controls were (the store refuses them, as the hub
// does). The chair may resume it sooner; at the time the hub resumes it by itself.
import { Action, clock, useTick } from "./ui";
import { locale, t } from "./i18n";
import type { Meeting, MeetingStore } from "./store";

const HOUR: Intl.DateTimeFormatOptions = { weekday: "short", hour: "2-digit", minute: "2-digit" };

// When an adjourned meeting resumes, in the meeting's zone and in the member's.
export function resumesAt(utc: string, homeZone: string): { home: string; local: string } {
  const date = new Date(utc);
  return {
    home: new Intl.DateTimeFormat(locale(), { ...HOUR, timeZone: homeZone }).format(date),
    local: new Intl.DateTimeFormat(locale(), HOUR).format(date),
  };
}

// Minutes and seconds, with hours before them when there are any (an adjournment may be for days).
function countdown(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  return hours > 0 ? `${hours}:${clock(seconds % 3600).padStart(5, "0")}` : clock(seconds);
}

export function Adjourned({ m, store }: { m: Meeting; store: MeetingStore }) {
  useTick(m.adjourned_until ? 1000 : 60_000);
  if (!m.adjourned_until) return null;
  const at = resumesAt(m.adjourned_until, m.time_zone);
  const left = (Date.parse(m.adjourned_until) - store.serverNow()) / 1000;
  return (
    <section id="adjourned" class="adjourned" aria-labelledby="adjourned-h">
      <h2 id="adjourned-h">
        {t("adjourned.until", { home: at.home, zone: m.time_zone })} <span class="your-time">({t("adjourned.your_time", { local: at.local })})</span>
      </h2>
      <p role="timer" id="adjourned-countdown" class="countdown">
        {left > 0 ? t("adjourned.resumes_in", { left: countdown(left) }) : t("adjourned.resuming")}
      </p>
      {store.may("meeting.resume") && (
        <Action action="meeting.resume" id="resume-now">
          {t("adjourned.resume_now")}
        </Action>
      )}
    </section>
  );
}
