"""Several hub processes on one port: `hub serve --workers N`.

A supervisor starts N workers and restarts one that dies. Every worker is a whole hub (its own node
name, heartbeat and sweep, `signalling/nodes.py`) sharing the Redis store and python-socketio's Redis
manager, and every worker listens on the same address with `SO_REUSEPORT`, so the kernel spreads new
TCP connections over them. A WebSocket connection stays on the worker that accepted it for its whole
life.

Long-polling sends each request of a session on whatever TCP connection the client has at hand, so a
session's requests reach any worker. Each worker therefore names its Engine.IO sessions after itself
(`generate_id`, a public method of the engine, gives every sid the prefix `N.`), and listens on a private
unix socket too; a request to `/socket.io/` that carries another worker's sid is passed to that worker
over its socket (`Forwarder`), so a session lives and dies on one process. A WebSocket upgrade of a
session that another worker opened over polling is relayed the same way, frame by frame; the browser
client opens WebSocket first, so this is the exception.

The supervisor holds each worker's stdin open: a worker whose supervisor is gone (killed with SIGKILL)
sees its stdin close and stops cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from types import FrameType
from typing import Any

import h11
import socketio
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, unix_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from hub.config import Settings

log = logging.getLogger(__name__)

SOCKET_IO = "/socket.io"
# Headers that describe one hop, not the request: each side of the relay sets its own.
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
# A worker that dies this soon after starting is restarted only after a pause, doubled each time it
# happens again, so a worker that cannot start (Redis unreachable, a bad setting) does not spin.
QUICK_DEATH_SECONDS = 10.0
RESTART_PAUSE_SECONDS = (1.0, 30.0)


@dataclasses.dataclass(frozen=True)
class WorkerSpec:
    """What the supervisor hands a worker on its stdin (never on the command line, where `ps` shows it:
    the settings carry the signing secret)."""

    settings: Settings
    count: int
    sockets: Path
    log_level: str
    graceful_seconds: float


def socket_path(sockets: Path, worker: int) -> Path:
    return sockets / f"w{worker}.sock"


# Naming sessions after their worker.


def name_sessions(sio: socketio.AsyncServer, worker: int) -> None:
    """Every Engine.IO (and Socket.IO) sid this server issues starts with `worker` and a dot."""
    generate = sio.eio.generate_id

    def generate_id() -> str:
        return f"{worker}.{generate()}"

    sio.eio.generate_id = generate_id


def owner(query_string: bytes) -> int | None:
    """The worker named by a request's Engine.IO `sid`, if it names one."""
    values = urllib.parse.parse_qs(query_string.decode("latin-1")).get("sid")
    if not values:
        return None
    prefix, dot, _ = values[0].partition(".")
    return int(prefix) if dot and prefix.isdigit() and len(prefix) <= 4 else None


# Passing requests to the worker that holds their session.


