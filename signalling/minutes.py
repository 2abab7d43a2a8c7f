"""Minutes at the edge: drafting from the stored event log, reading them by role, and the published
HTML and PDF that branch members open with their join link."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fpdf import FPDF, FontFace, ResourceAccessPolicy, TextStyle
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hub import minutes
from hub.commands import MinutesDraft, MinutesGet
from hub.errors import HubError
from hub.meetings import Actor, as_present
from hub.models import OFFICER_ROLES, Meeting
from hub.service import Hub

# Raw HTML in the secretary's text is shown as text, never run; an image is shown as its alt text, so
# neither the page nor the PDF loads anything (see `_image_as_text`).
MARKDOWN = MarkdownIt("commonmark", {"html": False})
# The minutes page may load nothing at all: its one stylesheet is inline.
POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
# Renders running at once in this process, and approved renders kept (approved minutes never change).
RENDERS_AT_ONCE = 2
KEPT_RENDERS = 32
FONTS = Path("/usr/share/fonts/truetype/dejavu")
# Chinese, Japanese and Korean, which DejaVu lacks: WenQuanYi Micro Hei (Debian's fonts-wqy-microhei,
# which scripts/setup installs where it may) holds Han, kana and Hangul in one font, as fpdf2's fallback.
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# The scripts that font is for: loading it takes a while, so only for minutes that hold any.
CJK_TEXT = re.compile(
    "[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef\U00020000-\U0003ffff]"
)

log = logging.getLogger(__name__)


def _image_as_text(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return escapeHtml(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


def _link(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # The PDF shows a link as its text: fpdf2 would fail on a link to a place in the page ("#..."),
    # which has no named destination there, and the printed record needs none.
    return "" if env.get("pdf") else renderer.renderToken(tokens, idx, options, env)


MARKDOWN.add_render_rule("image", _image_as_text)
MARKDOWN.add_render_rule("link_open", _link)
MARKDOWN.add_render_rule("link_close", _link)


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


def _approval(meeting: Meeting) -> str:
    """The approval, as the page and the PDF both end with it: the note and who recorded it, when."""
    record = meeting.minutes
    assert record is not None
    if record.status != "approved":
        return ""
    note = f"<p><em>{escapeHtml(record.approval_note or 'Approved.')}</em></p>"
    if record.approved_at is None or not record.approved_by:
        return note
    day = record.approved_at.astimezone(ZoneInfo(meeting.time_zone)).strftime("%d %B %Y")
    return f"{note}<p>Approval recorded by {escapeHtml(record.approved_by)} on {day}.</p>"


def published(meeting: Meeting, printed: bool = False) -> str:
    """What the published minutes say, as HTML: the same for the page and the PDF."""
    assert meeting.minutes is not None
    rendered: str = MARKDOWN.render(meeting.minutes.text, {"pdf": printed})
    return rendered + _approval(meeting)


def html(meeting: Meeting) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Minutes</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;"
        f"line-height:1.5}}blockquote{{border-left:3px solid #1677ff;margin:0;padding-left:1rem}}</style>"
        f"</head><body>{published(meeting)}</body></html>"
    )


def pdf(meeting: Meeting) -> bytes:
    said = published(meeting, printed=True)
    document = FPDF()
    # fpdf2 would otherwise fetch an <img> from local files or the web; the minutes carry none.
    document.resource_access_policy = ResourceAccessPolicy.NONE
    document.add_page()
    for family, style, name in _fonts(said):
        document.add_font(family, style=style, fname=_font(name))
    if CJK_TEXT.search(said) and _cjk_font() is not None:
        document.add_font("CJK", fname=CJK_FONT)
        # Bold and italic CJK too: the font has one style, better plain than missing.
        document.set_fallback_fonts(["CJK"], exact_match=False)
    document.set_font("DejaVu", size=11)
    document.write_html(
        said,
        tag_styles={
            "code": FontFace(family="DejaVuMono"),
            "pre": TextStyle(font_family="DejaVuMono", t_margin=4),
        },
    )
    return bytes(document.output())


def _fonts(body: str) -> list[tuple[str, str, str]]:
    """Unicode fonts for names from every continent (fpdf2's core fonts are Latin-1 only), in the
    styles the HTML asks for: each takes a while to load, so only those."""
    bold, italic = "<strong>" in body, "<em>" in body
    styles = {"": "", "B": "-Bold", "I": "-Oblique", "BI": "-BoldOblique"}
    wanted = [s for s, on in (("", True), ("B", bold), ("I", italic), ("BI", bold and italic)) if on]
    families = [("DejaVu", "DejaVuSans"), *([("DejaVuMono", "DejaVuSansMono")] if "<code" in body else [])]
    return [(family, s, f"{stem}{styles[s]}.ttf") for family, stem in families for s in wanted]


def _font(name: str) -> str:
    path = FONTS / name
    if not path.exists():
        raise HubError("minutes.no_font", "The server has no Unicode font to make a PDF with.")
    return str(path)


@functools.cache
def _cjk_font() -> Path | None:
    """The CJK font, or None, said once: without it the PDF is still made, those characters missing."""
    if CJK_FONT.exists():
        return CJK_FONT
    log.warning(
        "minutes PDFs will lack Chinese, Japanese and Korean characters: no font at %s "
        "(install Debian's fonts-wqy-microhei)",
        CJK_FONT,
    )
    return None


class Busy(Exception):
    """A render refused for now: the client waits for one already, or the server makes enough."""


class Renders:
    """The published minutes rendered off the event loop: one render in flight per member, a few in
    all, and approved renders kept, so a second request for them renders nothing."""

    def __init__(self, at_once: int = RENDERS_AT_ONCE, kept: int = KEPT_RENDERS) -> None:
        self.at_once, self.kept = at_once, kept
        self.clients: set[str] = set()
        self.running: set[asyncio.Task[bytes]] = set()
        self.done: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()

    async def render(self, kind: str, meeting: Meeting, client: str) -> bytes:
        """The minutes as `kind` ("html" or "pdf"); `Busy` when this client already waits for a render
        or too many are running."""
        assert meeting.minutes is not None
        approved = meeting.minutes.approved_at
        key = None if approved is None else (kind, meeting.id, approved.isoformat())
        if key is not None and key in self.done:
            self.done.move_to_end(key)
            return self.done[key]
        if client in self.clients:
            raise Busy("Your copy of these minutes is still being made: wait for it, then try again.")
        if len(self.running) >= self.at_once:
            raise Busy("The server is making other minutes just now: try again in a few seconds.")
        self.clients.add(client)
        task = asyncio.create_task(self._render(kind, meeting, client, key))
        self.running.add(task)
        # A client that goes away does not stop the render; it still counts until it ends, and its
        # failure, if any, is then nobody's to read.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await asyncio.shield(task)

    async def _render(
        self, kind: str, meeting: Meeting, client: str, key: tuple[str, str, str] | None
    ) -> bytes:
        try:
            made = await asyncio.to_thread(_make, kind, meeting)
        finally:
            self.clients.discard(client)
            current = asyncio.current_task()
            self.running.discard(current)
        if key is not None:
            self.done[key] = made
            while len(self.done) > self.kept:
                self.done.popitem(last=False)
        return made


def _make(kind: str, meeting: Meeting) -> bytes:
    return pdf(meeting) if kind == "pdf" else html(meeting).encode()


def _renders(request: Request) -> Renders:
    found: Renders | None = getattr(request.app.state, "minutes_renders", None)
    if found is None:
        found = request.app.state.minutes_renders = Renders()
    return found


async def invited(hub: Hub, token: str, meeting_id: str) -> tuple[Meeting, Actor]:
    """The meeting a join link's holder asks about, and the holder with their role in it: any meeting of
    their branch for a member, only the meeting they were appointed to for a guest."""
    linked_meeting, actor = await hub.admit(token)
    _, meeting = await hub.meeting(meeting_id)
    _, linked = await hub.meeting(linked_meeting)
    if linked.branch_id != meeting.branch_id:
        raise HubError("forbidden", "This meeting belongs to another branch.")
    role = await hub.role_in(meeting, await hub.member(actor.member_id))
    if role is None:
        raise HubError("forbidden", "You were not invited to this meeting.")
    return meeting, replace(actor, role=role)


async def published_minutes(request: Request) -> Response:
    """`/minutes/ID.html` and `/minutes/ID.pdf?token=JOIN_TOKEN`: approved minutes for the branch, or
    for a guest appointed to one meeting, that meeting's only."""
    hub: Hub = request.app.state.hub
    meeting_id, kind = request.path_params["meeting_id"], request.path_params["format"]
    if kind not in {"html", "pdf"}:
        return PlainTextResponse("Ask for .html or .pdf.", status_code=404)
    try:
        meeting, actor = await invited(hub, request.query_params.get("token", ""), meeting_id)
        readable(meeting, actor)
        made = await _renders(request).render(kind, meeting, actor.member_id)
    except HubError as exc:
        status = {"minutes.none": 404, "minutes.no_font": 503}.get(exc.code, 403)
        status = 404 if exc.code.endswith("not_found") else status
        return PlainTextResponse(exc.message, status_code=status)
    except Busy as exc:
        return PlainTextResponse(str(exc), status_code=429, headers={"Retry-After": "5"})
    if kind == "html":
        made = reader_copy(made, meeting.id, request.query_params["token"])
        return Response(
            made, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": POLICY}
        )
    return Response(made, media_type="application/pdf")


def reader_copy(html: bytes, meeting_id: str, token: str) -> bytes:
    """The reader's copy of the minutes: each link to this meeting's recording carries the link the
    minutes were read with, so a recording only members may watch plays from it. Added on the way out,
    as one render serves every reader; the PDF, a document members pass on, carries none."""
    recording = rb"/recordings/" + re.escape(meeting_id.encode()) + rb"/[A-Za-z0-9_.-]+\.mp4"
    link = re.compile(rb'href="(' + recording + rb')(#t=\d+)?"')
    query = b"?token=" + quote(token, safe="").encode()
    return link.sub(lambda found: b'href="' + found[1] + query + (found[2] or b"") + b'"', html)
