// Live pictures and the microphone's level for the audio and video panel. A <video> keeps its element
// and its srcObject across renders: setting either anew would restart the picture.
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { MediaSession } from "./media";
import { useTick } from "./ui";

type VideoProps = Omit<JSX.VideoHTMLAttributes<HTMLVideoElement>, "ref"> & { stream: MediaStream | null };

export function LiveVideo({ stream, ...rest }: VideoProps) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const element = video.current!;
    element.srcObject = stream;
    // Released when the stream changes or the video goes, so the browser stops decoding it.
    return () => {
      element.srcObject = null;
    };
  }, [stream]);
  return <video ref={video} autoplay playsinline {...rest} />;
}

const own = new Map<string, MediaStream>();

// One of this browser's own tracks as a stream: the same stream for as long as the track lasts.
export function ownStream(key: string, track: MediaStreamTrack): MediaStream {
  let stream = own.get(key);
  if (!stream || stream.getTracks()[0] !== track) {
    stream = new MediaStream([track]);
    own.set(key, stream);
  }
  return stream;
}

type MeterProps = Omit<JSX.MeterHTMLAttributes<HTMLMeterElement>, "value"> & { session: MediaSession };

// The microphone's level, read ten times a second while shown.
export function LevelMeter({ session, ...rest }: MeterProps) {
  useTick(100);
  return <meter min={0} max={1} low={0.15} high={0.85} optimum={0.5} value={session.local.level()} {...rest} />;
}
