"""The livestream's latency: from the chair's `speaker.call` to a viewer of the livestream seeing the new
speaker's caption, in parts, against the same call reaching a member in the room.

The hub runs in this process (uvicorn on this loop, as tests/integration/test_media.py runs it), so that
the bench can look at the relay's studio and feed; its relay and programme worker are the real ones.
Five aiortc participants send generated media (a camera each, a tone each): the chair, three speakers
called in turn, and a member in the room. The livestream is on at 360p: segments of one second, no
low-latency parts. A viewer plays the real viewer page (`/watch/M`, hls.js as the page configures it)
in headless Chromium. For each call:

- to the feed: the feed's first frame with the new caption, at its time on the feed's clock (the
  segment's `EXT-X-PROGRAM-DATE-TIME` and the frame's place in it). The worker also reports each scene's
  first frame to the hub (`feed_reported` in the JSON), but that report waits for the hub's event loop,
  which here is shared with the participants;
- to the playlist: the first segment whose decoded frames show the new caption (its band compared
  with the caption rendered, as tests/integration/test_livestream.py does) appearing in the live
  playlist, polled over HTTP every 50 ms;
- the viewer: the first frame the page's video presents with the new caption (read from the video by
  `requestVideoFrameCallback` and a canvas, compared the same way), its time in the browser's clock
  set against this process's;
- the room's baseline: the `speaker.called` event arriving at the member in the room.

Also noted per call: the age of the caption's frame when the viewer saw it (from its program
date-time), what hls.js calls its live latency; and for the run, how long after its end (by its date)
each segment was listed, the feed's late ticks (a feed short of CPU falls behind its clock), and the
viewer's stalls (its video waiting for data).

    .venv/bin/python -m bench.livelatency --calls 8

Needs the web client built (scripts/setup) and Debian's chromium. Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import asyncio
import io
import math
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import uvicorn
from playwright.async_api import Page, async_playwright

from bench.harness import SECRET, arguments, free_port, note, redis_server, report, table
from hub.cli import GRACEFUL_SHUTDOWN_SECONDS
from hub.config import Limits, Settings
from hub.demo import DEMO_MEETING_ID, load_demo
from hub.programme import Caption
from hub.runtime import open_hub
from signalling.app import create_app
from signalling.live.compose import Layout
from signalling.live.feed import Feed
from signalling.live.outputs import live_hls
from signalling.live.overlay import Overlay
from signalling.live.studio import Studio
from signalling.media.relay import Relay
from tests.e2e.conftest import CHROMIUM, FLAGS
from tests.integration.test_media import BEA, CHAIR, ROSA, SOFIA, TAMSIN, Participant
from tests.live_sources import band_rows, distance, frame_rows

QUALITY = "360p"
LAYOUT = Layout.of(640, 360)
SEGMENT_SECONDS = float(live_hls(Path()).options["hls_time"])
# The viewer page's hls.js settings (web/src/viewer.tsx): three segments behind the live edge, no
# low-latency parts.
HOLD_BACK_SEGMENTS = 3
TARGET_SECONDS = 5.0
POLL_SECONDS = 0.05
SPEAKERS = (BEA, SOFIA, TAMSIN)
# The caption's band: the left three fifths of the bar (the clock, on the right, changes every second).
BAND_WIDTH = LAYOUT.width * 3 // 5
BAND_FIRST = LAYOUT.height - LAYOUT.bar
# How long one call may take to reach the viewer before it counts as lost.
CALL_TIMEOUT = 30.0

# Watches the viewer's video: each presented frame's caption band against the two captions the bench
# sets in `window.__bench.refs` (`rendered`'s rows end to end), the first
# frame nearer the new one noted with its time in this page's clock (milliseconds since the epoch).
WATCH_FRAMES = """([first, width, rows]) => {
  const video = document.querySelector('#viewer-video');
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = rows;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  const half = Math.ceil(width / 2);
  window.__bench = {refs: null, seen: null, stalls: 0};
  // The player ran out of picture (hls.js then holds back further: `liveSyncOnStallIncrease`).
  video.addEventListener('waiting', () => { window.__bench.stalls += 1; });
  const look = (now, meta) => {
    const bench = window.__bench;
    if (bench.refs !== null && bench.seen === null) {
      context.drawImage(video, 0, first, width, rows, 0, 0, width, rows);
      const pixels = context.getImageData(0, 0, width, rows).data;
      let nearNew = 0, nearOld = 0, count = 0;
      for (let r = 0; r < rows; r += 2) {
        for (let c = 0; c < width; c += 2) {
          const i = (r * width + c) * 4;
          // Back to the video's limited-range luma (BT.601), as the references are.
          const y = 16 + (65.481 * pixels[i] + 128.553 * pixels[i + 1] + 24.966 * pixels[i + 2]) / 255;
          const k = (r / 2) * half + c / 2;
          nearNew += Math.abs(y - bench.refs.fresh[k]);
          nearOld += Math.abs(y - bench.refs.old[k]);
          count += 1;
        }
      }
      if (nearNew < nearOld) {
        bench.seen = {
          at: performance.timeOrigin + (meta.expectedDisplayTime || now),
          near_new: nearNew / count,
          near_old: nearOld / count,
        };
      }
    }
    video.requestVideoFrameCallback(look);
  };
  video.requestVideoFrameCallback(look);
}"""

PLAYING = """() => {
  const video = document.querySelector('#viewer-video');
  return video !== null && video.currentTime > 2 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
}"""


def rendered(caption: Caption | None) -> list[bytes]:
    """The caption's band as the feed draws it: every other row and column of its luma."""
    return band_rows(Overlay(LAYOUT).bar(caption, "3:00", None), 0, LAYOUT.bar, BAND_WIDTH)


