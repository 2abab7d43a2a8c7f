// A live HLS playlist in a <video>: hls.js's light build, loaded only once something is to be played, or
// the browser itself where it plays HLS natively. The viewer page and the room's followers both use it.
import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

// hls.js three segments behind the live edge, caught up when it falls eight behind.
const HLS_CONFIG = { liveSyncDurationCount: 3, liveMaxLatencyDurationCount: 8, lowLatencyMode: false };

// After a failure, the player starts again this much later.
const RETRY_MS = 5000;

type LiveState = "idle" | "loading" | "playing" | "failed" | "unsupported";

interface LivePlayer {
  // Stops loading and empties the video.
  destroy(): void;
  // The wall time, in the hub's clock, of the picture showing now (the segments' EXT-X-PROGRAM-DATE-TIME),
  // or null before it plays.
  playingDate(): Date | null;
}

// Plays `source` in `video`, starting at the live edge: `ready` once it can start, `failed` on an error it
// cannot recover from (a decoding error is recovered from once, in place). Resolves to null where the
// browser plays no HLS at all; rejects when hls.js cannot be loaded.
async function playLive(
  video: HTMLVideoElement,
  source: string,
  on: { ready: () => void; failed: () => void },
): Promise<LivePlayer | null> {
  // @ts-expect-error -- the light build has no type declarations of its own; its API is hls.js's.
  const Hls = ((await import("hls.js/dist/hls.light.mjs")) as typeof import("hls.js")).default;
  const emptied = (): void => {
    video.removeAttribute("src");
    video.load();
  };
  if (Hls.isSupported()) {
    const player = new Hls(HLS_CONFIG);
    let recovered = false;
    player.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        player.recoverMediaError();
      } else on.failed();
    });
    player.on(Hls.Events.MANIFEST_PARSED, () => on.ready());
    player.loadSource(source);
    player.attachMedia(video);
    return {
      destroy: () => {
        player.destroy();
        emptied();
      },
      playingDate: () => player.playingDate,
    };
  }
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = source;
    video.addEventListener("error", on.failed, { once: true });
    on.ready();
    return {
      destroy: () => {
        video.removeEventListener("error", on.failed);
        emptied();
      },
      // Safari's own player: the stream's first wall time, and how far it has played since.
      playingDate: () => {
        const start = (video as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.();
        return start && !Number.isNaN(start.getTime()) ? new Date(start.getTime() + video.currentTime * 1000) : null;
      },
    };
  }
  return null;
}

// Plays `source` in the video while it is given (null: nothing), `ready` called once it can start. After
// a failure it starts again `RETRY_MS` later, `retried` first called (to give it a newer address). With
// its state, the wall time of the picture showing (`LivePlayer.playingDate`), read when asked.
export function useLivePlayer(
  video: RefObject<HTMLVideoElement>,
  source: string | null,
  ready: (video: HTMLVideoElement) => void,
  retried?: () => void,
): { state: LiveState; playingDate: () => Date | null } {
  const current = useRef<LivePlayer | null>(null);
  const [state, setState] = useState<LiveState>(source === null ? "idle" : "loading");
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    if (source === null) {
      setState("idle");
      return;
    }
    let gone = false;
    let live: LivePlayer | null = null;
    let retry: number | undefined;
    const failed = () => {
      if (gone) return;
      live?.destroy();
      live = current.current = null;
      setState("failed");
      retry = window.setTimeout(() => {
        retried?.();
        setAttempt((n) => n + 1);
      }, RETRY_MS);
    };
    playLive(element, source, { ready: () => ready(element), failed }).then((player) => {
      if (gone) player?.destroy();
      else if (player === null) setState("unsupported");
      else {
        live = current.current = player;
        setState("playing");
      }
    }, failed);
    return () => {
      gone = true;
      window.clearTimeout(retry);
      live?.destroy();
      current.current = null;
    };
  }, [source, attempt]);
  return { state, playingDate: () => current.current?.playingDate() ?? null };
}
