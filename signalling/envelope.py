"""Acks: every client event is answered `{"ok": true, "data": ...}` or `{"ok": false, "error": ...}`."""

from __future__ import annotations

from typing import Any

from hub.errors import HubError


def ok(data: Any = None) -> dict[str, Any]:
    return {"ok": True, "data": data}


def refused(error: HubError) -> dict[str, Any]:
    return {"ok": False, "error": error.to_dict()}


INTERNAL = HubError("internal", "Something went wrong on the server; it has been logged.")
# Retryable: the command was not carried out (or, for a cast, at most once: the store refuses a second).
UNAVAILABLE = HubError(
    "store.unavailable",
    "The server cannot reach its store just now; trying again.",
    {"retry_after": 1},
)