def first_showing(data: bytes, fresh: list[bytes], old: list[bytes]) -> float | None:
    """Seconds into the segment of the first frame whose band is nearer `fresh` than `old`, if any."""
    with av.open(io.BytesIO(data)) as container:
        start = None
        for frame in container.decode(video=0):
            start = frame.time if start is None else start
            shown = frame_rows(frame, BAND_FIRST, LAYOUT.bar, BAND_WIDTH)
            if distance(shown, fresh) < distance(shown, old):
                return float(frame.time - start)
    return None


@dataclass
class Segment:
    url: str
    appeared: float
    # The segment's EXT-X-PROGRAM-DATE-TIME: the worker's wall time at its first frame.
    dated: float | None
    seconds: float | None


@dataclass
class Playlist:
    """The live playlist polled as a player would, each segment noted with when it first appeared."""

    http: httpx.AsyncClient
    url: str
    # Decodes the segments, in a process of its own: the hub shares this one's interpreter.
    decoder: Executor
    segments: list[Segment] = field(default_factory=list)
    # The playlist's EXT-X-TARGETDURATION.
    target: int | None = None

    async def follow(self) -> None:
        known: set[str] = set()
        while True:
            answer = await self.http.get(self.url)
            now = time.time()
            dated = length = None
            for line in answer.text.splitlines():
                tag, _, value = line.partition(":")
                if tag == "#EXT-X-TARGETDURATION":
                    self.target = int(value)
                elif tag == "#EXT-X-PROGRAM-DATE-TIME":
                    dated = datetime.fromisoformat(value).timestamp()
                elif tag == "#EXTINF":
                    length = float(value.rstrip(",").split(",")[0])
                elif line and not line.startswith("#"):
                    if line not in known:
                        known.add(line)
                        self.segments.append(Segment(line, now, dated, length))
                    dated = length = None
            await asyncio.sleep(POLL_SECONDS)

    async def showing(
        self, since: float, fresh: list[bytes], old: list[bytes], timeout: float
    ) -> tuple[Segment, float]:
        """The first segment to appear after `since` with a frame showing `fresh`, and that frame's
        offset in it."""
        looked = 0
        async with asyncio.timeout(timeout):
            while True:
                candidates = [s for s in self.segments if s.appeared >= since]
                for segment in candidates[looked:]:
                    data = (await self.http.get(f"/live/{DEMO_MEETING_ID}/{segment.url}")).content
                    loop = asyncio.get_running_loop()
                    offset = await loop.run_in_executor(self.decoder, first_showing, data, fresh, old)
                    if offset is not None:
                        return segment, offset
                looked = len(candidates)
                await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def hub_here(workdir: Path) -> AsyncIterator[tuple[str, Relay, dict[str, str]]]:
    """The app under uvicorn on this loop with the relay on loopback, the demo meeting loaded; its URL,
    its relay and join links."""
    async with redis_server(str(workdir)) as redis_url:
        port = free_port()
        settings = Settings(
            port=port,
            redis_url=redis_url,
            data_dir=workdir,
            secret=SECRET,
            limits=Limits(events_rate="1000/second"),
            ice_loopback=True,
        )
        async with open_hub(settings) as hub:
            await load_demo(hub, timedelta(hours=1))
            links = {
                m: await hub.issue_link(m, DEMO_MEETING_ID, timedelta(hours=1))
                for m in (CHAIR, *SPEAKERS, ROSA)
            }
        app = create_app(settings)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}", app.state.relay, links
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 30)


