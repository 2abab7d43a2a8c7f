"""Invitations at the edge (hub/invitations.py holds the rules and the keys):

- The console's routes under `/api/officers/meetings/{meeting_id}/invitations`, behind the console's
  own session and scope checks (signalling/officers.py): the recipients and where each stands
  (`GET`), inviting everyone not yet invited (`POST`), resending (`POST .../resend`) and the meeting's
  own reminders (`POST .../reminders`).
- `/unsubscribe/TOKEN`, the link in members' letters: `GET` shows a page whose button turns reminders
  off (mail scanners open links by themselves), and `POST` turns them off, which is also what a mail
  program's one-click unsubscribe does (RFC 8058).
- `POST /api/home/letters` (signed in) and `POST /api/home/TOKEN/letters` (home link): the member's own
  choice of reminders and of their letters' language.
- `Rounds`: every few seconds one process keeps the invited members of every meeting told (updates,
  cancellations, reminders: `Invitations.sync_all`)."""

from __future__ import annotations

import html
import logging
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from hub import officers
from hub.directory import Directory
from hub.errors import HubError, invalid_payload
from hub.invitations import (
    Invitations,
    OwnReminders,
    Recipient,
    Resend,
    recipient_view,
    status_of,
)
from hub.models import Language, Meeting, Member, Model
from signalling.background import Background
from signalling.jsonapi import NO_STORE, error_response, read_json
from signalling.officers import Call, OfficerRoute, console_routes
from signalling.signin import COOKIE

log = logging.getLogger(__name__)

# What the recipients list may be filtered by: where each stands (`status_of`).
STATUSES = ("all", "not_invited", "queued", "retrying", "sent", "failed", "no_address")
PAGE = 100
PAGE_MOST = 500
# How often invited members are brought up to date, and how long one process holds that job.
ROUND_SECONDS = 15.0
HOLD_MS = 45_000
ROUNDS = "hub:invitations:rounds"


def _invitations(call: Call) -> Invitations:
    found: Invitations = call.request.app.state.invitations
    return found


async def _managed(directory: Directory, call: Call) -> Meeting:
    _, meeting = await directory.hub.meeting(call.param("meeting_id"))
    officers.check_meeting(call.scope, meeting)
    return meeting


def _query(request: Request) -> tuple[str, int, int]:
    status = request.query_params.get("status", "all")
    offset, limit = request.query_params.get("offset", "0"), request.query_params.get("limit", str(PAGE))
    problems = []
    if status not in STATUSES:
        problems.append({"field": "status", "problem": f"one of {', '.join(STATUSES)}"})
    if not offset.isdigit() or int(offset) > 1_000_000:
        problems.append({"field": "offset", "problem": "a whole number from 0 to 1000000"})
    if not limit.isdigit() or not 1 <= int(limit) <= PAGE_MOST:
        problems.append({"field": "limit", "problem": f"a whole number from 1 to {PAGE_MOST}"})
    if problems:
        raise HubError("invalid_payload", "The request was not understood.", {"problems": problems})
    return status, int(offset), int(limit)


def _minutes(offsets: tuple[Any, ...]) -> list[int]:
    return [int(o.total_seconds() // 60) for o in offsets]


async def recipients(directory: Directory, call: Call) -> Any:
    """The meeting's recipients, a page at a time, with counts by where they stand."""
    await _managed(directory, call)
    status, offset, limit = _query(call.request)
    invitations = _invitations(call)
    meeting, found = await invitations.recipients(call.param("meeting_id"))
    counts = {s: 0 for s in STATUSES if s != "all"}
    standing: list[tuple[str, Recipient]] = []
    for recipient in found:
        where = status_of(recipient)
        counts[where] += 1
        standing.append((where, recipient))
    chosen = [r for where, r in standing if status in ("all", where)]
    return {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "status": meeting.status.value,
            "starts_at": meeting.starts_at.isoformat(),
            "time_zone": meeting.time_zone,
        },
        "counts": {"recipients": len(found), **counts},
        "total": len(chosen),
        "offset": offset,
        "recipients": [recipient_view(r) for r in chosen[offset : offset + limit]],
        "reminders": {
            "minutes": _minutes(await invitations.reminders_of(meeting.id)),
            "own": await invitations.own_reminders(meeting.id),
            "hub": _minutes(invitations.reminders),
        },
        # Without an SMTP server letters wait in the outbox.
        "sending": bool(getattr(call.request.app.state, "sending", False)),
    }


async def invite(directory: Directory, call: Call) -> Any:
    await _managed(directory, call)
    call.form(_Nothing)
    invited = await _invitations(call).invite(call.param("meeting_id"))
    return {"queued": invited.queued, "already": invited.already, "no_address": invited.no_address}


async def resend(directory: Directory, call: Call) -> Any:
    meeting = await _managed(directory, call)
    form = call.form(Resend)
    return {"queued": await _invitations(call).resend(meeting.id, form.member_id)}


async def own_reminders(directory: Directory, call: Call) -> Any:
    meeting = await _managed(directory, call)
    form = call.form(OwnReminders)
    invitations = _invitations(call)
    kept = await invitations.set_reminders(meeting.id, form.offsets())
    return {"minutes": _minutes(kept), "own": form.minutes is not None}


class _Nothing(Model):
    """A body with nothing in it: `{}`."""


BASE = "/api/officers/meetings/{meeting_id}/invitations"
ROUTES: tuple[OfficerRoute, ...] = (
    OfficerRoute("GET", BASE, recipients, "the recipients and where each invitation stands"),
    OfficerRoute("POST", BASE, invite, "invite everyone not yet invited"),
    OfficerRoute("POST", f"{BASE}/resend", resend, "resend to one member, or to all whose letter failed"),
    OfficerRoute("POST", f"{BASE}/reminders", own_reminders, "the meeting's own reminders, or the hub's"),
)


# Members' own choice: reminders and the language of their letters.


class LetterChoice(Model):
    reminders: bool | None = None
    language: Language | None = None


_PAGE_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "title": "Reminders",
        "ask": "Stop the reminders {name} gets before each meeting? Invitations and changes to meetings "
        "still come.",
        "button": "Stop reminders",
        "done": "Done: no more reminders will come to {name}. Turn them on again on your home page.",
        "invalid": "This link is not valid, or has expired.",
    },
    "es": {
        "title": "Recordatorios",
        "ask": "¿Dejar de enviar a {name} los recordatorios antes de cada reunión? Las invitaciones y los "
        "cambios de las reuniones seguirán llegando.",
        "button": "No enviar más recordatorios",
        "done": "Hecho: {name} ya no recibirá recordatorios. Puedes volver a activarlos en tu página de "
        "inicio.",
        "invalid": "Este enlace no es válido o ha caducado.",
    },
}


