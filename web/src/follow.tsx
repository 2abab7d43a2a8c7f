// Following the livestream in the room instead of the call (media.follow): in a large meeting a member
// watches the programme feed and holds no peer connection, still here, queueing and voting. Called to
// speak (on stage: the current speech is theirs), the page silences the stream and joins the call with
// their microphone, and their camera if they chose; when the speech ends it leaves the call and plays the
// stream again from the live edge.
import { useRef } from "preact/hooks";
import { act, ask } from "./actions";
import { t } from "./i18n";
import { large } from "./forwarding";
import { useLivePlayer } from "./livehls";
import type { MediaSession } from "./media";
import type { Meeting, MeetingStore, You } from "./store";
import "./follow.css";

// off: in the call or choosing; following: the stream plays; called: on stage, so in the call until the
// speech ends.
type Following = "off" | "following" | "called";
// The last change, said on the stage and to screen readers.
type Note = "called" | "back" | "stopped" | null;
// How a follower joins the call when called.
type CalledMode = "full" | "audio";
const CALLED_MODES: CalledMode[] = ["full", "audio"];

class Follower {
  state: Following = "off";
  note: Note = null;
  mode: CalledMode = "full";
  // The join of the connection that follows: a connection that dropped took its follow with it, and the
  // next one (a new join, a new `you`) follows again.
  private joined: You | null = null;

  constructor(
    private session: MediaSession,
    private store: MeetingStore,
  ) {
    store.subscribe(() => this.step());
  }

  // From the join screen or the call: out of the call first (the hub records its end), then following.
  async follow(): Promise<void> {
    if (this.session.phase !== "setup") await this.session.leave();
    if (!(await act("media.follow")).ok) return;
    this.state = "following";
    this.note = null;
    this.joined = this.store.you;
    this.changed();
    this.step();
  }

  // Back to the join screen, following no more.
  async unfollow(): Promise<void> {
    this.state = "off";
    this.note = null;
    this.changed();
    await ask("media.leave");
  }

  choose(mode: CalledMode): void {
    this.mode = mode;
    this.changed();
  }

  private step(): void {
    const m = this.store.meeting;
    const you = this.store.you;
    if (this.state === "off" || !m || !you) return;
    const onStage = m.speech?.member_id === you.member_id;
    const rejoined = you !== this.joined;
    this.joined = you;
    if (this.state === "called") {
      if (!onStage) void this.back();
    } else if (onStage) {
      void this.promote();
    } else if (!m.livestream.on) {
      this.state = "off";
      this.note = "stopped";
      this.changed();
      void ask("media.leave");
    } else if (rejoined) {
      void this.refollow();
    }
  }

  // media.join replaces the follow on the hub.
  private async promote(): Promise<void> {
    this.state = "called";
    this.note = "called";
    this.changed();
    await this.session.join(this.mode);
  }

  private async back(): Promise<void> {
    this.state = "following";
    this.note = "back";
    this.changed();
    await this.session.leave();
    await this.refollow();
  }

  // The livestream may have stopped meanwhile: then the member is back on the join screen.
  private async refollow(): Promise<void> {
    if ((await ask("media.follow")).ok || this.state !== "following") return;
    this.state = "off";
    this.note = "stopped";
    this.changed();
  }

  // The room renders again with the media.
  private changed(): void {
    this.session.notify();
  }
}

const followers = new WeakMap<MediaSession, Follower>();

// The page's one follower, beside its media session.
export function followerOf(session: MediaSession, store: MeetingStore): Follower {
  let follower = followers.get(session);
  if (!follower) {
    follower = new Follower(session, store);
    followers.set(session, follower);
  }
  return follower;
}

// The livestream's playlist, asked for with the member's join link, as the viewer page does.
function playlist(meetingId: string, token: string): string {
  return `/live/${encodeURIComponent(meetingId)}/index.m3u8?token=${encodeURIComponent(token)}`;
}

// Said when the follower is called, when they are back, and when the livestream stopped under them.
export function FollowNote({ follower }: { follower: Follower }) {
  const text = follower.note === null ? "" : t(`media.follow_note_${follower.note}`);
  return (
    <p id="follow-note" class="follow-note" role="status">
      {text}
    </p>
  );
}

// The join screen's other way in: follow the livestream, and how to join the call when called.
export function FollowOffer({ follower, you, m }: { follower: Follower; you: You; m: Meeting }) {
  const suggested = large(m);
  return (
    <div id="follow-offer" class="follow-offer">
      <p id="follow-hint">{t(suggested ? "media.follow_suggested" : "media.follow_hint")}</p>
      {you.role !== "observer" && (
        <fieldset id="follow-mode" class="media-mode">
          <legend>{t("media.follow_when_called")}</legend>
          {CALLED_MODES.map((value) => (
            <label key={value}>
              <input type="radio" name="follow-mode" value={value} checked={follower.mode === value} onChange={() => follower.choose(value)} />{" "}
              <span>{t(`media.follow_called_${value}`)}</span>
            </label>
          ))}
        </fieldset>
      )}
      <p class="controls">
        <button type="button" id="media-follow" class={suggested ? "primary" : undefined} aria-describedby="follow-hint" onClick={() => void follower.follow()}>
          {t("media.follow")}
        </button>
      </p>
    </div>
  );
}

// Refused with sound (no gesture of the member's since the page loaded): muted, with the controls.
function withSound(element: HTMLVideoElement): void {
  void element.play().catch(() => {
    element.muted = true;
    return element.play().catch(() => undefined);
  });
}

// The livestream on the stage, with its sound: the member asked for it, so the browser lets it play.
function Player({ source }: { source: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const playing = useLivePlayer(video, source, withSound).state;
  const shown = playing === "failed" ? t("media.follow_failed") : playing === "unsupported" ? t("media.follow_unsupported") : null;
  return (
    <>
      <video id="follow-video" ref={video} controls playsInline aria-label={t("media.follow_video")} />
      {shown && <p class="follow-slate">{shown}</p>}
    </>
  );
}

// The stage while following: the livestream, and the way back to the join screen.
export function FollowStage({ follower, m, token }: { follower: Follower; m: Meeting; token: string }) {
  return (
    <div id="follow-stage" class="follow-stage">
      <Player source={playlist(m.id, token)} />
      <p class="controls">
        <button type="button" id="follow-stop" onClick={() => void follower.unfollow()}>
          {t("media.follow_stop")}
        </button>
      </p>
    </div>
  );
}
