"""The chair's console on a livestream, on a real relay and feed: `livestream.status` reports the feed,
its preview, the recording's length and the viewers; `livestream.push` sends the programme to an RTMP
receiver the test runs (Debian's ffmpeg listening), keeps the address out of every view and event, and
stops; a recording is refused, and said to be, when the disk is short."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from hub.demo import DEMO_MEETING_ID
from signalling.live import station
from tests.integration.test_media import BEA, CHAIR, MediaHub, media_hub  # noqa: F401
from tests.media_sources import eventually

pytestmark = pytest.mark.timeout(120)

SECRET = "k3y-only-the-platform-knows"


async def report(chair: Any, until: Any, timeout: float = 30) -> dict[str, Any]:
    """The console's status, asked for until `until(status)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = await chair.client.ok("livestream.status")
        if until(status):
            return status
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.3)


async def stop(media_hub: MediaHub, chair: Any) -> None:  # noqa: F811
    """Stop the livestream, and wait for its feed to have stopped."""
    await chair.client.ok("livestream.stop")
    await eventually(lambda: not media_hub.relay._stations, 20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """A local RTMP server (ffmpeg listening once) writing what it receives to an FLV file."""
    port, out = free_port(), tmp_path / "received.flv"
    url = f"rtmp://127.0.0.1:{port}/live/{SECRET}"
    process = await asyncio.create_subprocess_exec(
        "ffmpeg",
        "-v",
        "error",
        "-listen",
        "1",
        "-i",
        url,
        "-c",
        "copy",
        "-f",
        "flv",
        str(out),
        stdin=subprocess.DEVNULL,
    )
    try:
        # Listening once the port takes a connection attempt; the pusher retries until then anyway.
        yield url, out
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_the_console_sees_the_feed_its_preview_the_recording_and_the_push(
    media_hub: MediaHub,  # noqa: F811
    receiver: tuple[str, Path],
) -> None:
    chair = await media_hub.seat(CHAIR)
    bea = await media_hub.seat(BEA)
    await chair.client.ok("meeting.set_status", {"status": "open"})

    # Off: nothing to report, and members may not ask.
    off = await chair.client.ok("livestream.status")
    assert off["on"] is False and off["report"] is None and off["viewers"] == 0
    refused = await bea.client.call("livestream.status", {})
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"

    await chair.client.ok("livestream.start", {"quality": "360p", "record": True})
    live = await report(chair, lambda s: s["report"] and s["report"]["feed"]["state"] == "live")
    first = live["report"]
    assert first["feed"]["quality"] == "360p" and first["recording_refused"] is None and first["push"] is None

    # The preview: a small JPEG of the programme, renewed as it goes.
    with_preview = await report(chair, lambda s: s["report"]["preview"] is not None)
    preview = with_preview["report"]["preview"]
    assert preview.startswith("data:image/jpeg;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(preview.split(",", 1)[1])))
    assert image.format == "JPEG" and image.size == (192, 108)
    later = await report(chair, lambda s: s["report"]["recording"]["seconds"] >= 3)
    assert later["report"]["recording"]["seconds"] > with_preview["report"]["recording"]["seconds"]

    # A push to the receiver: the meeting shows its host, never the key.
    url, received = receiver
    await chair.client.ok("livestream.push", {"url": url})
    await chair.client.wait_until(lambda c: c.meeting is not None and c.meeting["livestream"]["push_to"])
    assert chair.client.meeting is not None
    assert chair.client.meeting["livestream"]["push_to"] == url.split("/")[2]
    pushing = await report(chair, lambda s: s["report"]["push"] and s["report"]["push"]["state"] == "live")
    assert pushing["report"]["push"]["to"] == url.split("/")[2]
    await eventually(lambda: received.exists() and received.stat().st_size > 20_000, 30)
    for client in (chair.client, bea.client):
        assert SECRET not in json.dumps(client.meeting) and SECRET not in json.dumps(client.events)

    # Pushing nowhere stops the push; the receiver got H.264 and AAC.
    await chair.client.ok("livestream.push", {"url": None})
    await report(chair, lambda s: s["report"]["push"] is None)
    await stop(media_hub, chair)
    with av.open(str(received)) as flv:
        codecs = sorted(s.codec_context.name for s in flv.streams)
    assert codecs == ["aac", "h264"]
    assert (await chair.client.ok("livestream.status"))["report"] is None


async def test_a_recording_is_refused_when_the_disk_is_short_and_the_console_says_why(
    media_hub: MediaHub,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # More room asked for than any disk here has.
    monkeypatch.setattr(station, "RECORDING_FREE_BYTES", 1 << 62)
    chair = await media_hub.seat(CHAIR)
    await chair.client.ok("meeting.set_status", {"status": "open"})
    await chair.client.ok("livestream.start", {"quality": "360p", "record": True, "language": "es"})
    status = await report(chair, lambda s: s["report"] and s["report"]["feed"]["state"] == "live")
    # The captions speak the language chosen.
    studio = media_hub.relay.rooms[DEMO_MEETING_ID].studio
    assert studio is not None and studio.scene is not None and studio.scene.language == "es"
    assert status["report"]["recording"] is None
    assert "GB free" in status["report"]["recording_refused"]
    await stop(media_hub, chair)
    # Nothing was recorded, so nothing is finished.
    assert not list((tmp_path / "recordings").glob(f"{DEMO_MEETING_ID}/*/*"))
