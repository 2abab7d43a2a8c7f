// The viewer page (/watch/MEETING, with ?token=JOIN_TOKEN unless the livestream is public): an AGM's
// livestream for anyone allowed to watch it, with no camera, no microphone and no meeting role. It reads
// /api/live/MEETING every few seconds: the meeting's title and agenda, whether it is live, the current
// item and who has the floor, and while it is live the playlist, played with hls.js (its light build,
// loaded only when there is something to play) or by the browser itself where it plays HLS natively.
// While it plays live, the page beats (POST /api/live/MEETING/seen) so the hub can count its viewers.
// The finished recordings are listed: the one chosen plays with its chapters under it (its WebVTT
// chapters track; member text, shown only as text), in the live video's place once the livestream has
// ended, under the live video while it is live or about to be.
import type { ComponentChildren } from "preact";
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { HubError } from "./connection";
import { explain } from "./errors";
import { language, locale, t } from "./i18n";
import { useLivePlayer } from "./livehls";
import { formatStart } from "./time";
import { LanguagePicker, timecode, useTick } from "./ui";
import "./viewer.css";

// What /api/live/MEETING answers.
export interface LiveView {
  status: "waiting" | "live" | "ended";
  title: string;
  starts_at: string;
  time_zone: string;
  agenda: Array<{ id: string; title: string }>;
  current_item: string | null;
  // `since`: when the floor became theirs, in the hub's clock (null while their speech is paused).
  speaker: { name: string; role: string; since: string | null } | null;
  // The hub's clock when it answered.
  at: string;
  // Only while it is live.
  playlist: string | null;
  // Finished, oldest first.
  recordings: Recording[];
}

export interface Recording {
  id: string;
  mp4: string;
  vtt: string;
  seconds: number;
  started_at: string;
}

