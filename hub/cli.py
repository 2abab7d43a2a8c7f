"""The `hub` command: serve the hub, load demo data, issue and revoke join links."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import click

from hub import imports, turn
from hub.config import IceServer, Limits, Mail, Oidc, Settings, parse_ice_servers
from hub.errors import HubError
from hub.runtime import open_hub
from hub.sessions import Sessions

# How long a clean stop waits for open connections to close before it ends them.
GRACEFUL_SHUTDOWN_SECONDS = 5


def store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that opens the store."""
    options = [
        click.option(
            "--redis-url",
            envvar="HUB_REDIS_URL",
            show_envvar=True,
            default=None,
            help="Redis server to use, e.g. redis://localhost:6379/0. "
            "Without one the hub runs its own embedded store in the data directory.",
        ),
        click.option(
            "--data-dir",
            envvar="HUB_DATA_DIR",
            show_envvar=True,
            default="hub-data",
            show_default=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Where the embedded store and the signing secret are kept.",
        ),
        click.option(
            "--host",
            envvar="HUB_HOST",
            show_envvar=True,
            default="127.0.0.1",
            show_default=True,
            help="Address to listen on.",
        ),
        click.option(
            "--port",
            envvar="HUB_PORT",
            show_envvar=True,
            default=8000,
            show_default=True,
            type=click.IntRange(0, 65535),
            help="Port to listen on.",
        ),
        click.option(
            "--public-url",
            envvar="HUB_PUBLIC_URL",
            show_envvar=True,
            default=None,
            help="The address members open (join links start with it). Default: http://HOST:PORT.",
        ),
    ]
    for option in reversed(options):
        command = option(command)

    @functools.wraps(command)
    def wrapper(
        redis_url: str | None,
        data_dir: Path,
        host: str,
        port: int,
        public_url: str | None,
        **kwargs: Any,
    ) -> Any:
        # The secret comes only from the environment, never the command line (where `ps` shows it).
        settings = Settings(
            host=host,
            port=port,
            redis_url=redis_url,
            data_dir=data_dir,
            public_url=public_url,
            secret=os.environ.get("HUB_SECRET") or None,
        )
        try:
            return command(settings=settings, **kwargs)
        except HubError as exc:
            # A refusal is a message for the operator, not a traceback.
            raise click.ClickException(f"{exc.message} ({exc.code})") from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """The meeting hub: formal branch meetings online, with live motions, speaker queues and votes.

    The signing secret for join links comes from HUB_SECRET, or is kept in the data directory.
    """


