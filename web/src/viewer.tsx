// The viewer page (/watch/MEETING, with ?token=JOIN_TOKEN unless the livestream is public): an AGM's
// livestream for anyone allowed to watch it, with no camera, no microphone and no meeting role. It reads
// /api/live/MEETING every few seconds: the meeting's title and agenda, whether it is live, the current
// item and who has the floor, and while it is live the playlist, played with hls.js (its light build,
// loaded only when there is something to play) or by the browser itself where it plays HLS natively.
import type { ComponentChildren } from "preact";
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { HubError } from "./connection";
import { explain } from "./errors";
import { language, t } from "./i18n";
import { formatStart } from "./time";
import { LanguagePicker } from "./ui";
import "./viewer.css";

// What /api/live/MEETING answers.
export interface LiveView {
  status: "waiting" | "live" | "ended";
  title: string;
  starts_at: string;
  time_zone: string;
  agenda: Array<{ id: string; title: string }>;
  current_item: string | null;
  speaker: { name: string; role: string } | null;
  // Only while it is live.
  playlist: string | null;
}

type Answer = { kind: "view"; live: LiveView } | { kind: "refused"; error: HubError } | { kind: "missing" } | { kind: "unreachable" };

type Loaded =
  | { state: "loading" }
  // `stale`: the hub could not be reached since; this is what it said last.
  | { state: "ready"; live: LiveView; stale: boolean }
  | { state: "refused"; message: string; code: string }
  | { state: "missing" }
  | { state: "unreachable" };

const POLL_MS = 5000;
// After the player fails, it tries again with the latest playlist.
const RETRY_MS = 5000;
// hls.js three segments behind the live edge, caught up when it falls eight behind.
const HLS_CONFIG = { liveSyncDurationCount: 3, liveMaxLatencyDurationCount: 8, lowLatencyMode: false };

function isView(data: unknown): data is LiveView {
  const view = data as LiveView | null;
  return typeof view?.status === "string" && typeof view.title === "string" && Array.isArray(view.agenda);
}

async function read(meetingId: string, token: string | null): Promise<Answer> {
  const query = token === null ? "" : `?token=${encodeURIComponent(token)}`;
  let response: Response;
  try {
    response = await fetch(`/api/live/${encodeURIComponent(meetingId)}${query}`, { cache: "no-store" });
  } catch {
    return { kind: "unreachable" };
  }
  if (response.status === 404) return { kind: "missing" };
  const body = (await response.json().catch(() => null)) as { ok?: boolean; data?: unknown; error?: HubError } | null;
  if (response.ok) {
    // The view itself, or wrapped as the hub's other JSON routes answer.
    const data = body?.ok === true ? body.data : body;
    return isView(data) ? { kind: "view", live: data } : { kind: "unreachable" };
  }
  if (body?.error?.code) return { kind: "refused", error: { ...body.error, details: body.error.details ?? {} } };
  if (response.status === 401 || response.status === 403) return { kind: "refused", error: { code: "forbidden", message: t("viewer.refused_hint"), details: {} } };
  return { kind: "unreachable" };
}

function next(before: Loaded, answer: Answer): Loaded {
  switch (answer.kind) {
    case "view":
      return { state: "ready", live: answer.live, stale: false };
    case "refused":
      return { state: "refused", code: answer.error.code, message: explain(answer.error) };
    case "missing":
      return { state: "missing" };
    case "unreachable":
      return before.state === "ready" ? { ...before, stale: true } : { state: "unreachable" };
  }
}

// The livestream's state, read now and every POLL_MS until the page is closed (or the meeting is not there).
function useLive(meetingId: string, token: string | null): Loaded {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      const answer = await read(meetingId, token);
      if (stopped) return;
      setLoaded((before) => next(before, answer));
      if (answer.kind !== "missing") timer = window.setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [meetingId, token]);
  return loaded;
}

type Hls = import("hls.js").default;
type Playing = "idle" | "playing" | "failed" | "unsupported";

function play(video: HTMLVideoElement): void {
  // Muted, so browsers let it start by itself; a refusal leaves the controls' play button.
  video.play().catch(() => undefined);
}

// The video, playing `playlist` while there is one. The player keeps the address it was given while
// the stream is live, and after a failure starts again with the latest.
function Player({ playlist, slate }: { playlist: string | null; slate: ComponentChildren }) {
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef(playlist);
  latest.current = playlist;
  const [source, setSource] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [playing, setPlaying] = useState<Playing>("idle");
  const [muted, setMuted] = useState(true);

  useEffect(() => setSource((before) => (playlist === null ? null : (before ?? playlist))), [playlist]);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    // The `muted` attribute as well as the property.
    element.defaultMuted = true;
    if (source === null) {
      setPlaying("idle");
      return;
    }
    let gone = false;
    let hls: Hls | null = null;
    let retry: number | undefined;
    const failed = () => {
      if (gone) return;
      hls?.destroy();
      hls = null;
      setPlaying("failed");
      retry = window.setTimeout(() => {
        setSource(latest.current);
        setAttempt((n) => n + 1);
      }, RETRY_MS);
    };
    const start = async () => {
      let Hls: typeof import("hls.js").default;
      try {
        // @ts-expect-error -- the light build has no type declarations of its own; its API is hls.js's.
        Hls = ((await import("hls.js/dist/hls.light.mjs")) as typeof import("hls.js")).default;
      } catch {
        failed();
        return;
      }
      if (gone) return;
      if (Hls.isSupported()) {
        const player = new Hls(HLS_CONFIG);
        hls = player;
        let recovered = false;
        player.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          // A decoding error is recovered from once in place; anything else starts again.
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
            recovered = true;
            player.recoverMediaError();
          } else failed();
        });
        player.on(Hls.Events.MANIFEST_PARSED, () => play(element));
        player.loadSource(source);
        player.attachMedia(element);
      } else if (element.canPlayType("application/vnd.apple.mpegurl")) {
        element.src = source;
        element.addEventListener("error", failed, { once: true });
        play(element);
      } else {
        setPlaying("unsupported");
        return;
      }
      setPlaying("playing");
    };
    void start();
    return () => {
      gone = true;
      window.clearTimeout(retry);
      element.removeEventListener("error", failed);
      hls?.destroy();
      element.removeAttribute("src");
      element.load();
    };
  }, [source, attempt]);

  const shown = playing === "playing" ? null : playing === "failed" ? t("viewer.slate_failed") : playing === "unsupported" ? t("viewer.unsupported") : slate;
  return (
    <>
      <div class="viewer-stage">
        <video
          ref={video}
          id="viewer-video"
          controls
          playsInline
          muted
          aria-label={t("viewer.video_label")}
          onVolumeChange={(event) => setMuted(event.currentTarget.muted)}
        />
        {shown && (
          <div class="viewer-slate" id="viewer-slate">
            {shown}
          </div>
        )}
      </div>
      {/* Under the video, not over it: the picture's own tags and captions stay in view. */}
      {playing === "playing" && muted && (
        <button
          type="button"
          class="viewer-sound"
          id="viewer-sound"
          onClick={() => {
            const element = video.current;
            if (!element) return;
            element.muted = false;
            play(element);
          }}
        >
          {t("viewer.sound_on")}
        </button>
      )}
    </>
  );
}

