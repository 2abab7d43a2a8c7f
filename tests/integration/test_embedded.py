"""`hub serve` with default settings keeps meetings in its embedded store across restarts, even after
the hub was killed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.client import MeetingClient
from tests.conftest import free_port

HUB = [sys.executable, "-m", "hub"]


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return clean


class Serve:
    def __init__(self, workdir: Path, port: int) -> None:
        self.workdir, self.port = workdir, port
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [*HUB, "serve", "--port", str(self.port), "--log-level", "warning"],
            cwd=self.workdir,
            env=env(),
        )
        async with httpx.AsyncClient() as http, asyncio.timeout(20):
            while True:
                assert self.process.poll() is None, "hub serve exited"
                try:
                    if (await http.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(20)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path, free_port())
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


async def test_meetings_survive_restarts_of_the_embedded_store(serve: Serve) -> None:
    demo = subprocess.run(
        [*HUB, "demo", "--port", str(serve.port)],
        cwd=serve.workdir,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    token = re.search(r"chair .*/join/(\S+)", demo.stdout)
    assert token is not None, demo.stdout
    assert (serve.workdir / "hub-data" / "appendonly.aof").exists()
    url = f"http://127.0.0.1:{serve.port}"

    await serve.start()
    chair = MeetingClient(url, token.group(1))
    await chair.connect()
    await chair.join()
    await chair.ok("meeting.set_status", {"status": "open"})
    expected = (await chair.ok("meeting.sync", {"since": 0}))["events"]
    await chair.disconnect()

    for stop in (signal.SIGTERM, signal.SIGKILL):
        serve.stop(stop)
        await serve.start()
        again = MeetingClient(url, token.group(1))
        await again.connect()
        log = (await again.ok("meeting.sync", {"since": 0}))["events"]
        assert log[: len(expected)] == expected
        await again.join()
        assert again.meeting is not None and again.meeting["status"] == "open"
        await again.disconnect()
