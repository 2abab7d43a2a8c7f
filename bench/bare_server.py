"""The baselines for the fan-out and vote storm benchmarks: bare python-socketio, nothing else.

Run as `uvicorn bench.bare_server:app`; clients emit `join` to enter the room, `hand` to broadcast, and
`vote` to cast a ballot into the box the benchmark opened (meeting "bare", through the hub's store at
`BENCH_REDIS_URL`), which is acked with the count and tallied to the room at most every TALLY_INTERVAL.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import socketio

from hub.store import Store
from signalling.ballots import TALLY_INTERVAL
from signalling.pacing import Pacer

sio = socketio.AsyncServer(async_mode="asgi", serializer="msgpack")
app = socketio.ASGIApp(sio)
tallies = Pacer(lambda key: TALLY_INTERVAL)


@cache
def store() -> Store:
    return Store.from_url(os.environ["BENCH_REDIS_URL"])


@sio.on("join")
async def join(sid: str, data: Any = None) -> dict[str, bool]:
    await sio.enter_room(sid, "all")
    return {"ok": True}


@sio.on("hand")
async def hand(sid: str, data: Any = None) -> dict[str, bool]:
    await sio.emit("hand", data, room="all")
    return {"ok": True}


@sio.on("vote")
async def vote(sid: str, ballot: dict[str, str]) -> dict[str, Any]:
    code, cast = await store().cast("bare", ballot["vote_id"], ballot["member_id"], ballot["choice"])

    async def tally() -> None:
        cast, _ = await store().tally("bare", ballot["vote_id"])
        await sio.emit("vote.tally", {"cast": cast}, room="all")

    tallies.request(ballot["vote_id"], tally)
    return {"ok": code == "ok", "cast": cast}
