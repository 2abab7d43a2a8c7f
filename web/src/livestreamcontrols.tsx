// The console's Livestream group: officers start and stop the meeting's livestream, choose its quality,
// who may watch and whether it is recorded (each change sent at once as livestream.set, on or off), and
// see whether it is on and since when, in the meeting's time zone. The viewer page opens with the
// officer's own join link; a public livestream also has a link without one, to share.
import type { JSX } from "preact";
import { act } from "./actions";
import { locale, t } from "./i18n";
import type { Meeting, MeetingStore } from "./store";
import { Action, Confirmed, CopyButton } from "./ui";

type Live = Meeting["livestream"];

const QUALITIES: Live["quality"][] = ["720p", "360p"];
const AUDIENCES: Live["audience"][] = ["branch", "members", "public"];

// A time of day in the meeting's zone, as the room shows the time an adjourned meeting resumes.
function timeOfDay(utc: string, zone: string): string {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date(utc));
}

function state(live: Live, zone: string): string {
  if (live.on && live.started_at) {
    return t(live.record ? "livestream.on_since_recording" : "livestream.on_since", { time: timeOfDay(live.started_at, zone), zone });
  }
  if (live.ended_at) return t("livestream.off_since", { time: timeOfDay(live.ended_at, zone), zone });
  return t("livestream.off");
}

// The viewer page of this meeting: with a member's join token, or none for a public livestream.
export function watchPath(meetingId: string, token: string | null): string {
  const path = `/watch/${encodeURIComponent(meetingId)}`;
  return token === null ? path : `${path}?token=${encodeURIComponent(token)}`;
}

export function LivestreamControls({ m, store, token }: { m: Meeting; store: MeetingStore; token: string }) {
  if (!store.may("livestream.start")) return null;
  const live = m.livestream;
  const settable = store.may("livestream.set");
  // A setting the hub refused goes back to what the meeting has (the refusal shows in #notice).
  const send = async (change: Partial<Pick<Live, "quality" | "audience" | "record">>, put: () => void) => {
    if (!(await act("livestream.set", change)).ok) put();
  };
  const chosen = (event: JSX.TargetedEvent<HTMLSelectElement>) => event.currentTarget;
  const publicLink = `${location.origin}${watchPath(m.id, null)}`;
  return (
    <section id="livestream" class="livestream-controls" aria-labelledby="livestream-h">
      <h3 id="livestream-h">{t("livestream.title")}</h3>
      <p id="livestream-state" role="status" data-on={live.on ? "true" : "false"}>
        {state(live, m.time_zone)}
      </p>
      <p class="controls" id="livestream-controls">
        {live.on ? (
          store.may("livestream.stop") && (
            <Confirmed label={t("livestream.stop")} question={t("livestream.confirm_stop")} yes={t("livestream.yes_stop")} onYes={() => void act("livestream.stop")} />
          )
        ) : (
          <Action action="livestream.start">{t("livestream.start")}</Action>
        )}
      </p>
      <div class="inline-form settings-form livestream-settings">
        <label>
          {t("livestream.quality")}{" "}
          <select
            name="quality"
            value={live.quality}
            disabled={!settable}
            onChange={(e) => {
              const select = chosen(e);
              void send({ quality: select.value as Live["quality"] }, () => (select.value = live.quality));
            }}
          >
            {QUALITIES.map((q) => (
              <option value={q} key={q}>
                {t(`livestream.quality_${q}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("livestream.audience")}{" "}
          <select
            name="audience"
            value={live.audience}
            disabled={!settable}
            onChange={(e) => {
              const select = chosen(e);
              void send({ audience: select.value as Live["audience"] }, () => (select.value = live.audience));
            }}
          >
            {AUDIENCES.map((a) => (
              <option value={a} key={a}>
                {t(`livestream.audience_${a}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="record"
            checked={live.record}
            disabled={!settable}
            onChange={(e) => {
              const box = e.currentTarget;
              void send({ record: box.checked }, () => (box.checked = live.record));
            }}
          />{" "}
          {t("livestream.record")}
        </label>
      </div>
      <p class="hint">{t("livestream.settings_hint")}</p>
      <p>
        <a id="livestream-viewer" href={watchPath(m.id, token)} target="_blank" rel="noopener noreferrer">
          {t("livestream.open_viewer")}
        </a>{" "}
        <span class="hint">{t("livestream.viewer_hint")}</span>
      </p>
      {live.audience === "public" && (
        <p id="livestream-public">
          {t("livestream.public_link")} <code>{publicLink}</code>
          <CopyButton text={publicLink} label={t("livestream.copy_public_link")} />
        </p>
      )}
    </section>
  );
}
