"""The edge refuses bad input with stable codes and changes nothing: links, events, payloads, floods,
permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import socketio

from hub.config import Limits
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import RunningHub

CHAIR, MEMBER = "m001", "m002"


async def refusal(hub: RunningHub, auth: Any) -> dict[str, Any]:
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(hub.url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert len(errors) == 1
    error: dict[str, Any] = errors[0]["data"]
    assert errors[0]["message"] == error["message"]
    return error


async def test_connect_without_token_is_refused(hub_server: RunningHub) -> None:
    assert (await refusal(hub_server, None))["code"] == "auth.missing_token"


async def test_forged_token_is_refused(hub_server: RunningHub) -> None:
    token = hub_server.links[MEMBER]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert (await refusal(hub_server, {"token": forged}))["code"] == "auth.invalid_token"


async def test_expired_token_is_refused(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        token = await hub.issue_link(MEMBER, hub_server.meeting_id, timedelta(seconds=-1))
    error = await refusal(hub_server, {"token": token})
    assert error["code"] == "auth.expired_token"
    assert "expired_at" in error["details"]


async def test_revoked_token_is_refused_and_others_still_work(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        await hub.revoke_link(hub_server.links[MEMBER])
    assert (await refusal(hub_server, {"token": hub_server.links[MEMBER]}))["code"] == ("auth.revoked_token")
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    await chair.connect()
    await chair.join()
    await chair.disconnect()


async def test_member_outside_the_branch_is_not_invited(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        branch = await hub.branch("intl")
        del branch.roles[MEMBER]
        await hub.save_branch(branch)
    assert (await refusal(hub_server, {"token": hub_server.links[MEMBER]}))["code"] == ("auth.not_invited")


@pytest.mark.parametrize(
    ("event", "payload", "code"),
    [
        ("meeting.explode", {}, "unknown_event"),
        ("meeting.set_status", {"status": "party"}, "invalid_payload"),
        ("meeting.set_status", {"status": "open", "extra": 1}, "invalid_payload"),
        ("meeting.set_status", "open", "invalid_payload"),
        ("meeting.sync", {"since": -1}, "invalid_payload"),
        ("meeting.set_status", {"status": "x" * 20_000}, "payload_too_large"),
        ("meeting.set_status", {"status": "in_session"}, "meeting.bad_transition"),
    ],
)
async def test_bad_events_are_refused_and_change_nothing(
    hub_server: RunningHub, event: str, payload: Any, code: str
) -> None:
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    await chair.connect()
    await chair.join()
    before = await chair.ok("meeting.sync", {"since": 0})
    ack = await chair.call(event, payload)
    assert ack["ok"] is False
    assert ack["error"]["code"] == code
    assert ack["error"]["message"]
    assert await chair.ok("meeting.sync", {"since": 0}) == before
    await chair.disconnect()


async def test_invalid_payload_names_the_field(hub_server: RunningHub) -> None:
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    await chair.connect()
    ack = await chair.call("meeting.set_status", {"status": "party"})
    assert ack["error"]["details"]["problems"][0]["field"] == "status"
    await chair.disconnect()


async def test_member_may_not_change_the_status(hub_server: RunningHub) -> None:
    member = MeetingClient(hub_server.url, hub_server.links[MEMBER])
    await member.connect()
    await member.join()
    version = member.version
    ack = await member.call("meeting.set_status", {"status": "open"})
    assert ack["error"]["code"] == "forbidden"
    assert (await member.ok("meeting.sync", {"since": version}))["version"] == version
    await member.disconnect()


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="10/second")


async def test_a_flood_is_rate_limited(hub_server: RunningHub) -> None:
    member = MeetingClient(hub_server.url, hub_server.links[MEMBER])
    await member.connect()
    acks = [await member.call("meeting.sync", {"since": 0}) for _ in range(15)]
    codes = [a["error"]["code"] for a in acks if not a["ok"]]
    assert sum(a["ok"] for a in acks) == 10
    assert codes == ["rate_limited"] * 5
    await member.disconnect()


async def test_business_needs_the_member_to_have_joined(hub_server: RunningHub) -> None:
    member = MeetingClient(hub_server.url, hub_server.links[MEMBER])
    await member.connect()
    ack = await member.call("motion.submit", {"title": "T", "text": "Text."})
    assert ack["error"]["code"] == "attendance.not_present"
    await member.join()
    assert (await member.call("motion.submit", {"title": "T", "text": "Text."}))["ok"]
    await member.ok("meeting.leave")
    ack = await member.call("motion.submit", {"title": "U", "text": "Text."})
    assert ack["error"]["code"] == "attendance.not_present"
    await member.disconnect()
    # The edge's own handlers check it too: a chair who has not joined cannot put a vote or draft minutes.
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    await chair.connect()
    subject = {"kind": "motion", "motion_id": "mo10"}
    assert (await chair.call("vote.open", {"subject": subject}))["error"]["code"] == "attendance.not_present"
    assert (await chair.call("minutes.draft", {}))["error"]["code"] == "attendance.not_present"
    await chair.disconnect()
