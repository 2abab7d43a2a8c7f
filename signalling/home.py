"""A member's home over HTTP: `/api/home/TOKEN` for the page (their meetings, minutes and the advance
polls open to them), `/calendar/TOKEN.ics` for calendars.

Each meeting on the list carries a join link of its own, issued as the page (or calendar) is read and
valid until a day after the meeting starts but never beyond the home link's own expiry, so a member
needs only their home link."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub import home, polls
from hub.calendar import feed
from hub.errors import HubError
from hub.models import VOTING_ROLES, Member
from hub.service import Hub

# Join links from the home page stay valid this long after the meeting's start (or from now, for a
# meeting already running), but never beyond the home link itself.
JOIN_VALID = timedelta(days=1)


async def _join_token(
    hub: Hub, member: Member, invitation: home.Invitation, now: datetime, home_expires: datetime
) -> str:
    until = min(max(invitation.meeting.starts_at, now) + JOIN_VALID, home_expires)
    return await hub.issue_link(member.id, invitation.meeting.id, until - now)


async def open_polls(hub: Hub, member: Member, invited: list[home.Invitation]) -> list[dict[str, Any]]:
    """Every advance poll open in a meeting the member may vote in, for their home page."""
    seal = hub.tokens.ballots
    found = []
    for invitation in invited:
        if invitation.role not in VOTING_ROLES:
            continue
        meeting = invitation.meeting
        for vote in meeting.votes:
            if vote.status != "open" or vote.closes_at is None:
                continue
            if vote.secret:
                voted = await hub.store.has_voted(meeting.id, vote.id, seal.tag(vote.id, member.id))
                mine = None
            else:
                mine = await hub.store.ballot_of(meeting.id, vote.id, member.id)
                voted = mine is not None
            found.append(
                {
                    "meeting_id": meeting.id,
                    "meeting_title": meeting.title,
                    "vote": vote.model_dump(mode="json", exclude={"hall_count", "result"}),
                    "voted": voted,
                    # What they chose in an open poll; a secret ballot's receipt, which the hub derives.
                    "choices": None if mine is None else polls.marks(vote, mine),
                    "receipt": seal.receipt(vote.id, member.id) if vote.secret and voted else None,
                }
            )
    return found


def _refusal(error: HubError) -> Response:
    status = 404 if error.code.endswith("not_found") else 403
    return JSONResponse({"ok": False, "error": error.to_dict()}, status_code=status)


async def home_data(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    token = request.path_params["token"]
    try:
        member, expires = await hub.home_member(token)
    except HubError as error:
        return _refusal(error)
    return await home_response(hub, member, expires, token)


async def home_response(
    hub: Hub, member: Member, expires: datetime, calendar_token: str, officer: bool = False
) -> Response:
    """The home page's data for a member, whose links (join, minutes) last until `expires` at most.
    `officer`: a signed-in officer, whose home links to the officers' console."""
    now = hub.clock()
    invited = await hub.invitations(member)
    meetings = []
    for i in home.upcoming(invited, now):
        token = await _join_token(hub, member, i, now, expires)
        meetings.append(
            {
                "id": i.meeting.id,
                "title": i.meeting.title,
                "branch": i.branch.name,
                "starts_at": i.meeting.starts_at.isoformat(),
                "ends_at": (i.meeting.starts_at + home.length(i.meeting)).isoformat(),
                "time_zone": i.meeting.time_zone,
                "status": i.meeting.status.value,
                # One of a series: its place, e.g. 3 of 12 (its title says it too).
                "series": i.meeting.series.model_dump(mode="json") if i.meeting.series else None,
                "role": i.role.value,
                "join_url": f"/join/{token}",
                # While its livestream is on, the page to watch it by the same link (signalling/live/).
                "watch_url": f"/watch/{i.meeting.id}?token={token}" if i.meeting.livestream.on else None,
            }
        )
    minutes: list[dict[str, Any]] = []
    for i in home.with_minutes(invited):
        assert i.meeting.minutes is not None
        read = await _join_token(hub, member, i, now, expires)
        minutes.append(
            {
                "meeting_id": i.meeting.id,
                "title": i.meeting.title,
                "branch": i.branch.name,
                "starts_at": i.meeting.starts_at.isoformat(),
                "time_zone": i.meeting.time_zone,
                "approval_note": i.meeting.minutes.approval_note,
                "html_url": f"/minutes/{i.meeting.id}.html?token={read}",
                "pdf_url": f"/minutes/{i.meeting.id}.pdf?token={read}",
            }
        )
    return JSONResponse(
        {
            "ok": True,
            "data": {
                "member": {
                    "id": member.id,
                    "name": member.name,
                    "time_zone": member.time_zone,
                    # Their letters: reminders on or off, and the language (signalling/invitations.py).
                    "reminders": member.reminders,
                    "language": member.language,
                },
                "meetings": meetings,
                "minutes": minutes,
                # Advance polls open in their meetings, to cast in (signalling/homeballots.py).
                "polls": await open_polls(hub, member, home.upcoming(invited, now)),
                "calendar_url": f"/calendar/{calendar_token}.ics",
                "officer": officer,
            },
        },
        headers={"Cache-Control": "no-store"},
    )


def calendar(base_url: str) -> Callable[[Request], Awaitable[Response]]:
    """The calendar feed's endpoint. Its join links start with the hub's configured address, never
    with the request's Host header, which the client chooses."""

    async def feed_for(request: Request) -> Response:
        hub: Hub = request.app.state.hub
        try:
            member, expires = await hub.home_member(request.path_params["token"])
        except HubError as error:
            return _refusal(error)
        now = hub.clock()
        entries = [
            (i, f"{base_url}/join/{await _join_token(hub, member, i, now, expires)}")
            for i in home.upcoming(await hub.invitations(member), now)
        ]
        return Response(
            feed(entries, now),
            media_type="text/calendar",
            headers={
                "Content-Disposition": 'attachment; filename="meetings.ics"',
                "Cache-Control": "no-store",
            },
        )

    return feed_for
