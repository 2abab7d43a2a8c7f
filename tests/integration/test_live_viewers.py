"""The number of a livestream's viewers: the viewer page's heartbeat (`POST /api/live/ID/seen`, a
viewer id made once per page load) counted once per viewer in a HyperLogLog a minute, over this minute
and the one before. Refused as watching is (a members' livestream wants a join link), for a body with no
viewer id, and while the meeting is not live."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import RunningHub

pytestmark = pytest.mark.timeout(90)

CHAIR, ANA, BEN = "m001", "m002", "m025"
VIEWERS = [f"viewer-{n:02}-{'abcdefghij'[n]}0123456789" for n in range(6)]


@pytest.fixture
async def chair(hub_server: RunningHub) -> AsyncIterator[MeetingClient]:
    client = await joined(hub_server, CHAIR)
    yield client
    await client.disconnect()


async def seen(http: httpx.AsyncClient, hub: RunningHub, body: object, token: str | None) -> httpx.Response:
    return await http.post(
        f"/api/live/{hub.meeting_id}/seen",
        params={"token": token} if token is not None else None,
        json=body,
    )


async def counted(hub: RunningHub) -> int:
    async with open_hub(hub.settings) as service:
        return await service.store.live_viewers(hub.meeting_id, datetime.now(UTC))


async def live(http: httpx.AsyncClient, hub: RunningHub, chair: MeetingClient) -> None:
    await chair.ok("livestream.start", {"quality": "360p", "audience": "members", "record": False})
    deadline = time.monotonic() + 30
    while (await http.get(f"/api/live/{hub.meeting_id}", params={"token": hub.links[ANA]})).json()["data"][
        "status"
    ] != "live":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)


async def test_each_viewer_is_counted_once_and_only_while_live(
    hub_server: RunningHub, chair: MeetingClient
) -> None:
    token = hub_server.links[ANA]
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=10) as http:
        # Not live yet: nothing to count.
        early = await seen(http, hub_server, {"viewer": VIEWERS[0]}, token)
        assert early.status_code == 404 and early.json()["error"]["code"] == "livestream.not_live"

        await live(http, hub_server, chair)
        for viewer in VIEWERS:
            reply = await seen(http, hub_server, {"viewer": viewer}, token)
            assert reply.status_code == 200 and reply.json() == {"ok": True, "data": {}}
        # The same viewers beating again, with another member's link: still six.
        for viewer in VIEWERS[:3]:
            again = await seen(http, hub_server, {"viewer": viewer}, hub_server.links[BEN])
            assert again.status_code == 200
        assert await counted(hub_server) == len(VIEWERS)

        # Members only: no link, or one that is not, is refused as the page itself is.
        for refused in (None, "forged"):
            reply = await seen(http, hub_server, {"viewer": "someone-else-0123456789"}, refused)
            assert reply.status_code == 403, refused
        # Anything but a viewer id of 16 to 64 letters, digits, - and _.
        for body in (
            {},
            {"viewer": None},
            {"viewer": 1234567890123456789},
            {"viewer": "too-short"},
            {"viewer": "x" * 65},
            {"viewer": "spaces are not allowed"},
            {"viewer": "<script>alert(1)</script>"},
            {"viewers": VIEWERS[0]},
        ):
            reply = await seen(http, hub_server, body, token)
            assert reply.status_code == 400, body
            assert reply.json()["error"]["code"] == "livestream.bad_viewer", body
        # Not a JSON object at all: as every JSON route answers it.
        listed = await seen(http, hub_server, [VIEWERS[0]], token)
        assert listed.status_code == 400 and listed.json()["error"]["code"] == "request.not_json"
        plain = await http.post(
            f"/api/live/{hub_server.meeting_id}/seen", params={"token": token}, content=VIEWERS[0]
        )
        assert plain.status_code == 415
        assert await counted(hub_server) == len(VIEWERS)

        # Public: anyone may beat, without a link.
        await chair.ok("livestream.set", {"audience": "public"})
        assert (await seen(http, hub_server, {"viewer": "anyone-at-all-0123456789"}, None)).status_code == 200
        assert await counted(hub_server) == len(VIEWERS) + 1

        # Stopped: not live any more.
        await chair.ok("livestream.stop")
        late = await seen(http, hub_server, {"viewer": VIEWERS[0]}, None)
        assert late.status_code == 404 and late.json()["error"]["code"] == "livestream.not_live"


async def test_a_viewer_is_counted_for_two_minutes_and_forgotten_after_three(hub_server: RunningHub) -> None:
    """By the store's clock, not the wall's: a beat counts in its own minute and the next, and its key
    lapses after three."""
    start = datetime(2027, 3, 13, 12, 0, 30, tzinfo=UTC)
    async with open_hub(hub_server.settings) as hub:
        store = hub.store
        await store.seen_live("agm", VIEWERS[0], start)
        await store.seen_live("agm", VIEWERS[1], start + timedelta(seconds=29))
        await store.seen_live("agm", VIEWERS[0], start + timedelta(seconds=45))  # 12:01:15
        await store.seen_live("other", VIEWERS[2], start)
        assert await store.live_viewers("agm", start) == 2
        assert await store.live_viewers("agm", start + timedelta(seconds=45)) == 2
        assert await store.live_viewers("agm", start + timedelta(minutes=2)) == 1  # 12:02:30: the 12:01 beat
        assert await store.live_viewers("agm", start + timedelta(minutes=3)) == 0
        assert await store.live_viewers("other", start) == 1
        ttl = await store.redis.ttl("hub:{m:agm}:viewers:" + str(int(start.timestamp()) // 60))
        assert 170 < ttl <= 180
