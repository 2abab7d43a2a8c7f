"""The JSON routes' common shape (sign-in, the officers' console, invitations, letters): answers are
`{"ok": true, "data": ...}` or `{"ok": false, "error": {"code", "message", "details"?}}`, never cached,
and requests that change anything are JSON objects, which a cross-site form cannot send."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

NO_STORE = {"Cache-Control": "no-store"}


def error_response(code: str, message: str, status: int, details: dict[str, Any] | None = None) -> Response:
    body = {
        "ok": False,
        "error": {"code": code, "message": message, **({"details": details} if details else {})},
    }
    headers = dict(NO_STORE)
    if details and "retry_after" in details:
        headers["Retry-After"] = str(details["retry_after"])
    return JSONResponse(body, status_code=status, headers=headers)


async def read_json(request: Request) -> dict[str, Any] | Response:
    """The request's JSON object, or the refusal to send back."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return error_response("request.not_json", "Send the request as JSON.", 415)
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return error_response("request.not_json", "Send the request as JSON.", 400)
    if not isinstance(body, dict):
        return error_response("request.not_json", "Send the request as a JSON object.", 400)
    return body
