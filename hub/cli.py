"""The `hub` command: serve the hub, load demo data, issue and revoke join links, recount ballots."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any, BinaryIO

import click

from hub import blt, imports, stagetable, stv, turn
from hub.config import IceServer, Limits, Mail, Oidc, Settings, parse_ice_servers
from hub.errors import HubError
from hub.invitations import Invitations, Invited
from hub.reminders import DEFAULT as DEFAULT_REMINDERS
from hub.reminders import describe as describe_reminders
from hub.reminders import parse as parse_reminders
from hub.runtime import open_hub
from hub.sessions import Sessions

# How long a clean stop waits for open connections to close before it ends them.
GRACEFUL_SHUTDOWN_SECONDS = 5


def _reminders(ctx: click.Context, param: click.Parameter, value: str) -> tuple[timedelta, ...]:
    try:
        return parse_reminders(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


reminders_option = click.option(
    "--reminders",
    envvar="HUB_REMINDERS",
    show_envvar=True,
    default=describe_reminders(DEFAULT_REMINDERS),
    show_default=True,
    callback=_reminders,
    help="How long before a meeting's start invited members are reminded by email, unless the meeting "
    "has its own: e.g. 1d,1h (w, d, h or m), or none.",
)


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
@reminders_option
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
@click.option(
    "--live-dir",
    envvar="HUB_LIVE_DIR",
    show_envvar=True,
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where livestreams write their segments, for nginx or a CDN to serve (default: DATA_DIR/live).",
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
    reminders: tuple[timedelta, ...],
    oidc_issuer: str | None,
    oidc_client_id: str | None,
    oidc_name: str,
    live_dir: Path | None,
    ice_loopback: bool,
) -> None:
    """Run the hub: web pages, Socket.IO, the media relay and the store."""
    import uvicorn

    from signalling import collector
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
        reminders=reminders,
        oidc=_oidc(oidc_issuer, oidc_client_id, oidc_name),
        ice_servers=ice_servers,
        ice_relay_only=ice_relay_only,
        ice_loopback=ice_loopback,
        limits=limits,
        live_dir=live_dir,
    )

    if demo:
        print_demo_links(settings, None)

    click.echo(f"Meeting hub on {settings.base_url}/  (store: {settings.redis_url or settings.data_dir})")
    if workers > 1:
        raise SystemExit(serve_workers(settings, workers, log_level, GRACEFUL_SHUTDOWN_SECONDS))
    collector.settle()
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


def _pairs(param: str, values: tuple[str, ...], example: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        left, equals, right = value.rpartition("=")
        if not equals or not left.strip() or not right.strip():
            raise click.BadParameter(f"{value!r} should be like {example}", param_hint=param)
        pairs.append((left.strip(), right.strip()))
    return pairs


def _balance_rule(groups: tuple[str, ...], minimums: tuple[str, ...]) -> stv.BalanceRule | None:
    members = _pairs("--group", groups, '"Ann Smith=women"')
    seats = _pairs("--at-least", minimums, "women=2")
    if not members and not seats:
        return None
    rule: dict[str, int] = {}
    for group, number in seats:
        if group in rule:
            raise click.BadParameter(f"{group!r} is given twice", param_hint="--at-least")
        if not number.isdigit() or int(number) < 1:
            raise click.BadParameter(
                f"{number!r} in {group}={number} is not a number of seats", param_hint="--at-least"
            )
        rule[group] = int(number)
    grouped: dict[str, str] = {}
    for name, group in members:
        if name in grouped:
            raise click.BadParameter(f"{name!r} is given a group twice", param_hint="--group")
        if group not in rule:
            raise click.BadParameter(f"{group!r} has no --at-least {group}=N", param_hint="--group")
        grouped[name] = group
    for group in rule:
        if group not in grouped.values():
            raise click.BadParameter(
                f"no candidate is in {group!r}: give them with --group", param_hint="--at-least"
            )
    return stv.BalanceRule(groups=grouped, minimums=rule)


@main.command("count")
@click.argument("ballots", type=click.File("rb"))
@click.option("--seats", type=click.IntRange(1), help="Seats to fill, instead of the number the file gives.")
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME=GROUP",
    help="A candidate's group for the balance rule, the name as the file writes it: "
    '--group "Ann Smith=women". Give it once for each candidate in a group.',
)
@click.option(
    "--at-least",
    "minimums",
    multiple=True,
    metavar="GROUP=SEATS",
    help="The balance rule: at least SEATS of the seats to GROUP, e.g. --at-least women=2.",
)
@click.option(
    "--seed", help="What a lot is drawn from. Default: the SHA-256 of the anonymised ballots (as BLT)."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the count as JSON: `elected` in order, and `stages`."
)
def count_ballots(
    ballots: BinaryIO,
    seats: int | None,
    groups: tuple[str, ...],
    minimums: tuple[str, ...],
    seed: str | None,
    as_json: bool,
) -> None:
    """Count the ranked ballots in a BLT file with the hub's rules and print the count stage by stage:
    one seat by the alternative vote, several by STV under the Scottish local government rules, with an
    optional balance rule (docs/elections.md). Use - to read standard input."""
    rule = _balance_rule(groups, minimums)
    source = getattr(ballots, "name", "<stdin>")
    try:
        text = ballots.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{source}: not UTF-8 text (byte {exc.start})") from None
    try:
        election = blt.parse(text)
        if seats is not None:
            election = election.with_seats(seats)
        result = stv.count(election, rule, seed)
    except blt.BltError as exc:
        raise click.ClickException(f"{source}: {exc}") from None
    except ValueError as exc:
        raise click.ClickException(f"{source}: cannot count: {exc}") from None
    click.echo(result.model_dump_json(indent=2) if as_json else stagetable.render(result), nl=as_json)


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
@click.argument("meeting_id")
@click.option(
    "--mail-from",
    envvar="HUB_MAIL_FROM",
    show_envvar=True,
    default=None,
    help="Who the hub's mail comes from (as `hub serve`): calendar invitations name its address.",
)
@reminders_option
def invite(
    settings: Settings, meeting_id: str, mail_from: str | None, reminders: tuple[timedelta, ...]
) -> None:
    """Invite MEETING_ID's members by email: everyone it invites who has not been invited yet gets their
    invitation, with their own join link and a calendar file, in their language. The letters wait in
    the outbox until a hub with an SMTP server sends them. Running it again invites only those not
    invited before (members added since); from the first invitation on, the running hub sends updates,
    a cancellation and reminders by itself."""
    organizer = parseaddr(mail_from)[1] if mail_from else settings.organizer

    async def run() -> Invited:
        async with open_hub(settings) as hub:
            return await Invitations(hub, settings.base_url, organizer, reminders).invite(meeting_id)

    invited = asyncio.run(run())
    click.echo(f"{invited.queued} invitation{'s' if invited.queued != 1 else ''} queued.")
    if invited.already:
        click.echo(f"{invited.already} invited before: nothing new for them.")
    if invited.no_address:
        click.echo(f"{invited.no_address} without an email address: not invited.")


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


def _checked(model: type[Any], **fields: Any) -> Any:
    """A form from options, its problems said as the console says them."""
    from pydantic import ValidationError

    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in exc.errors())
        raise click.UsageError(problems) from None


@main.group("admin")
def admin_group() -> None:
    """The constituency's administrators (who run everything in the officers' console)."""


@admin_group.command("add")
@store_options
@click.argument("email")
@click.argument("name")
@click.option("--id", "member_id", help="Their member number. Default: made from the address.")
@click.option("--time-zone", default="UTC", show_default=True, help="Their time zone, e.g. Europe/Berlin.")
@click.option("--language", type=click.Choice(["en", "es"]), default="en", show_default=True)
def add_admin(
    settings: Settings, email: str, name: str, member_id: str | None, time_zone: str, language: str
) -> None:
    """Make the member with address EMAIL an administrator, adding them as NAME if there is none: how
    an installation starts. They then sign in at /signin with that address."""
    from hub.models import Member
    from hub.officers import MemberForm

    form = _checked(MemberForm, name=name, email=email, time_zone=time_zone, language=language)
    if not form.email:
        raise click.BadParameter(
            "an administrator needs an email address to sign in with", param_hint="EMAIL"
        )
    if member_id is not None:
        _checked(Member, id=member_id, name=name)

    async def run() -> tuple[Member, bool]:
        async with open_hub(settings) as hub:
            found = await hub.member_by_email(form.email)
            if found is not None:
                promoted = found.model_copy(update={"admin": True})
                await hub.save_member(promoted)
                return promoted, False
            new_id = member_id or imports.generated_id(form.email)
            if await hub.store.get("member", new_id) is not None:
                raise click.ClickException(
                    f"Member {new_id} exists already with another address (or deactivated): "
                    "give their address, or another --id."
                )
            made = Member(
                id=new_id,
                name=form.name,
                email=form.email,
                time_zone=form.time_zone,
                language=form.language or "en",
                admin=True,
            )
            await hub.save_member(made)
            return made, True

    member, added = asyncio.run(run())
    said = "added as an administrator" if added else "is now an administrator"
    click.echo(f"{member.name} <{member.email}> (member {member.id}) {said}.")
    click.echo(f"They sign in at {settings.base_url}/signin with that address.")


@main.group("branch")
def branch_group() -> None:
    """The constituency's branches (as the officers' console manages them)."""


@branch_group.command("add")
@store_options
@click.argument("name")
@click.option("--id", "branch_id", help="The branch's id. Default: made from its name.")
@click.option("--time-zone", default="UTC", show_default=True, help="Its home time zone, e.g. Europe/Berlin.")
@click.option("--public-livestream", is_flag=True, help="Anyone, not only members, may watch its AGMs.")
def add_branch(
    settings: Settings, name: str, branch_id: str | None, time_zone: str, public_livestream: bool
) -> None:
    """Add a branch called NAME."""
    from hub.directory import Directory
    from hub.officers import OPERATOR, BranchForm

    form = _checked(
        BranchForm, id=branch_id, name=name, home_time_zone=time_zone, public_livestream=public_livestream
    )

    async def run() -> str:
        async with open_hub(settings) as hub:
            return (await Directory(hub).add_branch(OPERATOR, form)).id

    click.echo(f"Branch {asyncio.run(run())} added.")


@main.group("meeting")
def meeting_group() -> None:
    """Meetings (as the officers' console creates them)."""


@meeting_group.command("create")
@store_options
@click.argument("branch_id")
@click.argument("starts_at")
@click.option("--title", required=True, help="The meeting's title.")
@click.option(
    "--kind",
    type=click.Choice(["branch", "committee", "agm"]),
    default="branch",
    show_default=True,
    help="The template: its agenda, unless --agenda-item is given.",
)
@click.option("--time-zone", help="The zone STARTS_AT is in. Default: the branch's home zone.")
@click.option(
    "--invite",
    type=click.Choice(["branch", "branches", "everyone"]),
    default="branch",
    show_default=True,
    help="Who is invited: the branch's members, also those of the --also branches, or every member.",
)
@click.option(
    "--also", multiple=True, metavar="BRANCH_ID", help="Another branch invited (with --invite branches)."
)
@click.option("--agenda-item", "agenda", multiple=True, metavar="TITLE", help="An agenda item, in order.")
@click.option("--chair", metavar="MEMBER_ID", help="Appointed to chair this meeting.")
@click.option("--secretary", metavar="MEMBER_ID", help="Appointed secretary of this meeting.")
@click.option(
    "--teller", "tellers", multiple=True, metavar="MEMBER_ID", help="A teller (the secretary's role)."
)
@click.option("--lobby", is_flag=True, help="Members wait in the lobby until the chair admits them.")
@click.option(
    "--code-of-conduct", type=click.File("r"), help="A text file shown to members before they join."
)
def create_meeting(
    settings: Settings,
    branch_id: str,
    starts_at: str,
    title: str,
    kind: str,
    time_zone: str | None,
    invite: str,
    also: tuple[str, ...],
    agenda: tuple[str, ...],
    chair: str | None,
    secretary: str | None,
    tellers: tuple[str, ...],
    lobby: bool,
    code_of_conduct: Any,
) -> None:
    """Create a meeting of BRANCH_ID starting at STARTS_AT (YYYY-MM-DDTHH:MM, in the branch's zone or
    --time-zone), from a template. `hub invite` then sends the invitations."""
    from hub.directory import Directory
    from hub.officers import OPERATOR, MeetingForm

    form = _checked(
        MeetingForm,
        branch_id=branch_id,
        kind=kind,
        title=title,
        starts_at=starts_at.replace(" ", "T"),
        time_zone=time_zone,
        invite=invite,
        invited_branches=list(also),
        agenda=[{"title": item} for item in agenda],
        chair=chair,
        secretary=secretary,
        tellers=list(tellers),
        lobby=lobby,
        code_of_conduct=code_of_conduct.read() if code_of_conduct is not None else None,
    )

    async def run() -> tuple[str, str, int]:
        async with open_hub(settings) as hub:
            directory = Directory(hub)
            made = await directory.create_meeting(OPERATOR, form)
            branches = {b.id: b for b in await hub.branches()}
            shown = directory.meeting_view(made, branches, await hub.members())
            return made.id, f"{made.starts_at:%d %b %Y %H:%M} UTC", shown["invited"]

    meeting_id, when, invited = asyncio.run(run())
    click.echo(f"Meeting {meeting_id} created for {when}: {invited} members invited.")
