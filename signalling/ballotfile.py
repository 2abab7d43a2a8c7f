"""`/ballots/MEETING/VOTE.blt?token=JOIN_TOKEN`: a closed ranked poll's anonymised ballots in the
standard BLT format, so anyone invited to the meeting can recount them with another program (or with
`hub count`). The file is made from the ballot box's count by ballot, which holds no voter."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hub import blt, polls, votes
from hub.errors import HubError
from hub.models import PollMethod
from hub.service import Hub
from signalling.minutes import invited


async def ballot_file(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    meeting_id, vote_id = request.path_params["meeting_id"], request.path_params["vote_id"]
    try:
        meeting, _ = await invited(hub, request.query_params.get("token", ""), meeting_id)
        vote = votes.find(meeting, vote_id)
        if vote.method != PollMethod.RANKED:
            raise HubError("vote.not_found", "Only a ranked poll's ballots are published as a BLT file.")
        if vote.status != "closed":
            return PlainTextResponse("The ballots are published when the poll closes.", status_code=409)
        _, counts = await hub.store.tally(meeting_id, vote_id)
    except HubError as exc:
        status = 404 if exc.code.endswith("not_found") else 403
        return PlainTextResponse(exc.message, status_code=status)
    return Response(
        blt.write(polls.profile(vote, counts)),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{meeting_id}-{vote_id}.blt"'},
    )
