// The audio and video panel: the device check before joining, then the controls and the video tiles.
// It lives outside #app and is updated in place, so live <video> elements, focus and the preview survive
// every update.
import type { Mode } from "./devices";
import { escape } from "./format";
import type { MediaSession, StreamInfo } from "./media";
import { HEARD_IN_FORMAL, formalMode, hasFloor } from "./forwarding";
import { t } from "./i18n";
import type { MeetingStore } from "./store";

interface Tile {
  id: string;
  stream: MediaStream | null;
  name: string;
  memberId: string;
  source: "camera" | "screen";
  self: boolean;
}

// Text is filled in by relabel(): data-t names the text, data-t-label the aria-label.
const SKELETON = `
  <h2 id="media-h" data-t="media.title"></h2>
  <div id="media-status" class="media-status"></div>
  <div id="media-setup" class="media-setup">
    <fieldset id="media-mode" class="media-mode">
      <legend data-t="media.how"></legend>
      <label><input type="radio" name="media-mode" value="full" checked /> <span data-t="media.full"></span></label>
      <label><input type="radio" name="media-mode" value="audio" /> <span data-t="media.audio"></span></label>
      <label><input type="radio" name="media-mode" value="listen" /> <span data-t="media.listen"></span></label>
      <p id="media-observer" class="hint" hidden data-t="media.observer"></p>
    </fieldset>
    <div id="device-check" class="device-check" hidden>
      <video id="media-preview" class="preview" autoplay playsinline muted data-t-label="media.preview"></video>
      <div class="device-fields">
        <p id="camera-field"><label for="camera-picker" data-t="media.camera"></label> <select id="camera-picker"></select></p>
        <p id="microphone-field"><label for="microphone-picker" data-t="media.microphone"></label> <select id="microphone-picker"></select></p>
        <p><label for="mic-level" data-t="media.mic_level"></label> <meter id="mic-level" min="0" max="1" low="0.15" high="0.85" optimum="0.5" value="0"></meter></p>
        <p class="hint" data-t="media.speak_hint"></p>
      </div>
    </div>
    <p class="controls">
      <button type="button" id="media-check" data-t="media.check"></button>
      <button type="button" id="media-join" class="primary"></button>
    </p>
  </div>
  <div id="media-live" hidden>
    <div class="controls media-controls" role="group" data-t-label="media.yours">
      <button type="button" id="media-mic" aria-pressed="false" data-t="media.mute_mic"></button>
      <button type="button" id="media-camera" aria-pressed="false" data-t="media.stop_camera"></button>
      <button type="button" id="media-share" aria-pressed="false" data-t="media.share"></button>
      <button type="button" id="media-leave" data-t="media.leave"></button>
      <span id="media-self" class="media-self"></span>
      <meter id="media-level" min="0" max="1" low="0.15" high="0.85" optimum="0.5" value="0" data-t-label="media.your_level"></meter>
    </div>
    <div id="media-tiles" class="tiles"></div>
  </div>
  <div id="media-announce" class="visually-hidden" role="status" aria-live="assertive"></div>`;

export class MediaView {
  private tiles = new Map<string, HTMLElement>();
  private selfStreams = new Map<string, MediaStream>();
  private checking = false;
  // What was last announced, so that only changes are spoken.
  private wasMuted: boolean | null = null;
  private hadFloor: boolean | null = null;

  constructor(
    private root: HTMLElement,
    private session: MediaSession,
    private store: MeetingStore,
  ) {
    root.innerHTML = SKELETON;
    this.el("media-check").addEventListener("click", () => void this.check());
    this.el("media-join").addEventListener("click", () => void this.session.join(this.chosenMode()));
    this.root.querySelectorAll<HTMLInputElement>("[name=media-mode]").forEach((radio) =>
      radio.addEventListener("change", () => {
        if (this.checking) void this.check();
      }),
    );
    for (const [picker, kind] of [["camera-picker", "videoinput"], ["microphone-picker", "audioinput"]] as const) {
      const select = this.el<HTMLSelectElement>(picker);
      select.addEventListener("change", () => void this.session.choose(kind, select.value));
    }
    this.el("media-mic").addEventListener("click", () => this.session.setMicrophone(!this.session.micMuted));
    this.el("media-camera").addEventListener("click", () => void this.session.setCamera(!this.session.cameraOff));
    this.el("media-share").addEventListener("click", () => void this.session.setSharing(!this.session.sharing));
    this.el("media-leave").addEventListener("click", () => void this.session.leave());
    session.subscribe(() => this.render());
    store.subscribe(() => this.render());
    // The meters, and the floor closing when a speech runs past its time.
    setInterval(() => this.meters(), 100);
    setInterval(() => this.status(), 1000);
  }

  private el<T extends HTMLElement = HTMLElement>(id: string): T {
    return this.root.querySelector<T>(`#${id}`)!;
  }

  private chosenMode(): Mode {
    return (this.root.querySelector<HTMLInputElement>("[name=media-mode]:checked")?.value ?? "listen") as Mode;
  }

