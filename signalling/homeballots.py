"""Casting in an advance poll from the home page (its polls are listed by signalling/home.py), by the
home link (`/api/home/TOKEN/ballots`) or signed in (`/api/home/ballots`), exactly as in the room: the
same ballot box, so a ballot cast here and one cast in the meeting are one member's one ballot."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.commands import VoteCast
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import Member
from hub.service import Hub
from signalling.ballots import BallotDesk
from signalling.jsonapi import NO_STORE, error_response, read_json
from signalling.signin import COOKIE


async def _cast(request: Request, member: Member) -> Response:
    body = await read_json(request)
    if isinstance(body, Response):
        return body
    meeting_id = body.pop("meeting_id", None)
    try:
        command = VoteCast.model_validate(body)
    except ValidationError:
        return error_response("invalid_payload", "Send the meeting, the vote and your ballot.", 400)
    hub: Hub = request.app.state.hub
    ballots: BallotDesk = request.app.state.ballots
    try:
        # Any meeting the member is not invited to is, to them, no meeting at all.
        _, meeting = await hub.meeting(str(meeting_id))
        _, role = await hub.invitee(meeting, member.id, "meeting.not_found")
    except HubError:
        return error_response("meeting.not_found", "You are not invited to that meeting.", 404)
    vote = next((v for v in meeting.votes if v.id == command.vote_id), None)
    if vote is None or vote.closes_at is None:
        return error_response("vote.not_found", "There is no such advance poll.", 404)
    actor = Actor(member_id=member.id, name=member.name, role=role)
    try:
        reply = await ballots.cast("", meeting.id, actor, command)
    except HubError as error:
        status = {"vote.invalid_ballot": 400, "vote.not_eligible": 403}.get(error.code, 409)
        return error_response(error.code, error.message, status, error.details)
    return JSONResponse({"ok": True, "data": reply}, headers=NO_STORE)


async def cast_by_link(request: Request) -> Response:
    try:
        member, _ = await request.app.state.hub.home_member(request.path_params["token"])
    except HubError as error:
        return error_response(error.code, error.message, 404 if error.code.endswith("not_found") else 403)
    return await _cast(request, member)


async def cast_signed_in(request: Request) -> Response:
    session = await request.app.state.signin.sessions.find(request.cookies.get(COOKIE))
    if session is None:
        return error_response("signin.needed", "Sign in to vote from your home page.", 401)
    try:
        member = await request.app.state.hub.member(session.member_id)
    except HubError as error:
        return error_response(error.code, error.message, 403)
    return await _cast(request, member)


def home_ballot_routes() -> list[Route]:
    return [
        Route("/api/home/ballots", cast_signed_in, methods=["POST"]),
        Route("/api/home/{token}/ballots", cast_by_link, methods=["POST"]),
    ]
