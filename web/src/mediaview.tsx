// Audio and video: the stage's device check before joining (or, while the meeting is livestreamed,
// following the stream instead: follow.tsx), then the video tiles; and the member's own controls, which
// the toolbar shows. Tiles are keyed by stream, so a playing <video> is never recreated.
import { useEffect, useRef, useState } from "preact/hooks";
import { FollowNote, FollowOffer, FollowStage, followerOf } from "./follow";
import { HEARD_IN_FORMAL, formalMode, hasFloor, large } from "./forwarding";
import { t } from "./i18n";
import { JoinScreen } from "./joinscreen";
import type { MediaSession } from "./media";
import type { Meeting, MeetingStore, You } from "./store";
import { useTick } from "./ui";
import { LevelMeter, LiveVideo, ownStream } from "./video";

interface Tile {
  id: string;
  stream: MediaStream | null;
  name: string;
  memberId: string;
  source: "camera" | "screen";
  self: boolean;
}

interface Props {
  session: MediaSession;
  store: MeetingStore;
}

// What the relay does with the member's audio now, and what has gone wrong; changes that concern them
// are also spoken (assertive: being muted or called matters at once).
function Status({ m, you, session, store, following }: Props & { m: Meeting; you: You; following: boolean }) {
  // The floor closes by itself when a speech runs past its time.
  useTick(1000);
  const [said, setSaid] = useState("");
  const last = useRef<{ muted: boolean; floor: boolean } | null>(null);
  const muted = m.muted.includes(you.member_id);
  const formal = formalMode(m) && !HEARD_IN_FORMAL.has(you.role);
  const floor = hasFloor(m, you.member_id, store);
  // A follower given the floor joins the call by itself.
  const unheard = floor && !muted && !following ? unheardPrompt(session) : null;
  useEffect(() => {
    const was = last.current;
    last.current = { muted, floor };
    // Spoken once per change (the first look is not a change, except a mute already in place).
    if (was?.muted !== muted && (was !== null || muted)) {
      setSaid(t(muted ? "media.announce_muted" : "media.announce_unmuted"));
    } else if (was !== null && was.floor !== floor && !muted) {
      if (floor) setSaid(unheard ? unheard.text : t(formal ? "media.called_open" : "media.announce_floor"));
      else if (formal) setSaid(t("media.announce_closed"));
    }
  }, [muted, floor, formal]);

  const lines: string[] = [];
  const connecting = session.phase === "joining" || (session.phase === "joined" && session.pc?.connectionState !== "connected");
  if (connecting) lines.push(t("media.connecting"));
  if (session.phase === "reconnecting") lines.push(t("media.reconnecting"));
  if (session.problem) lines.push(session.problem);
  if (session.phase === "ended") lines.push(t("media.ended"));
  const alerts: string[] = [];
  if (muted) alerts.push(t("media.muted_alert"));
  else if (formal && floor) alerts.push(t("media.called_open"));
  else if (formal) alerts.push(t("media.formal_wait"));
  const state = muted ? "muted" : floor ? "floor" : "formal";
  return (
    <>
      <div id="media-status" class="media-status">
        {lines.map((line, i) => (
          <p key={`line${i}`}>{line}</p>
        ))}
        {alerts.map((line, i) => (
          <p key={`alert${i}`} class="media-alert" data-state={state}>
            {line}
          </p>
        ))}
        {unheard && (
          <p id="media-prompt" class="media-alert" data-state="unheard">
            {unheard.text}{" "}
            <button type="button" class="primary" onClick={unheard.fix}>
              {unheard.action}
            </button>
          </p>
        )}
      </div>
      <div id="media-announce" class="visually-hidden" role="status" aria-live="assertive">
        {said}
      </div>
    </>
  );
}

// What keeps a member who has the floor from being heard that they can put right themselves, with the
// fix: the hub warned the chair of the same (speaker.call's warning).
function unheardPrompt(session: MediaSession): { text: string; action: string; fix: () => void } | null {
  if (session.phase === "setup" || session.phase === "ended") {
    return { text: t("media.floor_not_connected"), action: t("media.join_audio"), fix: () => void session.join("audio") };
  }
  if (session.phase !== "joined") return null;
  if (session.mode === "listen") {
    return { text: t("media.floor_listening"), action: t("media.switch_audio"), fix: () => void session.switchMode("audio") };
  }
  if (session.micMuted) {
    return { text: t("media.floor_self_muted"), action: t("media.unmute_mic"), fix: () => session.setMicrophone(false) };
  }
  return null;
}

