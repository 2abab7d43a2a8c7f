// The meeting's audio and video on this page: one RTCPeerConnection to the relay, which makes every
// offer; this side only answers (docs/protocol/media.offer.md). Procedure (mutes, formal mode) is
// enforced by the relay; the page only shows it.
import type { Connection } from "./connection";
import { LocalMedia, type Mode, type Source } from "./devices";
import { problem } from "./errors";
import { t } from "./i18n";

export interface StreamInfo {
  member_id: string;
  name: string;
  source: "camera" | "screen";
}

interface Offer {
  sdp: string;
  type: "offer";
  streams: Record<string, StreamInfo>;
  publish: Partial<Record<Source, string>>;
}

interface JoinReply {
  mode: Mode;
  stream_id: string;
  ice_servers: RTCIceServer[];
  // "relay" where the hub's media is reachable only through its TURN servers.
  ice_transport_policy: RTCIceTransportPolicy;
  active_speaker: string | null;
}

// setup: not in the media (device check); reconnecting: the socket dropped and media comes back with
// it; ended: the relay ended it (media.ended).
export type Phase = "setup" | "joining" | "joined" | "reconnecting" | "ended";

// The relay takes no trickled candidates; if gathering stalls (an unreachable STUN server), what was
// gathered by then is sent.
const GATHER_TIMEOUT_MS = 5000;

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      if (pc.iceGatheringState !== "complete" && pc.signalingState !== "closed") return;
      pc.removeEventListener("icegatheringstatechange", done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    }, GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", done);
  });
}

export class MediaSession {
  phase: Phase = "setup";
  mode: Mode = "full";
  pc: RTCPeerConnection | null = null;
  // The streams of the latest offer, by stream id, and the received MediaStreams for them.
  streams: Record<string, StreamInfo> = {};
  remote = new Map<string, MediaStream>();
  activeSpeaker: string | null = null;
  micMuted = false;
  cameraOff = false;
  sharing = false;
  // Why the media ended or could not start, for the person to read.
  problem = "";
  readonly local = new LocalMedia();
  private publish: Partial<Record<Source, string>> = {};
  // Offers are answered strictly one after another, and only for the current peer connection.
  private answering: Promise<void> = Promise.resolve();
  private generation = 0;
  private peer: Promise<RTCPeerConnection | null> = Promise.resolve(null);
  private listeners: Array<() => void> = [];

  constructor(private connection: Connection) {
    const socket = connection.socket;
    socket.on("media.offer", (offer: Offer) => {
      const generation = this.generation;
      // An error for a peer connection that is gone (the socket dropped meanwhile) is nobody's concern.
      this.answering = this.answering
        .then(() => this.answer(offer, generation))
        .catch((error) => {
          if (generation === this.generation) this.fail(error);
        });
    });
    // `moved`: the meeting's media now runs on another node of the hub; join it there at once.
    socket.on("media.ended", (data: { reason: string }) =>
      data.reason === "moved" ? void this.join(this.mode) : this.ended(data.reason),
    );
    socket.on("media.active_speaker", (data: { member_id: string | null }) => {
      this.activeSpeaker = data.member_id;
      this.notify();
    });
    // The relay released this connection's media when it dropped: start again once the new
    // connection has joined the meeting, with the same mode and the same devices.
    socket.on("disconnect", () => {
      if (this.phase !== "joining" && this.phase !== "joined") return;
      this.closePeer();
      this.phase = "reconnecting";
      this.notify();
    });
    connection.onJoined(() => {
      if (this.phase === "reconnecting") void this.join(this.mode);
    });
    window.addEventListener("pagehide", () => {
      this.closePeer();
      this.local.stop();
    });
  }

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  async join(mode: Mode): Promise<void> {
    this.phase = "joining";
    this.problem = "";
    this.notify();
    this.closePeer();
    const generation = this.generation;
    let ready!: (pc: RTCPeerConnection | null) => void;
    this.peer = new Promise((resolve) => (ready = resolve));
    try {
      // A camera switched off stays off when the media comes back after a dropped connection.
      this.mode = await this.local.acquire(mode, !this.cameraOff);
      this.problem = this.local.problem;
      if (this.local.microphone) this.local.microphone.enabled = !this.micMuted;
      // The others see the mode and whether the microphone is on (the participant's media and microphone).
      const reply = await this.connection.send<JoinReply>("media.join", { mode: this.mode, microphone: !this.micMuted });
      if (generation !== this.generation) return;
      this.mode = reply.mode;
      this.activeSpeaker = reply.active_speaker;
      const pc = new RTCPeerConnection({
        bundlePolicy: "max-bundle",
        iceServers: reply.ice_servers,
        iceTransportPolicy: reply.ice_transport_policy,
      });
      pc.addEventListener("track", (event) => {
        const stream = event.streams[0];
        if (!stream) return;
        this.remote.set(stream.id, stream);
        stream.addEventListener("addtrack", () => this.notify());
        stream.addEventListener("removetrack", () => this.notify());
        this.notify();
      });
      pc.addEventListener("connectionstatechange", () => this.notify());
      this.pc = pc;
      this.phase = "joined";
    } catch (error) {
      if (generation !== this.generation) return;
      this.phase = "setup";
      this.problem = problem(error);
      this.local.stop();
    } finally {
      // Offers wait for this; one for an abandoned join is dropped.
      ready(generation === this.generation ? this.pc : null);
      if (generation === this.generation) this.notify();
    }
  }