  private async check(): Promise<void> {
    this.checking = true;
    const mode = await this.session.local.acquire(this.chosenMode(), true);
    this.session.problem = this.session.local.problem;
    if (mode !== this.chosenMode()) this.root.querySelector<HTMLInputElement>(`[name=media-mode][value=${mode}]`)!.checked = true;
    this.render();
  }

  render(): void {
    const you = this.store.you;
    this.root.hidden = !you || !this.store.meeting;
    if (this.root.hidden) return;
    const session = this.session;
    const inMedia = session.phase === "joining" || session.phase === "joined" || session.phase === "reconnecting";
    this.el("media-setup").hidden = inMedia;
    this.el("media-live").hidden = !inMedia;
    if (inMedia) this.checking = false;
    this.relabel();
    this.setup();
    this.controls();
    this.renderTiles(inMedia);
    this.status();
  }

  private setup(): void {
    const session = this.session;
    // Observers may only listen (the relay refuses them any other mode).
    const listenOnly = this.store.you?.role === "observer";
    this.root.querySelectorAll<HTMLInputElement>("[name=media-mode]").forEach((radio) => {
      radio.disabled = listenOnly && radio.value !== "listen";
      if (listenOnly) radio.checked = radio.value === "listen";
    });
    this.el("media-observer").hidden = !listenOnly;
    const mode = this.chosenMode();
    const local = session.local;
    const checked = this.checking && (local.microphone !== null || local.camera !== null);
    this.el("device-check").hidden = !checked;
    this.el("media-check").hidden = mode === "listen" || checked;
    this.el("media-join").textContent = t(session.phase === "ended" ? "media.rejoin" : "media.join");
    const preview = this.el<HTMLVideoElement>("media-preview");
    const previewStream = this.checking && local.camera ? this.selfStream("preview", local.camera) : null;
    if (preview.srcObject !== previewStream) preview.srcObject = previewStream;
    preview.hidden = previewStream === null;
    this.el("camera-field").hidden = mode !== "full";
    this.el("microphone-field").hidden = mode === "listen";
    this.fillPicker(this.el("camera-picker"), local.cameras, local.chosenId("videoinput"), t("media.camera"));
    this.fillPicker(this.el("microphone-picker"), local.microphones, local.chosenId("audioinput"), t("media.microphone"));
  }

  private fillPicker(select: HTMLSelectElement, devices: MediaDeviceInfo[], chosen: string, kind: string): void {
    const options = devices.map((d, i) => `<option value="${escape(d.deviceId)}">${escape(d.label || `${kind} ${i + 1}`)}</option>`).join("");
    if (select.dataset.options !== options) {
      select.innerHTML = options;
      select.dataset.options = options;
    }
    if (chosen && select.value !== chosen) select.value = chosen;
  }

  private controls(): void {
    const session = this.session;
    const mode = session.mode;
    const mic = this.el("media-mic");
    mic.hidden = mode === "listen";
    mic.setAttribute("aria-pressed", String(session.micMuted));
    const camera = this.el("media-camera");
    camera.hidden = mode !== "full";
    camera.setAttribute("aria-pressed", String(session.cameraOff));
    const share = this.el("media-share");
    share.hidden = mode === "listen" || !this.store.may("media.share") || !navigator.mediaDevices?.getDisplayMedia;
    share.setAttribute("aria-pressed", String(session.sharing));
    this.el("media-level").hidden = mode === "listen" || session.micMuted;
    const parts =
      mode === "listen"
        ? [t("media.listening")]
        : [
            t(session.micMuted ? "media.mic_muted" : "media.mic_on"),
            mode === "full" ? t(session.cameraOff ? "media.camera_off" : "media.camera_on") : t("media.audio_only"),
            session.sharing ? t("media.sharing") : "",
          ];
    this.el("media-self").textContent = parts.filter(Boolean).join(" ");
  }

  private selfStream(key: string, track: MediaStreamTrack): MediaStream {
    let stream = this.selfStreams.get(key);
    if (!stream || stream.getTracks()[0] !== track) {
      stream = new MediaStream([track]);
      this.selfStreams.set(key, stream);
    }
    return stream;
  }

  private wantedTiles(): Tile[] {
    const session = this.session;
    const me = this.store.you?.member_id ?? "";
    const tiles: Tile[] = Object.entries(session.streams).map(([id, info]: [string, StreamInfo]) => ({
      id,
      stream: session.remote.get(id) ?? null,
      name: info.name,
      memberId: info.member_id,
      source: info.source,
      self: false,
    }));
    const { camera, screen } = session.local;
    if (camera && session.mode === "full") tiles.unshift({ id: "self", stream: this.selfStream("self", camera), name: t("media.you"), memberId: me, source: "camera", self: true });
    if (screen && session.sharing) tiles.push({ id: "self-screen", stream: this.selfStream("screen", screen), name: t("media.your_screen"), memberId: me, source: "screen", self: true });
    return tiles;
  }

