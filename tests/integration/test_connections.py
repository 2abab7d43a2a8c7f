"""Attacks on the connection itself, over real Socket.IO: events named like the lifecycle handlers, many
connections on one link or from one address, floods spread over several connections, and connections
that outlive their link or their member's place in the meeting."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

import httpx
import msgpack
import pytest
import socketio

from hub.config import Limits
from hub.runtime import open_hub
from signalling.gateway import WARD_SECONDS
from tests.client import MeetingClient, joined, until
from tests.conftest import NO_GRACE, RunningHub

CHAIR, ANA, BEN = "m001", "m002", "m040"


async def test_an_event_named_connect_cannot_swap_the_member(hub_server: RunningHub) -> None:
    """The ghost attack: `connect` sent as an event once admitted the socket again with another link."""
    ana = await joined(hub_server, ANA)
    chair = await joined(hub_server, CHAIR)
    for payload in ({}, ({"x": 1}, {"token": hub_server.links[BEN]}), {"token": hub_server.links[BEN]}):
        args = payload if isinstance(payload, tuple) else (payload,)
        ack = await ana.call("connect", *args)
        assert ack["ok"] is False and ack["error"]["code"] == "unknown_event", ack
    # Still Ana, in the room she joined; Ben was never made present.
    reply = await ana.ok("meeting.join", {})
    assert reply["you"]["member_id"] == ANA
    await ana.ok("chat.send", {"text": "Still me"})
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["chat"]))
    assert chair.meeting is not None and chair.meeting["chat"][-1]["name"] == reply["you"]["name"]
    assert BEN not in chair.present()
    for client in (ana, chair):
        await client.disconnect()


@pytest.fixture
def limits() -> Limits:
    return Limits(
        events_rate="10/second", connections_per_member=3, connections_per_address=8, grace_seconds=NO_GRACE
    )


async def test_an_event_named_disconnect_neither_leaves_nor_resets_the_rate_limit(
    hub_server: RunningHub,
) -> None:
    chair = await joined(hub_server, CHAIR)
    ana = await joined(hub_server, ANA)
    await chair.wait_until(lambda c: ANA in c.present())
    acks = [await ana.call("meeting.sync", {"since": 0}) for _ in range(12)]
    assert acks[-1]["error"]["code"] == "rate_limited"
    ack = await ana.call("disconnect", "client disconnect")
    assert ack["ok"] is False and ack["error"]["code"] in {"unknown_event", "rate_limited"}, ack
    # Still connected and present, and still limited.
    assert ana.sio.connected
    assert (await ana.call("meeting.sync", {"since": 0}))["error"]["code"] == "rate_limited"
    assert ANA in chair.present()
    for client in (ana, chair):
        await client.disconnect()


@pytest.mark.parametrize("payload", [(), ("not-a-sid",), ({"sid": 1},), ([1, 2], "x")])
async def test_an_event_named_star_is_unknown(hub_server: RunningHub, payload: tuple[object, ...]) -> None:
    ana = MeetingClient(hub_server.url, hub_server.links[ANA])
    await ana.connect()
    ack = await ana.call("*", *payload)
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_event", ack
    assert (await ana.call("meeting.sync", {"since": 0}))["ok"]
    await ana.disconnect()


async def test_an_event_named_after_another_connection_charges_only_its_sender(
    hub_server: RunningHub,
) -> None:
    """The catch-all once took such a name for the connection id python-socketio passes for "*"."""
    chair, ana = await joined(hub_server, CHAIR), await joined(hub_server, ANA)
    chair_sid = chair.sio.get_sid()
    assert chair_sid
    acks = [await ana.call(chair_sid, {}) for _ in range(12)]
    assert {a["error"]["code"] for a in acks} == {"unknown_event", "rate_limited"}
    assert (await chair.call("meeting.sync", {"since": 0}))["ok"]
    for client in (ana, chair):
        await client.disconnect()


async def test_one_link_holds_a_few_connections_and_a_new_one_closes_the_oldest(
    hub_server: RunningHub,
) -> None:
    clients = [MeetingClient(hub_server.url, hub_server.links[ANA]) for _ in range(5)]
    for client in clients:
        await client.connect()
    # connections_per_member is 3: the two oldest were closed as the fourth and fifth arrived.
    await until(lambda: [c.sio.connected for c in clients] == [False, False, True, True, True])
    for client in clients[2:]:
        await client.disconnect()


async def test_one_address_opens_only_so_many_connections(hub_server: RunningHub) -> None:
    # connections_per_address is 8: three members' connections from this machine fill it.
    members = [ANA] * 3 + [BEN] * 3 + [CHAIR] * 2 + ["m025"]
    clients = [MeetingClient(hub_server.url, hub_server.links[m]) for m in members]
    for client in clients[:8]:
        await client.connect()
    errors: list[dict[str, object]] = []
    clients[8].sio.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await clients[8].connect()
    assert errors[0]["data"]["code"] == "auth.too_many_connections"  # type: ignore[index]
    # A connection that closes makes room.
    await clients[0].disconnect()
    await until(lambda: not clients[0].sio.connected)
    await clients[8].connect()
    for client in clients[1:]:
        await client.disconnect()


async def test_the_rate_limit_counts_all_of_a_members_connections(hub_server: RunningHub) -> None:
    first = MeetingClient(hub_server.url, hub_server.links[ANA])
    second = MeetingClient(hub_server.url, hub_server.links[ANA])
    for client in (first, second):
        await client.connect()
    acks = [await client.call("meeting.sync", {"since": 0}) for _ in range(7) for client in (first, second)]
    assert sum(a["ok"] for a in acks) == 10
    assert {a["error"]["code"] for a in acks if not a["ok"]} == {"rate_limited"}
    # Another member is not slowed by Ana.
    ben = MeetingClient(hub_server.url, hub_server.links[BEN])
    await ben.connect()
    assert (await ben.call("meeting.sync", {"since": 0}))["ok"]
    for client in (first, second, ben):
        await client.disconnect()


async def test_revoking_a_link_closes_its_open_connections(hub_server: RunningHub) -> None:
    ana, ben = await joined(hub_server, ANA), await joined(hub_server, BEN)
    spare = MeetingClient(hub_server.url, hub_server.links[ANA])
    await spare.connect()
    async with open_hub(hub_server.settings) as hub:
        await hub.revoke_link(hub_server.links[ANA])
    await until(lambda: not ana.sio.connected and not spare.sio.connected)
    await ben.wait_until(lambda c: ANA not in c.present())
    assert ben.sio.connected
    await ben.disconnect()


async def test_a_link_that_expires_closes_its_connection(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        token = await hub.issue_link(ANA, hub_server.meeting_id, timedelta(seconds=2))
    ana = MeetingClient(hub_server.url, token)
    await ana.connect()
    await ana.join()
    await until(lambda: not ana.sio.connected, timeout=15)


async def test_sockets_that_never_finish_connecting_do_not_hold_places_for_ever(
    hub_server: RunningHub,
) -> None:
    """Over long-polling a client can send its connect and its close at once: python-socketio then
    neither counts the socket as connected nor runs its disconnect, and the place it took must still
    come free. Twelve such sockets fill the address's eight places; within two checks they are gone."""
    url = f"{hub_server.url}/socket.io/?EIO=4&transport=polling"
    connect = msgpack.packb({"type": 0, "nsp": "/", "data": {"token": hub_server.links[ANA]}})
    async with httpx.AsyncClient(timeout=10) as http:
        for _ in range(12):
            sid = json.loads((await http.get(url)).text[1:])["sid"]
            body = ("b" + base64.b64encode(connect).decode()).encode()
            await asyncio.gather(
                http.post(f"{url}&sid={sid}", content=body),
                http.post(f"{url}&sid={sid}", content=b"1"),
                return_exceptions=True,
            )
    async with asyncio.timeout(3 * WARD_SECONDS):
        while True:
            chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
            try:
                await chair.connect()
                break
            except socketio.exceptions.ConnectionError:
                await asyncio.sleep(0.5)
    await chair.join()
    await chair.disconnect()