// The member's own audio, video and screen, for the toolbar, with what the relay does with them.
export function MediaControls({ session, store }: Props) {
  const mode = session.mode;
  const sharable = mode !== "listen" && store.may("media.share") && !!navigator.mediaDevices?.getDisplayMedia;
  const you = store.you;
  // The chair's mute wins over the member's own switch: the relay forwards none of their audio.
  const chairMuted = !!you && !!store.meeting?.muted.includes(you.member_id);
  const follower = followerOf(session, store);
  // In the call by choice (not called from following), with the livestream on to follow instead.
  const followable = !!store.meeting?.livestream.on && store.may("media.follow") && follower.state === "off";
  const parts =
    mode === "listen"
      ? [t("media.listening")]
      : [
          t(chairMuted ? "media.mic_chair_muted" : session.micMuted ? "media.mic_muted" : "media.mic_on"),
          mode === "full" ? t(session.cameraOff ? "media.camera_off" : "media.camera_on") : t("media.audio_only"),
          session.sharing ? t("media.sharing") : "",
        ];
  return (
    <div class="controls media-controls" role="group" aria-label={t("media.yours")}>
      {mode !== "listen" && (
        <button type="button" id="media-mic" aria-pressed={session.micMuted} onClick={() => session.setMicrophone(!session.micMuted)}>
          {t("media.mute_mic")}
        </button>
      )}
      {mode === "full" && (
        <button type="button" id="media-camera" aria-pressed={session.cameraOff} onClick={() => void session.setCamera(!session.cameraOff)}>
          {t("media.stop_camera")}
        </button>
      )}
      {sharable && (
        <button type="button" id="media-share" aria-pressed={session.sharing} onClick={() => void session.setSharing(!session.sharing)}>
          {t("media.share")}
        </button>
      )}
      {followable && (
        <button type="button" id="media-follow-instead" onClick={() => void follower.follow()}>
          {t("media.follow")}
        </button>
      )}
      <button type="button" id="media-leave" onClick={() => void session.leave()}>
        {t("media.leave")}
      </button>
      <span id="media-self" class="media-self">
        {parts.filter(Boolean).join(" ")}
      </span>
      {mode !== "listen" && !session.micMuted && <LevelMeter id="media-level" aria-label={t("media.your_level")} session={session} />}
    </div>
  );
}

function tiles(session: MediaSession, me: string): Tile[] {
  const found: Tile[] = Object.entries(session.streams).map(([id, info]) => ({
    id,
    stream: session.remote.get(id) ?? null,
    name: info.name,
    memberId: info.member_id,
    source: info.source,
    self: false,
  }));
  const { camera, screen } = session.local;
  if (camera && session.mode === "full") {
    found.unshift({ id: "self", stream: ownStream("self", camera), name: t("media.you"), memberId: me, source: "camera", self: true });
  }
  if (screen && session.sharing) {
    found.push({ id: "self-screen", stream: ownStream("screen", screen), name: t("media.your_screen"), memberId: me, source: "screen", self: true });
  }
  return found;
}

// The person's own mode and microphone as the hub publishes them, not this browser's: a listener sees
// that a speaker sends video. In a big room only officers' are known (the crowd view).
function tileMedia(m: Meeting, memberId: string): string[] {
  const p = m.participants[memberId];
  const muted = m.muted.includes(memberId);
  if (!p?.media) return muted ? [t("media.muted_by_chair")] : [];
  const mic = muted
    ? t("media.muted_by_chair")
    : p.media === "listen"
      ? ""
      : t(p.microphone ? "media.tile_mic_on" : "media.tile_mic_off");
  return [t(`media.tile_${p.media}`), mic];
}

