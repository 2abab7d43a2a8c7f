"""Audio and video through the relay, with real aiortc peers standing in for browsers.

Each participant is a python-socketio client and an aiortc RTCPeerConnection that answers the relay's
offers the way the browser client must: it attaches its microphone, camera and screen to the mids the
offer names under `publish`, answers, and decodes every track it is sent. The hub runs in this process
(uvicorn on the test's loop), so the tests can also look at the relay's own objects.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.sdp import SessionDescription

from hub.cli import GRACEFUL_SHUTDOWN_SECONDS
from hub.config import Limits, Settings
from hub.demo import DEMO_MEETING_ID, load_demo
from hub.models import Role
from hub.runtime import open_hub
from signalling.app import create_app
from signalling.media.passthrough import is_encoded
from signalling.media.peer import Peer
from signalling.media.relay import Relay
from tests.client import MeetingClient
from tests.conftest import free_port
from tests.media_sources import Pattern, Sink, Tone, eventually

pytestmark = pytest.mark.timeout(60)

CHAIR, BEA, SOFIA, TAMSIN, ROSA = "m001", "m002", "m003", "m004", "m005"
OBSERVER = "m031"
CAMERA = (160, 120)
SCREEN = (256, 144)
FPS = 15


class Participant:
    """A browser stand-in: Socket.IO for the meeting and the offers, aiortc for the media."""

    def __init__(self, url: str, token: str, member_id: str, amplitude: float = 0.2) -> None:
        self.member_id = member_id
        self.client = MeetingClient(url, token)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.sources: dict[str, MediaStreamTrack] = {
            "microphone": Tone(amplitude),
            "camera": Pattern(CAMERA, FPS),
        }
        self.sinks: dict[tuple[str, str], Sink] = {}
        self.offers: list[dict[str, Any]] = []
        self.speakers: list[str | None] = []
        self.ended: list[str] = []
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._stream_of_mid: dict[str, str] = {}
        self._worker: asyncio.Task[None] | None = None
        self.client.sio.on("media.offer", self._queue.put_nowait)
        self.client.sio.on("media.active_speaker", lambda data: self.speakers.append(data["member_id"]))
        self.client.sio.on("media.ended", lambda data: self.ended.append(data["reason"]))
        self.pc.on("track", self._on_track)

    async def enter(self) -> None:
        """Connect and join the meeting."""
        await self.client.connect()
        await self.client.join()
        self._worker = asyncio.create_task(self._answer_offers())

    async def join_media(self, mode: str = "full") -> dict[str, Any]:
        reply: dict[str, Any] = await self.client.ok("media.join", {"mode": mode})
        return reply

    @property
    def streams(self) -> dict[str, dict[str, str]]:
        """The streams named in the latest offer."""
        return self.offers[-1]["streams"] if self.offers else {}

    def sink(self, member_id: str, source: str) -> Sink | None:
        return self.sinks.get((member_id, source))

    def frames(self, member_id: str, source: str) -> int:
        sink = self.sink(member_id, source)
        return sink.frames if sink is not None else 0

    async def packets(self, member_id: str, source: str) -> int:
        sink = self.sink(member_id, source)
        return await sink.packets() if sink is not None else 0

    async def wait_frames(self, member_id: str, source: str, count: int, timeout: float = 5) -> None:
        await eventually(lambda: self.frames(member_id, source) >= count, timeout)

    def sender(self, source: str) -> RTCRtpSender:
        return next(t.sender for t in self.pc.getTransceivers() if t.sender.track is self.sources[source])

    async def _answer_offers(self) -> None:
        # None: the page is closing (close()), once the offers before it are answered.
        while (offer := await self._queue.get()) is not None:
            await self._answer(offer)

    async def _answer(self, offer: dict[str, Any]) -> None:
        """What the browser client does with an offer (docs/protocol/media.offer.md)."""
        description = SessionDescription.parse(offer["sdp"])
        self._stream_of_mid = {m.rtp.muxId: m.msid.split()[0] for m in description.media if m.msid}
        self.offers.append(offer)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        publish = {mid: source for source, mid in offer["publish"].items()}
        for transceiver in self.pc.getTransceivers():
            source = publish.get(transceiver.mid or "")
            if source in self.sources:
                if transceiver.sender.track is None:
                    transceiver.sender.replaceTrack(self.sources[source])
                transceiver.direction = "sendonly"
            else:
                transceiver.direction = "recvonly"
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        ack = await self.client.call("media.answer", {"sdp": self.pc.localDescription.sdp})
        assert ack["ok"], ack

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        stream = self.offers[-1]["streams"][self._stream_of_mid[transceiver.mid or ""]]
        source = "microphone" if track.kind == "audio" else stream["source"]
        self.sinks[(stream["member_id"], source)] = Sink(track, transceiver.receiver)

    async def close(self) -> None:
        if self._worker is not None:
            # Stopped between offers, not inside one: a cancellation that cuts short the gathering of
            # ICE candidates leaves the sockets gathered so far open (aioice), found unclosed later.
            self._queue.put_nowait(None)
            await asyncio.wait({self._worker}, timeout=10)
            # Python 3.11's wait_for (under python-socketio's call) swallows a cancellation that lands as
            # the ack arrives, and the worker goes back to waiting for offers: cancel until it ends.
            while not self._worker.done():
                self._worker.cancel()
                await asyncio.wait({self._worker}, timeout=0.1)
            await asyncio.gather(self._worker, return_exceptions=True)
        if self.client.sio.connected:
            await self.client.disconnect()
        await self.pc.close()
        for sink in self.sinks.values():
            sink.task.cancel()
        await asyncio.gather(*(sink.task for sink in self.sinks.values()), return_exceptions=True)
        for track in self.sources.values():
            track.stop()


@dataclass
class MediaHub:
    url: str
    relay: Relay
    links: dict[str, str]
    participants: list[Participant]

    async def seat(self, member_id: str, mode: str | None = "full", amplitude: float = 0.2) -> Participant:
        """A participant in the meeting, and in its media unless `mode` is None."""
        participant = Participant(self.url, self.links[member_id], member_id, amplitude)
        self.participants.append(participant)
        await participant.enter()
        if mode is not None:
            await participant.join_media(mode)
        return participant

    def peer(self, participant: Participant) -> Peer:
        sid = participant.client.sio.get_sid()
        return self.relay.peers[sid]


@pytest.fixture
async def media_hub(redis_url: str, tmp_path: Path) -> AsyncIterator[MediaHub]:
    """The app under uvicorn on this loop, with the relay gathering loopback candidates."""
    port = free_port()
    settings = Settings(
        port=port,
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        limits=Limits(events_rate="1000/second"),
        ice_loopback=True,
    )
    async with open_hub(settings) as hub:
        await load_demo(hub, timedelta(hours=1))
        branch = await hub.branch("intl")
        branch.roles[OBSERVER] = Role.OBSERVER
        await hub.save_branch(branch)
        links = {
            m: await hub.issue_link(m, DEMO_MEETING_ID, timedelta(hours=1))
            for m in (CHAIR, BEA, SOFIA, TAMSIN, ROSA, OBSERVER)
        }
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            # As `hub serve`: connections still open after this are cut off.
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    media_hub = MediaHub(f"http://127.0.0.1:{port}", app.state.relay, links, [])
    try:
        yield media_hub
    finally:
        for participant in media_hub.participants:
            await participant.close()
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def flowing(everyone: list[Participant], frames: int = 10) -> None:
    """Every participant decodes every other's camera and microphone."""
    for receiver in everyone:
        for sender in everyone:
            if sender is not receiver:
                await receiver.wait_frames(sender.member_id, "camera", frames)
                await receiver.wait_frames(sender.member_id, "microphone", frames * 2)


