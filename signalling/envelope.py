"""Acks: every client event is answered `{"ok": true, "data": ...}` or `{"ok": false, "error": ...}`."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hub.errors import HubError


def ok(data: Any = None) -> dict[str, Any]:
    return {"ok": True, "data": data}


def refused(error: HubError) -> dict[str, Any]:
    return {"ok": False, "error": error.to_dict()}


def invalid_payload(exc: ValidationError) -> HubError:
    problems = [
        {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
        for e in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    return HubError("invalid_payload", "The request was not understood.", {"problems": problems})


INTERNAL = HubError("internal", "Something went wrong on the server; it has been logged.")
