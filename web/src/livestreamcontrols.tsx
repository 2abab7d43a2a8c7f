// The console's Livestream group: officers start and stop the meeting's livestream, choose its quality,
// who may watch and whether it is recorded (each change sent at once as livestream.set, on or off), and
// see whether it is on and since when, in the meeting's time zone. While it is on, the feed's report
// (livestream.status, asked every few seconds): what the programme shows now, the viewers, the
// recording's length, and how the push to a video platform is going. The push address holds the
// platform's key: it is sent once (livestream.push) and never shown again, only its host. The viewer
// page opens with the officer's own join link; a public livestream also has a link without one, to share.
import { useEffect, useState } from "preact/hooks";
import { act, ask } from "./actions";
import { locale, t } from "./i18n";
import type { Meeting, MeetingStore } from "./store";
import { Action, Confirmed, CopyButton, timecode } from "./ui";

type Live = Meeting["livestream"];

const QUALITIES: Live["quality"][] = ["720p", "360p"];
const AUDIENCES: Live["audience"][] = ["branch", "members", "public"];
const LANGUAGES: Live["language"][] = ["en", "es"];

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

// How often the console asks for the feed's report (the feed writes one every 2 s).
const STATUS_EVERY_MS = 3000;
// A report older than this means the node running the feed has stopped writing it.
const STALE_MS = 12000;

interface Push {
  state: "connecting" | "live" | "retrying" | "stopped";
  to: string;
  bitrate: number;
  sent: number;
  dropped: number;
  error: string | null;
  retry_at: number | null;
  attempts: number;
  since: number | null;
}

interface Report {
  feed: { state: "starting" | "live" | "restarting" | "stopped"; restarts: number; error: string | null; failed: Record<string, string>; quality: string | null };
  recording: { seconds: number } | null;
  recording_refused: string | null;
  push: Push | null;
  preview: string | null;
  at: string;
}

interface Status {
  on: boolean;
  report: Report | null;
  viewers: number;
}

// The feed's report, asked for while the livestream is on (this is mounted) and the controls are in
// view: not while the page is hidden or another tab of the panel is chosen.
function useStatus(): Status | null {
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    let live = true;
    const look = async () => {
      if (document.hidden || !document.getElementById("livestream")?.checkVisibility()) return;
      const reply = await ask("livestream.status");
      if (live && reply.ok) setStatus(reply.data as Status);
    };
    void look();
    const timer = setInterval(() => void look(), STATUS_EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return status;
}

function bitrate(bits: number): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(bits / 1e6);
}

function pushState(push: Push, now: number): string {
  // The rate shows once a few seconds of it are known.
  if (push.state === "live") return push.bitrate ? t("livestream.push_live", { to: push.to, rate: bitrate(push.bitrate) }) : t("livestream.push_sending", { to: push.to });
  if (push.state === "connecting") return t("livestream.push_connecting", { to: push.to });
  if (push.state === "retrying") {
    const wait = push.retry_at === null ? 0 : Math.max(0, Math.round(push.retry_at - now / 1000));
    return t("livestream.push_retrying", { to: push.to, seconds: wait });
  }
  return t("livestream.push_stopped", { to: push.to });
}

