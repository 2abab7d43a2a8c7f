"""A series of meetings in the officers' console: the hub's proposal of a rotation (or the officer's
own times, scored) and the series created from it, under `/api/officers/series`, behind the same
session and scope checks as the rest of the console (signalling/officers.py). The rules are in
hub/series.py."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from hub import series
from hub.directory import Directory
from signalling.officers import Call, OfficerRoute, console_routes


async def plan(directory: Directory, call: Call) -> Any:
    return await directory.plan_series(call.scope, call.form(series.SeriesTimes))


async def create(directory: Directory, call: Call) -> Any:
    made = await directory.create_series(call.scope, call.form(series.SeriesForm))
    branches = {b.id: b for b in await directory.hub.branches()}
    members = await directory.hub.members()
    return {
        "series": made[0].id,
        "meetings": [directory.meeting_view(m, branches, members) for m in made],
    }


ROUTES: tuple[OfficerRoute, ...] = (
    OfficerRoute(
        "POST", "/api/officers/series/plan", plan, "a series' rotation proposed, or its times scored"
    ),
    OfficerRoute("POST", "/api/officers/series", create, "create a series of meetings"),
)


def series_routes() -> list[Route]:
    return console_routes(ROUTES)
