"""A livestream's recording finished into one MP4: parts written by real workers remuxed one after another
with their chapters (read back from the MP4 and from the WebVTT track), a part cut by SIGKILL kept up to
its last whole segment, and end to end on the relay: stopping a recorded livestream commits
`recording.finished`, and the recording is served to those who may watch, Range requests included; one a
crash left is finished at start-up."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from hub.chapters import Part, chapters
from hub.demo import DEMO_MEETING_ID
from hub.models import AgendaItem
from signalling.live import recordings
from signalling.live.encode import QUALITIES
from signalling.live.feed import Feed
from signalling.live.outputs import recording_hls
from signalling.live.pipeline import Pipeline
from tests.integration.test_live_feed import ANA, ANA_CAMERA, ANA_MIC, FPS, QUALITY, A, Relay
from tests.integration.test_media import BEA, CHAIR, MediaHub, media_hub  # noqa: F401
from tests.live_sources import Media, generate, start_worker
from tests.media_sources import eventually
from tests.unit.builders import meeting

pytestmark = pytest.mark.timeout(120)

# A frame, as slack for each part's end (a part's sound may run a little past its last picture).
FRAME = 1 / FPS


@pytest.fixture(scope="module")
def media() -> Media:
    return generate(3, FPS)


def t0(part: Path) -> datetime:
    return datetime.fromisoformat(json.loads((part / "part.json").read_text())["t0"])


def length(playlist: Path) -> float:
    with av.open(str(playlist)) as container:
        return (container.duration or 0) / av.time_base


def pictures(path: Path) -> tuple[float, list[float]]:
    """The MP4's length (its sound may run up to two frames past its last picture), and each picture's
    time."""
    with av.open(str(path)) as container:
        total = (container.duration or 0) / av.time_base
        times = [float(p.pts * p.time_base) for p in container.demux(video=0) if p.pts is not None]
    return total, times


def cues(vtt: str) -> list[tuple[str, str]]:
    """Each cue's timing line and its title."""
    lines = vtt.splitlines()
    return [(line, lines[n + 1]) for n, line in enumerate(lines) if "-->" in line]


def stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02}:{millis // 60_000 % 60:02}:{millis // 1000 % 60:02}.{millis % 1000:03}"


async def test_two_parts_are_finished_into_one_mp4_with_its_chapters(media: Media, tmp_path: Path) -> None:
    directory = tmp_path / "recordings" / "agm" / "20270313T120000Z"
    relay = Relay(media)
    for seconds in (3.0, 2.5):  # a run of the feed each: a part each
        feed = Feed(tmp_path / "live", directory, QUALITY, on_keyframe=relay.ask)
        await feed.start()
        try:
            feed.show(A, ANA_CAMERA, [ANA_MIC])
            await relay.send(feed, seconds)
        finally:
            await feed.stop()
    parts = [directory / "0", directory / "1"]
    assert all((part / "part.json").exists() for part in parts)
    assert sorted(p.name for p in directory.iterdir()) == ["0", "1"]
    first, second = t0(parts[0]), t0(parts[1])
    assert second > first

    agm = meeting(agenda=[AgendaItem(id="a1", title="Apologies"), AgendaItem(id="a2", title="Motions")])
    events: list[dict[str, Any]] = [
        {
            "type": "agenda.selected",
            "at": first + timedelta(seconds=1),
            "data": {"item_id": "a1", "title": "Apologies"},
        },
        # Between the parts: it stands at the second's start.
        {
            "type": "agenda.selected",
            "at": second - timedelta(milliseconds=200),
            "data": {"item_id": "a2", "title": "Motions"},
        },
        {
            "type": "speaker.called",
            "at": second + timedelta(seconds=1),
            "data": {"item_id": "a2", "name": ANA.name},
        },
    ]
    seconds = await asyncio.to_thread(recordings.finish, directory, agm, events)

    lengths = [length(part / "index.m3u8") for part in parts]
    expected = chapters(agm, events, [Part(first, lengths[0]), Part(second, lengths[1])])
    assert [c.title for c in expected] == [
        "Annual General Meeting",
        "1. Apologies",
        "2. Motions",
        f"2. {ANA.name}",
    ]
    total, times = pictures(directory / recordings.MP4)
    # The pictures follow one another across the parts' edge, never back in time, and last as the parts
    # did, within a frame each.
    assert times == sorted(times) and times[-1] > lengths[0] + 1
    # Within a few frames: a part's last segment is cut where the feed stopped, and on a loaded machine
    # its last ticks may be skipped (a fifth of a second is nothing to a chapter's start).
    assert abs(times[-1] + FRAME - times[0] - sum(lengths)) <= 6 * FRAME, (times[0], times[-1], lengths)
    assert abs(total - sum(lengths)) <= 6 * FRAME and abs(seconds - total) < 0.01, (total, lengths)
    with av.open(str(directory / recordings.MP4)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", 640, 360)
        assert container.streams.audio[0].codec_context.name == "aac"
        found = [
            (float(c["start"] * base), float(c["end"] * base), c["metadata"]["title"])
            for c in container.chapters()
            if (base := c["time_base"]) is not None
        ]
    assert found == [(round(c.start, 3), round(c.end, 3), c.title) for c in expected]
    assert abs(len(times) - sum(lengths) * FPS) <= 2 * 3  # a late tick skips a frame
    vtt = (directory / recordings.VTT).read_text()
    assert vtt.startswith("WEBVTT\n")
    assert cues(vtt) == [(f"{stamp(c.start)} --> {stamp(c.end)}", c.title) for c in expected]


def test_a_part_cut_by_sigkill_keeps_every_whole_segment(tmp_path: Path) -> None:
    directory = tmp_path / "20270313T120000Z"
    worker, hub = start_worker(tmp_path / "live", directory / "0", QUALITY)
    try:
        # The slate, ticked on the worker's clock: two whole segments of two seconds, and a third begun.
        time.sleep(5.0)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        hub.close()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()
    playlist = (directory / "0" / "index.m3u8").read_text()
    assert "#EXT-X-ENDLIST" not in playlist
    whole = recordings.EXTINF.findall(playlist)
    assert [float(s) for s in whole] == [2.0, 2.0]

    seconds = recordings.finish(directory, meeting(), [])
    total, times = pictures(directory / recordings.MP4)
    # Two seconds of the feed's clock each; a tick skipped under load is a frame fewer, not a longer segment.
    assert 4 * FPS - 6 <= len(times) <= 4 * FPS and abs(times[-1] + FRAME - times[0] - 4.0) <= 2 * FRAME
    assert abs(total - 4.0) <= 2 * FRAME and abs(seconds - total) < 0.01
    # The part's own playlist is left as the crash left it; the copy read is gone.
    assert (directory / "0" / "index.m3u8").read_text() == playlist
    assert not (directory / "0" / recordings.ENDED).exists()
    assert cues((directory / recordings.VTT).read_text()) == [
        ("00:00:00.000 --> 00:00:04.000", "Annual General Meeting")
    ]


async def test_a_stopped_livestream_is_recorded_and_served_to_those_who_may_watch(
    media_hub: MediaHub,  # noqa: F811
) -> None:
    chair = await media_hub.seat(CHAIR)
    bea = await media_hub.seat(BEA)
    await chair.client.ok("meeting.set_status", {"status": "open"})
    await chair.client.ok("agenda.select", {"item_id": "a1"})
    token = media_hub.links[CHAIR]
    await chair.client.ok("livestream.start", {"quality": "360p", "record": True})
    room = media_hub.relay.rooms[DEMO_MEETING_ID]
    await eventually(lambda: room.studio is not None and room.studio.scene is not None, 10)
    root = media_hub.relay.live_root.parent / "recordings" / DEMO_MEETING_ID
    await eventually(lambda: any(root.glob("*/0/seg_00000.m4s")), 20)
    await bea.client.ok("speaker.request", {})
    await chair.client.ok("speaker.call", {})
    await asyncio.sleep(1.5)
    # An item taken up while recording: the minutes link to it in the recording.
    await chair.client.ok("speech.end", {})
    await chair.client.ok("agenda.select", {"item_id": "a2"})
    await asyncio.sleep(1.0)
    await chair.client.ok("livestream.stop", {})

    hub = media_hub.relay.hub

    async def said() -> list[Any]:
        return (await hub.current(DEMO_MEETING_ID)).meeting.livestream.recordings

    deadline = time.monotonic() + 30
    while not (recorded := await said()):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    [recording] = recorded
    assert recording.status == "ready" and recording.seconds > 3 and len(recording.parts) == 1
    log = [e for e in await hub.store.event_log(DEMO_MEETING_ID) if e["type"].startswith("recording.")]
    assert [(e["type"], e["data"]) for e in log] == [
        ("recording.finished", {"recording_id": recording.id, "seconds": recording.seconds})
    ]
    # Finished and said: the parts are gone, the MP4 and its chapters stay.
    made = root / recording.id
    await eventually(lambda: sorted(p.name for p in made.iterdir()) == [recordings.MP4, recordings.VTT], 5)
    with av.open(str(made / recordings.MP4)) as container:
        titles = [c["metadata"]["title"] for c in container.chapters()]
    assert any(title.startswith("1. Bea") for title in titles), titles

    async with httpx.AsyncClient(base_url=media_hub.url) as http:
        data = (await http.get(f"/api/live/{DEMO_MEETING_ID}?token={token}")).json()["data"]
        mp4 = f"/recordings/{DEMO_MEETING_ID}/{recording.id}.mp4"
        vtt = f"/recordings/{DEMO_MEETING_ID}/{recording.id}.vtt"
        assert data["recordings"] == [
            {
                "id": recording.id,
                "mp4": f"{mp4}?token={token}",
                "vtt": f"{vtt}?token={token}",
                "seconds": recording.seconds,
                "started_at": recording.started_at.isoformat(),
            }
        ]
        whole = await http.get(mp4, params={"token": token})
        assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
        assert whole.content == (made / recordings.MP4).read_bytes()
        ranged = await http.get(mp4, params={"token": token}, headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206 and ranged.content == whole.content[100:200]
        chapters_track = await http.get(vtt, params={"token": token})
        assert chapters_track.status_code == 200 and chapters_track.text.startswith("WEBVTT")
        assert chapters_track.headers["content-type"].startswith("text/vtt")
        # Without a link, or with one that is not, or for a recording there is not: refused.
        assert (await http.get(mp4)).status_code == 403
        assert (await http.get(mp4, params={"token": "forged"})).status_code == 403
        missing = await http.get(
            f"/recordings/{DEMO_MEETING_ID}/20000101T000000Z.mp4", params={"token": token}
        )
        assert missing.status_code == 404

        # The published minutes link to the recording where the item was taken up, with the link the
        # reader came with (a members' recording plays from them); the PDF carries no one's link.
        await chair.client.ok("minutes.draft", {})
        await chair.client.ok("minutes.approve", {"note": "Approved."})
        reader = media_hub.links[BEA]
        html = (await http.get(f"/minutes/{DEMO_MEETING_ID}.html", params={"token": reader})).text
        [linked] = re.findall(r'href="(/recordings/[^"]+)"', html)
        assert re.fullmatch(rf"{mp4}\?token={reader}#t=\d+", linked), linked
        assert (await http.get(linked.split("#")[0])).status_code == 200
        pdf = (await http.get(f"/minutes/{DEMO_MEETING_ID}.pdf", params={"token": reader})).content
        assert pdf.startswith(b"%PDF") and reader.encode() not in pdf


async def test_a_recording_left_by_a_crash_is_finished_at_start_up(media_hub: MediaHub) -> None:  # noqa: F811
    """What the hub runs at start-up (`Relay.recover_recordings`): a recording whose parts a crash left
    is finished and said; once said, there is nothing left to do."""
    hub = media_hub.relay.hub
    root = media_hub.relay.live_root.parent / "recordings"
    part = root / DEMO_MEETING_ID / "20270313T120000Z" / "0"
    part.mkdir(parents=True)
    (part / "part.json").write_text(json.dumps({"t0": "2027-03-13T12:00:01+00:00"}))
    pipeline = Pipeline(QUALITIES[QUALITY], [recording_hls(part)], fps=FPS)
    for index in range(3 * FPS):  # three seconds of the slate
        pipeline.tick(index, datetime.now(UTC))
    pipeline.close()
    # Its end taken off, as a crash leaves it.
    playlist = part / "index.m3u8"
    playlist.write_text(playlist.read_text().replace("#EXT-X-ENDLIST\n", ""))
    assert await recordings.recover(hub, root) == 1
    [recording] = (await hub.current(DEMO_MEETING_ID)).meeting.livestream.recordings
    assert recording.id == "20270313T120000Z" and recording.status == "ready"
    assert abs(recording.seconds - 3.0) <= 2 * FRAME
    assert recording.started_at == datetime(2027, 3, 13, 12, 0, 1, tzinfo=UTC)
    assert not part.exists() and (part.parent / recordings.MP4).exists()
    assert await recordings.recover(hub, root) == 0


def test_a_part_of_another_size_is_left_out_and_kept(tmp_path: Path) -> None:
    """One MP4 holds one set of codec parameters: a part made at another quality (a hub restarted with the
    livestream on after its quality changed) is left out of it, and stays on disk."""
    directory = tmp_path / "20270313T120000Z"
    for n, quality in enumerate(("360p", "720p", "360p")):
        part = directory / str(n)
        part.mkdir(parents=True)
        (part / "part.json").write_text(json.dumps({"t0": f"2027-03-13T12:0{n}:00+00:00"}))
        pipeline = Pipeline(QUALITIES[quality], [recording_hls(part)], fps=FPS)
        for index in range(2 * FPS):
            pipeline.tick(index, datetime.now(UTC))
        pipeline.close()
    recording = recordings.made(directory, meeting(), [])
    assert recording is not None and [p.t0.minute for p in recording.parts] == [0, 2]
    total, times = pictures(directory / recordings.MP4)
    assert len(times) == 4 * FPS and abs(total - 4.0) <= 2 * FRAME
    recordings._tidy(directory, recording)
    assert sorted(p.name for p in directory.iterdir()) == ["1", recordings.MP4, recordings.VTT]
