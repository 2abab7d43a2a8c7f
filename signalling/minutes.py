"""Minutes at the edge: drafting from the stored event log, reading them by role, and the published
HTML and PDF that branch members open with their join link."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fpdf import FPDF
from markdown_it import MarkdownIt
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from hub import minutes
from hub.commands import MinutesDraft, MinutesGet
from hub.errors import HubError
from hub.meetings import Actor, as_present
from hub.models import OFFICER_ROLES, Meeting
from hub.service import Hub

# Raw HTML in the secretary's text is shown as text, never run.
MARKDOWN = MarkdownIt("commonmark", {"html": False})


def minutes_handlers(hub: Hub) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
    async def draft(sid: str, meeting_id: str, actor: Actor, command: MinutesDraft) -> Any:
        events = await hub.store.event_log(meeting_id)
        event = await hub.execute(
            meeting_id,
            actor,
            as_present(actor, lambda m, now: minutes.draft_minutes(m, command, events, actor, now)),
        )
        return None if event is None else {"version": event.version}

    async def get(sid: str, meeting_id: str, actor: Actor, command: MinutesGet) -> Any:
        _, meeting = await hub.meeting(meeting_id)
        return readable(meeting, actor)

    return {"minutes.draft": draft, "minutes.get": get}


def readable(meeting: Meeting, actor: Actor) -> dict[str, Any]:
    record = meeting.minutes
    if record is None:
        raise HubError("minutes.none", "There are no minutes of this meeting yet.")
    if record.status != "approved" and actor.role not in OFFICER_ROLES:
        raise HubError("minutes.not_published", "The minutes are published once they are approved.")
    return record.model_dump(mode="json")


def html(meeting: Meeting) -> str:
    assert meeting.minutes is not None
    body = MARKDOWN.render(meeting.minutes.text)
    note = meeting.minutes.approval_note or "Approved."
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Minutes</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;"
        f"line-height:1.5}}blockquote{{border-left:3px solid #1677ff;margin:0;padding-left:1rem}}</style>"
        f"</head><body>{body}<p><em>{MARKDOWN.renderInline(note)}</em></p></body></html>"
    )


def pdf(meeting: Meeting) -> bytes:
    assert meeting.minutes is not None
    document = FPDF()
    document.add_page()
    document.add_font("DejaVu", fname=_font())
    document.set_font("DejaVu", size=11)
    document.write_html(MARKDOWN.render(meeting.minutes.text))
    return bytes(document.output())


def _font() -> str:
    """A Unicode font for names from every continent: fpdf2's core fonts are Latin-1 only."""
    from pathlib import Path

    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if Path(candidate).exists():
            return candidate
    raise HubError("minutes.no_font", "The server has no Unicode font to make a PDF with.")


async def published_minutes(request: Request) -> Response:
    """`/minutes/ID.html` and `/minutes/ID.pdf?token=JOIN_TOKEN`: approved minutes for the branch."""
    hub: Hub = request.app.state.hub
    meeting_id, kind = request.path_params["meeting_id"], request.path_params["format"]
    try:
        linked_meeting, actor = await hub.admit(request.query_params.get("token", ""))
        _, meeting = await hub.meeting(meeting_id)
        _, linked = await hub.meeting(linked_meeting)
        if linked.branch_id != meeting.branch_id:
            raise HubError("forbidden", "These minutes belong to another branch.")
        readable(meeting, actor)
        if kind == "html":
            return HTMLResponse(html(meeting))
        if kind == "pdf":
            return Response(pdf(meeting), media_type="application/pdf")
    except HubError as exc:
        status = {"minutes.none": 404, "minutes.no_font": 503}.get(exc.code, 403)
        status = 404 if exc.code.endswith("not_found") else status
        return PlainTextResponse(exc.message, status_code=status)
    return PlainTextResponse("Ask for .html or .pdf.", status_code=404)
