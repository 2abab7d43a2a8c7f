"""A test client that holds the meeting the way the browser does: a version and the state, kept up to
date by applying each event's patch, and resynced after a gap."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import jsonpatch
import socketio

if TYPE_CHECKING:
    from tests.conftest import RunningHub


class MeetingClient:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.sio = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        self.version = 0
        self.meeting: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.gaps = 0
        # A big room (hub/crowds.py): its events carry `prior`, its counts come as `meeting.presence`.
        self.crowd = False
        self.counts_version = 0
        self.presence_sends: list[dict[str, Any]] = []
        self._syncing: asyncio.Task[None] | None = None
        # One sync at a time (the client's own on a gap, a test's): replies that crossed would put an
        # older snapshot over a newer state.
        self.sync_lock = asyncio.Lock()
        # When a test last asked for what the client missed (tests/integration/test_workers.py).
        self.synced_at = time.monotonic()
        # Events that arrive while a join or sync is in flight wait for its reply.
        self.early: list[dict[str, Any]] | None = None
        self._changed = asyncio.Event()
        self.sio.on("meeting.events", self._on_events)
        self.sio.on("meeting.presence", self._on_presence)

    async def connect(self) -> None:
        await self.sio.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=5)

    async def disconnect(self) -> None:
        # A sync still on its way would outlive the connection it was asked on.
        if self._syncing is not None and not self._syncing.done():
            self._syncing.cancel()
            await asyncio.gather(self._syncing, return_exceptions=True)
        await self.sio.disconnect()

    async def call(self, event: str, *payload: Any, timeout: float = 10) -> dict[str, Any]:
        data = payload[0] if len(payload) == 1 else (tuple(payload) if payload else {})
        result: dict[str, Any] = await self.sio.call(event, data, timeout=timeout)
        return result

    async def ok(self, event: str, payload: Any = None, timeout: float = 10) -> Any:
        ack = await self.call(event, {} if payload is None else payload, timeout=timeout)
        assert ack["ok"], ack
        return ack["data"]

    async def join(self, timeout: float = 10) -> None:
        since = {} if self.meeting is None else {"since": self.version}
        self.early = []
        self.catch_up(await self.ok("meeting.join", since, timeout=timeout))

    def catch_up(self, reply: dict[str, Any]) -> None:
        if "meeting" in reply:
            self.meeting, self.version = reply["meeting"], reply["version"]
            self.crowd = bool(reply.get("crowd"))
            self.counts_version = self.version
        for event in [*reply.get("events", []), *(self.early or [])]:
            self._apply(event)
        self.early = None
        self._changed.set()

    def _on_events(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.events.append(event)
            if self.early is not None:
                self.early.append(event)
            elif self.meeting is not None:
                self._apply(event)
        self._changed.set()

    def _on_presence(self, counts: dict[str, Any]) -> None:
        self.presence_sends.append(counts)
        if not self.crowd and self.meeting is not None and self.early is None:
            # Counts go only to big rooms: this one has just become one.
            self._gap()
        elif self.crowd and self.meeting is not None and counts["version"] > self.counts_version:
            self.meeting.update(presence=counts["presence"], quorum=counts["quorum"])
            self.counts_version = counts["version"]
        self._changed.set()

    def _apply(self, event: dict[str, Any]) -> None:
        if event["version"] <= self.version:
            return
        # A big room's event applies on top of the one shown before it; a client still holding the
        # whole roster when the room became big must sync to the crowd view.
        if "prior" in event and not self.crowd:
            self._gap()
            return
        if event.get("prior", event["version"] - 1) > self.version:
            self._gap()
            return
        self.meeting = jsonpatch.apply_patch(self.meeting, event["patch"], in_place=True)
        self.version = event["version"]

    def _gap(self) -> None:
        """An event is missing (or the room has become big): sync, as the browser does."""
        self.gaps += 1
        if self._syncing is None or self._syncing.done():
            self._syncing = asyncio.get_running_loop().create_task(self._sync())

    async def _sync(self) -> None:
        async with self.sync_lock:
            self.early = []
            try:
                reply = await self.ok("meeting.sync", {"since": self.version})
            except Exception:
                self.early = None
                return
            self.catch_up(reply)

    async def wait_until(self, predicate: Callable[[MeetingClient], bool], timeout: float = 5) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

    def present(self) -> set[str]:
        assert self.meeting is not None
        return {m for m, p in self.meeting["participants"].items() if p["present"]}


async def all_reach(clients: Iterable[MeetingClient], version: int, timeout: float = 5) -> None:
    """Wait until every client holds `version` or a later one."""
    await asyncio.gather(*(c.wait_until(lambda c: c.version >= version, timeout) for c in clients))


async def joined(hub: RunningHub, member_id: str) -> MeetingClient:
    """A client of the demo hub connected with the member's join link and joined to the meeting."""
    client = MeetingClient(hub.url, hub.links[member_id])
    await client.connect()
    await client.join()
    return client


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Waits for something another process or node makes true (a connection closed, say): there is no
    event to wait on, so it looks again every 20 ms."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
