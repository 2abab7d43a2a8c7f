"""coturn for the tests: deploy/turnserver.conf as shipped, with only what names the production machine
replaced (addresses, the secret, TLS files, logs) and one exception to its peer rules: 127.0.0.1, where
the relay and the browsers of a test live."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port, require

DEPLOYED = Path(__file__).resolve().parents[1] / "deploy" / "turnserver.conf"
# Settings of the shipped file that belong to the production machine; the test gives its own.
REPLACED = {
    "static-auth-secret",
    "realm",
    "server-name",
    "listening-port",
    "tls-listening-port",
    "cert",
    "pkey",
    "syslog",
    "userdb",
}


@dataclass
class Coturn:
    port: int
    secret: str
    log: Path

    @property
    def urls(self) -> tuple[str, ...]:
        return (f"turn:127.0.0.1:{self.port}", f"turn:127.0.0.1:{self.port}?transport=tcp")

    def allocations(self) -> list[str]:
        """The members (the part of the username after the expiry) granted a relayed address so far."""
        text = self.log.read_text(errors="replace")
        return re.findall(r"user <\d+:([^>]*)>: incoming packet ALLOCATE processed, success", text)


def config(workdir: Path, port: int, secret: str, *, loopback_peer: bool) -> str:
    """The shipped configuration for a server on 127.0.0.1:`port` with `secret`; `loopback_peer` lets it
    relay to 127.0.0.1, as a deployment allows its own relay's private address."""
    kept = [
        line
        for line in DEPLOYED.read_text().splitlines()
        if line.partition("=")[0].strip() not in REPLACED and not line.startswith("#")
    ]
    ours = [
        f"static-auth-secret={secret}",
        "realm=hub.test",
        "listening-ip=127.0.0.1",
        "relay-ip=127.0.0.1",
        f"listening-port={port}",
        "no-tls",
        f"log-file={workdir / 'turnserver.log'}",
        "simple-log",
        f"pidfile={workdir / 'turnserver.pid'}",
        f"userdb={workdir / 'turndb'}",
    ]
    if loopback_peer:
        # coturn refuses loopback peers before it reads the allowed list, so both lines.
        ours += ["allow-loopback-peers", "allowed-peer-ip=127.0.0.1"]
    return "\n".join([*kept, *ours]) + "\n"


@asynccontextmanager
async def coturn(
    workdir: Path, secret: str = "turn-test-secret", loopback_peer: bool = True
) -> AsyncIterator[Coturn]:
    """A turnserver on a free port of 127.0.0.1, until the block ends."""
    port = free_port()
    path = _write(workdir, config(workdir, port, secret, loopback_peer=loopback_peer))
    process = await asyncio.create_subprocess_exec(
        require("turnserver"),
        "-c",
        str(path),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    server = Coturn(port, secret, workdir / "turnserver.log")
    try:
        await _listening(process, port)
        yield server
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 10)


def _write(workdir: Path, text: str) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "turnserver.conf"
    path.write_text(text)
    return path


async def _listening(process: asyncio.subprocess.Process, port: int) -> None:
    """Until the server accepts TCP on `port` (it opens its UDP listener at the same time)."""
    async with asyncio.timeout(10):
        while True:
            assert process.returncode is None, "turnserver exited; see its log"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                await asyncio.sleep(0.05)
