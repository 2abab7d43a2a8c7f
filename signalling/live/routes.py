"""Watching a livestream over HTTP: the viewer page (`/watch/ID`), what it shows (`/api/live/ID`), the
playlist (`/live/ID/index.m3u8`), its segments (`/live/ID/KEY/seg_NNNNN.ts`), the viewer page's
heartbeat while it plays (`POST /api/live/ID/seen`, counting the viewers), and its recordings once
finished (`/recordings/ID/REC.mp4` and `.vtt`, the chapters).

Who may watch is the meeting's setting (`Livestream.audience`, "branch" following the branch's
`public_livestream`): anyone, or those invited, by their join link (`?token=`). The playlist and the
recordings are checked every time; the segments are plain files under a directory named by the
livestream's key, which only the playlist reveals, so nginx or a CDN can serve them to any number of
viewers (deploy/nginx.conf, docs/guide/operations.md).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from hub.errors import HubError
from hub.models import Meeting
from hub.service import Hub
from signalling.jsonapi import NO_STORE, error_response, read_json
from signalling.live import recordings
from signalling.minutes import invited

# A segment's name as the live output writes it (signalling/live/outputs.py `live_hls`).
SEGMENT = re.compile(r"seg_\d{5,9}\.ts")
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
# The id a viewer page makes once per load for its heartbeats.
VIEWER = re.compile(r"[A-Za-z0-9_-]{16,64}")
# A meeting id (hub/models.py `Id`) that names no directory above its own.
MEETING = re.compile(r"(?!\.{1,2}$)[A-Za-z0-9_.-]{1,64}")
PLAYLIST = "index.m3u8"
# Segments never change once written; the playlist changes every second.
SEGMENT_CACHE = "public, max-age=86400, immutable"
PLAYLIST_CACHE = "no-cache"
# A recording never changes, but who may watch it can: each request is checked.
RECORDING_CACHE = "private, no-cache"


async def _watched(request: Request) -> Meeting:
    """The meeting, if this request may watch its livestream (else `forbidden`, `auth.*`)."""
    hub: Hub = request.app.state.hub
    meeting_id = request.path_params["meeting_id"]
    _, meeting = await hub.meeting(meeting_id)
    audience = meeting.livestream.audience
    if audience == "branch":
        audience = "public" if (await hub.branch(meeting.branch_id)).public_livestream else "members"
    if audience != "public":
        await invited(hub, request.query_params.get("token", ""), meeting_id)
    return meeting


def _refused(exc: HubError) -> Response:
    status = 404 if exc.code.endswith("not_found") else 403
    return error_response(exc.code, exc.message, status)


def _directory(request: Request, meeting_id: str, key: str) -> Path:
    root: Path = request.app.state.live_root
    return root / meeting_id / key


async def _watched_live(request: Request) -> tuple[Meeting, tuple[str, Path] | None]:
    """`_watched`, and while it is live, the livestream's key and its playlist's file."""
    meeting = await _watched(request)
    if not meeting.livestream.on:
        return meeting, None
    hub: Hub = request.app.state.hub
    key = await hub.store.known_live_key(meeting.id)
    if key is None:
        return meeting, None
    path = _directory(request, meeting.id, key) / PLAYLIST
    return meeting, ((key, path) if path.exists() else None)


async def live_status(request: Request) -> Response:
    """What the viewer page shows beside the video, and where the video is while the meeting is live."""
    try:
        meeting, found = await _watched_live(request)
    except HubError as exc:
        return _refused(exc)
    if found is not None:
        status = "live"
    elif meeting.livestream.ended_at is not None and not meeting.livestream.on:
        status = "ended"
    else:
        status = "waiting"
    token = request.query_params.get("token")
    playlist = f"/live/{meeting.id}/{PLAYLIST}" + (f"?token={quote(token, safe='')}" if token else "")
    data = {
        "status": status,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "time_zone": meeting.time_zone,
        "agenda": [{"id": item.id, "title": item.title} for item in meeting.agenda],
        "current_item": meeting.current_item,
        "speaker": _speaker(meeting),
        # The hub's clock, as the live segments' wall times are: a change without a time of its own
        # (another item) is shown from here.
        "at": datetime.now(UTC).isoformat(),
        "playlist": playlist if status == "live" else None,
        "recordings": _recordings(meeting, token),
    }
    return JSONResponse({"ok": True, "data": data}, headers=NO_STORE)


async def live_seen(request: Request) -> Response:
    """A viewer page's heartbeat while it plays the livestream, `{"viewer": ID}`: counted once a minute
    however often it comes (hub/store.py `seen_live`)."""
    try:
        meeting, found = await _watched_live(request)
    except HubError as exc:
        return _refused(exc)
    body = await read_json(request)
    if isinstance(body, Response):
        return body
    viewer = body.get("viewer")
    if not (isinstance(viewer, str) and VIEWER.fullmatch(viewer)):
        return error_response(
            "livestream.bad_viewer", "Send the viewer's id: 16 to 64 letters, digits, - or _.", 400
        )
    if found is None:
        return error_response("livestream.not_live", "This meeting is not live.", 404)
    hub: Hub = request.app.state.hub
    await hub.store.seen_live(meeting.id, viewer, hub.clock())
    return JSONResponse({"ok": True, "data": {}}, headers=NO_STORE)


def _speaker(meeting: Meeting) -> dict[str, Any] | None:
    """Who has the floor, and since when (the speech's start, less what ran before a pause; unknown while
    paused): the viewer page shows it when its video reaches that time."""
    speech = meeting.speech
    if speech is None:
        return None
    participant = meeting.participants.get(speech.member_id)
    name = participant.name if participant is not None else speech.member_id
    role = participant.role.value if participant is not None else "member"
    since = speech.started_at - timedelta(seconds=speech.elapsed_seconds) if speech.started_at else None
    return {"name": name, "role": role, "since": since.isoformat() if since else None}


async def live_playlist(request: Request) -> Response:
    """The live playlist, its segments named under the livestream's key."""
    try:
        _, found = await _watched_live(request)
    except HubError as exc:
        return _refused(exc)
    if found is None:
        return error_response("livestream.not_live", "This meeting is not live.", 404)
    key, path = found
    lines = [f"{key}/{line}" if SEGMENT.fullmatch(line) else line for line in path.read_text().splitlines()]
    return Response(
        "\n".join(lines) + "\n",
        media_type="application/vnd.apple.mpegurl",
        headers={"Cache-Control": PLAYLIST_CACHE},
    )