def _ice_servers(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[IceServer, ...]:
    try:
        # The TURN secret, like the signing secret, only from the environment.
        return turn.with_secret(parse_ice_servers(value) if value else (), os.environ.get("HUB_TURN_SECRET"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@store_options
@click.option("--log-level", default="info", show_default=True, help="uvicorn's log level.")
@click.option("--demo", is_flag=True, help="Load the demo first and print its join links (as `hub demo`).")
@click.option(
    "--ice-servers",
    envvar="HUB_ICE_SERVERS",
    show_envvar=True,
    callback=_ice_servers,
    help='STUN and TURN servers for audio and video, as JSON: [{"urls": "turn:turn.example.org:3478", '
    '"username": "...", "credential": "..."}]. Prefer the variable when it holds credentials. A TURN '
    "server given without them shares HUB_TURN_SECRET with the hub (coturn's static-auth-secret), and each "
    "member gets credentials of their own, valid for a day.",
)
@click.option(
    "--ice-relay-only",
    envvar="HUB_ICE_RELAY_ONLY",
    show_envvar=True,
    is_flag=True,
    help="Browsers send and receive media only through the TURN servers (iceTransportPolicy relay): for a "
    "hub whose media ports only the TURN servers reach.",
)
@click.option(
    "--connections-per-address",
    envvar="HUB_CONNECTIONS_PER_ADDRESS",
    show_envvar=True,
    default=Limits.connections_per_address,
    show_default=True,
    type=click.IntRange(1),
    help="Connections one client address may hold on this node. Raise it where many members share one "
    "address (a carrier's NAT, a hall on one router); behind a proxy, the hub sees the address the "
    "proxy forwards.",
)
@click.option(
    "--crowd-above",
    envvar="HUB_CROWD_ABOVE",
    show_envvar=True,
    default=Limits.crowd_above,
    show_default=True,
    type=click.IntRange(0),
    help="A meeting more people have joined than this is sent as a big room: counts and a roster read page "
    "by page instead of everyone, and no event for each arrival.",
)
@click.option(
    "--grace-seconds",
    envvar="HUB_GRACE_SECONDS",
    show_envvar=True,
    default=Limits.grace_seconds,
    show_default=True,
    type=click.FloatRange(0, 3600),
    help="A member whose connection drops stays present, and counted for quorum, this long before they "
    "count as gone, so a poor connection does not make the quorum flicker. 0: gone at once.",
)
@click.option(
    "--workers",
    envvar="HUB_WORKERS",
    show_envvar=True,
    default=1,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Hub processes serving this port, to use every core (about one per core). Each connection stays "
    "on the process that accepted it. Needs --redis-url.",
)
# Tests only: lets peers on this machine reach the relay over 127.0.0.1.
@click.option(
    "--smtp-url",
    envvar="HUB_SMTP_URL",
    show_envvar=True,
    default=None,
    help="The SMTP server that sends the hub's mail: smtp+starttls://USER@HOST:587, smtps://USER@HOST:465 "
    "or smtp://HOST:25 (give the password as HUB_SMTP_PASSWORD). Without one, mail waits in the outbox.",
)
@click.option(
    "--mail-from",
    envvar="HUB_MAIL_FROM",
    show_envvar=True,
    default=None,
    help='Who the hub\'s mail comes from, e.g. "Branch Hub <hub@example.org>". Needed with --smtp-url.',
)
@click.option(
    "--mail-rate",
    envvar="HUB_MAIL_RATE",
    show_envvar=True,
    default="5/second",
    show_default=True,
    help="How fast mail may go, within the provider's limit: N/second, N/minute or N/hour.",
)
@click.option(
    "--oidc-issuer",
    envvar="HUB_OIDC_ISSUER",
    show_envvar=True,
    default=None,
    help="Single sign-on: the OpenID Connect provider's issuer URL (https). Give the client secret as "
    "HUB_OIDC_CLIENT_SECRET.",
)
@click.option(
    "--oidc-client-id",
    envvar="HUB_OIDC_CLIENT_ID",
    show_envvar=True,
    default=None,
    help="The hub's client id.",
)
@click.option(
    "--oidc-name",
    envvar="HUB_OIDC_NAME",
    show_envvar=True,
    default="single sign-on",
    show_default=True,
    help='What the sign-in page calls the provider ("Sign in with ...").',
)
@click.option("--ice-loopback", envvar="HUB_ICE_LOOPBACK", is_flag=True, hidden=True)
def serve(
    settings: Settings,
    log_level: str,
    demo: bool,
    ice_servers: tuple[IceServer, ...],
    ice_relay_only: bool,
    connections_per_address: int,
    crowd_above: int,
    grace_seconds: float,
    workers: int,
    smtp_url: str | None,
    mail_from: str | None,
    mail_rate: str,
    oidc_issuer: str | None,
    oidc_client_id: str | None,
    oidc_name: str,
    ice_loopback: bool,
) -> None:
    """Run the hub: web pages, Socket.IO, the media relay and the store."""
    import uvicorn

    from signalling.app import create_app
    from signalling.workers import serve_workers

    if workers > 1 and settings.redis_url is None:
        raise click.UsageError(
            "--workers above 1 needs --redis-url: the embedded store serves one process, and the workers "
            "share their state and room events through Redis."
        )
    if ice_relay_only and not any(turn.is_turn(server) for server in ice_servers):
        raise click.UsageError("--ice-relay-only needs a TURN server in --ice-servers.")
    if workers > 1 and settings.port == 0:
        raise click.UsageError("--workers above 1 needs a fixed --port: the workers all bind it.")

    limits = dataclasses.replace(
        settings.limits,
        connections_per_address=connections_per_address,
        crowd_above=crowd_above,
        grace_seconds=grace_seconds,
    )
    settings = dataclasses.replace(
        settings,
        mail=_mail(smtp_url, mail_from, mail_rate),
        oidc=_oidc(oidc_issuer, oidc_client_id, oidc_name),
        ice_servers=ice_servers,
        ice_relay_only=ice_relay_only,
        ice_loopback=ice_loopback,
        limits=limits,
    )

    if demo:
        print_demo_links(settings, None)

    click.echo(f"Meeting hub on {settings.base_url}/  (store: {settings.redis_url or settings.data_dir})")
    if workers > 1:
        raise SystemExit(serve_workers(settings, workers, log_level, GRACEFUL_SHUTDOWN_SECONDS))
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        # A client that ignores the close frame must not hold up a clean stop.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        log_config=log_config(),
    )


def _mail(url: str | None, sender: str | None, rate: str) -> Mail | None:
    if url is None:
        return None
    if not sender:
        raise click.UsageError("--smtp-url needs --mail-from: who the mail comes from.")
    try:
        return Mail(url=url, sender=sender, rate=rate, password=os.environ.get("HUB_SMTP_PASSWORD") or None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _oidc(issuer: str | None, client_id: str | None, name: str) -> Oidc | None:
    if issuer is None:
        return None
    secret = os.environ.get("HUB_OIDC_CLIENT_SECRET", "")
    try:
        return Oidc(issuer=issuer, client_id=client_id or "", client_secret=secret, name=name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with link tokens taken out of every line its handlers write (its access
    and error lines, and the hub's own warnings and errors, which otherwise reach no handler)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "signalling.headers.RedactTokens"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


@main.command()
@store_options
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="How long the printed links stay valid. Default: until the demo meeting is over.",
)
def demo(settings: Settings, days: int | None) -> None:
    """Load the sample constituency and its AGM, and print join links for enough members to make it
    quorate, and their home pages."""
    print_demo_links(settings, days)


def print_demo_links(settings: Settings, days: int | None) -> None:
    from hub.demo import DEMO_MEETING_ID, LINKS_LAST_AT_LEAST, load_demo, meeting_over

    now = datetime.now(UTC)
    needed = max(meeting_over() - now, LINKS_LAST_AT_LEAST)
    if days is None:
        valid_for = timedelta(days=math.ceil(needed / timedelta(days=1)))
    elif timedelta(days=days) < needed:
        # A link that dies before the meeting is over would leave the demo's members locked out of it.
        raise click.BadParameter(
            f"links valid {days} days would expire before the demo meeting is over "
            f"({meeting_over():%d %b %Y}); give at least {math.ceil(needed / timedelta(days=1))}, "
            "or leave --days out.",
            param_hint="--days",
        )
    else:
        valid_for = timedelta(days=days)

    async def run() -> tuple[list[Any], list[str]]:
        async with open_hub(settings) as hub:
            links = await load_demo(hub, valid_for)
            homes = [await hub.issue_home_link(m.id, valid_for) for m, _, _ in links]
            return links, homes

    links, homes = asyncio.run(run())
    expires = now + valid_for
    click.echo(
        f"Demo meeting '{DEMO_MEETING_ID}' is ready. Join links (valid until {expires:%d %b %Y}; "
        f"{len(links)} members, enough for its quorum):"
    )
    for member, role, token in links:
        click.echo(f"  {role.value:<9} {member.name:<20} {settings.base_url}/join/{token}")
    click.echo("Home pages (upcoming meetings, calendar, minutes):")
    for (member, _, _), token in zip(links, homes, strict=True):
        click.echo(f"  {member.name:<30} {settings.base_url}/home/{token}")


@main.command()
@store_options
@click.argument("member_id")
@click.argument("meeting_id")
@click.option("--days", default=14, show_default=True, help="How long the link stays valid.")
def link(settings: Settings, member_id: str, meeting_id: str, days: int) -> None:
    """Print a join link for MEMBER_ID to MEETING_ID."""

    async def run() -> str:
        async with open_hub(settings) as hub:
            return await hub.issue_link(member_id, meeting_id, timedelta(days=days))

    click.echo(f"{settings.base_url}/join/{asyncio.run(run())}")


@main.command("home-link")
@store_options
@click.argument("member_id")
@click.option("--days", default=365, show_default=True, help="How long the link stays valid.")
def home_link(settings: Settings, member_id: str, days: int) -> None:
    """Print MEMBER_ID's home link: their upcoming meetings, a calendar feed and published minutes."""

    async def run() -> str:
        async with open_hub(settings) as hub:
            return await hub.issue_home_link(member_id, timedelta(days=days))

    click.echo(f"{settings.base_url}/home/{asyncio.run(run())}")


@main.group()
def members() -> None:
    """The constituency's members."""


@members.command("import")
@store_options
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Print what importing would do and save nothing.")
def import_members(settings: Settings, file: BinaryIO, dry_run: bool) -> None:
    """Import members from a CSV FILE (a spreadsheet's export: comma, semicolon or tab, UTF-8): every
    row is matched by member number, then email, and shown as new, updated, unchanged or an error.
    Nothing is saved while any row has an error."""
    data = file.read()

    async def run() -> imports.Preview:
        async with open_hub(settings) as hub:
            return await hub.import_members(data, save=not dry_run)

    found = asyncio.run(run())
    for problem in found.problems:
        click.echo(f"file: {problem.message}", err=True)
    for row in found.rows:
        if row.outcome == imports.Outcome.ERROR:
            why = "; ".join(f"{p.column}: {p.message}" for p in row.problems)
            click.echo(f"line {row.line:>6}  error      {why}")
        elif row.member is not None and (row.outcome != imports.Outcome.UNCHANGED or dry_run):
            changed = f"  ({', '.join(row.changed)})" if row.changed else ""
            who = f"{row.member.id}  {row.member.name}"
            click.echo(f"line {row.line:>6}  {row.outcome.value:<10} {who}{changed}")
    if found.rows:
        click.echo(", ".join(f"{n} {outcome}" for outcome, n in found.counts.items()))
    if not found.ok:
        raise click.ClickException("Nothing was saved: correct the rows above and import the file again.")
    click.echo("Nothing saved (a dry run)." if dry_run else "Saved.")


@main.command("sign-out")
@store_options
@click.argument("member_id")
def sign_out(settings: Settings, member_id: str) -> None:
    """End every session MEMBER_ID holds from signing in by email (a lost phone, a member leaving)."""

    async def run() -> int:
        async with open_hub(settings) as hub:
            await hub.member(member_id)
            return await Sessions(hub.store.redis, settings.signing_secret()).close_all(member_id)

    ended = asyncio.run(run())
    click.echo(f"{ended} session{'s' if ended != 1 else ''} ended.")


@main.command()
@store_options
@click.argument("token")
def revoke(settings: Settings, token: str) -> None:
    """Withdraw a join or home link (give the token, or the whole link) before it expires."""
    token = token.rstrip("/").rsplit("/", 1)[-1]

    async def run() -> None:
        async with open_hub(settings) as hub:
            await hub.revoke_link(token)

    asyncio.run(run())
    click.echo("Link revoked.")
