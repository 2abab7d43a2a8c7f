// Attendance in the room: the "I'm here" button, where each person stands (checked in, here but not
// checked in, reconnecting, in the lobby) and the officers' link to the register. The hub decides all of
// it (attendance.check_in, the grace period); this only shows it.
import { Action } from "./ui";
import { t } from "./i18n";
import type { Meeting, MeetingStore, Participant } from "./store";

const SITTING = new Set(["open", "in_session"]);

// Shown to someone here who has not checked in while the meeting sits: big, at the top of the page.
export function CheckIn({ m, store }: { m: Meeting; store: MeetingStore }) {
  const you = store.you;
  const me = you ? m.participants[you.member_id] : undefined;
  if (!me || !store.may("attendance.check_in") || !SITTING.has(m.status)) return null;
  if (me.attended) {
    return (
      <p id="checked-in" class="checked-in">
        {t("attendance.you_checked_in")}
      </p>
    );
  }
  if (!me.present) return null;
  return (
    <div class="check-in" id="check-in">
      <p>{t("attendance.check_in_hint")}</p>
      <Action action="attendance.check_in" args={{}} class="primary big" id="check-in-button">
        {t("attendance.check_in")}
      </Action>
    </div>
  );
}

// One person's attendance in the People list (a big room's roster also lists those who have gone).
export function AttendanceBadge({ p }: { p: Participant }) {
  if (p.waiting) return <span class="away-badge">{t("room.in_lobby")}</span>;
  if (!p.present) return <span class="away-badge">{t("room.not_here")}</span>;
  if (p.away_since) return <span class="reconnecting-badge">{t("attendance.reconnecting")}</span>;
  if (p.attended) return <span class="checked-in-badge">{t("attendance.checked_in")}</span>;
  return <span class="not-checked-in-badge">{t("attendance.not_checked_in")}</span>;
}

// The register as CSV, for the officers: who checked in, left and came back, and apologies.
export function RegisterLink({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  if (!store.you || !["admin", "chair", "secretary"].includes(store.you.role)) return null;
  const href = `/register/${encodeURIComponent(m.id)}.csv?token=${encodeURIComponent(token)}`;
  return (
    <p>
      <a id="register-link" href={href} download>
        {t("attendance.export")}
      </a>
    </p>
  );
}