async def live_segment(request: Request) -> Response:
    """A segment, to whoever has the key (in production nginx serves these itself)."""
    meeting_id, key, name = (request.path_params[k] for k in ("meeting_id", "key", "name"))
    if not (MEETING.fullmatch(meeting_id) and KEY.fullmatch(key) and SEGMENT.fullmatch(name)):
        return error_response("livestream.not_found", "There is no such segment.", 404)
    path = _directory(request, meeting_id, key) / name
    if not path.is_file():
        return error_response("livestream.not_found", "There is no such segment.", 404)
    return FileResponse(path, media_type="video/mp2t", headers={"Cache-Control": SEGMENT_CACHE})


async def recording_file(request: Request) -> Response:
    """A recording's MP4 (Range requests answered: the player seeks) or its WebVTT chapters, to those who
    may watch the livestream, checked on each request."""
    try:
        meeting = await _watched(request)
    except HubError as exc:
        return _refused(exc)
    recording_id = request.path_params["recording_id"]
    ready = {r.id for r in meeting.livestream.recordings if r.status == "ready"}
    mp4 = request.url.path.endswith(".mp4")
    root: Path = request.app.state.live_root
    path = (
        root.parent / "recordings" / meeting.id / recording_id / (recordings.MP4 if mp4 else recordings.VTT)
    )
    if recording_id not in ready or not MEETING.fullmatch(recording_id) or not path.is_file():
        return error_response("recording.not_found", "There is no such recording.", 404)
    return FileResponse(
        path,
        media_type="video/mp4" if mp4 else "text/vtt",
        headers={"Cache-Control": RECORDING_CACHE},
    )


def _recordings(meeting: Meeting, token: str | None) -> list[dict[str, Any]]:
    # The link as asked for, echoed back: quoted, whatever was sent.
    query = f"?token={quote(token, safe='')}" if token else ""
    return [
        {
            "id": r.id,
            "mp4": f"/recordings/{meeting.id}/{r.id}.mp4{query}",
            "vtt": f"/recordings/{meeting.id}/{r.id}.vtt{query}",
            "seconds": r.seconds,
            "started_at": r.started_at.isoformat(),
        }
        for r in meeting.livestream.recordings
        if r.status == "ready"
    ]


def live_routes(page: Any) -> list[Route]:
    return [
        Route("/watch/{meeting_id}", page),
        Route("/api/live/{meeting_id}", live_status),
        Route("/api/live/{meeting_id}/seen", live_seen, methods=["POST"]),
        Route(f"/live/{{meeting_id}}/{PLAYLIST}", live_playlist),
        Route("/live/{meeting_id}/{key}/{name}", live_segment),
        Route("/recordings/{meeting_id}/{recording_id}.mp4", recording_file),
        Route("/recordings/{meeting_id}/{recording_id}.vtt", recording_file),
    ]