  async leave(): Promise<void> {
    this.closePeer();
    this.local.stop();
    this.cameraOff = false;
    this.phase = "setup";
    this.notify();
    try {
      await this.connection.send("media.leave", {});
    } catch {
      // Disconnecting releases the media on the relay all the same.
    }
  }

  setMicrophone(muted: boolean): void {
    this.micMuted = muted;
    // A disabled track sends silence: the relay keeps the stream and nothing needs renegotiating.
    if (this.local.microphone) this.local.microphone.enabled = !muted;
    this.notify();
    // The others see it; a refusal (the media ended meanwhile) changes nothing here.
    if (this.phase === "joined" && this.mode !== "listen") {
      void this.connection.send("media.microphone", { on: !muted }).catch(() => undefined);
    }
  }

  // Another mode: the relay's peer connection starts afresh (a listener's has no sources to add).
  async switchMode(mode: Mode): Promise<void> {
    await this.leave();
    await this.join(mode);
  }

  async setCamera(off: boolean): Promise<void> {
    this.cameraOff = off;
    if (off) {
      this.local.stop("camera");
      await this.sender("camera")?.replaceTrack(null);
    } else {
      try {
        const track = await this.local.startCamera();
        await this.sender("camera")?.replaceTrack(track);
      } catch (error) {
        this.cameraOff = true;
        this.problem = t("media.camera_unavailable", { reason: (error as Error).message });
      }
    }
    this.notify();
  }

  async setSharing(on: boolean): Promise<void> {
    if (on === this.sharing) return;
    if (!on) {
      this.sharing = false;
      this.local.stop("screen");
      this.notify();
      await this.connection.send("media.share", { on: false }).catch(() => undefined);
      return;
    }
    try {
      await this.local.startScreen(() => void this.setSharing(false));
      // The relay's next offer names the screen's media section under `publish`.
      const reply = await this.connection.send<{ sharing: boolean }>("media.share", { on: true });
      this.sharing = reply.sharing;
    } catch (error) {
      this.local.stop("screen");
      this.sharing = false;
      if ((error as DOMException).name !== "NotAllowedError") this.problem = problem(error);
    }
    this.notify();
  }

  // Change devices while the media runs: the new track replaces the old one without renegotiating.
  async choose(kind: "audioinput" | "videoinput", deviceId: string): Promise<void> {
    const track = await this.local.choose(kind, deviceId);
    if (track && kind === "audioinput") track.enabled = !this.micMuted;
    if (track) await this.sender(kind === "audioinput" ? "microphone" : "camera")?.replaceTrack(track);
    this.notify();
  }

  private sender(source: Source): RTCRtpSender | undefined {
    const mid = this.publish[source];
    return mid === undefined ? undefined : this.pc?.getTransceivers().find((t) => t.mid === mid)?.sender;
  }

  private async answer(offer: Offer, generation: number): Promise<void> {
    const pc = await this.peer;
    if (pc === null || generation !== this.generation || pc.signalingState === "closed") return;
    this.streams = offer.streams;
    // The screen left `publish`: the relay stopped forwarding it.
    if (this.publish.screen !== undefined && offer.publish.screen === undefined && this.local.screen) {
      this.local.stop("screen");
      this.sharing = false;
    }
    this.publish = offer.publish;
    await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
    const sourceOf = new Map(Object.entries(offer.publish).map(([source, mid]) => [mid, source as Source]));
    for (const transceiver of pc.getTransceivers()) {
      // A media section the relay retired for good cannot change direction any more.
      if (transceiver.currentDirection === "stopped" || transceiver.mid === null) continue;
      const source = sourceOf.get(transceiver.mid);
      if (source === undefined) {
        transceiver.direction = "recvonly";
        continue;
      }
      const track = this.local.track(source);
      await transceiver.sender.replaceTrack(track);
      // A camera the person switched off stays sendonly, so it can come back without a new offer.
      const sends = track !== null || (source === "camera" && this.cameraOff && this.mode === "full");
      transceiver.direction = sends ? "sendonly" : "inactive";
    }
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    if (generation !== this.generation || this.pc !== pc) return;
    for (const id of this.remote.keys()) if (!(id in this.streams)) this.remote.delete(id);
    this.notify();
    await this.connection.send("media.answer", { sdp: pc.localDescription!.sdp });
  }

  private fail(error: unknown): void {
    this.problem = problem(error);
    this.notify();
  }

  private ended(reason: string): void {
    this.closePeer();
    this.local.stop();
    this.cameraOff = false;
    this.phase = "ended";
    this.problem =
      reason === "no_answer"
        ? t("media.stopped_no_answer")
        : t("media.stopped_failed");
    this.notify();
  }

  private closePeer(): void {
    this.generation += 1;
    // A peer connection closed in the middle of an operation never settles that operation's promise:
    // the next connection's offers must not queue behind it.
    this.answering = Promise.resolve();
    this.pc?.close();
    this.pc = null;
    this.peer = Promise.resolve(null);
    this.streams = {};
    this.publish = {};
    this.remote.clear();
    this.activeSpeaker = null;
    if (this.sharing) {
      this.local.stop("screen");
      this.sharing = false;
    }
  }
}
