"""The web layer's hygiene: security headers on every HTTP response, a prompt answer to oversized
Engine.IO requests, and no link tokens in the logs.

`SecurityHeaders` wraps the whole ASGI app (Socket.IO and Starlette), so Engine.IO's own responses get
the headers too. `RedactTokens` is a logging filter that `hub serve` puts on its log handlers."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The built client (web/, Vite and Preact) loads its module scripts and one stylesheet from /assets and
# has no inline script or style; Preact sets styles through the CSSOM, which style-src does not govern.
# Socket.IO connects to this origin ('self' covers ws: and wss: to it); video plays MediaStreams.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    # Tokens travel in URLs, so no request may carry this page's address to another site.
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")

SOCKET_IO = "/socket.io"


class SecurityHeaders:
    """ASGI middleware: adds the security headers a response does not already carry (a page may send
    its own Content-Security-Policy), HSTS when the hub is served over HTTPS, and answers 413 to a
    request to Engine.IO whose body is over `max_body`, before Engine.IO reads it."""

    def __init__(self, app: ASGIApp, *, https: bool, max_body: int) -> None:
        self.app = app
        # The wrapped web app's state, set by create_app.
        self.state: Any = None
        self.max_body = max_body
        self.headers = [
            (name.encode(), value.encode()) for name, value in (*HEADERS, *([HSTS] if https else []))
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        path: str = scope["path"]
        if path != SOCKET_IO and not path.startswith(SOCKET_IO + "/"):
            await self.app(scope, receive, send_with_headers)
            return

        length = _content_length(scope)
        if length is None or length > self.max_body:
            await self._refuse(send_with_headers, 400 if length is None else 413)
            return

        # A body sent without a length (chunked) is counted as it arrives: Engine.IO would read all of it.
        received = 0
        refused = False

        async def capped_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body and not started:
                    refused = True
                    await self._refuse(send_with_headers, 413)
                    return {"type": "http.disconnect"}
            return message

        async def send_unless_refused(message: Message) -> None:
            if not refused:
                await send_with_headers(message)

        await self.app(scope, capped_receive, send_unless_refused)

    @staticmethod
    async def _refuse(send: Send, status: int) -> None:
        body = b"Request body too large" if status == 413 else b"Bad Content-Length"
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    """The request's Content-Length (0 without one), or None when it is not a number."""
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return 0


REDACTED = "[redacted]"
# Link tokens in the hub's paths (a path that starts the text, as uvicorn passes it, or follows a URL's
# scheme and host, so that file paths such as /home/... in a traceback stay) and in query strings, and
# the Engine.IO session id, which lets whoever holds it poll and post as that connection while it lasts.
_URL_START = r"(^|://[^/\s\"']*)"
_PATH_TOKEN = re.compile(_URL_START + r"(/(?:join|home|api/home|unsubscribe)/)[^/?#\s\"']+")
_CALENDAR_TOKEN = re.compile(_URL_START + r"(/calendar/)[^/?#\s\"']+?(\.ics)?(?=[/?#\s\"']|$)")
_QUERY_TOKEN = re.compile(r"([?&](?:token|sid)=)[^&#\s\"']+")
# A signed link token anywhere else (itsdangerous: base64 JSON, possibly compressed, then a signature).
_BARE_TOKEN = re.compile(r"(?:(?<![\w-])|(?<=%3[Dd]))\.?e[yJ][\w-]{8,}\.[\w-]{20,}")


def redact(text: str) -> str:
    """`text` with every link token (and Engine.IO session id) replaced by [redacted]."""
    text = _PATH_TOKEN.sub(rf"\g<1>\g<2>{REDACTED}", text)
    text = _CALENDAR_TOKEN.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}{m[3] or ''}", text)
    text = _QUERY_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    return _BARE_TOKEN.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message, arguments and traceback without tokens, keeping the rest. On a
    handler it covers every record the handler writes: uvicorn's access lines (the path is an
    argument) and error lines, and the hub's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _redact_arg(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the traceback is formatted once, here, without tokens.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _redact_arg(arg: object) -> object:
    return redact(arg) if isinstance(arg, str) else arg