interface Chapter {
  start: number;
  title: string;
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
// While the live video plays; the hub counts each viewer once a minute, over two minutes.
const HEARTBEAT_MS = 30_000;

// This page load's viewer id, 22 characters of base64url (crypto.randomUUID needs a secure context).
const VIEWER = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
  .replace(/\+/g, "-")
  .replace(/\//g, "_")
  .replace(/=+$/, "");

function isView(data: unknown): data is LiveView {
  const view = data as LiveView | null;
  return typeof view?.status === "string" && typeof view.title === "string" && Array.isArray(view.agenda) && Array.isArray(view.recordings);
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

// Says the live video is being watched: when it starts playing, then every HEARTBEAT_MS while it plays.
function useHeartbeat(video: { current: HTMLVideoElement | null }, source: string | null, seen: string): void {
  useEffect(() => {
    const element = video.current;
    if (!element || source === null) return;
    let last = 0;
    const beat = () => {
      // A stall's end fires "playing" again: one beat per half period at most.
      if (element.paused || Date.now() - last < HEARTBEAT_MS / 2) return;
      last = Date.now();
      const body = JSON.stringify({ viewer: VIEWER });
      fetch(seen, { method: "POST", headers: { "Content-Type": "application/json" }, body }).catch(() => undefined);
    };
    element.addEventListener("playing", beat);
    const timer = window.setInterval(beat, HEARTBEAT_MS);
    return () => {
      element.removeEventListener("playing", beat);
      window.clearInterval(timer);
    };
  }, [source, seen]);
}

function play(video: HTMLVideoElement): void {
  video.play().catch(() => undefined);
}

// The livestream starting by itself: muted, so browsers let it (a refusal leaves the controls' play
// button), and not over a recording the viewer is watching.
function autoplay(video: HTMLVideoElement): void {
  if (Array.from(document.querySelectorAll("video")).some((other) => other !== video && !other.paused)) return;
  play(video);
}

// The video, playing `playlist` while there is one. The player keeps the address it was given while
// the stream is live, and after a failure starts again with the latest.
function Player({ playlist, slate, seen, picture }: { playlist: string | null; slate: ComponentChildren; seen: string; picture: PictureClock }) {
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef(playlist);
  latest.current = playlist;
  const [source, setSource] = useState<string | null>(null);
  const [muted, setMuted] = useState(true);

  useEffect(() => setSource((before) => (playlist === null ? null : (before ?? playlist))), [playlist]);
  useHeartbeat(video, source, seen);
  // Starting muted, so browsers let it play by itself: the `muted` attribute as well as the property.
  useEffect(() => {
    if (video.current) video.current.defaultMuted = true;
  }, []);
  // After a failure, the latest address: the stream may have started again under another.
  const { state: playing, playingDate } = useLivePlayer(video, source, autoplay, () => setSource(latest.current));
  picture.current = playingDate;

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

// Reads the wall time of the live picture showing now (null when none plays).
type PictureClock = { current: () => Date | null };

// Who has the floor as the picture shows it, rather than as the hub says now: the picture is seconds
// behind (the HLS latency), so a change is shown once the video reaches the moment it happened. A change
// without a time of its own (a paused speech's) counts from when the hub said it. Without a picture, now.
function useFloorShown(live: LiveView, picture: PictureClock): LiveView["speaker"] {
  const changes = useRef<Array<{ from: number; speaker: LiveView["speaker"] }>>([]);
  const speaker = live.status === "live" ? live.speaker : null;
  const last = changes.current.at(-1);
  if (!last || JSON.stringify(last.speaker) !== JSON.stringify(speaker)) {
    changes.current = [...changes.current.slice(-20), { from: Date.parse(speaker?.since ?? live.at), speaker }];
  }
  useTick(500);
  const at = picture.current()?.getTime();
  if (at === undefined) return speaker;
  // The last change the picture has reached; none yet (the page opened just after one): nobody named.
  const reached = changes.current.filter((change) => change.from <= at);
  return reached.at(-1)?.speaker ?? null;
}

function Speaker({ live, picture }: { live: LiveView; picture: PictureClock }) {
  const speaker = useFloorShown(live, picture);
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

// The chapters of a recording, read from its WebVTT track once it has loaded (none if it cannot be).
function useChapters(track: { current: HTMLTrackElement | null }): Chapter[] {
  const [chapters, setChapters] = useState<Chapter[]>([]);
  useEffect(() => {
    const element = track.current;
    if (!element) return;
    const read = () => setChapters(Array.from(element.track.cues ?? [], (cue) => ({ start: cue.startTime, title: (cue as VTTCue).text })));
    element.addEventListener("load", read);
    // Hidden: loaded and read, never drawn over the picture.
    element.track.mode = "hidden";
    if (element.readyState === HTMLTrackElement.LOADED) read();
    return () => element.removeEventListener("load", read);
  }, []);
  return chapters;
}

// The chapter playing at `time`: the last to start by then.
function currentChapter(chapters: Chapter[], time: number): number {
  let found = -1;
  chapters.forEach((chapter, index) => {
    if (chapter.start <= time + 0.01) found = index;
  });
  return found;
}

// When a recording started, in the viewer's own zone.
const RECORDED: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };

function recorded(recording: Recording): string {
  return new Intl.DateTimeFormat(locale(), RECORDED).format(new Date(recording.started_at));
}

function duration(seconds: number): string {
  return `PT${Math.round(seconds)}S`;
}

// One recording, played from its MP4, with its chapters: a chapter chosen plays from its start, and the
// one playing is marked. Mounted again (by key) for another recording.
function Replay({ recording }: { recording: Recording }) {
  const video = useRef<HTMLVideoElement>(null);
  const track = useRef<HTMLTrackElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const chapters = useChapters(track);
  const [time, setTime] = useState(0);
  const current = currentChapter(chapters, time);

  // Keeps the chapter playing in view within the list, without scrolling the page.
  useEffect(() => {
    const box = list.current;
    const item = box?.children[current] as HTMLElement | undefined;
    if (!box || !item) return;
    if (item.offsetTop < box.scrollTop) box.scrollTop = item.offsetTop;
    else if (item.offsetTop + item.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = item.offsetTop + item.offsetHeight - box.clientHeight;
  }, [current]);

  const seek = (chapter: Chapter) => {
    const element = video.current;
    if (!element) return;
    element.currentTime = chapter.start;
    setTime(chapter.start);
    play(element);
  };
  return (
    <div class="viewer-replay">
      <div class="viewer-stage">
        <video
          ref={video}
          id="viewer-recording-video"
          src={recording.mp4}
          controls
          playsInline
          preload="metadata"
          aria-label={t("viewer.recording_label", { when: recorded(recording) })}
          onTimeUpdate={(event) => setTime(event.currentTarget.currentTime)}
          onSeeked={(event) => setTime(event.currentTarget.currentTime)}
        >
          <track ref={track} kind="chapters" src={recording.vtt} label={t("viewer.chapters")} />
        </video>
      </div>
      {chapters.length > 0 && (
        <nav class="viewer-chapters" aria-labelledby="viewer-chapters-h">
          <h3 id="viewer-chapters-h">{t("viewer.chapters")}</h3>
          <ol ref={list} id="viewer-chapters">
            {chapters.map((chapter, index) => (
              <li key={index}>
                <button type="button" class={index === current ? "current" : undefined} aria-current={index === current ? "true" : undefined} onClick={() => seek(chapter)}>
                  <time dateTime={duration(chapter.start)}>{timecode(chapter.start)}</time>
                  <span class="title">{chapter.title}</span>
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
    </div>
  );
}

// The finished recordings, each with its start in the viewer's zone and its length. `chooseFirst`: one
// plays (the first) without being chosen, as the page's video once the livestream has ended.
function Recordings({ recordings, chooseFirst }: { recordings: Recording[]; chooseFirst: boolean }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const shown = recordings.find((r) => r.id === chosen) ?? (chooseFirst ? recordings[0] : undefined);
  return (
    <section class="viewer-recordings" aria-labelledby="viewer-recordings-h">
      <h2 id="viewer-recordings-h">{t("viewer.recordings")}</h2>
      <ul class="viewer-recording-list" id="viewer-recordings">
        {recordings.map((recording) => {
          const playing = recording === shown;
          return (
            <li key={recording.id}>
              <button type="button" data-recording={recording.id} class={playing ? "current" : undefined} aria-current={playing ? "true" : undefined} onClick={() => setChosen(recording.id)}>
                <time dateTime={recording.started_at}>{recorded(recording)}</time>
                <span class="length">{t("viewer.recording_length", { length: timecode(recording.seconds) })}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {shown && <Replay key={shown.id} recording={shown} />}
    </section>
  );
}

function Watching({ live, stale, picker, seen }: { live: LiveView; stale: boolean; picker: ComponentChildren; seen: string }) {
  useEffect(() => {
    document.title = `${live.title} · ${t("viewer.livestream")}`;
  }, [live.title, language()]);
  // One video plays at a time: the livestream, or a recording.
  useEffect(() => {
    const others = (event: Event) => {
      for (const video of document.querySelectorAll("video")) if (video !== event.target) video.pause();
    };
    document.addEventListener("play", others, true);
    return () => document.removeEventListener("play", others, true);
  }, []);
  const picture = useRef<() => Date | null>(() => null);
  // Once it has ended, a recording takes the live video's place.
  const replay = live.status === "ended" && live.recordings.length > 0;
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
          {replay ? (
            <Recordings recordings={live.recordings} chooseFirst />
          ) : (
            <>
              <Player playlist={live.status === "live" ? live.playlist : null} slate={slate} seen={seen} picture={picture} />
              <Speaker live={live} picture={picture} />
            </>
          )}
        </div>
        <Agenda live={live} />
      </div>
      {!replay && live.recordings.length > 0 && <Recordings recordings={live.recordings} chooseFirst={false} />}
    </div>
  );
}

function Viewer({ meetingId, token }: { meetingId: string; token: string | null }) {
  const loaded = useLive(meetingId, token);
  // Bumped when the language changes, so every string is read again.
  const [, setLanguageShown] = useState(language());
  const picker = <LanguagePicker onChange={() => setLanguageShown(language())} />;
  const seen = `/api/live/${encodeURIComponent(meetingId)}/seen${token === null ? "" : `?token=${encodeURIComponent(token)}`}`;
  switch (loaded.state) {
    case "loading":
      return <p role="status">{t("loading")}</p>;
    case "ready":
      return <Watching live={loaded.live} stale={loaded.stale} picker={picker} seen={seen} />;
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
