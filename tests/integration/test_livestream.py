"""The livestream end to end, on a real relay with aiortc participants sending generated media: the chair
starts it, the programme feed's live HLS appears for those who may watch (checked with ffprobe), the
feed follows the chair's call of the next speaker (its caption decoded), and stopping it ends the
playlist."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from av.video.frame import VideoFrame

from hub.demo import DEMO_MEETING_ID
from hub.programme import Caption
from signalling.live.compose import Layout
from signalling.live.overlay import Overlay
from tests.integration.test_media import BEA, CHAIR, OBSERVER, MediaHub, media_hub  # noqa: F401
from tests.media_sources import eventually

pytestmark = pytest.mark.timeout(120)

LAYOUT = Layout.of(640, 360)


def ffprobe(path: Path) -> dict[str, Any]:
    shown = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height:format=start_time,duration",
            "-of",
            "json",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = json.loads(shown.stdout)
    return found


def listed(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


async def fetch(hub: MediaHub, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=hub.url) as http:
        return await http.get(path)


def band(frame: VideoFrame) -> list[bytes]:
    """The left part of the caption bar, every other row and column of its luma."""
    width, first = LAYOUT.width * 3 // 5, LAYOUT.height - LAYOUT.bar
    data, size = bytes(frame.planes[0]), frame.planes[0].line_size
    return [data[(first + r) * size : (first + r) * size + width][::2] for r in range(0, LAYOUT.bar, 2)]


def rendered(caption: Caption) -> list[bytes]:
    made = Overlay(LAYOUT).bar(caption, "3:00", None)
    width, data, size = LAYOUT.width * 3 // 5, made.planes[0], made.line_sizes[0]
    return [data[r * size : r * size + width][::2] for r in range(0, LAYOUT.bar, 2)]


def distance(a: list[bytes], b: list[bytes]) -> float:
    total = sum(abs(x - y) for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))
    return total / sum(len(r) for r in a)


async def test_the_chair_streams_the_floor_and_the_feed_follows_the_call(
    media_hub: MediaHub,  # noqa: F811
    tmp_path: Path,
) -> None:
    chair = await media_hub.seat(CHAIR)
    bea = await media_hub.seat(BEA)
    await chair.client.ok("meeting.set_status", {"status": "open"})
    await chair.client.ok("agenda.select", {"item_id": "a1"})
    chair_token = media_hub.links[CHAIR]

    # Not live yet: the viewer's page says so, and there is no playlist.
    waiting = (await fetch(media_hub, f"/api/live/{DEMO_MEETING_ID}?token={chair_token}")).json()
    assert waiting["data"]["status"] == "waiting" and waiting["data"]["playlist"] is None

    await chair.client.ok("livestream.start", {"quality": "360p", "record": False})
    room = media_hub.relay.rooms[DEMO_MEETING_ID]
    await eventually(lambda: room.studio is not None and room.studio.scene is not None, 10)
    assert room.studio is not None and room.studio.scene is not None
    assert room.studio.scene.shown == CHAIR

    async def live() -> dict[str, Any]:
        answer = await fetch(media_hub, f"/api/live/{DEMO_MEETING_ID}?token={chair_token}")
        data: dict[str, Any] = answer.json()["data"]
        return data

    deadline = time.monotonic() + 20
    while (status := await live())["status"] != "live":
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.2)
    playlist_url = status["playlist"]
    assert playlist_url.startswith(f"/live/{DEMO_MEETING_ID}/index.m3u8")

    # Only those who may watch get the playlist; the segments are plain files under its key.
    refused = await fetch(media_hub, f"/live/{DEMO_MEETING_ID}/index.m3u8")
    assert refused.status_code == 403
    playlist = (await fetch(media_hub, playlist_url)).text
    segment = listed(playlist)[0]
    assert re.fullmatch(r"[A-Za-z0-9_-]+/seg_\d+\.ts", segment), playlist
    fetched = await fetch(media_hub, f"/live/{DEMO_MEETING_ID}/{segment}")
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "video/mp2t"
    probe_path = tmp_path / "first.ts"
    probe_path.write_bytes(fetched.content)
    probed = ffprobe(probe_path)
    assert {s["codec_name"] for s in probed["streams"]} == {"h264", "aac"}
    assert {(s.get("width"), s.get("height")) for s in probed["streams"] if s["codec_name"] == "h264"} == {
        (640, 360)
    }

    # The chair calls Bea: the feed shows and hears her within a second, and her caption is drawn.
    await bea.client.ok("speaker.request", {})
    called_at, called_wall = time.monotonic(), datetime.now(UTC)
    await chair.client.ok("speaker.call", {})
    await eventually(lambda: room.studio is not None and room.studio.scene.shown == BEA, 1)
    assert time.monotonic() - called_at < 1.0
    # The viewer's page learns since when she has the floor, in the clock the segments' wall times are
    # in, and shows it as its video reaches that time.
    now = await live()
    since = datetime.fromisoformat(now["speaker"]["since"])
    assert now["speaker"]["name"].startswith("Bea") and now["speaker"]["role"] == "member"
    assert called_wall - timedelta(seconds=0.1) <= since <= datetime.fromisoformat(now["at"])
    assert since - called_wall < timedelta(seconds=1)
    assert BEA in room.studio.scene.audio
    caption = room.studio.scene.caption
    assert caption is not None and caption.name.startswith("Bea")

    directory = next((media_hub.relay.live_root / DEMO_MEETING_ID).iterdir())
    index = directory / "index.m3u8"
    after = len(listed(index.read_text()))
    await eventually(lambda: len(listed(index.read_text())) >= after + 3, 10)
    newest = directory / listed(index.read_text())[-1]
    with av.open(str(newest)) as container:
        frame = next(container.decode(video=0))
    shown = band(frame)
    assert distance(shown, rendered(caption)) < distance(shown, rendered(Caption("Chair", "Chair")))

    # Continuity: each segment starts where the last ended (within a frame), the sequence rising.
    names = listed(index.read_text())
    starts = [
        (
            float(ffprobe(directory / n)["format"]["start_time"]),
            float(ffprobe(directory / n)["format"]["duration"]),
        )
        for n in names[-4:]
    ]
    for (start, length), (following, _) in itertools.pairwise(starts):
        assert abs(start + length - following) < 0.05, starts
    assert all(0.9 < length < 1.1 for _, length in starts[:-1]), starts

    # Stopped: the playlist ends, and the viewer's page says it has.
    await chair.client.ok("livestream.stop", {})
    await eventually(lambda: "#EXT-X-ENDLIST" in index.read_text(), 10)
    assert (await live())["status"] == "ended"
    await eventually(lambda: room.studio is None, 5)


async def test_a_members_livestream_refuses_others_and_a_public_one_needs_no_link(
    media_hub: MediaHub,  # noqa: F811
) -> None:
    chair = await media_hub.seat(CHAIR, mode=None)
    await chair.client.ok("livestream.set", {"audience": "members"})
    outsider = await fetch(media_hub, f"/api/live/{DEMO_MEETING_ID}?token=not-a-link")
    assert outsider.status_code == 403 and outsider.json()["error"]["code"] == "auth.invalid_token"
    member = await fetch(media_hub, f"/api/live/{DEMO_MEETING_ID}?token={media_hub.links[OBSERVER]}")
    assert member.status_code == 200
    await chair.client.ok("livestream.set", {"audience": "public"})
    anyone = await fetch(media_hub, f"/api/live/{DEMO_MEETING_ID}")
    assert anyone.status_code == 200 and anyone.json()["data"]["title"]
    unknown = await fetch(media_hub, "/api/live/no-such-meeting")
    assert unknown.status_code == 404
    bad = await fetch(media_hub, f"/live/{DEMO_MEETING_ID}/..%2F..%2Fsecret.key/seg_00001.ts")
    assert bad.status_code == 404


async def test_a_livestream_stopped_as_it_starts_leaves_no_feed_running(
    media_hub: MediaHub,  # noqa: F811
) -> None:
    """Start, change and stop at once, twice over: the stop waits for the start, and no worker is left."""
    chair = await media_hub.seat(CHAIR, mode=None)
    relay = media_hub.relay
    for _ in range(2):
        await chair.client.ok("livestream.start", {"quality": "360p", "record": False})
        await chair.client.ok("livestream.set", {"quality": "720p"})
        await chair.client.ok("livestream.stop", {})
    await eventually(lambda: not relay._stations and DEMO_MEETING_ID not in relay.rooms, 20)
