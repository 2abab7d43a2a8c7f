"""The baseline for the fan-out benchmark: a bare python-socketio room emit, nothing else.

Run as `uvicorn bench.bare_server:app`; clients emit `join` to enter the room and `hand` to broadcast.
"""

from __future__ import annotations

from typing import Any

import socketio

sio = socketio.AsyncServer(async_mode="asgi", serializer="msgpack")
app = socketio.ASGIApp(sio)


@sio.on("join")
async def join(sid: str, data: Any = None) -> dict[str, bool]:
    await sio.enter_room(sid, "all")
    return {"ok": True}


@sio.on("hand")
async def hand(sid: str, data: Any = None) -> dict[str, bool]:
    await sio.emit("hand", data, room="all")
    return {"ok": True}
