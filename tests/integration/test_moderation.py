"""Moderation over real Socket.IO: a hidden chat message is never replayed, and a removed member can do
nothing on any connection they still hold."""

from __future__ import annotations

import msgpack
import pytest
import socketio

from tests.client import MeetingClient, joined, until
from tests.conftest import RunningHub

CHAIR, ANA = "m001", "m002"


async def test_a_hidden_message_is_not_replayed_to_a_client_catching_up(hub_server: RunningHub) -> None:
    chair, ana = await joined(hub_server, CHAIR), await joined(hub_server, ANA)
    before = ana.version
    await ana.ok("chat.send", {"text": "Something out of order"})
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["chat"]))
    message_id = chair.meeting["chat"][-1]["id"]  # type: ignore[index]
    await chair.ok("chat.hide", {"message_id": message_id})
    reply = await ana.ok("meeting.sync", {"since": before})
    assert "meeting" in reply and "events" not in reply
    assert b"Something out of order" not in msgpack.packb(reply)
    assert reply["meeting"]["chat"][-1]["hidden_by"] == "Eleni Adeyemi"
    for client in (chair, ana):
        await client.disconnect()


async def test_a_removed_member_can_do_nothing_on_a_connection_left_open(hub_server: RunningHub) -> None:
    chair = await joined(hub_server, CHAIR)
    ana = await joined(hub_server, ANA)
    # A vote open before the removal, with Ana in its electorate.
    await chair.ok(
        "meeting.set_standing_orders", {"standing_orders": {"quorum": {"kind": "number", "value": 2}}}
    )
    await chair.ok("meeting.set_status", {"status": "open"})
    await ana.ok("attendance.check_in", {})
    await chair.ok("agenda.select", {"item_id": "a5"})
    await ana.ok("motion.submit", {"title": "Votes for life", "text": "That we campaign."})
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["motions"]))
    motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
    await chair.ok("motion.second", {"motion_id": motion_id})
    await chair.ok("vote.open", {"subject": {"kind": "motion", "motion_id": motion_id}})
    # A second connection that never joined: it is in no session list, and still it is closed.
    spare = MeetingClient(hub_server.url, hub_server.links[ANA])
    await spare.connect()
    await chair.ok("participant.remove", {"member_id": ANA})
    await until(lambda: not spare.sio.connected)
    # Opening the link again is refused.
    again = MeetingClient(hub_server.url, hub_server.links[ANA])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect()
    await chair.wait_until(lambda c: ANA in (c.meeting or {}).get("removed", []))
    assert ANA not in chair.present()
    await chair.disconnect()
