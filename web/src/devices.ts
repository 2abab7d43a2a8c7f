// This browser's own sources: microphone, camera and shared screen, the chosen devices, and the
// microphone's level for the meters.
import { t } from "./i18n";
import type { Payloads } from "./protocol.gen";

// How this member takes part in the media, as media.join takes it.
export type Mode = NonNullable<Payloads["media.join"]["mode"]>;
export type Source = "microphone" | "camera" | "screen";

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
// Modest by default: the relay forwards the publisher's quality to everyone (no simulcast).
const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 20, max: 30 } };

function reason(error: unknown): string {
  const name = (error as DOMException)?.name;
  if (name === "NotAllowedError") return t("media.refused");
  if (name === "NotFoundError" || name === "OverconstrainedError") return t("media.no_device");
  if (name === "NotReadableError") return t("media.in_use");
  return (error as Error)?.message ?? String(error);
}

export class LocalMedia {
  microphone: MediaStreamTrack | null = null;
  camera: MediaStreamTrack | null = null;
  screen: MediaStreamTrack | null = null;
  cameras: MediaDeviceInfo[] = [];
  microphones: MediaDeviceInfo[] = [];
  // Why the last request for a device failed, for the person to read.
  problem = "";
  private chosen: { audioinput?: string; videoinput?: string } = {};
  private audio: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private meterSource: MediaStreamAudioSourceNode | null = null;
  private samples: Float32Array<ArrayBuffer> | null = null;

  track(source: Source): MediaStreamTrack | null {
    return this[source];
  }

  // Open what `mode` sends (without the camera if `camera` is false) and close what it does not. Returns the mode that the devices allow: a
  // camera that fails leaves audio, a microphone that fails leaves listening.
  async acquire(mode: Mode, camera = true): Promise<Mode> {
    this.problem = "";
    if (mode !== "full" || !camera) this.stop("camera");
    if (mode === "listen") this.stop("microphone");
    let result = mode;
    const wantCamera = mode === "full" && camera && !this.camera;
    const wantMicrophone = mode !== "listen" && !this.microphone;
    if (wantCamera && wantMicrophone) {
      // One request, so the browser asks for both permissions at once.
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: this.constraints("audioinput"), video: this.constraints("videoinput") });
        [this.microphone] = stream.getAudioTracks();
        [this.camera] = stream.getVideoTracks();
        this.meter();
        await this.enumerate();
        return mode;
      } catch {
        // Find out which of the two fails.
      }
    }
    if (wantCamera) {
      try {
        this.camera = await this.open("videoinput");
      } catch (error) {
        this.problem = t("media.camera_unavailable", { reason: reason(error) });
        result = "audio";
      }
    }
    if (wantMicrophone) {
      try {
        this.microphone = await this.open("audioinput");
      } catch (error) {
        this.problem = `${this.problem} ${t("media.mic_unavailable", { reason: reason(error) })}`.trim();
        this.stop("camera");
        result = "listen";
      }
    }
    this.meter();
    await this.enumerate();
    return result;
  }

  // Switch to another camera or microphone; returns the new track (the old one is stopped).
  async choose(kind: "audioinput" | "videoinput", deviceId: string): Promise<MediaStreamTrack | null> {
    this.chosen[kind] = deviceId;
    const source = kind === "audioinput" ? "microphone" : "camera";
    if (!this[source]) return null;
    const track = await this.open(kind);
    this[source]?.stop();
    this[source] = track;
    if (source === "microphone") this.meter();
    return track;
  }

  async startCamera(): Promise<MediaStreamTrack> {
    this.camera ??= await this.open("videoinput");
    return this.camera;
  }

  async startScreen(onEnded: () => void): Promise<MediaStreamTrack> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    // The browser's own "Stop sharing" ends the track.
    track.addEventListener("ended", onEnded);
    this.screen = track;
    return track;
  }

  stop(source?: Source): void {
    for (const name of source ? [source] : (["microphone", "camera", "screen"] as Source[])) {
      this[name]?.stop();
      this[name] = null;
    }
    if (!this.microphone) this.meter();
  }

  // The microphone's level now, 0 (silence, -60 dBFS or less) to 1 (full scale).
  level(): number {
    if (!this.analyser || !this.samples || !this.microphone?.enabled) return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    const rms = Math.sqrt(sum / this.samples.length);
    const dbfs = 20 * Math.log10(Math.max(rms, 1e-6));
    return Math.min(1, Math.max(0, (dbfs + 60) / 60));
  }

  private constraints(kind: "audioinput" | "videoinput"): MediaTrackConstraints {
    const id = this.chosen[kind];
    return { ...(kind === "audioinput" ? AUDIO : VIDEO), ...(id ? { deviceId: { exact: id } } : {}) };
  }

  private async open(kind: "audioinput" | "videoinput"): Promise<MediaStreamTrack> {
    const constraints = this.constraints(kind);
    const stream = await navigator.mediaDevices.getUserMedia(
      kind === "audioinput" ? { audio: constraints } : { video: constraints },
    );
    return kind === "audioinput" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  }

  // Device names are only readable once a first getUserMedia was allowed.
  private async enumerate(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    this.cameras = devices.filter((d) => d.kind === "videoinput" && d.deviceId);
    this.microphones = devices.filter((d) => d.kind === "audioinput" && d.deviceId);
  }

  private meter(): void {
    this.meterSource?.disconnect();
    this.meterSource = null;
    if (!this.microphone) return;
    this.audio ??= new AudioContext();
    void this.audio.resume();
    this.analyser ??= Object.assign(this.audio.createAnalyser(), { fftSize: 1024 });
    this.samples ??= new Float32Array(this.analyser.fftSize);
    this.meterSource = this.audio.createMediaStreamSource(new MediaStream([this.microphone]));
    this.meterSource.connect(this.analyser);
  }

  chosenId(kind: "audioinput" | "videoinput"): string {
    const track = kind === "audioinput" ? this.microphone : this.camera;
    return track?.getSettings().deviceId ?? this.chosen[kind] ?? "";
  }
}