class Forwarder:
    """ASGI middleware: requests to Socket.IO whose sid another worker issued go to that worker."""

    def __init__(self, app: ASGIApp, worker: int, count: int, sockets: Path) -> None:
        self.app, self.worker, self.count, self.sockets = app, worker, count, sockets
        self.state: Any = getattr(app, "state", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _is_socket_io(scope["path"]):
            target = owner(scope.get("query_string", b""))
            if target is not None and target != self.worker and 1 <= target <= self.count:
                path = socket_path(self.sockets, target)
                if scope["type"] == "http":
                    await forward_http(path, scope, receive, send)
                else:
                    await forward_websocket(path, scope, receive, send)
                return
        await self.app(scope, receive, send)


def _is_socket_io(path: str) -> bool:
    return path == SOCKET_IO or path.startswith(SOCKET_IO + "/")


def _target(scope: Scope) -> bytes:
    path: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return path + b"?" + query if query else path


async def _gone(send: Send, status: int = 400) -> None:
    """What Engine.IO answers for a session it does not know: the client starts a new one."""
    body = b"The session's worker is gone"
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def forward_http(path: Path, scope: Scope, receive: Receive, send: Send) -> None:
    """One HTTP request, relayed to the worker on `path` and its answer relayed back, both streamed."""
    try:
        reader, writer = await asyncio.open_unix_connection(str(path))
    except OSError:
        await _gone(send)
        return
    connection = h11.Connection(h11.CLIENT)
    headers = [(k, v) for k, v in scope["headers"] if k not in HOP_BY_HOP]
    if not any(k == b"host" for k, _ in headers):
        headers.append((b"host", b"hub"))
    headers.append((b"connection", b"close"))
    disconnected = asyncio.Event()

    async def relay_request() -> None:
        writer.write(
            connection.send(h11.Request(method=scope["method"], target=_target(scope), headers=headers))
        )
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected.set()
                return
            body = message.get("body", b"")
            if body:
                writer.write(connection.send(h11.Data(data=body)) or b"")
                await writer.drain()
            if not message.get("more_body", False):
                writer.write(connection.send(h11.EndOfMessage()) or b"")
                await writer.drain()
                break
        # A long-poll waits for the worker's answer: a client that goes away meanwhile ends the relay.
        while (await receive())["type"] != "http.disconnect":
            pass
        disconnected.set()

    sending = asyncio.create_task(relay_request())
    started = False
    try:
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                read = asyncio.create_task(reader.read(65536))
                gone = asyncio.create_task(disconnected.wait())
                await asyncio.wait({read, gone}, return_when=asyncio.FIRST_COMPLETED)
                if not read.done():
                    read.cancel()
                    gone.cancel()
                    return
                gone.cancel()
                connection.receive_data(read.result())
            elif isinstance(event, h11.Response):
                kept = [(k, v) for k, v in event.headers if k not in HOP_BY_HOP and k != b"transfer-encoding"]
                await send({"type": "http.response.start", "status": event.status_code, "headers": kept})
                started = True
            elif isinstance(event, h11.Data):
                await send({"type": "http.response.body", "body": bytes(event.data), "more_body": True})
            elif isinstance(event, h11.EndOfMessage):
                await send({"type": "http.response.body", "body": b""})
                return
            elif not isinstance(event, h11.InformationalResponse):
                break  # Closed before the end of the answer.
    except (h11.ProtocolError, OSError):
        pass
    finally:
        sending.cancel()
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    if not started:
        await _gone(send, 502)
    else:
        await send({"type": "http.response.body", "body": b""})


async def forward_websocket(path: Path, scope: Scope, receive: Receive, send: Send) -> None:
    """A WebSocket relayed frame by frame to the worker on `path`."""
    if (await receive())["type"] != "websocket.connect":
        return
    headers = [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, v in scope["headers"]
        if k in (b"cookie", b"origin", b"user-agent", b"x-forwarded-for", b"x-forwarded-proto")
    ]
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "hub")
    uri = f"ws://{host}{_target(scope).decode('latin-1')}"
    try:
        upstream = await unix_connect(
            str(path), uri, additional_headers=headers, compression=None, max_size=None, ping_interval=None
        )
    except (OSError, InvalidHandshake, InvalidStatus, TimeoutError):
        await send({"type": "websocket.close", "code": 1011})
        return
    await send({"type": "websocket.accept"})

    async def down(upstream: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in upstream:
                key = "text" if isinstance(frame, str) else "bytes"
                await send({"type": "websocket.send", key: frame})
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": upstream.close_code or 1000})

    downstream = asyncio.create_task(down(upstream))
    try:
        while True:
            message: Message = await receive()
            if message["type"] != "websocket.receive":
                break
            text = message.get("text")
            await upstream.send(text if text is not None else message.get("bytes") or b"")
    except ConnectionClosed:
        pass
    finally:
        await upstream.close()
        await downstream


# A worker.


def listening_socket(host: str, port: int) -> socket.socket:
    """The shared address: every worker binds it with SO_REUSEPORT and the kernel spreads connections."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def private_socket(path: Path) -> socket.socket:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # A previous life's.
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.listen(2048)
    return sock


def worker_main() -> None:
    """A worker process: reads its `WorkerSpec` from stdin and serves until told to stop."""
    import uvicorn

    from hub.cli import log_config
    from signalling import collector
    from signalling.app import create_app

    spec: WorkerSpec = pickle.load(sys.stdin.buffer)
    settings = spec.settings
    worker = settings.worker
    assert worker is not None
    app = Forwarder(create_app(settings), worker, spec.count, spec.sockets)
    config = uvicorn.Config(
        app,
        log_level=spec.log_level,
        timeout_graceful_shutdown=int(spec.graceful_seconds),
        log_config=log_config(),
    )
    server = uvicorn.Server(config)
    sockets = [
        listening_socket(settings.host, settings.port),
        private_socket(socket_path(spec.sockets, worker)),
    ]

    def orphaned() -> None:
        # The supervisor holds our stdin; it closes when the supervisor is gone, however it went.
        sys.stdin.buffer.read()
        server.should_exit = True

    threading.Thread(target=orphaned, daemon=True, name="supervisor watch").start()
    collector.settle()
    # Which process serves as which node: operators and tests read it.
    print(f"worker {worker} (pid {os.getpid()}) serving as node {settings.node}", file=sys.stderr, flush=True)
    server.run(sockets=sockets)


# The supervisor.


class Supervisor:
    def __init__(self, settings: Settings, count: int, log_level: str, graceful_seconds: float) -> None:
        self.settings, self.count = settings, count
        self.log_level, self.graceful_seconds = log_level, graceful_seconds
        self.sockets = Path(tempfile.mkdtemp(prefix="hub-workers-"))
        self.workers: dict[int, subprocess.Popen[bytes]] = {}
        self.started: dict[int, float] = {}
        self.stopping = threading.Event()

    def start(self, worker: int) -> None:
        spec = WorkerSpec(
            dataclasses.replace(self.settings, worker=worker),
            self.count,
            self.sockets,
            self.log_level,
            self.graceful_seconds,
        )
        process = subprocess.Popen(
            # The number last, for `ps` and whoever looks for worker N.
            [
                sys.executable,
                "-c",
                "from signalling.workers import worker_main; worker_main()",
                "--worker",
                str(worker),
            ],
            stdin=subprocess.PIPE,
        )
        assert process.stdin is not None
        process.stdin.write(pickle.dumps(spec))
        process.stdin.flush()
        self.workers[worker], self.started[worker] = process, time.monotonic()

    def run(self) -> int:
        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            for worker in range(1, self.count + 1):
                self.start(worker)
            self.watch()
        finally:
            self.stop_all()
            shutil.rmtree(self.sockets, ignore_errors=True)
        return 0

    def watch(self) -> None:
        restart_at: dict[int, float] = {}
        pause = dict.fromkeys(self.workers, 0.0)
        first, most = RESTART_PAUSE_SECONDS
        while not self.stopping.wait(0.2):
            now = time.monotonic()
            for worker, process in self.workers.items():
                if process.poll() is None or worker in restart_at:
                    continue
                quick = now - self.started[worker] < QUICK_DEATH_SECONDS
                pause[worker] = min(most, max(first, 2 * pause[worker])) if quick else 0.0
                log.warning(
                    "worker %d (pid %d) exited with %s; starting it again in %.0f s",
                    worker,
                    process.pid,
                    process.returncode,
                    pause[worker],
                )
                restart_at[worker] = now + pause[worker]
            for worker, when in list(restart_at.items()):
                if now >= when:
                    del restart_at[worker]
                    self.start(worker)

    def stop_all(self) -> None:
        """SIGTERM to every worker at once: each closes its connections within the graceful bound and
        leaves its members; one that overruns it by far is killed."""
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.graceful_seconds + 10
        for process in self.workers.values():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker pid %d did not stop in time; killed", process.pid)
                process.kill()
                process.wait()
            if process.stdin is not None:
                process.stdin.close()


def serve_workers(settings: Settings, count: int, log_level: str, graceful_seconds: float) -> int:
    """Run `count` workers on `settings`' address until SIGTERM or SIGINT; the exit status."""
    # Every worker must sign and check links with one secret: settle it before any starts.
    settings = dataclasses.replace(settings, secret=settings.signing_secret())
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    return Supervisor(settings, count, log_level, graceful_seconds).run()
