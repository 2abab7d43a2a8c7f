"""Fixtures shared by every kind of test: a real redis-server on a free port and the real app under
uvicorn. In CI a missing service fails the run; it is never skipped."""

from __future__ import annotations

import asyncio
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import redis.asyncio
import uvicorn
from aiosmtpd.controller import Controller

from hub.cli import GRACEFUL_SHUTDOWN_SECONDS
from hub.config import Limits, Settings
from hub.demo import DEMO_MEETING_ID, load_demo
from hub.models import Member, Role
from hub.runtime import open_hub
from signalling.app import create_app

HUB = [sys.executable, "-m", "hub"]


# Tests not about the grace period see a dropped member go within a second (tests/integration/
# test_attendance.py and tests/e2e/test_attendance_page.py test the grace period itself).
NO_GRACE = 0.0


def hub_env(**extra: str) -> dict[str, str]:
    """This environment without HUB_* settings, but no grace period, plus `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return kept | {"HUB_GRACE_SECONDS": str(NO_GRACE)} | extra


class HubProcess:
    """`hub serve` as its own process, as in production."""

    def __init__(self, workdir: Path, port: int, *args: str, env: dict[str, str] | None = None) -> None:
        self.workdir, self.port, self.args = workdir, port, args
        self.env = env or hub_env()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [*HUB, "serve", "--port", str(self.port), "--log-level", "warning", *self.args],
            cwd=self.workdir,
            env=self.env,
        )
        async with httpx.AsyncClient() as http, asyncio.timeout(20):
            while True:
                assert self.process.poll() is None, "hub serve exited"
                try:
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed; scripts/test installs it", pytrace=False)
    return path


class RedisServer:
    """A private redis-server on a free port with the test's own settings; it can be killed and started
    again on the same port and directory."""

    def __init__(self, workdir: Path, *config: str) -> None:
        self.port, self.workdir, self.config = free_port(), workdir, config
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        command = [require("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += [*self.config, "--dir", str(self.workdir)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)

    def wait(self) -> None:
        """Until it answers (10 s at most), for code that is not on an event loop."""
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    assert self.process is not None
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        pytest.fail("redis-server did not start", pytrace=False)
                    time.sleep(0.05)
        finally:
            client.close()

    async def start(self) -> None:
        self.launch()
        client = redis.asyncio.Redis.from_url(self.url)
        try:
            async with asyncio.timeout(10):
                while True:
                    try:
                        await client.ping()
                        return
                    except redis.ConnectionError:
                        await asyncio.sleep(0.05)
        finally:
            await client.aclose()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server for the session, so tests never touch anyone else's data."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), "--save", "", "--appendonly", "no")
    server.launch()
    server.wait()
    yield server.url
    server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


@pytest.fixture
def limits() -> Limits:
    return Limits(grace_seconds=NO_GRACE)


@dataclass
class RunningHub:
    url: str
    settings: Settings
    links: dict[str, str]  # member id -> join token for the demo AGM
    members: dict[str, tuple[Member, Role]]
    meeting_id: str = DEMO_MEETING_ID


@pytest.fixture
async def hub_server(redis_url: str, tmp_path: Path, limits: Limits) -> AsyncIterator[RunningHub]:
    """The real app under uvicorn on a free port, with the demo constituency loaded."""
    settings = Settings(
        port=free_port(), redis_url=redis_url, data_dir=tmp_path, secret="test-secret", limits=limits
    )
    async with demo_hub(settings) as running:
        yield running


@pytest.fixture
async def agm_server(redis_url: str, tmp_path: Path) -> AsyncIterator[RunningHub]:
    """As `hub_server`, with the AGM's motions waiting on their items as `hub demo` leaves them."""
    settings = Settings(port=free_port(), redis_url=redis_url, data_dir=tmp_path, secret="test-secret")
    async with demo_hub(settings, with_motions=True) as running:
        yield running


@asynccontextmanager
async def demo_hub(settings: Settings, with_motions: bool = False) -> AsyncIterator[RunningHub]:
    """The demo constituency loaded into the store of `settings`, and the app serving it. Without
    `with_motions` the agenda has none yet: most tests submit their own."""
    async with open_hub(settings) as hub:
        linked = await load_demo(hub, timedelta(hours=1), with_motions)
    async with serving(settings) as url:
        yield RunningHub(
            url=url,
            settings=settings,
            links={m.id: token for m, _, token in linked},
            members={m.id: (m, role) for m, role, _ in linked},
        )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """The real app under uvicorn on settings.port, on this test's event loop."""
    async with serving_app(create_app(settings), settings.port) as url:
        yield url


@asynccontextmanager
async def serving_app(app: Any, port: int) -> AsyncIterator[str]:
    """An ASGI app under uvicorn on `port`, on this test's event loop."""
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
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


# A real SMTP server (aiosmtpd) on a free port, for the outbox and sign-in tests.
REFUSED = "nobody@example.org"


@dataclass
class Sink:
    """Keeps every message it is given; refuses one mailbox (`REFUSED`) for good."""

    messages: list[Message] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()