function TileView({ tile, m, session, large, pinned, onPin }: { tile: Tile; m: Meeting; session: MediaSession; large: boolean; pinned: boolean; onPin: () => void }) {
  const stage = m.speech?.member_id ?? null;
  const hasVideo = (tile.stream?.getVideoTracks().length ?? 0) > 0;
  const speaking = tile.source === "camera" && tile.memberId === session.activeSpeaker;
  const state = [
    tile.source === "screen" ? t("media.tile_screen") : tile.memberId === stage ? t("media.on_stage") : "",
    speaking ? t("media.speaking") : "",
    ...(tile.source === "camera" ? tileMedia(m, tile.memberId) : []),
  ];
  const classes = ["tile", large && "stage", speaking && "speaking", !hasVideo && "no-video"];
  return (
    <figure class={classes.filter(Boolean).join(" ")} data-stream={tile.id} data-member={tile.memberId} data-source={tile.source}>
      {/* Self views are silent, or the speaker would hear themselves. */}
      <LiveVideo stream={tile.stream} muted={tile.self} aria-label={[tile.name, ...state].filter(Boolean).join(", ")} />
      <figcaption>
        <span class="tile-name">{tile.name}</span> <span class="tile-state">{state.filter(Boolean).join(" · ")}</span>
      </figcaption>
      <button type="button" class="pin small" aria-pressed={pinned} aria-label={t(pinned ? "media.unpin_name" : "media.pin_name", { name: tile.name })} onClick={onPin}>
        {t(pinned ? "media.unpin" : "media.pin")}
      </button>
    </figure>
  );
}

// How the stage shows the tiles, chosen by each member for themselves (kept in this browser).
type View = "speaker" | "gallery";
const VIEW_KEY = "hub:view";
const SELF_KEY = "hub:hide-self";

// The stage's video: the device check before joining, then the tiles, in speaker view (the floor, a
// screen or the pinned tile large, the rest in a strip) or gallery view (all alike).
export function MediaStage({ session, store, token }: Props & { token: string }) {
  const [view, setView] = useState<View>(() => (localStorage.getItem(VIEW_KEY) === "gallery" ? "gallery" : "speaker"));
  const [hideSelf, setHideSelf] = useState(() => localStorage.getItem(SELF_KEY) === "on");
  const [pinned, setPinned] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const m = store.meeting;
  const you = store.you;
  if (!m || !you) return null;
  const follower = followerOf(session, store);
  const inMedia = session.phase === "joining" || session.phase === "joined" || session.phase === "reconnecting";
  const offer = m.livestream.on && store.may("media.follow") && follower.state === "off" ? <FollowOffer follower={follower} you={you} m={m} /> : null;
  const shown = tiles(session, you.member_id).filter((tile) => !(hideSelf && tile.self && tile.source === "camera"));
  const pin = pinned && shown.some((tile) => tile.id === pinned) ? pinned : null;
  const floor = m.speech?.member_id ?? null;
  const choose = (to: View) => {
    localStorage.setItem(VIEW_KEY, to);
    setView(to);
  };
  const switchSelf = () => {
    localStorage.setItem(SELF_KEY, hideSelf ? "off" : "on");
    setHideSelf(!hideSelf);
  };
  const fullScreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void box.current?.requestFullscreen?.().catch(() => undefined);
  };
  return (
    <section id="media" class="media" aria-labelledby="media-h">
      <h2 id="media-h" class="visually-hidden">
        {t("media.title")}
      </h2>
      <Status m={m} you={you} session={session} store={store} following={follower.state === "following"} />
      <FollowNote follower={follower} />
      {inMedia ? (
        <div id="media-live" ref={box} class={`media-live view-${view}`}>
          <div class="view-controls" role="group" aria-label={t("media.view")}>
            <button type="button" id="view-speaker" class="small" aria-pressed={view === "speaker"} onClick={() => choose("speaker")}>
              {t("media.speaker_view")}
            </button>
            <button type="button" id="view-gallery" class="small" aria-pressed={view === "gallery"} onClick={() => choose("gallery")}>
              {t("media.gallery_view")}
            </button>
            <button type="button" id="hide-self" class="small" aria-pressed={hideSelf} onClick={switchSelf}>
              {t("media.hide_self")}
            </button>
            <button type="button" id="full-screen" class="small" onClick={fullScreen}>
              {t("media.full_screen")}
            </button>
          </div>
          <div id="media-tiles" class="tiles">
            {shown.map((tile) => (
              <TileView
                key={tile.id}
                tile={tile}
                m={m}
                session={session}
                large={view === "speaker" && (pin ? tile.id === pin : tile.source === "screen" || tile.memberId === floor)}
                pinned={tile.id === pin}
                onPin={() => setPinned(tile.id === pin ? null : tile.id)}
              />
            ))}
          </div>
        </div>
      ) : follower.state === "following" ? (
        <FollowStage follower={follower} m={m} token={token} />
      ) : (
        <>
          {/* In a large meeting following comes first. */}
          {large(m) && offer}
          <JoinScreen session={session} you={you} m={m} />
          {!large(m) && offer}
        </>
      )}
    </section>
  );
}
