"""Errors a client can receive. Every code is stable, dotted and documented in docs/protocol/errors.md."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class HubError(Exception):
    """A refusal with a stable code; becomes `{"ok": false, "error": {...}}` at the edge."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class Conflict(Exception):
    """The meeting changed between load and commit; the service retries."""


def invalid_payload(exc: ValidationError) -> HubError:
    problems = [
        {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
        for e in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    return HubError("invalid_payload", "The request was not understood.", {"problems": problems})
