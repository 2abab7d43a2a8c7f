"""msgpack against JSON on the snapshot a joiner receives: the meeting's public view with a crowd
present. Bytes on the wire, and the CPU to encode and to decode one snapshot (python-socketio's msgpack
serializer against its default JSON one, compact separators), at each size.

    .venv/bin/python -m bench.snapshot_codec --participants 50 500 2000

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import msgpack

from bench.harness import arguments, report, table
from bench.join_cost import crowd

REPEAT = 50


def timed(work: Callable[[], Any]) -> float:
    start = time.process_time()
    for _ in range(REPEAT):
        work()
    return 1000 * (time.process_time() - start) / REPEAT


def as_json(view: dict[str, Any]) -> bytes:
    return json.dumps(view, separators=(",", ":")).encode()


def measure(count: int) -> dict[str, Any]:
    view = crowd(count).public_view()
    packed = msgpack.packb(view)
    text = as_json(view)
    assert msgpack.unpackb(packed) == json.loads(text) == view
    msgpack_ms = timed(lambda: msgpack.packb(view)) + timed(lambda: msgpack.unpackb(packed))
    json_ms = timed(lambda: json.dumps(view, separators=(",", ":")).encode()) + timed(
        lambda: json.loads(text)
    )
    return {
        "benchmark": "snapshot_codec",
        "participants": count,
        "msgpack_bytes": len(packed),
        "json_bytes": len(text),
        "bytes_saved": round(1 - len(packed) / len(text), 3),
        "msgpack_ms": round(msgpack_ms, 3),
        "json_ms": round(json_ms, 3),
        "cpu_ratio": round(msgpack_ms / json_ms, 2),
    }


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["participants", "msgpack (KB)", "JSON (KB)", "fewer bytes", "encode + decode (msgpack, JSON)"]
    rows = [
        [
            r["participants"],
            round(r["msgpack_bytes"] / 1024, 1),
            round(r["json_bytes"] / 1024, 1),
            f"{r['bytes_saved']:.0%}",
            f"{r['msgpack_ms']} ms, {r['json_ms']} ms ({r['cpu_ratio']}x)",
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--participants", type=int, nargs="+", default=[50, 500, 2000])
    args = parser.parse_args()
    report([measure(count) for count in args.participants], summary)