async def offset_of_browser(page: Page) -> float:
    """The browser's wall clock less this process's, in seconds, from the quickest of a few round trips."""
    trips = []
    for _ in range(10):
        before = time.time()
        theirs = await page.evaluate("performance.timeOrigin + performance.now()") / 1000
        after = time.time()
        trips.append((after - before, theirs - (before + after) / 2))
    return min(trips)[1]


async def when(check: Any, timeout: float, step: float = 0.005) -> float:
    """The wall time at which `check()` first held, looked at every `step` seconds."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(step)
    return time.time()


async def arrival(participant: Participant, before: int) -> float:
    def called() -> int:
        return sum(1 for e in participant.client.events if e["type"] == "speaker.called")

    await participant.client.wait_until(lambda _: called() > before, CALL_TIMEOUT)
    return time.time()


async def seen(page: Page, clock: float) -> dict[str, Any]:
    async with asyncio.timeout(CALL_TIMEOUT):
        while (found := await page.evaluate("window.__bench.seen")) is None:
            await asyncio.sleep(0.1)
    return dict(found) | {"at": found["at"] / 1000 - clock}


async def call(
    chair: Participant,
    speaker: Participant,
    member: Participant,
    studio: Studio,
    playlist: Playlist,
    page: Page,
    clock: float,
) -> dict[str, Any]:
    """One call timed in its parts, in seconds from the call."""
    await speaker.client.ok("speaker.request", {})
    await asyncio.sleep(1)
    feed = studio.sink
    assert isinstance(feed, Feed)
    old = rendered(studio.scene.caption if studio.scene else None)
    shown_before = feed.status["shown"]
    called_before = sum(1 for e in member.client.events if e["type"] == "speaker.called")
    await page.evaluate("window.__bench.refs = null; window.__bench.seen = null")
    member_task = asyncio.create_task(arrival(member, called_before))
    feed_task = asyncio.create_task(when(lambda: feed.status["shown"] != shown_before, 10))
    start = time.time()
    await chair.client.ok("speaker.call", {})
    studio_at = await when(lambda: studio.scene is not None and studio.scene.shown == speaker.member_id, 10)
    assert studio.scene is not None
    fresh = rendered(studio.scene.caption)
    refs = {"fresh": list(b"".join(fresh)), "old": list(b"".join(old))}
    await page.evaluate("(refs) => { window.__bench.refs = refs; }", refs)
    feed_at = await feed_task
    viewer_task = asyncio.create_task(seen(page, clock))
    segment, offset = await playlist.showing(start - 1, fresh, old, CALL_TIMEOUT)
    viewer = await viewer_task
    stalls = await page.evaluate("window.__bench.stalls")
    member_at = await member_task
    assert segment.dated is not None, "the live playlist has no program date-time"
    framed = segment.dated + offset
    return {
        "member": member_at - start,
        "studio": studio_at - start,
        "feed": framed - start,
        "feed_reported": feed_at - start,
        "playlist": segment.appeared - start,
        "viewer": viewer["at"] - start,
        "player": viewer["at"] - segment.appeared,
        "age_when_seen": viewer["at"] - framed,
        "offset_in_segment": offset,
        # The viewer's stalls so far, since it started playing.
        "stalls": stalls,
        "band_distance": [round(viewer["near_new"], 1), round(viewer["near_old"], 1)],
    }


@asynccontextmanager
async def seated(
    url: str, links: dict[str, str]
) -> AsyncIterator[tuple[Participant, list[Participant], Participant]]:
    """The chair, the speakers and a member, each sending a camera and a tone, in the demo meeting opened
    on its first item; all closed after."""
    note("seating the participants")
    everyone: list[Participant] = []
    try:
        for member_id in (CHAIR, *SPEAKERS, ROSA):
            participant = Participant(url, links[member_id], member_id)
            everyone.append(participant)
            await participant.enter()
            await participant.join_media("full")
        chair = everyone[0]
        await chair.client.ok("meeting.set_status", {"status": "open"})
        await chair.client.ok("agenda.select", {"item_id": "a1"})
        yield chair, everyone[1:-1], everyone[-1]
    finally:
        for participant in everyone:
            await participant.close()


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return {"median": round(statistics.median(ordered), 3), "p90": round(p90, 3)}


def rounded(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


async def live_playlist(http: httpx.AsyncClient, token: str) -> str:
    """The livestream's playlist, once the hub says it is live."""
    note("waiting for the livestream")
    async with asyncio.timeout(60):
        while True:
            found = (await http.get(f"/api/live/{DEMO_MEETING_ID}?token={token}")).json()["data"]
            if found["status"] == "live":
                return str(found["playlist"])
            await asyncio.sleep(0.2)