  private renderTiles(inMedia: boolean): void {
    const container = this.el("media-tiles");
    const wanted = inMedia ? this.wantedTiles() : [];
    const ids = new Set(wanted.map((t) => t.id));
    for (const [id, element] of this.tiles) {
      if (ids.has(id)) continue;
      element.querySelector("video")!.srcObject = null;
      element.remove();
      this.tiles.delete(id);
    }
    const m = this.store.meeting;
    const stage = m?.speech?.member_id ?? null;
    for (const tile of wanted) {
      let element = this.tiles.get(tile.id);
      if (!element) {
        element = document.createElement("figure");
        element.className = "tile";
        element.dataset.stream = tile.id;
        // Self views are silent, or the speaker would hear themselves.
        element.innerHTML = `<video autoplay playsinline ${tile.self ? "muted" : ""}></video><figcaption><span class="tile-name"></span> <span class="tile-state"></span></figcaption>`;
        container.append(element);
        this.tiles.set(tile.id, element);
      }
      element.dataset.member = tile.memberId;
      element.dataset.source = tile.source;
      const video = element.querySelector("video")!;
      if (video.srcObject !== tile.stream) video.srcObject = tile.stream;
      const hasVideo = (tile.stream?.getVideoTracks().length ?? 0) > 0;
      const onStage = tile.source === "screen" || (tile.memberId === stage && !!stage);
      const speaking = tile.source === "camera" && tile.memberId === this.session.activeSpeaker;
      const muted = tile.source === "camera" && (m?.muted.includes(tile.memberId) ?? false);
      element.classList.toggle("stage", onStage);
      element.classList.toggle("speaking", speaking);
      element.classList.toggle("no-video", !hasVideo);
      element.querySelector(".tile-name")!.textContent = tile.name;
      const state = [
        tile.source === "screen" ? t("media.tile_screen") : tile.memberId === stage ? t("media.on_stage") : "",
        speaking ? t("media.speaking") : "",
        muted ? t("media.muted_by_chair") : "",
        hasVideo ? "" : t("media.tile_audio_only"),
      ];
      element.querySelector(".tile-state")!.textContent = state.filter(Boolean).join(" · ");
    }
  }

  private status(): void {
    const m = this.store.meeting;
    const you = this.store.you;
    if (!m || !you) return;
    const session = this.session;
    const lines: string[] = [];
    const connecting = session.phase === "joining" || (session.phase === "joined" && session.pc?.connectionState !== "connected");
    if (connecting) lines.push(t("media.connecting"));
    if (session.phase === "reconnecting") lines.push(t("media.reconnecting"));
    if (session.problem) lines.push(session.problem);
    if (session.phase === "ended") lines.push(t("media.ended"));
    const muted = m.muted.includes(you.member_id);
    const formal = formalMode(m) && !HEARD_IN_FORMAL.has(you.role);
    const floor = hasFloor(m, you.member_id, this.store);
    const alert: string[] = [];
    if (muted) alert.push(t("media.muted_alert"));
    else if (formal && floor) alert.push(t("media.called_open"));
    else if (formal) alert.push(t("media.formal_wait"));
    if (floor && !muted && session.micMuted && session.phase === "joined") alert.push(t("media.floor_self_muted"));
    const html =
      lines.map((line) => `<p>${escape(line)}</p>`).join("") +
      alert.map((line) => `<p class="media-alert" data-state="${muted ? "muted" : floor ? "floor" : "formal"}">${escape(line)}</p>`).join("");
    const box = this.el("media-status");
    if (box.dataset.html !== html) {
      box.innerHTML = html;
      box.dataset.html = html;
    }
    // Spoken once per change (the first look is not a change, except a mute already in place).
    if (this.wasMuted !== muted && (this.wasMuted !== null || muted)) {
      this.announce(t(muted ? "media.announce_muted" : "media.announce_unmuted"));
    } else if (this.hadFloor !== null && this.hadFloor !== floor && !muted) {
      if (floor) this.announce(t(formal ? "media.called_open" : "media.announce_floor"));
      else if (formal) this.announce(t("media.announce_closed"));
    }
    this.wasMuted = muted;
    this.hadFloor = floor;
  }

  // The fixed text, in the page's language (it may have changed since the last render).
  private relabel(): void {
    for (const element of this.root.querySelectorAll<HTMLElement>("[data-t]")) {
      const text = t(element.dataset.t!);
      if (element.textContent !== text) element.textContent = text;
    }
    for (const element of this.root.querySelectorAll<HTMLElement>("[data-t-label]")) {
      element.setAttribute("aria-label", t(element.dataset.tLabel!));
    }
  }

  private announce(text: string): void {
    const region = this.el("media-announce");
    region.textContent = text;
  }

  private meters(): void {
    if (this.root.hidden) return;
    const level = this.session.local.level();
    this.el<HTMLMeterElement>("mic-level").value = level;
    this.el<HTMLMeterElement>("media-level").value = level;
  }
}
