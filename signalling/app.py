"""The app factory: Starlette for pages and health, python-socketio around it for the real-time edge."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from hub.config import Settings
from hub.invitations import Invitations
from hub.runtime import open_hub
from hub.sessions import Sessions
from signalling import collector
from signalling.assets import page_headers, with_assets
from signalling.ballotfile import ballot_file
from signalling.closing import Closing
from signalling.delivery import QueuedEmit
from signalling.frames import Packet, guard
from signalling.gateway import Gateway
from signalling.headers import SecurityHeaders
from signalling.home import calendar, home_data
from signalling.homeballots import home_ballot_routes
from signalling.invitations import Rounds, invitation_routes
from signalling.live.routes import live_routes
from signalling.mailer import Mailer
from signalling.media.passthrough import allow_loopback_candidates
from signalling.minutes import published_minutes
from signalling.nodes import Nodes
from signalling.officers import officer_routes
from signalling.pubsub import RedisManager
from signalling.register import attendance_register
from signalling.series import series_routes
from signalling.signin import SignIn, signin_routes
from signalling.sso import SingleSignOn, sso_routes
from signalling.workers import name_sessions

STATIC = Path(__file__).parent / "static"


async def page(request: Request) -> Response:
    index = STATIC / "index.html"
    if not index.exists():
        return PlainTextResponse(
            "The web client is not built. Run scripts/setup (or `npm run build` in web/).",
            status_code=503,
        )
    return FileResponse(index, headers=page_headers(STATIC, request.headers.get("accept-language", "")))


HEALTH_TIMEOUT = 1.0


async def health(request: Request) -> Response:
    # A hung Redis (stopped, partitioned) must not hang the check: a balancer waits for the answer.
    try:
        store_ok = await asyncio.wait_for(request.app.state.hub.store.ping(), HEALTH_TIMEOUT)
    except Exception:
        store_ok = False
    body: dict[str, object] = {"ok": store_ok}
    # Under `hub serve --workers N`, which worker answered.
    if (worker := getattr(request.app.state, "worker", None)) is not None:
        body["worker"] = worker
    return JSONResponse(body, status_code=200 if store_ok else 503)


@asynccontextmanager
async def _loopback(enabled: bool) -> AsyncIterator[None]:
    """Tests only: the relay also gathers 127.0.0.1 while the app runs."""
    with ExitStack() as stack:
        if enabled:
            stack.enter_context(allow_loopback_candidates())
        yield


def create_app(settings: Settings) -> SecurityHeaders:
    manager = RedisManager(settings.redis_url) if settings.redis_url else QueuedEmit()
    sio = socketio.AsyncServer(
        async_mode="asgi",
        serializer=Packet,
        client_manager=manager,
        # The engine refuses packets beyond this; the gateway answers smaller oversized payloads.
        max_http_buffer_size=1024 * 1024,
    )
    if settings.worker is not None:
        name_sessions(sio, settings.worker)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_hub(settings) as hub, _loopback(settings.ice_loopback), collector.tending():
            node = settings.node
            gateway = Gateway(sio, hub, settings.limits, node, settings.ice_servers)
            gateway.media.relay_only = settings.ice_relay_only
            gateway.media.live_root = app.state.live_root = settings.live_root
            # Beating before the sweep below: a node sweeping this name as dead stops.
            nodes = Nodes(hub, node, settings, on_lapsed=gateway.rejoin)
            await nodes.start()
            # Meetings written by the previous release take this one's layout before anyone joins.
            await hub.upgrade()
            # Connections held before a crash are gone. The embedded store serves one process, so all
            # its sessions are stale; on a shared Redis only this node's are.
            await hub.sweep(node if settings.redis_url else None)
            # The sweep read every meeting: those adjourned resume on time, even if nobody comes back.
            for meeting_id, until in hub.adjournments().items():
                gateway.resumptions.watch(meeting_id, until)
            # Livestreams that were on go on, from their last segment, on the node that runs their media.
            for meeting_id in hub.livestreams():
                await gateway.media.meeting_changed(meeting_id)
            # Recordings that a crash (or a stop) left unfinished are finished, in the background.
            gateway.media.recover_recordings()
            app.state.hub = hub
            app.state.worker = settings.worker
            app.state.relay = gateway.media
            # Members are found by address to sign in, and the deactivated are known to every node; a
            # store from before these indexes gets them now.
            await hub.index_members()
            app.state.signin = SignIn(
                hub, Sessions(hub.store.redis, settings.signing_secret()), settings.base_url
            )
            if settings.oidc is not None:
                app.state.sso = SingleSignOn(app.state.signin, settings.oidc, hub.store.redis)
            # Every process runs a sender; the outbox lets one send at a time.
            mailer = Mailer(hub.outbox, settings.mail, node) if settings.mail is not None else None
            if mailer is not None:
                mailer.start()
            app.state.sending = mailer is not None
            # Invitations, and the updates, cancellations and reminders that follow them.
            invitations = Invitations(hub, settings.base_url, settings.organizer, settings.reminders)
            app.state.invitations = invitations
            rounds = Rounds(invitations, node)
            rounds.start()
            # Advance polls close at their time, and members cast in them from their home page.
            closing = Closing(hub, gateway.ballots)
            closing.start()
            app.state.ballots = gateway.ballots
            yield
            await closing.stop()
            await rounds.stop()
            if mailer is not None:
                await mailer.stop()
            await gateway.media.stop()
            await gateway.stop()
            await gateway.resumptions.stop()
            await gateway.ballots.stop()
            await gateway.reactions.stop()
            await gateway.broadcast.stop()
            await sio.shutdown()
            await nodes.stop()
            if isinstance(manager, RedisManager):
                await manager.close()

    web = Starlette(
        routes=[
            Route("/", page),
            Route("/join/{token}", page),
            Route("/home/{token}", page),
            Route("/home", page),
            Route("/signin", page),
            Route("/officers", page),
            *officer_routes(),
            *invitation_routes(),
            *series_routes(),
            *sso_routes(),
            Route("/signin/{token}", page),
            *signin_routes(),
            Route("/api/home/{token}", home_data),
            *home_ballot_routes(),
            Route("/calendar/{token}.ics", calendar(settings.base_url)),
            Route("/healthz", health),
            Route("/minutes/{meeting_id}.{format:str}", published_minutes),
            Route("/ballots/{meeting_id}/{vote_id}.blt", ballot_file),
            Route("/register/{meeting_id}.csv", attendance_register),
            *live_routes(page),
        ],
        lifespan=lifespan,
    )
    # A slash redirect would be built from the request's Host header.
    web.router.redirect_slashes = False
    app = SecurityHeaders(
        guard(socketio.ASGIApp(sio, other_asgi_app=with_assets(web, STATIC / "assets"))),
        https=settings.base_url.startswith("https://"),
        max_body=sio.eio.max_http_buffer_size,
    )
    # The running hub and relay, for whoever holds the app (tests reach the relay through it).
    app.state = web.state
    return app