def _page(language: Language, body: str, status: int = 200) -> Response:
    words = _PAGE_WORDS[language]
    page = (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(words['title'])}</title></head>\n<body><main>\n"
        f"<h1>{html.escape(words['title'])}</h1>\n{body}\n</main></body></html>\n"
    )
    return HTMLResponse(page, status_code=status, headers=NO_STORE)


async def _unsubscriber(request: Request) -> Member | None:
    hub = request.app.state.hub
    try:
        claims = hub.tokens.read_unsubscribe(request.path_params["token"], hub.clock())
        member: Member = await hub.member(claims.member_id)
    except HubError:
        return None
    return member


async def unsubscribe_page(request: Request) -> Response:
    member = await _unsubscriber(request)
    if member is None:
        return _page("en", f"<p>{html.escape(_PAGE_WORDS['en']['invalid'])}</p>", 404)
    words = _PAGE_WORDS[member.language]
    if not member.reminders:
        return _page(member.language, f"<p>{html.escape(words['done'].format(name=member.name))}</p>")
    # The form posts to this same address: a page, not the link itself, changes anything.
    return _page(
        member.language,
        f"<p>{html.escape(words['ask'].format(name=member.name))}</p>\n"
        f'<form method="post"><button type="submit">{html.escape(words["button"])}</button></form>',
    )


async def unsubscribe(request: Request) -> Response:
    member = await _unsubscriber(request)
    if member is None:
        return _page("en", f"<p>{html.escape(_PAGE_WORDS['en']['invalid'])}</p>", 404)
    await request.app.state.invitations.set_member_reminders(member.id, False)
    words = _PAGE_WORDS[member.language]
    return _page(member.language, f"<p>{html.escape(words['done'].format(name=member.name))}</p>")


async def _choose(request: Request, member: Member) -> Response:
    body = await read_json(request)
    if isinstance(body, Response):
        return body
    try:
        choice = LetterChoice.model_validate(body)
    except ValidationError as exc:
        error = invalid_payload(exc)
        return error_response(error.code, error.message, 400, error.details)
    invitations: Invitations = request.app.state.invitations
    if choice.reminders is not None:
        member = await invitations.set_member_reminders(member.id, choice.reminders)
    if choice.language is not None and choice.language != member.language:
        member = member.model_copy(update={"language": choice.language})
        await invitations.hub.save_member(member)
    return JSONResponse(
        {"ok": True, "data": {"reminders": member.reminders, "language": member.language}}, headers=NO_STORE
    )


async def letters_signed_in(request: Request) -> Response:
    session = await request.app.state.signin.sessions.find(request.cookies.get(COOKIE))
    if session is None:
        return error_response("signin.needed", "Sign in to change your settings.", 401)
    try:
        member = await request.app.state.hub.member(session.member_id)
    except HubError as error:
        return error_response(error.code, error.message, 403)
    return await _choose(request, member)


async def letters_by_link(request: Request) -> Response:
    try:
        member, _ = await request.app.state.hub.home_member(request.path_params["token"])
    except HubError as error:
        return error_response(error.code, error.message, 404 if error.code.endswith("not_found") else 403)
    return await _choose(request, member)


def invitation_routes() -> list[Route]:
    return [
        *console_routes(ROUTES),
        Route("/unsubscribe/{token}", unsubscribe_page, methods=["GET"]),
        Route("/unsubscribe/{token}", unsubscribe, methods=["POST"]),
        Route("/api/home/letters", letters_signed_in, methods=["POST"]),
        Route("/api/home/{token}/letters", letters_by_link, methods=["POST"]),
    ]


class Rounds(Background):
    """Keeps the invited members of every meeting told, every `ROUND_SECONDS`, on the one process
    holding `hub:invitations:rounds` (any process would do: the letters go once either way)."""

    def __init__(self, invitations: Invitations, node: str, every: float = ROUND_SECONDS) -> None:
        super().__init__()
        self.invitations = invitations
        self.node = node
        self.every = every

    async def stop(self) -> None:
        await super().stop()
        redis = self.invitations.redis
        if await redis.get(ROUNDS) == self.node.encode():
            await redis.delete(ROUNDS)

    async def run(self) -> None:
        redis = self.invitations.redis
        while not self.stopping:
            try:
                held = await redis.set(ROUNDS, self.node, nx=True, px=HOLD_MS)
                if held or await redis.get(ROUNDS) == self.node.encode():
                    await redis.pexpire(ROUNDS, HOLD_MS)
                    await self.invitations.sync_all()
            except Exception:
                log.exception("keeping invited members told failed; trying again in %s s", self.every)
            await self.pause(self.every)
