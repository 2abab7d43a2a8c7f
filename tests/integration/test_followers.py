"""Members who follow the livestream instead of the call (`media.follow`), on a real hub and relay with
aiortc participants: following is refused while the livestream is off, ends a connection's place in the
relay, shows on the participant as `follow`; calling a follower warns the chair of nothing, the follower
joins the relay and is heard, and follows again after the speech."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from hub.demo import DEMO_MEETING_ID
from tests.integration.test_media import (  # noqa: F401
    BEA,
    CHAIR,
    OBSERVER,
    SOFIA,
    MediaHub,
    Participant,
    media_hub,
)
from tests.media_sources import eventually

pytestmark = pytest.mark.timeout(90)


def seen(hub: MediaHub, member_id: str) -> tuple[str | None, bool]:
    """A member's media as the chair (the first seated) sees it; (None, False) until the chair has
    heard that the member arrived."""
    meeting = hub.participants[0].client.meeting
    assert meeting is not None
    entry = meeting["participants"].get(member_id)
    if entry is None:
        return None, False
    return entry["media"], entry["microphone"]


async def streaming(hub: MediaHub, chair: Participant) -> None:
    """The chair starts the livestream, and its feed runs."""
    await chair.client.ok("livestream.start", {"quality": "360p", "record": False})
    rooms = hub.relay.rooms
    await eventually(lambda: DEMO_MEETING_ID in rooms and rooms[DEMO_MEETING_ID].studio is not None, 20)


async def stopped(hub: MediaHub, chair: Participant) -> None:
    """The chair stops the livestream, and its feed ends before the hub does: its station is gone and
    its stop has finished (the feed's worker ended)."""
    await chair.client.ok("livestream.stop", {})
    turns = hub.relay._live_turns
    await eventually(lambda: not turns[DEMO_MEETING_ID].locked() and not hub.relay._stations, 20)


async def test_a_follower_holds_no_peer_is_called_heard_and_follows_again(
    media_hub: MediaHub,  # noqa: F811
) -> None:
    chair = await media_hub.seat(CHAIR)
    sofia = await media_hub.seat(SOFIA)
    bea = await media_hub.seat(BEA, mode=None)
    await chair.client.ok("meeting.set_status", {"status": "open"})
    await chair.client.ok("agenda.select", {"item_id": "a1"})

    # Nothing to follow yet: refused, and Sofia keeps her place in the relay.
    refused = await sofia.client.call("media.follow", {})
    assert refused["error"]["code"] == "media.not_streamed"
    sofias = sofia.client.sio.get_sid()
    assert sofias in media_hub.relay.peers

    await streaming(media_hub, chair)
    # From the relay to the livestream: her peer ends and the chair is offered her streams no more.
    assert await sofia.client.ok("media.follow", {}) is None
    assert sofias not in media_hub.relay.peers
    await chair.client.wait_until(lambda c: seen(media_hub, SOFIA) == ("follow", False))
    await eventually(lambda: all(s["member_id"] != SOFIA for s in chair.streams.values()))
    # A follower has no microphone to switch.
    assert (await sofia.client.call("media.microphone", {"on": True}))["error"]["code"] == "media.not_joined"

    # Bea follows from the start; the playlist is hers to fetch with her join link.
    await bea.client.ok("media.follow", {})
    await chair.client.wait_until(lambda c: seen(media_hub, BEA) == ("follow", False))
    playlist = f"{media_hub.url}/live/{DEMO_MEETING_ID}/index.m3u8?token={media_hub.links[BEA]}"
    async with httpx.AsyncClient() as http:
        for _ in range(100):
            if (await http.get(playlist)).status_code == 200:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the follower never got the playlist")

    # Called, she is no warning to the chair; her browser joins the relay and everyone hears her.
    await bea.client.ok("speaker.request", {})
    assert "warning" not in await chair.client.ok("speaker.call", {})
    await bea.join_media("audio")
    await chair.client.wait_until(lambda c: seen(media_hub, BEA) == ("audio", True))
    await chair.wait_frames(BEA, "microphone", 20, timeout=10)

    # The speech ends: she follows again, and her streams leave the relay.
    await chair.client.ok("speech.end", {})
    await bea.client.ok("media.follow", {})
    await chair.client.wait_until(lambda c: seen(media_hub, BEA) == ("follow", False))
    await eventually(lambda: all(s["member_id"] != BEA for s in chair.streams.values()))
    assert set(media_hub.relay.peers) == {chair.client.sio.get_sid()}

    # Leaving the media, or the connection dropping, ends the follow as it would a call.
    await sofia.client.ok("media.leave", {})
    await chair.client.wait_until(lambda c: seen(media_hub, SOFIA) == (None, False))
    await bea.client.disconnect()
    await chair.client.wait_until(lambda c: seen(media_hub, BEA) == (None, False))
    await stopped(media_hub, chair)


async def test_an_observer_may_follow_and_a_connection_that_never_joined_may_not(
    media_hub: MediaHub,  # noqa: F811
) -> None:
    chair = await media_hub.seat(CHAIR, mode=None)
    await streaming(media_hub, chair)
    observer = await media_hub.seat(OBSERVER, mode=None)
    await observer.client.ok("media.follow", {})
    await chair.client.wait_until(lambda c: seen(media_hub, OBSERVER) == ("follow", False))

    # Connected, but not in the meeting.
    stranger = Participant(media_hub.url, media_hub.links[SOFIA], SOFIA)
    media_hub.participants.append(stranger)
    await stranger.client.connect()
    refused = await stranger.client.call("media.follow", {})
    assert refused["error"]["code"] == "attendance.not_present"
    await stopped(media_hub, chair)
