"""`hub serve` with default settings keeps meetings in its embedded store across restarts, even after
the hub was killed."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

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
