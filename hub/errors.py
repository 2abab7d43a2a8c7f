"""Errors a client can receive. Every code is stable, dotted and documented in docs/protocol/errors.md."""

from __future__ import annotations

from typing import Any


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