async def main(calls: int, gap: float) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as directory:
        async with hub_here(Path(directory)) as (url, relay, links):
            async with seated(url, links) as (chair, speakers, member):
                await chair.client.ok("livestream.start", {"quality": QUALITY, "record": False})
                found = await watched(url, relay, links[ROSA], chair, speakers, member, calls, gap)
    measured, segments = found
    parts = ("member", "feed", "playlist", "player", "viewer")
    return [
        {
            "benchmark": "livelatency",
            "quality": QUALITY,
            "segment_seconds": SEGMENT_SECONDS,
            "playlist": segments,
            "low_latency_parts": None,
            "hold_back_segments": HOLD_BACK_SEGMENTS,
            "target_seconds": TARGET_SECONDS,
            "summary": {p: spread([c[p] for c in measured]) for p in (*parts, "age_when_seen")},
            "calls": [{k: rounded(v) for k, v in c.items()} for c in measured],
        }
    ]


async def watched(
    url: str,
    relay: Relay,
    token: str,
    chair: Participant,
    speakers: list[Participant],
    member: Participant,
    calls: int,
    gap: float,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The viewer playing and the playlist followed, then the calls; and the playlist's segments."""
    async with httpx.AsyncClient(base_url=url) as http:
        page_answer = await http.get(f"/watch/{DEMO_MEETING_ID}")
        if page_answer.status_code == 503:
            raise SystemExit("the web client is not built: run scripts/setup")
        address = await live_playlist(http, token)
        room = relay.rooms[DEMO_MEETING_ID]
        assert room.studio is not None
        decoder = ProcessPoolExecutor(1, multiprocessing.get_context("spawn"))
        playlist = Playlist(http, address, decoder)
        following = asyncio.create_task(playlist.follow())
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 900})
                await page.goto(f"{url}/watch/{DEMO_MEETING_ID}?token={token}")
                note("waiting for the viewer to play")
                async with asyncio.timeout(60):
                    while not await page.evaluate(PLAYING):
                        await asyncio.sleep(0.1)
                await page.evaluate(WATCH_FRAMES, [BAND_FIRST, BAND_WIDTH, LAYOUT.bar])
                clock = await offset_of_browser(page)
                measured = []
                for n in range(calls):
                    await asyncio.sleep(gap)
                    speaker = speakers[n % len(speakers)]
                    measured.append(await call(chair, speaker, member, room.studio, playlist, page, clock))
                    note(f"call {n + 1}: seen after {measured[-1]['viewer']:.2f} s")
            finally:
                await browser.close()
                following.cancel()
                await asyncio.gather(following, return_exceptions=True)
                decoder.shutdown()
    lengths = [s.seconds for s in playlist.segments if s.seconds is not None]
    # How long after its end by its program date-time each segment was listed: its least is the date's
    # own error (plus the poll), the rest the feed running behind its clock.
    late = [s.appeared - s.dated - s.seconds for s in playlist.segments if s.dated and s.seconds]
    feed = room.studio.sink if room.studio else None
    return measured, {
        "target_duration": playlist.target,
        "segment_median": statistics.median(lengths),
        "listed_after_end": {
            k: round(f(late), 3) for k, f in (("least", min), ("median", statistics.median), ("most", max))
        },
        "feed": {k: feed.status[k] for k in ("frames", "late", "dropped", "restarts")}
        if isinstance(feed, Feed)
        else None,
    }


def summary(results: list[dict[str, Any]]) -> str:
    result = results[0]
    names = {
        "member": "room: `speaker.called` at a member (baseline)",
        "feed": "(a) to the feed: its first frame with the caption",
        "playlist": "(b) to the playlist: the first segment showing the caption",
        "player": "(c) the player: from the playlist to the picture",
        "viewer": "total: the viewer sees the caption",
        "age_when_seen": "the caption's frame's age when seen (hls.js's live latency)",
    }
    spreads = result["summary"]
    rows = [[name, *(f"{spreads[k][q]:.2f} s" for q in ("median", "p90"))] for k, name in names.items()]
    playlist = result["playlist"]
    head = (
        f"{len(result['calls'])} calls at {result['quality']}; segments of {result['segment_seconds']:g} s "
        f"(target duration {playlist['target_duration']} s, median {playlist['segment_median']:.3f} s), no "
        f"low-latency parts; hls.js {result['hold_back_segments']} segments behind; "
        f"target {result['target_seconds']:.0f} s\n\n"
    )
    return head + table(["from `speaker.call`", "median", "p90"], rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between one call seen and the next")
    args = parser.parse_args()
    report(asyncio.run(main(args.calls, args.gap)), summary)
