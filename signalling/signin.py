"""Signing in over HTTP (hub/sessions.py holds the rules and the keys):

- `POST /api/signin` `{"email"}`: a one-time link by email, if the address is a member's, in their own
  language (`Member.language`, as every letter). A `language` the page sends is not used.
  The answer is the same whether it is or not, and comes before the letter is made, so neither the
  words nor the time tell.
- `POST /api/signin/confirm` `{"token"}`: the link's token for a session cookie. The link itself opens
  a page with a button (`GET /signin/TOKEN`), because mail scanners open links on their own and would
  spend a single-use token.
- `POST /api/signout`: the session ends, on the server too.
- `GET /api/home`: the signed-in member's home (as `/api/home/TOKEN`).

The cookie is HttpOnly, SameSite=Lax (so another site cannot post with it; these endpoints also take
only JSON, which a cross-site form cannot send), and Secure when the hub's address is https."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.errors import HubError
from hub.officers import scope_of
from hub.outbox import Letter
from hub.service import Hub
from hub.sessions import LINK_TTL, Sessions
from signalling.home import home_response
from signalling.jsonapi import NO_STORE, error_response, read_json

log = logging.getLogger(__name__)

COOKIE = "hub_session"
# The calendar feed's address on a signed-in home page: a home link of its own, long enough to
# subscribe to.
CALENDAR_VALID = timedelta(days=365)

_LETTERS = {
    "en": (
        "Your sign-in link",
        "Hello {name},\n\nOpen this link to sign in to the meeting hub (it works once, for {minutes} "
        "minutes):\n\n{url}\n\nIf you did not ask for it, ignore this message: nobody can sign in "
        "without the link.\n",
    ),
    "es": (
        "Tu enlace para entrar",
        "Hola, {name}:\n\nAbre este enlace para entrar en el centro de reuniones (sirve una vez, durante "
        "{minutes} minutos):\n\n{url}\n\nSi no lo pediste, ignora este mensaje: nadie puede entrar sin "
        "el enlace.\n",
    ),
}


class SignIn:
    def __init__(self, hub: Hub, sessions: Sessions, base_url: str) -> None:
        self.hub = hub
        self.sessions = sessions
        self.base_url = base_url
        self.secure = base_url.startswith("https://")
        # Letters being made, kept so they are not collected half way.
        self._making: set[asyncio.Task[None]] = set()

    async def request_link(self, request: Request) -> Response:
        body = await read_json(request)
        if isinstance(body, Response):
            return body
        email = body.get("email")
        if not isinstance(email, str) or not 0 < len(email.strip()) <= 254:
            return error_response("signin.bad_address", "Enter your email address.", 400)
        email = email.strip()
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            return error_response("signin.bad_address", "That is not an email address.", 400)
        client = request.client.host if request.client else "unknown"
        try:
            await self.sessions.allow(email, client)
        except HubError as error:
            return error_response(error.code, error.message, 429, error.details)
        task = asyncio.create_task(self._send(email))
        self._making.add(task)
        task.add_done_callback(self._made)
        return JSONResponse({"ok": True}, status_code=202, headers=NO_STORE)

    def _made(self, task: asyncio.Task[None]) -> None:
        self._making.discard(task)
        # Nobody waits for the letter: a store outage while making it is logged, not lost silently.
        if not task.cancelled() and task.exception() is not None:
            log.error("a sign-in letter could not be queued", exc_info=task.exception())

    async def _send(self, email: str) -> None:
        member = await self.hub.member_by_email(email)
        if member is None:
            return
        token = await self.sessions.issue_link(member.id)
        subject, text = _LETTERS[member.language]
        url = f"{self.base_url}/signin/{token}"
        minutes = int(LINK_TTL.total_seconds() // 60)
        letter = Letter(
            to=member.email,
            subject=subject,
            text=text.format(name=member.name, url=url, minutes=minutes),
            kind="signin",
            member_id=member.id,
        )
        await self.hub.outbox.post([letter], self.hub.clock())

    async def confirm(self, request: Request) -> Response:
        body = await read_json(request)
        if isinstance(body, Response):
            return body
        token = body.get("token")
        if not isinstance(token, str) or not 0 < len(token) <= 128:
            return error_response("signin.invalid", "This sign-in link is not valid.", 400)
        try:
            member_id = await self.sessions.redeem(token)
            member = await self.hub.member(member_id)
        except HubError as error:
            return error_response(error.code, error.message, 403)
        response = JSONResponse({"ok": True, "data": {"home": "/home"}}, headers=NO_STORE)
        await self.start_session(member.id, response)
        return response

    async def start_session(self, member_id: str, response: Response) -> None:
        """A new session for the member, its cookie set on `response`."""
        session, cookie = await self.sessions.open(member_id, self.hub.clock())
        max_age = int((session.expires_at - self.hub.clock()).total_seconds())
        response.set_cookie(
            COOKIE, cookie, max_age=max_age, httponly=True, samesite="lax", secure=self.secure, path="/"
        )

    async def options(self, request: Request) -> Response:
        """How the sign-in page may sign members in besides the emailed link."""
        sso = getattr(request.app.state, "sso", None)
        return JSONResponse({"ok": True, "data": {"sso": None if sso is None else {"name": sso.name}}})

    async def sign_out(self, request: Request) -> Response:
        body = await read_json(request)
        if isinstance(body, Response):
            return body
        session = await self.sessions.find(request.cookies.get(COOKIE))
        if session is not None:
            await self.sessions.close(session)
        response = JSONResponse({"ok": True}, headers=NO_STORE)
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=self.secure, path="/")
        return response

    async def home(self, request: Request) -> Response:
        session = await self.sessions.find(request.cookies.get(COOKIE))
        if session is None:
            return error_response("signin.needed", "Sign in to see your home page.", 401)
        try:
            member = await self.hub.member(session.member_id)
        except HubError as error:
            return error_response(error.code, error.message, 403)
        calendar = await self.hub.issue_home_link(member.id, CALENDAR_VALID)
        officer = scope_of(member, await self.hub.branches()) is not None
        return await home_response(self.hub, member, session.expires_at, calendar, officer)


def signin_routes() -> list[Route]:
    """The routes, served by the `SignIn` the app's lifespan keeps in `app.state.signin`."""

    def by(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            handler: Callable[[Request], Awaitable[Response]] = getattr(request.app.state.signin, name)
            return await handler(request)

        return endpoint

    return [
        Route("/api/signin", by("request_link"), methods=["POST"]),
        Route("/api/signin/confirm", by("confirm"), methods=["POST"]),
        Route("/api/signout", by("sign_out"), methods=["POST"]),
        Route("/api/home", by("home")),
        Route("/api/signin/options", by("options")),
    ]