// Times in the report are the hub's, compared with the hub's clock as this page estimates it.
function Health({ store }: { store: MeetingStore }) {
  const status = useStatus();
  const report = status?.report ?? null;
  if (!report) {
    return (
      <p id="livestream-health" class="hint" role="status">
        {t("livestream.starting")}
      </p>
    );
  }
  const now = store.serverNow();
  const stale = now - new Date(report.at).getTime() > STALE_MS;
  const failed = Object.keys(report.feed.failed);
  return (
    <div id="livestream-health" class="livestream-health">
      {report.preview && <img id="livestream-preview" src={report.preview} width={192} height={108} alt={t("livestream.preview")} />}
      <dl>
        <dt>{t("livestream.feed")}</dt>
        <dd id="livestream-feed" data-state={stale ? "stale" : report.feed.state}>
          {stale ? t("livestream.feed_stale") : t(`livestream.feed_${report.feed.state}`)}
          {report.feed.error && ` (${report.feed.error})`}
          {failed.length > 0 && ` ${t("livestream.outputs_failed", { outputs: failed.join(", ") })}`}
        </dd>
        <dt>{t("livestream.viewers")}</dt>
        <dd id="livestream-viewers">{status?.viewers ?? 0}</dd>
        <dt>{t("livestream.recording")}</dt>
        <dd id="livestream-recording" data-refused={report.recording_refused ? "true" : "false"}>
          {report.recording ? timecode(Math.floor(report.recording.seconds)) : report.recording_refused ? t("livestream.recording_refused", { why: report.recording_refused }) : t("livestream.recording_off")}
        </dd>
        {report.push && (
          <>
            <dt>{t("livestream.push")}</dt>
            <dd id="livestream-push-health" data-state={report.push.state}>
              {pushState(report.push, now)}
              {report.push.error && <span class="push-error"> {t("livestream.push_error", { error: report.push.error })}</span>}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

// Where the programme is pushed: an address typed once (it holds the platform's key), shown by its host.
function PushForm({ live, may }: { live: Live; may: boolean }) {
  const [address, setAddress] = useState("");
  const [busy, setBusy] = useState(false);
  if (live.push_to) {
    return (
      <p id="livestream-push">
        {t("livestream.pushing_to", { to: live.push_to })}{" "}
        <Action action="livestream.push" args={{ url: null }}>
          {t("livestream.push_stop")}
        </Action>
      </p>
    );
  }
  return (
    <form
      id="livestream-push"
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        if ((await act("livestream.push", { url: address.trim() })).ok) setAddress("");
        setBusy(false);
      }}
    >
      <label>
        {t("livestream.push_address")}{" "}
        <input
          name="push_url"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="rtmp://…"
          value={address}
          disabled={!may || busy}
          onInput={(e) => setAddress(e.currentTarget.value)}
          required
          maxLength={1000}
        />
      </label>{" "}
      <button type="submit" disabled={!may || busy || !address.trim()}>
        {t("livestream.push_start")}
      </button>
      <span class="hint">{t("livestream.push_hint")}</span>
    </form>
  );
}

// A setting sent as the officer changes it, and put back to what the meeting has if the hub refuses.
type Settings = Pick<Live, "quality" | "audience" | "record" | "language">;
type Send = (change: Partial<Settings>, put: () => void) => Promise<void>;

// One of the settings chosen from a menu (`lang`: each option is named in its own language).
function Menu<K extends "quality" | "audience" | "language">({ name, options, live, settable, send, lang = false }: { name: K; options: Live[K][]; live: Live; settable: boolean; send: Send; lang?: boolean }) {
  return (
    <label>
      {t(`livestream.${name}`)}{" "}
      <select
        name={name}
        value={live[name]}
        disabled={!settable}
        onChange={(e) => {
          const select = e.currentTarget;
          void send({ [name]: select.value }, () => (select.value = live[name]));
        }}
      >
        {options.map((option) => (
          <option value={option} key={option} lang={lang ? option : undefined}>
            {t(`livestream.${name}_${option}`)}
          </option>
        ))}
      </select>
    </label>
  );
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
  const send: Send = async (change, put) => {
    if (!(await act("livestream.set", change)).ok) put();
  };
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
      {live.on && <Health store={store} />}
      <PushForm live={live} may={store.may("livestream.push")} />
      <div class="inline-form settings-form livestream-settings">
        <Menu name="quality" options={QUALITIES} live={live} settable={settable} send={send} />
        <Menu name="audience" options={AUDIENCES} live={live} settable={settable} send={send} />
        <Menu name="language" options={LANGUAGES} live={live} settable={settable} send={send} lang />
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
