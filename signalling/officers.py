"""The officers' console over HTTP: JSON routes under `/api/officers/` for the page at `/officers`
(web/src/officers.tsx), served by hub/directory.py.

Every route finds the member from the session cookie (401 `signin.needed` without one) and what they
may manage (403 `forbidden` for a member who is no officer); each call then refuses what that scope
does not reach. Changes are POSTs that take only JSON, as signing in does (signalling/signin.py): the
cookie is SameSite=Lax, so another site cannot post with it, and a cross-site form cannot send
`application/json`. Bodies are checked with the forms in hub/officers.py (400 `invalid_payload`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub import officers
from hub.directory import Directory
from hub.errors import HubError, invalid_payload
from hub.models import Member
from hub.officers import Scope
from signalling.jsonapi import NO_STORE, error_response, read_json
from signalling.signin import COOKIE

Form = TypeVar("Form", bound=BaseModel)
# A CSV file of 10,000 members is about 700 KB; sent as base64 in JSON it must fit the hub's request
# limit (signalling/headers.py).
IMPORT_MOST = 700_000
STATUS = {"forbidden": 403, "signin.needed": 401, "branch.exists": 409, "member.email_taken": 409}


@dataclass(frozen=True)
class Call:
    """One request to the console: who sent it, what they may manage, and its body (for a POST)."""

    request: Request
    member: Member
    scope: Scope
    body: dict[str, Any]

    def form(self, model: type[Form]) -> Form:
        try:
            return model.model_validate(self.body)
        except ValidationError as exc:
            raise invalid_payload(exc) from None

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[Directory, Call], Awaitable[Any]]


@dataclass(frozen=True)
class OfficerRoute:
    method: str
    path: str
    handler: Handler
    # What it does, for docs/guide/officer.md and the permission test's names.
    doc: str


def _ok(data: Any) -> Response:
    return JSONResponse({"ok": True, "data": data}, headers=NO_STORE)


def _refused(error: HubError) -> Response:
    status = STATUS.get(error.code, 404 if error.code.endswith("not_found") else 400)
    return error_response(error.code, error.message, status, error.details or None)


async def me(directory: Directory, call: Call) -> Any:
    return {
        "member": {"id": call.member.id, "name": call.member.name, "time_zone": call.member.time_zone},
        "admin": call.scope.admin,
        "branches": sorted(call.scope.branches),
        "roles": [r.value for r in officers.BRANCH_ROLES],
        "templates": {
            kind: {
                "title": officers.TEMPLATE_TITLES[kind],
                "agenda": [{"title": t, "kind": k.value, "minutes_budget": m} for t, k, m in lines],
            }
            for kind, lines in officers.TEMPLATES.items()
        },
    }


async def branches(directory: Directory, call: Call) -> Any:
    return await directory.branches(call.scope)


async def add_branch(directory: Directory, call: Call) -> Any:
    branch = await directory.add_branch(call.scope, call.form(officers.BranchForm))
    return branch.model_dump(mode="json", exclude={"roles"})


async def edit_branch(directory: Directory, call: Call) -> Any:
    branch = await directory.edit_branch(call.scope, call.param("branch_id"), call.form(officers.BranchForm))
    return branch.model_dump(mode="json", exclude={"roles"})


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise HubError(
            "invalid_payload",
            "The request was not understood.",
            {"problems": [{"field": name, "problem": f"a whole number from {low} to {high}"}]},
        )
    return int(text)


def _text(request: Request, name: str, most: int) -> str | None:
    text = request.query_params.get(name)
    if text is not None and len(text) > most:
        raise HubError(
            "invalid_payload",
            "The request was not understood.",
            {"problems": [{"field": name, "problem": f"at most {most} characters"}]},
        )
    return text or None


async def members(directory: Directory, call: Call) -> Any:
    request = call.request
    page = await directory.members(
        call.scope,
        query=_text(request, "q", 200) or "",
        branch=_text(request, "branch", 64),
        offset=_int(request, "offset", 0, 0, 1_000_000),
        limit=_int(request, "limit", 50, 1, officers.PAGE_MOST),
    )
    return {"members": page.members, "total": page.total, "offset": page.offset}


async def edit_member(directory: Directory, call: Call) -> Any:
    member = await directory.edit_member(call.scope, call.param("member_id"), call.form(officers.MemberForm))
    return member.model_dump(mode="json")


async def set_active(directory: Directory, call: Call) -> Any:
    wanted = call.form(officers.MemberActive)
    member = await directory.set_active(call.scope, call.param("member_id"), wanted.active)
    if not member.active:
        # Signed out everywhere at once: a deactivated member's sessions end with their membership.
        await call.request.app.state.signin.sessions.close_all(member.id)
    return member.model_dump(mode="json")


async def export(directory: Directory, call: Call) -> Any:
    text = await directory.export(call.scope, _text(call.request, "branch", 64))
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="members.csv"', **NO_STORE},
    )


async def import_members(directory: Directory, call: Call) -> Any:
    file, save = call.body.get("file"), call.body.get("save", False)
    if not isinstance(file, str) or not isinstance(save, bool) or set(call.body) - {"file", "save"}:
        raise HubError(
            "invalid_payload",
            "The request was not understood.",
            {"problems": [{"field": "file", "problem": 'send {"file": BASE64, "save": true|false}'}]},
        )
    try:
        data = base64.b64decode(file, validate=True)
    except (binascii.Error, ValueError):
        raise HubError(
            "invalid_payload",
            "The request was not understood.",
            {"problems": [{"field": "file", "problem": "not base64"}]},
        ) from None
    if len(data) > IMPORT_MOST:
        raise HubError(
            "invalid_payload",
            "The file is too large.",
            {"problems": [{"field": "file", "problem": f"at most {IMPORT_MOST} bytes"}]},
        )
    found = await directory.import_members(call.scope, data, save)
    return {**officers.preview_view(found), "saved": save and found.ok}


async def meetings(directory: Directory, call: Call) -> Any:
    return await directory.meetings(call.scope)


async def _meeting_view(directory: Directory, meeting_id: str) -> Any:
    branches = {b.id: b for b in await directory.hub.branches()}
    _, meeting = await directory.hub.meeting(meeting_id)
    return directory.meeting_view(meeting, branches, await directory.hub.members())


async def create_meeting(directory: Directory, call: Call) -> Any:
    meeting = await directory.create_meeting(call.scope, call.form(officers.MeetingForm))
    return await _meeting_view(directory, meeting.id)


async def reschedule(directory: Directory, call: Call) -> Any:
    meeting = await directory.reschedule(call.scope, call.param("meeting_id"), call.form(officers.Reschedule))
    return await _meeting_view(directory, meeting.id)


async def cancel(directory: Directory, call: Call) -> Any:
    meeting = await directory.cancel(call.scope, call.param("meeting_id"), call.form(officers.Cancel))
    return await _meeting_view(directory, meeting.id)


async def fair_times(directory: Directory, call: Call) -> Any:
    return await directory.fair_times(call.scope, call.form(officers.FairTimes))


ROUTES: tuple[OfficerRoute, ...] = (
    OfficerRoute("GET", "/api/officers/me", me, "who is asking and what they manage; the meeting templates"),
    OfficerRoute("GET", "/api/officers/branches", branches, "the branches the officer manages"),
    OfficerRoute("POST", "/api/officers/branches", add_branch, "create a branch (admins)"),
    OfficerRoute("POST", "/api/officers/branches/{branch_id}", edit_branch, "edit a branch"),
    OfficerRoute("GET", "/api/officers/members", members, "a page of members, searched"),
    OfficerRoute("GET", "/api/officers/members.csv", export, "the members as CSV"),
    OfficerRoute("POST", "/api/officers/members/{member_id}", edit_member, "edit a member"),
    OfficerRoute("POST", "/api/officers/members/{member_id}/active", set_active, "deactivate or reactivate"),
    OfficerRoute("POST", "/api/officers/import", import_members, "preview (and save) a CSV import"),
    OfficerRoute("GET", "/api/officers/meetings", meetings, "the meetings the officer manages"),
    OfficerRoute("POST", "/api/officers/meetings", create_meeting, "create a meeting"),
    OfficerRoute("POST", "/api/officers/meetings/{meeting_id}/reschedule", reschedule, "reschedule"),
    OfficerRoute("POST", "/api/officers/meetings/{meeting_id}/cancel", cancel, "cancel"),
    OfficerRoute("POST", "/api/officers/fair-times", fair_times, "fair-time scores for the invited"),
)


def _endpoint(route: OfficerRoute) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        hub = request.app.state.hub
        session = await request.app.state.signin.sessions.find(request.cookies.get(COOKIE))
        if session is None:
            return error_response("signin.needed", "Sign in to use the officers' console.", 401)
        directory = Directory(hub)
        try:
            member, scope = await directory.scope(session.member_id)
        except HubError as error:
            return _refused(error)
        if scope is None:
            refusal = "The officers' console is for branch officers and admins."
            return error_response("forbidden", refusal, 403)
        body: dict[str, Any] = {}
        if route.method == "POST":
            parsed = await read_json(request)
            if isinstance(parsed, Response):
                return parsed
            body = parsed
        try:
            result = await route.handler(directory, Call(request, member, scope, body))
        except HubError as error:
            return _refused(error)
        return result if isinstance(result, Response) else _ok(result)

    return endpoint


def officer_routes() -> list[Route]:
    return [Route(r.path, _endpoint(r), methods=[r.method]) for r in ROUTES]


def console_routes(table: Iterable[OfficerRoute]) -> list[Route]:
    """Routes of another part of the console (signalling/invitations.py), behind the same session and
    scope checks as these."""
    return [Route(r.path, _endpoint(r), methods=[r.method]) for r in table]
