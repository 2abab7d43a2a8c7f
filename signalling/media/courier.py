"""Calls between hub nodes for the media relay, over Redis pub/sub: every node listens on a channel of
its own (`Store.node_messages`).

A call carries an operation and a body and waits for the reply; a notice (`tell`) waits for nothing. A
call to a node that nobody listens as fails at once (`Unreachable`), and so does one not answered in
time. Pub/sub keeps nothing for a listener that is away, so nothing here is retried: the member's client
retries a refused join, and the relay's own checks (the pin's time to live, peers whose connection has
left the meeting) put right what a lost notice leaves behind.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from hub.errors import HubError
from hub.store import OUTAGES, Doc, Store
from signalling.envelope import INTERNAL, UNAVAILABLE

log = logging.getLogger(__name__)

CALL_SECONDS = 10.0
# How long a node waits for its own subscription before it calls or serves anything.
LISTEN_SECONDS = 5.0
# After the store was lost, how long before listening again.
RETRY_SECONDS = 1.0

Serve = Callable[[str, str, Doc], Awaitable[Any]]
"""(operation, the node it comes from, body) -> the reply's data."""


class Unreachable(Exception):
    """The node did not hear the call, or did not answer it in time."""


class Moved(Exception):
    """The node called no longer runs that meeting's media: ask the one that does."""


class Courier:
    def __init__(self, store: Store, node: str, serve: Serve) -> None:
        self.store, self.node, self.serve = store, node, serve
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Doc]] = {}
        self._ready = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Return once this node hears what is sent to it; the listener starts on the first call."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="media courier")
        if self._ready.is_set():
            return
        try:
            async with asyncio.timeout(LISTEN_SECONDS):
                await self._ready.wait()
        except TimeoutError:
            raise Unreachable(self.node) from None

    async def call(self, node: str, op: str, body: Doc, timeout: float = CALL_SECONDS) -> Any:
        """The reply's data; a refusal there is raised here as the same HubError."""
        call_id = next(self._ids)
        reply = self._waiting[call_id] = asyncio.get_running_loop().create_future()
        try:
            message = {"kind": "call", "id": call_id, "from": self.node, "op": op, "body": body}
            if not await self.store.send_to_node(node, message):
                raise Unreachable(node)
            try:
                async with asyncio.timeout(timeout):
                    answer = await reply
            except TimeoutError:
                raise Unreachable(node) from None
        finally:
            self._waiting.pop(call_id, None)
        if answer.get("moved"):
            raise Moved(node)
        error = answer.get("error")
        if error is not None:
            raise HubError(error["code"], error["message"], error.get("details"))
        return answer.get("data")

    async def tell(self, node: str, op: str, body: Doc) -> bool:
        """Whether a process listening as `node` heard it."""
        return await self.store.send_to_node(
            node, {"kind": "tell", "from": self.node, "op": op, "body": body}
        )

    async def stop(self) -> None:
        tasks = [t for t in (self._listener, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._listener = None
        self._ready.clear()

    async def _listen(self) -> None:
        while True:
            try:
                async for message in self.store.node_messages(self.node, self._ready):
                    self._receive(message)
            except OUTAGES:
                pass
            except Exception:
                log.exception("node %s: listening for media calls failed", self.node)
            # Lost the store: calls to this node fail until it listens again.
            self._ready.clear()
            await asyncio.sleep(RETRY_SECONDS)

    def _receive(self, message: Doc) -> None:
        if message.get("kind") == "reply":
            waiting = self._waiting.get(message.get("id", 0))
            if waiting is not None and not waiting.done():
                waiting.set_result(message)
        elif message.get("kind") in ("call", "tell"):
            task = asyncio.create_task(self._handle(message), name=f"media courier {message.get('op')}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _handle(self, message: Doc) -> None:
        sender, op = message["from"], message["op"]
        answer: Doc = {"kind": "reply", "id": message.get("id")}
        try:
            answer["data"] = await self.serve(op, sender, message["body"])
        except Moved:
            answer["moved"] = True
        except HubError as exc:
            answer["error"] = exc.to_dict()
        except OUTAGES:
            answer["error"] = UNAVAILABLE.to_dict()
        except Exception:
            log.exception("media %s from node %s failed", op, sender)
            answer["error"] = INTERNAL.to_dict()
        if message["kind"] == "call":
            try:
                await self.store.send_to_node(sender, answer)
            except OUTAGES:
                pass  # The caller's wait runs out.