async def silent(participant: Participant, member_id: str, seconds: float = 1.0) -> bool:
    """Whether no audio packets from `member_id` reach `participant` for `seconds`."""
    before = await participant.packets(member_id, "microphone")
    await asyncio.sleep(seconds)
    return await participant.packets(member_id, "microphone") == before


def relay_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith(("media:", "passthrough:"))]


def aiortc_tasks() -> list[asyncio.Task[Any]]:
    def module(task: asyncio.Task[Any]) -> str:
        code = getattr(task.get_coro(), "cr_code", None)
        return code.co_filename if code is not None else ""

    return [t for t in asyncio.all_tasks() if "/aiortc/" in module(t) or "/aioice/" in module(t)]


async def test_three_participants_decode_each_other_and_a_late_joiner_sees_video_at_once(
    media_hub: MediaHub,
) -> None:
    everyone = [await media_hub.seat(m) for m in (CHAIR, BEA, SOFIA)]
    await flowing(everyone)
    for receiver in everyone:
        for sender in everyone:
            sink = receiver.sink(sender.member_id, "camera")
            assert sender is receiver or (sink is not None and sink.sizes == {CAMERA})
        # Each offer says whose stream is whose; a participant's audio and video share one stream.
        named = {(info["member_id"], info["source"]) for info in receiver.streams.values()}
        assert named == {(s.member_id, "camera") for s in everyone if s is not receiver}
    # The relay forwards what it receives: it decodes nothing, and every publisher has two subscribers.
    for participant in everyone:
        peer = media_hub.peer(participant)
        assert set(peer.inbound) == {"microphone", "camera"}
        for inbound in peer.inbound.values():
            assert is_encoded(inbound.transceiver.receiver)
            assert inbound.publisher is not None and len(inbound.publisher.subscribers) == 2

    late = await media_hub.seat(TAMSIN, mode=None)
    started = time.monotonic()
    await late.join_media()
    for sender in everyone:
        await late.wait_frames(sender.member_id, "camera", 1, timeout=started + 2 - time.monotonic())
    await late.wait_frames(CHAIR, "microphone", 10)
    # And the others get the late joiner too.
    for receiver in everyone:
        await receiver.wait_frames(TAMSIN, "camera", 5)


