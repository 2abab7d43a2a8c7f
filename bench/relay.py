"""Relay CPU per forwarded stream: the pass-through (`signalling/media/passthrough.py`) against aiortc's
standard `MediaRelay` (decode once, re-encode for every subscriber), in the same run, at 1, 4 and 8
subscribers, for video and for audio; and the latency the relay adds: from a frame leaving the
publisher's source to its arrival at a subscriber, through the pass-through against a direct
peer-to-peer connection in the same run.

The relay runs as its own process (this module with `--serve`), negotiating as the hub does (it makes
every offer); the publisher and the subscribers are aiortc peers in this process. Subscribers take what
arrives without decoding it, so that this process stays cheap. The relay's CPU comes from /proc.

    .venv/bin/python -m bench.relay --subscribers 1 4 8 --seconds 10

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import subprocess
import sys
import time
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

from bench.harness import arguments, cpu_seconds, report, table
from signalling.media.passthrough import Publisher, allow_loopback_candidates, pin_codec, receive_encoded
from tests.media_sources import Pattern, Tone

WIDTH, HEIGHT = 640, 360
WARM_UP = 3.0


def config() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


# The relay's side, run in its own process: one line of JSON in, one out, per step.


async def serve(mode: str, kind: str, count: int) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def say(message: dict[str, Any]) -> None:
        print(json.dumps(message), flush=True)

    async def hear() -> dict[str, Any]:
        return dict(json.loads(await reader.readline()))

    inbound = RTCPeerConnection(config())
    pin_codec(inbound.addTransceiver(kind, direction="recvonly"))
    await inbound.setLocalDescription(await inbound.createOffer())
    say({"offer": inbound.localDescription.sdp})
    await inbound.setRemoteDescription(RTCSessionDescription((await hear())["answer"], "answer"))
    receiver = inbound.getTransceivers()[0].receiver
    # As the hub does: take the receiver over before aiortc starts it.
    publisher = Publisher(receiver) if mode == "passthrough" else None
    relay = MediaRelay()

    outbound = []
    for _ in range(count):
        pc = RTCPeerConnection(config())
        transceiver: RTCRtpTransceiver = pc.addTransceiver(kind, direction="sendonly")
        pin_codec(transceiver)
        if publisher is not None:
            publisher.subscribe(transceiver.sender)
        else:
            transceiver.sender.replaceTrack(relay.subscribe(receiver.track))
        await pc.setLocalDescription(await pc.createOffer())
        outbound.append(pc)
    say({"offers": [pc.localDescription.sdp for pc in outbound]})
    answers = (await hear())["answers"]
    for pc, sdp in zip(outbound, answers, strict=True):
        await pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))
    say({"ready": True})
    await hear()  # until told to stop
    if publisher is not None:
        await publisher.stop()
    for pc in [inbound, *outbound]:
        await pc.close()


# The load's side: the publisher and the subscribers.


class Timed(MediaStreamTrack):
    """The publisher's source, noting when each frame (by pts) left it for the encoder.

    Video skips every seventh timestamp, so that only one alignment of arrivals with sent frames pairs
    them all (see `Counted.latencies`)."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self.source = source
        self.sent: dict[int, float] = {}
        self.frames = 0

    async def recv(self) -> Any:
        frame = await self.source.recv()
        assert frame.pts is not None
        if self.kind == "video":
            frame.pts += (self.frames // 6) * (90000 // 30)
        self.frames += 1
        self.sent[frame.pts] = time.perf_counter()
        return frame


class Counted:
    """A subscriber's received track, read as encoded packets, counted, and timed once `timing`."""

    def __init__(self, pc: RTCPeerConnection) -> None:
        self.packets = 0
        self.timing = False
        self.arrivals: list[tuple[int, float]] = []
        self.task: asyncio.Task[None] | None = None

        @pc.on("track")
        def on_track(track: Any) -> None:
            receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
            receive_encoded(receiver)
            self.task = asyncio.ensure_future(self._read(track))

    async def _read(self, track: Any) -> None:
        try:
            while True:
                packet = await track.recv()
                self.packets += 1
                if self.timing:
                    self.arrivals.append((packet.pts, time.perf_counter()))
        except MediaStreamError:
            pass

    def latencies(self, sent: dict[int, float]) -> list[float]:
        """Source-to-subscriber delay of every timed frame.

        RTP timestamps keep the source's pts up to a constant offset that each hop chooses at random,
        so the offset is found: the alignment that pairs every arrival with a sent frame and puts none
        before its frame left the source, the latest if several do. For video the skipped timestamps
        leave only one; audio relies on a frame arriving within a frame interval (20 ms) on loopback.
        """
        first_pts, first_at = self.arrivals[0]
        ordered = sorted(sent)
        # Clock conversions on the way may move a timestamp by a tick or two.
        slack = min(b - a for a, b in itertools.pairwise(ordered)) // 4

        def left(pts: int) -> float | None:
            at = bisect.bisect_left(ordered, pts - slack)
            if at < len(ordered) and abs(ordered[at] - pts) <= slack:
                return sent[ordered[at]]
            return None

        candidates = sorted((pts for pts, at in sent.items() if at <= first_at), reverse=True)
        for source_pts in candidates:
            offset = first_pts - source_pts
            paired = [(at, left(pts - offset)) for pts, at in self.arrivals]
            if all(gone is not None and at >= gone for at, gone in paired):
                return [at - gone for at, gone in paired if gone is not None]
        raise AssertionError("no alignment pairs every arrival with the frame it came from")


async def answer(pc: RTCPeerConnection, sdp: str) -> str:
    await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    return str(pc.localDescription.sdp)


async def run(mode: str, kind: str, count: int, seconds: float) -> dict[str, Any]:
    relay = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.relay",
        "--serve",
        mode,
        kind,
        str(count),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert relay.stdin is not None and relay.stdout is not None

    async def hear() -> dict[str, Any]:
        return dict(json.loads(await relay.stdout.readline()))  # type: ignore[union-attr]

    def say(message: dict[str, Any]) -> None:
        relay.stdin.write(json.dumps(message).encode() + b"\n")  # type: ignore[union-attr]

    publisher = RTCPeerConnection(config())
    source = Timed(Pattern((WIDTH, HEIGHT)) if kind == "video" else Tone(0.3))
    offer = (await hear())["offer"]
    await publisher.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    transceiver = publisher.getTransceivers()[0]
    transceiver.sender.replaceTrack(source)
    transceiver.direction = "sendonly"
    await publisher.setLocalDescription(await publisher.createAnswer())
    say({"answer": publisher.localDescription.sdp})

    offers = (await hear())["offers"]
    subscribers = [RTCPeerConnection(config()) for _ in offers]
    counted = [Counted(pc) for pc in subscribers]
    say({"answers": [await answer(pc, sdp) for pc, sdp in zip(subscribers, offers, strict=True)]})
    await hear()
    await asyncio.sleep(WARM_UP)
    before_packets = [c.packets for c in counted]
    for c in counted:
        c.timing = True
    before_cpu, started = cpu_seconds(relay.pid), time.perf_counter()
    await asyncio.sleep(seconds)
    share = (cpu_seconds(relay.pid) - before_cpu) / (time.perf_counter() - started)
    rates = [(c.packets - b) / seconds for c, b in zip(counted, before_packets, strict=True)]
    say({"stop": True})
    await relay.wait()
    for pc in [publisher, *subscribers]:
        await pc.close()
    assert min(rates) > 0, f"a subscriber received nothing through the {mode} relay"
    return {
        "cpu_share": round(share, 3),
        "cpu_per_stream_pct": round(100 * share / count, 2),
        "frames_per_second_per_subscriber": round(sum(rates) / len(rates), 1),
        **delays([d for c in counted for d in c.latencies(source.sent)]),
    }


async def direct(kind: str, seconds: float) -> dict[str, Any]:
    """The baseline for latency: the same publisher and a subscriber connected peer to peer."""
    publisher, subscriber = RTCPeerConnection(config()), RTCPeerConnection(config())
    source = Timed(Pattern((WIDTH, HEIGHT)) if kind == "video" else Tone(0.3))
    counted = Counted(subscriber)
    pin_codec(subscriber.addTransceiver(kind, direction="recvonly"))
    await subscriber.setLocalDescription(await subscriber.createOffer())
    await publisher.setRemoteDescription(subscriber.localDescription)
    transceiver = publisher.getTransceivers()[0]
    transceiver.sender.replaceTrack(source)
    transceiver.direction = "sendonly"
    await publisher.setLocalDescription(await publisher.createAnswer())
    await subscriber.setRemoteDescription(publisher.localDescription)
    await asyncio.sleep(WARM_UP)
    counted.timing = True
    await asyncio.sleep(seconds)
    for pc in (publisher, subscriber):
        await pc.close()
    assert counted.arrivals, "nothing arrived peer to peer"
    return delays(counted.latencies(source.sent))


def delays(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "latency_p50_ms": round(1000 * ordered[len(ordered) // 2], 2),
        "latency_p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


async def main(counts: list[int], seconds: float) -> list[dict[str, Any]]:
    results = []
    for kind in ("video", "audio"):
        baseline = await direct(kind, seconds)
        for count in counts:
            row: dict[str, Any] = {"benchmark": "relay_cpu", "kind": kind, "subscribers": count}
            for mode in ("passthrough", "mediarelay"):
                row[mode] = await run(mode, kind, count, seconds)
            row["ratio"] = round(
                row["mediarelay"]["cpu_share"] / max(row["passthrough"]["cpu_share"], 0.001), 1
            )
            row["direct"] = baseline
            row["added_latency_p99_ms"] = round(
                row["passthrough"]["latency_p99_ms"] - baseline["latency_p99_ms"], 2
            )
            results.append(row)
    return results


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["kind", "subscribers", "pass-through CPU", "MediaRelay CPU", "per stream (pass, relay)"]
    rows = [
        [
            r["kind"],
            r["subscribers"],
            f"{r['passthrough']['cpu_share']:.1%}",
            f"{r['mediarelay']['cpu_share']:.1%}",
            f"{r['passthrough']['cpu_per_stream_pct']} %, {r['mediarelay']['cpu_per_stream_pct']} %",
            f"{r['ratio']}x",
            f"{r['passthrough']['latency_p50_ms']}, {r['passthrough']['latency_p99_ms']}",
            f"{r['direct']['latency_p50_ms']}, {r['direct']['latency_p99_ms']}",
            r["added_latency_p99_ms"],
        ]
        for r in results
    ]
    latency = ["pass-through latency p50, p99 (ms)", "direct p50, p99 (ms)", "added p99 (ms)"]
    return table([*columns, "MediaRelay / pass-through", *latency], rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--serve", nargs=3, metavar=("MODE", "KIND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    with allow_loopback_candidates(only=True):
        if args.serve:
            asyncio.run(serve(args.serve[0], args.serve[1], int(args.serve[2])))
        else:
            found = asyncio.run(main(args.subscribers, args.seconds))
            report(found, summary)
