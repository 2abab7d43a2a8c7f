"""The attendance register over HTTP: `/register/ID.csv?token=JOIN_TOKEN`, for the meeting's officers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hub import register
from hub.errors import HubError
from hub.models import OFFICER_ROLES
from hub.service import Hub


async def attendance_register(request: Request) -> Response:
    """The register of the meeting the join link is for, to its chair, secretary or an admin."""
    hub: Hub = request.app.state.hub
    meeting_id = request.path_params["meeting_id"]
    try:
        linked, actor = await hub.admit(request.query_params.get("token", ""))
        if linked != meeting_id or actor.role not in OFFICER_ROLES:
            raise HubError("forbidden", "Only the meeting's officers may export its register.")
        _, meeting = await hub.meeting(meeting_id)
        rows = register.entries(meeting, await hub.store.event_log(meeting_id))
    except HubError as exc:
        return PlainTextResponse(exc.message, status_code=404 if exc.code.endswith("not_found") else 403)
    return Response(
        register.to_csv(meeting, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="register-{meeting_id}.csv"',
            "Cache-Control": "no-store",
        },
    )