async def test_chair_mute_stops_forwarding_while_the_member_still_sends(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR, amplitude=0.1)
    loud = await media_hub.seat(BEA, amplitude=0.5)
    quiet = await media_hub.seat(SOFIA, amplitude=0.0)
    await flowing([chair, loud, quiet])
    # The loudest voice is the active speaker, told to the whole room.
    await eventually(lambda: quiet.speakers[-1:] == [BEA])

    await chair.client.ok("media.mute", {"member_id": BEA})
    await asyncio.sleep(0.3)  # what was already on its way lands
    sent = (await loud.sender("microphone").getStats()).values()
    packets_sent = sum(s.packetsSent for s in sent if s.type == "outbound-rtp")
    publisher = media_hub.peer(loud).inbound["microphone"].publisher
    assert publisher is not None
    relay_received = publisher.packets
    camera_frames = chair.frames(BEA, "camera")
    assert await silent(chair, BEA) and await silent(quiet, BEA)
    # Bea still sends, the relay still receives; only forwarding stopped, and only her audio.
    sent = (await loud.sender("microphone").getStats()).values()
    assert sum(s.packetsSent for s in sent if s.type == "outbound-rtp") > packets_sent + 20
    assert publisher.packets > relay_received + 20
    assert chair.frames(BEA, "camera") > camera_frames + 5
    # Muted, she is not heard, so the active speaker moves to the chair.
    await eventually(lambda: quiet.speakers[-1:] == [CHAIR])

    await chair.client.ok("media.unmute", {"member_id": BEA})
    before = quiet.frames(BEA, "microphone")
    await quiet.wait_frames(BEA, "microphone", before + 20, timeout=3)
    # The mute is in the meeting's state, for every client to show.
    await quiet.client.wait_until(lambda c: c.meeting is not None and c.meeting["muted"] == [])
    assert [e["type"] for e in quiet.client.events if e["type"].startswith("participant.")][-2:] == [
        "participant.muted",
        "participant.unmuted",
    ]


