// The join screen of the audio and video: who the member joins as (a link passed on by mistake shows
// here), how they take part (camera and microphone, audio only or listening), the device check
// (preview, pickers, level) and the button that joins.
import { useState } from "preact/hooks";
import type { Mode } from "./devices";
import { t } from "./i18n";
import type { MediaSession } from "./media";
import type { Meeting, You } from "./store";
import { formatStart } from "./time";
import { LevelMeter, LiveVideo, ownStream } from "./video";

const MODES: Mode[] = ["full", "audio", "listen"];

function Picker(props: { id: string; label: string; devices: MediaDeviceInfo[]; chosen: string; onChoose: (id: string) => void }) {
  const { id, label, devices, chosen, onChoose } = props;
  return (
    <p>
      <label for={id}>{label}</label>{" "}
      <select id={id} value={chosen} onChange={(event) => onChoose(event.currentTarget.value)}>
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </p>
  );
}

function JoiningAs({ you, m }: { you: You; m: Meeting }) {
  return (
    <div id="joining" class="joining">
      <p>
        {t(you.branch ? "join.as_branch" : "join.as", { name: you.name, branch: you.branch })}
      </p>
      <p>
        {m.title}: <time dateTime={m.starts_at}>{formatStart(m.starts_at, m.time_zone).local}</time> ({t("join.your_time")})
      </p>
      <p class="hint">{t("join.not_you")}</p>
    </div>
  );
}

export function JoinScreen({ session, you, m }: { session: MediaSession; you: You; m: Meeting }) {
  // The mode last joined with, when the member comes back to this screen.
  const [chosen, setChosen] = useState<Mode>(session.mode);
  const [checking, setChecking] = useState(false);
  // Observers may only listen (the relay refuses them any other mode).
  const listenOnly = you.role === "observer";
  const mode = listenOnly ? "listen" : chosen;
  const local = session.local;

  async function check(wanted: Mode): Promise<void> {
    setChecking(true);
    // The devices may allow less than asked: a camera that fails leaves audio.
    setChosen(await local.acquire(wanted, true));
    session.problem = local.problem;
    session.notify();
  }

  function choose(wanted: Mode): void {
    setChosen(wanted);
    if (checking) void check(wanted);
  }

  const checked = checking && (local.microphone !== null || local.camera !== null);
  const preview = checking && local.camera ? ownStream("preview", local.camera) : null;
  return (
    <div id="media-setup" class="media-setup">
      <JoiningAs you={you} m={m} />
      <fieldset id="media-mode" class="media-mode">
        <legend>{t("media.how")}</legend>
        {MODES.map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="media-mode"
              value={value}
              checked={mode === value}
              disabled={listenOnly && value !== "listen"}
              onChange={() => choose(value)}
            />{" "}
            <span>{t(`media.${value}`)}</span>
          </label>
        ))}
        {listenOnly && (
          <p id="media-observer" class="hint">
            {t("media.observer")}
          </p>
        )}
      </fieldset>
      {checked && (
        <div id="device-check" class="device-check">
          {preview && <LiveVideo id="media-preview" class="preview" muted aria-label={t("media.preview")} stream={preview} />}
          <div class="device-fields">
            {mode === "full" && (
              <Picker
                id="camera-picker"
                label={t("media.camera")}
                devices={local.cameras}
                chosen={local.chosenId("videoinput")}
                onChoose={(id) => void session.choose("videoinput", id)}
              />
            )}
            {mode !== "listen" && (
              <Picker
                id="microphone-picker"
                label={t("media.microphone")}
                devices={local.microphones}
                chosen={local.chosenId("audioinput")}
                onChoose={(id) => void session.choose("audioinput", id)}
              />
            )}
            <p>
              <label for="mic-level">{t("media.mic_level")}</label> <LevelMeter id="mic-level" session={session} />
            </p>
            <p class="hint">{t("media.speak_hint")}</p>
          </div>
        </div>
      )}
      <p class="controls">
        {mode !== "listen" && !checked && (
          <button type="button" id="media-check" onClick={() => void check(mode)}>
            {t("media.check")}
          </button>
        )}
        <button type="button" id="media-join" class="primary" onClick={() => void session.join(mode)}>
          {t(session.phase === "ended" ? "media.rejoin" : "media.join")}
        </button>
      </p>
    </div>
  );
}
