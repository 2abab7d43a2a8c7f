"""The floor for the fan-out benchmark: the `websockets` library's own broadcast, no Socket.IO server.

It speaks just enough Engine.IO 4 and Socket.IO 5 (msgpack) for `bench.wire.LightClient`: the open
packet, the namespace's connect, acks with `{"ok": true}`, and two events: `join` enters the room and
`hand` sends one event packet to every member with `websockets.broadcast` (encoded once, framed once)
before acking. No pings, no sessions, no polling.

    .venv/bin/python -m bench.bare_websockets --port 8000
"""

from __future__ import annotations

import argparse
import json
from http import HTTPStatus
from typing import Any

import msgpack
import uvloop
import websockets
from websockets.asyncio.server import Request, Response, ServerConnection, serve

from bench.wire import ACK, CONNECT, EVENT

OPEN = "0" + json.dumps(
    {"sid": "bare", "upgrades": [], "pingInterval": 25000, "pingTimeout": 20000, "maxPayload": 1000000}
)
room: set[ServerConnection] = set()


def packet(kind: int, data: Any, ack_id: int | None = None) -> bytes:
    # python-socketio's key order: the light client reads the type without decoding the packet.
    fields: dict[str, Any] = {"type": kind, "data": data, "nsp": "/"}
    if ack_id is not None:
        fields["id"] = ack_id
    return msgpack.packb(fields)


async def session(connection: ServerConnection) -> None:
    await connection.send(OPEN)
    try:
        async for message in connection:
            if isinstance(message, str):
                continue  # Engine.IO's own packets: this server sends no pings, so none need an answer
            decoded = msgpack.unpackb(message)
            if decoded["type"] == CONNECT:
                await connection.send(packet(CONNECT, {"sid": str(id(connection))}))
            elif decoded["type"] == EVENT:
                name, *args = decoded["data"]
                if name == "join":
                    room.add(connection)
                elif name == "hand":
                    websockets.broadcast(room, packet(EVENT, ["hand", *args]))
                if decoded.get("id") is not None:
                    await connection.send(packet(ACK, [{"ok": True}], decoded["id"]))
    finally:
        room.discard(connection)


def health(connection: ServerConnection, request: Request) -> Response | None:
    """Anything but the Engine.IO path answers 200, so the benchmark sees the server is up."""
    if request.path.startswith("/socket.io/"):
        return None
    return connection.respond(HTTPStatus.OK, "ok\n")


async def main(port: int) -> None:
    # No compression: the light clients do not offer it, and neither server under test compresses for them.
    async with serve(
        session, "127.0.0.1", port, process_request=health, compression=None, ping_interval=None
    ) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    # The event loop uvicorn picks for the other two servers.
    uvloop.run(main(parser.parse_args().port))