async def test_listen_only_sends_nothing_and_receives_audio(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    listener = await media_hub.seat(BEA, mode="listen")
    await listener.wait_frames(CHAIR, "microphone", 20)
    await asyncio.sleep(0.5)
    assert listener.frames(CHAIR, "camera") == 0
    offer = listener.offers[-1]
    assert offer["publish"] == {} and "m=video" not in offer["sdp"]
    peer = media_hub.peer(listener)
    assert peer.inbound == {} and {t.kind for t in peer.pc.getTransceivers()} == {"audio"}
    for transceiver in listener.pc.getTransceivers():
        stats = await transceiver.sender.getStats()
        assert sum(s.packetsSent for s in stats.values() if s.type == "outbound-rtp") == 0
    # Nobody is sent a stream of the listener's.
    assert all(info["member_id"] != BEA for info in chair.streams.values())
    assert not any(member == BEA for member, _ in chair.sinks)

    # Modes change on the same connection: the listener turns her microphone on...
    assert (await listener.client.ok("media.join", {"mode": "audio"}))["mode"] == "audio"
    await chair.wait_frames(BEA, "microphone", 20)
    assert set(peer.inbound) == {"microphone"}
    # ...and the chair drops to listening: his streams go, and he is sent no video any more.
    await chair.client.ok("media.join", {"mode": "listen"})
    await eventually(lambda: listener.streams == {})
    chair_peer = media_hub.peer(chair)
    assert chair_peer.inbound == {} and {
        f.source for f in (o.feed for o in chair_peer.outbound.values())
    } == {"microphone"}
    await chair.wait_frames(BEA, "microphone", chair.frames(BEA, "microphone") + 20)


async def test_audio_only_sends_the_microphone_and_receives_no_video(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    audio = await media_hub.seat(BEA, mode="audio")
    await audio.wait_frames(CHAIR, "microphone", 20)
    await chair.wait_frames(BEA, "microphone", 20)
    await asyncio.sleep(0.5)
    # The chair's camera reaches the relay, and is not forwarded to a member on audio only.
    assert "camera" in media_hub.peer(chair).inbound
    assert audio.frames(CHAIR, "camera") == 0
    assert "m=video" not in audio.offers[-1]["sdp"]
    assert all(f.feed.source == "microphone" for f in media_hub.peer(audio).outbound.values())
    # Back to camera and microphone: the chair's camera comes.
    await audio.client.ok("media.join", {"mode": "full"})
    await audio.wait_frames(CHAIR, "camera", 20)


async def test_everyone_sees_each_members_mode_and_microphone(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    audio = await media_hub.seat(BEA, mode="audio")
    listener = await media_hub.seat(SOFIA, mode="listen")
    await media_hub.seat(TAMSIN, mode=None)

    def seen(member_id: str) -> tuple[str | None, bool]:
        assert chair.client.meeting is not None
        entry = chair.client.meeting["participants"][member_id]
        return entry["media"], entry["microphone"]

    # Tamsin joined last: her arrival may reach the chair after Sofia's mode does.
    await chair.client.wait_until(
        lambda c: seen(SOFIA) == ("listen", False) and TAMSIN in (c.meeting or {})["participants"]
    )
    assert [seen(m) for m in (CHAIR, BEA, TAMSIN)] == [("full", True), ("audio", True), (None, False)]
    # Each connection's own record stays on the server.
    assert chair.client.meeting is not None
    assert "media_sessions" not in chair.client.meeting["participants"][BEA]

    # The member's own switch, and a join that starts with it off.
    await audio.client.ok("media.microphone", {"on": False})
    await chair.client.wait_until(lambda c: seen(BEA) == ("audio", False))
    refused = await listener.client.call("media.microphone", {"on": True})
    assert refused["error"]["code"] == "media.listen_only"
    await listener.client.ok("media.join", {"mode": "full", "microphone": False})
    await chair.client.wait_until(lambda c: seen(SOFIA) == ("full", False))

    # Leaving the media, or the meeting, ends what the others see.
    await audio.client.ok("media.leave", {})
    await chair.client.wait_until(lambda c: seen(BEA) == (None, False))
    assert (await audio.client.call("media.microphone", {"on": True}))["error"]["code"] == "media.not_joined"
    await listener.client.disconnect()
    await chair.client.wait_until(lambda c: seen(SOFIA) == (None, False))


async def test_calling_a_member_who_would_not_be_heard_warns_the_chair(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    off = await media_hub.seat(BEA, mode="audio")
    await off.client.ok("media.microphone", {"on": False})
    listener = await media_hub.seat(SOFIA, mode="listen")
    away = await media_hub.seat(TAMSIN, mode=None)
    muted = await media_hub.seat(ROSA, mode="audio")
    await chair.client.ok("media.mute", {"member_id": ROSA})
    await chair.client.ok("agenda.select", {"item_id": "a1"})
    for member, code in (
        (off, "media.microphone_off"),
        (listener, "media.listening"),
        (away, "media.not_connected"),
        (muted, "media.muted"),
    ):
        await member.client.ok("speaker.request", {})
        reply = await chair.client.ok("speaker.call", {})
        # The call stands, and the chair is told why nobody will hear the speaker.
        version = reply["version"]
        await chair.client.wait_until(lambda c: c.version >= version)  # noqa: B023 (awaited here)
        assert chair.client.meeting is not None
        assert chair.client.meeting["speech"]["member_id"] == member.member_id
        assert reply["warning"]["code"] == code, reply
        assert reply["warning"]["details"]["member_id"] == member.member_id
        # The member called hears of it in the event too.
        await member.client.wait_until(lambda c: c.version >= version)  # noqa: B023 (awaited here)
        called = [e["data"] for e in member.client.events if e["type"] == "speaker.called"]
        assert called[-1]["member_id"] == member.member_id and called[-1]["warning"]["code"] == code

    await off.client.ok("media.microphone", {"on": True})
    await off.client.ok("speaker.request", {})
    assert "warning" not in await chair.client.ok("speaker.call", {})


async def test_an_offer_left_unanswered_ends_the_media(
    media_hub: MediaHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("signalling.media.peer.ANSWER_TIMEOUT", 0.5)
    mute = Participant(media_hub.url, media_hub.links[CHAIR], CHAIR)
    media_hub.participants.append(mute)
    mute.client.sio.on("media.offer", lambda offer: None)
    await mute.client.connect()
    await mute.client.join()
    await mute.client.ok("media.join", {"mode": "audio"})
    await eventually(lambda: mute.ended == ["no_answer"])
    assert media_hub.relay.peers == {} and media_hub.relay.rooms == {}
    # The others see that the chair's media ended.
    await mute.client.wait_until(
        lambda c: c.meeting is not None and c.meeting["participants"][CHAIR]["media"] is None
    )
    # The browser may join again.
    await mute.client.ok("media.join", {"mode": "audio"})
    assert len(media_hub.relay.peers) == 1


async def test_formal_mode_opens_the_mic_only_for_the_called_speaker(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    speaker = await media_hub.seat(BEA)
    listener = await media_hub.seat(SOFIA)
    await flowing([chair, speaker, listener])
    await chair.client.ok("media.set_settings", {"formal": "on"})
    await asyncio.sleep(0.3)
    assert await silent(listener, BEA)
    # The chair is heard without being called; everyone's camera still fits.
    await listener.wait_frames(CHAIR, "microphone", listener.frames(CHAIR, "microphone") + 10)
    await listener.wait_frames(BEA, "camera", listener.frames(BEA, "camera") + 5)

    await chair.client.ok("agenda.select", {"item_id": "a1"})
    await speaker.client.ok("speaker.request", {})
    await chair.client.ok("speaker.call", {})
    before = listener.frames(BEA, "microphone")
    await listener.wait_frames(BEA, "microphone", before + 20, timeout=3)
    assert await chair.packets(BEA, "microphone") > 0

    await chair.client.ok("speech.end", {})
    await asyncio.sleep(0.3)
    assert await silent(listener, BEA) and await silent(chair, BEA)


async def test_screen_share_renegotiates_and_is_forwarded(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    sharer = await media_hub.seat(BEA)
    await flowing([chair, sharer])
    offers = len(sharer.offers)
    sharer.sources["screen"] = Pattern(SCREEN, FPS)
    assert await sharer.client.ok("media.share", {"on": True}) == {"sharing": True}
    await chair.wait_frames(BEA, "screen", 5)
    screen = chair.sink(BEA, "screen")
    assert screen is not None and screen.sizes == {SCREEN}
    assert "screen" in sharer.offers[-1]["publish"] and len(sharer.offers) > offers
    screens = [(s, i) for s, i in chair.streams.items() if i["source"] == "screen"]
    cameras = [s for s, i in chair.streams.items() if i["source"] == "camera"]
    assert [i["member_id"] for _, i in screens] == [BEA] and screens[0][0] not in cameras

    assert await sharer.client.ok("media.share", {"on": False}) == {"sharing": False}
    await eventually(lambda: all(i["source"] != "screen" for i in chair.streams.values()))
    peer = media_hub.peer(sharer)
    assert "screen" not in peer.inbound and "publish" in sharer.offers[-1]
    assert "screen" not in sharer.offers[-1]["publish"]
    frames = chair.frames(BEA, "screen")
    await asyncio.sleep(0.5)
    assert chair.frames(BEA, "screen") == frames
    # The camera goes on.
    await chair.wait_frames(BEA, "camera", chair.frames(BEA, "camera") + 5)

    # Sharing again starts a new screen stream on a new transceiver.
    first = chair.sink(BEA, "screen")
    sharer.sources.pop("screen").stop()
    sharer.sources["screen"] = Pattern(SCREEN, FPS)
    await sharer.client.ok("media.share", {"on": True})
    await eventually(lambda: chair.sink(BEA, "screen") is not first)
    await chair.wait_frames(BEA, "screen", 5)
    assert [i["source"] for i in chair.streams.values()].count("screen") == 1
    assert peer.retired >= 1 and media_hub.peer(chair).retired >= 1


async def test_leaving_releases_the_connection_publishers_and_tasks(media_hub: MediaHub) -> None:
    chair = await media_hub.seat(CHAIR)
    leaver = await media_hub.seat(BEA)
    quitter = await media_hub.seat(SOFIA)
    dropper = await media_hub.seat(TAMSIN)
    everyone = [chair, leaver, quitter, dropper]
    await flowing(everyone, frames=3)
    room = media_hub.relay.rooms[DEMO_MEETING_ID]

    async def released(participant: Participant, leave: Callable[[], Awaitable[Any]]) -> None:
        peer = media_hub.peer(participant)
        publishers = [i.publisher for i in peer.inbound.values()]
        subscribers = [o.subscriber for o in peer.outbound.values()]
        await leave()
        await eventually(
            lambda: peer.sid not in media_hub.relay.peers and peer.pc.connectionState == "closed"
        )
        assert peer.sid not in room.peers and peer.closed
        assert all(p is not None and p.closed and not p.subscribers for p in publishers)
        assert all(s.readyState == "ended" for s in subscribers)
        # The chair's next offer no longer carries the streams of whoever left.
        await eventually(lambda: all(i["member_id"] != participant.member_id for i in chair.streams.values()))

    # media.leave, meeting.leave and a dropped connection each release everything of that connection.
    await released(leaver, lambda: leaver.client.ok("media.leave", {}))
    await released(quitter, lambda: quitter.client.ok("meeting.leave", {}))
    await released(dropper, dropper.client.disconnect)
    assert set(media_hub.peer(chair).outbound) == set()

    await chair.client.disconnect()
    await eventually(lambda: media_hub.relay.peers == {} and media_hub.relay.rooms == {})
    await eventually(lambda: relay_tasks() == [], timeout=2)
    for participant in everyone:
        await participant.close()
    await eventually(lambda: aiortc_tasks() == [], timeout=5)
    assert not [t for t in threading.enumerate() if t.name.endswith("-decoder")]


async def test_refusals(media_hub: MediaHub) -> None:
    chair = Participant(media_hub.url, media_hub.links[CHAIR], CHAIR)
    media_hub.participants.append(chair)
    await chair.client.connect()
    for event, payload in (("media.answer", {"sdp": "v=0"}), ("media.share", {"on": True})):
        assert (await chair.client.call(event, payload))["error"]["code"] == "media.not_joined"
    assert (await chair.client.call("media.join", {}))["error"]["code"] == "attendance.not_present"
    assert await chair.client.ok("media.leave", {}) is None

    observer = Participant(media_hub.url, media_hub.links[OBSERVER], OBSERVER)
    media_hub.participants.append(observer)
    await observer.client.connect()
    await observer.client.join()
    ack = await observer.client.call("media.join", {"mode": "full"})
    assert ack["error"]["code"] == "media.mode_not_allowed"
    assert (await observer.client.call("media.share", {"on": True}))["error"]["code"] == "forbidden"

    # A listener has nothing to share.
    listener = await media_hub.seat(BEA, mode="listen")
    assert (await listener.client.call("media.share", {"on": True}))["error"]["code"] == "media.listen_only"

    # Answers are checked before they are applied: an offer waits here, unanswered.
    offers: list[dict[str, Any]] = []
    chair.client.sio.on("media.offer", offers.append)
    await chair.client.join()
    assert (await chair.client.ok("media.join", {"mode": "audio"}))["mode"] == "audio"
    await eventually(lambda: bool(offers))
    pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offers[0]["sdp"], type="offer"))
        for transceiver in pc.getTransceivers():
            transceiver.direction = "sendonly"
        await pc.setLocalDescription(await pc.createAnswer())
        answer = pc.localDescription.sdp
        # Sending and receiving where the relay only offered to receive.
        greedy = answer.replace("a=sendonly", "a=sendrecv")
        assert "a=sendrecv" in greedy
        for sdp, problem in (("v=0\r\nnonsense", None), (greedy, "direction")):
            error = (await chair.client.call("media.answer", {"sdp": sdp}))["error"]
            assert error["code"] == "media.bad_answer"
            assert problem is None or error["details"]["problem"] == problem
        too_big = await chair.client.call("media.answer", {"sdp": "x" * 600_000})
        assert too_big["error"]["code"] == "payload_too_large"
        # The offer still waits for a good answer.
        assert await chair.client.ok("media.answer", {"sdp": answer}) is None
        assert (await chair.client.call("media.answer", {"sdp": answer}))["error"]["code"] == "media.no_offer"
    finally:
        await pc.close()
    # A chair cannot be muted, nor someone who never came.
    for member_id, code in ((CHAIR, "media.cannot_mute_chair"), ("m049", "participant.not_found")):
        assert (await chair.client.call("media.mute", {"member_id": member_id}))["error"]["code"] == code