function Badge({ status }: { status: LiveView["status"] }) {
  return (
    <p id="live-state" role="status">
      <span class={`live-badge ${status}`} data-status={status}>
        {t(`viewer.${status}`)}
      </span>
    </p>
  );
}

function Agenda({ live }: { live: LiveView }) {
  return (
    <section class="viewer-agenda" aria-labelledby="viewer-agenda-h">
      <h2 id="viewer-agenda-h">{t("viewer.agenda")}</h2>
      <ol class="agenda" id="viewer-agenda">
        {live.agenda.map((item) => {
          const current = item.id === live.current_item;
          return (
            <li key={item.id} data-item={item.id} class={current ? "current" : undefined} aria-current={current ? "step" : undefined}>
              {item.title}
              {current && <span class="badge now">{t("viewer.now")}</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Speaker({ live }: { live: LiveView }) {
  const speaker = live.status === "live" ? live.speaker : null;
  return (
    <p id="viewer-speaker" class="viewer-speaker" aria-live="polite">
      {speaker ? t("viewer.speaking", { name: speaker.name, role: t(`role.${speaker.role}`, { defaultValue: speaker.role }) }) : ""}
    </p>
  );
}

function Starts({ live }: { live: LiveView }) {
  const when = formatStart(live.starts_at, live.time_zone);
  return (
    <>
      <p class="viewer-starts">{t("viewer.starts")}</p>
      <dl class="when" id="viewer-when">
        <dt>{t("when.yours")}</dt>
        <dd>
          <time dateTime={live.starts_at}>{when.local}</time>
        </dd>
        <dt>{t("when.meeting", { zone: live.time_zone })}</dt>
        <dd class="home">{when.home}</dd>
      </dl>
    </>
  );
}

function Watching({ live, stale, picker }: { live: LiveView; stale: boolean; picker: ComponentChildren }) {
  useEffect(() => {
    document.title = `${live.title} · ${t("viewer.livestream")}`;
  }, [live.title, language()]);
  const slate = live.status === "live" ? t("viewer.slate_starting") : live.status === "ended" ? t("viewer.slate_ended") : t("viewer.slate_waiting");
  return (
    <div class="viewer">
      <header class="viewer-header">
        <div>
          <h1 id="viewer-title">{live.title}</h1>
          <Badge status={live.status} />
        </div>
        {picker}
      </header>
      {stale && (
        <p class="viewer-stale" role="status">
          {t("viewer.stale")}
        </p>
      )}
      {live.status === "waiting" && <Starts live={live} />}
      <div class="viewer-layout">
        <div class="viewer-main">
          <Player playlist={live.status === "live" ? live.playlist : null} slate={slate} />
          <Speaker live={live} />
        </div>
        <Agenda live={live} />
      </div>
    </div>
  );
}

function Viewer({ meetingId, token }: { meetingId: string; token: string | null }) {
  const loaded = useLive(meetingId, token);
  // Bumped when the language changes, so every string is read again.
  const [, setLanguageShown] = useState(language());
  const picker = <LanguagePicker onChange={() => setLanguageShown(language())} />;
  switch (loaded.state) {
    case "loading":
      return <p role="status">{t("loading")}</p>;
    case "ready":
      return <Watching live={loaded.live} stale={loaded.stale} picker={picker} />;
    case "refused":
      return (
        <div class="error" role="alert" id="viewer-refused" data-code={loaded.code}>
          <h1>{t("viewer.refused")}</h1>
          <p>{loaded.message}</p>
          <p>{t("viewer.refused_hint")}</p>
          {picker}
        </div>
      );
    case "missing":
      return (
        <div class="error" role="alert" id="viewer-missing">
          <h1>{t("viewer.missing_title")}</h1>
          <p>{t("viewer.missing")}</p>
          {picker}
        </div>
      );
    case "unreachable":
      return (
        <div class="error" role="alert" id="viewer-unreachable">
          <h1>{t("viewer.livestream")}</h1>
          <p>{t("viewer.unreachable")}</p>
          {picker}
        </div>
      );
  }
}

export function showViewer(root: HTMLElement, meetingId: string, token: string | null): void {
  render(<Viewer meetingId={meetingId} token={token} />, root);
}
