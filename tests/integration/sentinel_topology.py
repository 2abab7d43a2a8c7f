"""A real Redis under Sentinel for tests: a primary, two replicas and three sentinels, each a redis-server
on a free port, started and stopped by the test."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path
from typing import Any

import redis.asyncio as redis

from tests.conftest import free_port, require

SERVICE = "hub"


class Topology:
    def __init__(self, workdir: Path, replicas: int = 2, sentinels: int = 3) -> None:
        self.workdir = workdir
        self.primary = free_port()
        self.replicas = [free_port() for _ in range(replicas)]
        self.sentinels = [free_port() for _ in range(sentinels)]
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinels)
        return f"redis+sentinel://{hosts}/0/{SERVICE}"

    def _server(self, port: int, *args: str) -> None:
        command = [require("redis-server"), *args, "--port", str(port), "--bind", "127.0.0.1"]
        log = self.workdir / f"redis-{port}.log"
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir), "--logfile", str(log)]
        self.processes[port] = subprocess.Popen(command, stdout=subprocess.DEVNULL)

    async def start(self) -> None:
        # No five-second wait before a replica's first sync.
        self._server(self.primary, "--repl-diskless-sync-delay", "0")
        for port in self.replicas:
            self._server(port, "--replicaof", "127.0.0.1", str(self.primary))
        async with asyncio.timeout(20):
            while await self._in_sync() < len(self.replicas):  # noqa: ASYNC110 (polls other processes)
                await asyncio.sleep(0.1)
        # Sentinels started once the replicas are in sync see them at once, not at their next look.
        for port in self.sentinels:
            # Sentinel rewrites its configuration file, so each has its own.
            config = self.workdir / f"sentinel-{port}.conf"
            config.write_text(
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                f"sentinel failover-timeout {SERVICE} 5000\n"
                f"sentinel parallel-syncs {SERVICE} 2\n"
            )
            self._server(port, str(config), "--sentinel")
        async with asyncio.timeout(20):
            while not await self._watching():  # noqa: ASYNC110 (polls other processes)
                await asyncio.sleep(0.1)

    async def _in_sync(self) -> int:
        try:
            info = await self.command(self.primary, "INFO", "replication")
        except redis.ConnectionError:
            return 0
        return sum(1 for value in info.values() if isinstance(value, dict) and value["state"] == "online")

    async def _watching(self) -> bool:
        """Every sentinel knows the others and the replicas."""
        try:
            for port in self.sentinels:
                master = await self.command(port, "SENTINEL MASTER", SERVICE)
                if master["num-other-sentinels"] < len(self.sentinels) - 1:
                    return False
                if master["num-slaves"] < len(self.replicas):
                    return False
        except (redis.ConnectionError, redis.ResponseError):
            return False
        return True

    async def command(self, port: int, *args: Any) -> Any:
        client = redis.Redis(host="127.0.0.1", port=port)
        try:
            return await client.execute_command(*args)
        finally:
            await client.aclose()

    async def primary_port(self) -> int:
        """Where the sentinels say the primary is now."""
        _, port = await self.command(self.sentinels[0], "SENTINEL GET-MASTER-ADDR-BY-NAME", SERVICE)
        return int(port)

    def kill(self, port: int) -> None:
        process = self.processes[port]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)
