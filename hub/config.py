"""Settings for one hub process. Every one can be set by a command-line option or an environment
variable (see `hub serve --help` and docs/operations.md)."""

from __future__ import annotations

import json
import secrets
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from hub.reminders import DEFAULT as DEFAULT_REMINDERS


@dataclass(frozen=True)
class Limits:
    # Client events per member (all their connections together), e.g. "20/second": bursts of up to
    # 20, then 20 a second.
    events_rate: str = "20/second"
    # A client event's msgpack-encoded payload, in bytes.
    payload_bytes: int = 16 * 1024
    # A reconnecting client gets missed events up to this many, else a fresh snapshot.
    replay_events: int = 500
    # Connections one member may hold on a node (a new one closes their oldest), and one address (a
    # branch office behind one router) may open (beyond it, refused).
    connections_per_member: int = 5
    connections_per_address: int = 200
    # A meeting more have joined than this is sent as a big room (hub/crowds.py).
    crowd_above: int = 250
    # A member whose last connection drops stays present, and counted for quorum, this long.
    grace_seconds: float = 60.0

    # Chat messages per member on top of that: a meeting's chat is no place for a firehose, and each
    # message goes to everyone in the room.
    chat_rate: str = "10/minute"
    # Reactions per member on top of that: each is shown to everyone, so nobody may flood the room.
    reactions_rate: str = "10/minute"

    def __post_init__(self) -> None:
        self.events_per()
        self.chat_per()
        self.reactions_per()

    def events_per(self) -> tuple[int, float]:
        """`events_rate` as (events, seconds)."""
        return _rate("events_rate", self.events_rate)

    def chat_per(self) -> tuple[int, float]:
        return _rate("chat_rate", self.chat_rate)

    def reactions_per(self) -> tuple[int, float]:
        return _rate("reactions_rate", self.reactions_rate)


def _rate(name: str, text: str) -> tuple[int, float]:
    count, _, unit = text.partition("/")
    if unit not in RATE_UNITS or not count.isdigit() or int(count) < 1:
        raise ValueError(f"{name} must be like '20/second', not {text!r}")
    return int(count), RATE_UNITS[unit]


RATE_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


@dataclass(frozen=True)
class IceServer:
    """A STUN or TURN server for WebRTC, as in the browser's RTCIceServer."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None
    # A TURN server sharing this secret with the hub (coturn's `static-auth-secret`): each member gets
    # a time-limited username and credential made from it (hub/turn.py). Never sent anywhere.
    secret: str | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        server: dict[str, Any] = {"urls": list(self.urls)}
        if self.username is not None:
            server["username"] = self.username
        if self.credential is not None:
            server["credential"] = self.credential
        return server


def parse_ice_servers(text: str) -> tuple[IceServer, ...]:
    """ICE servers from JSON in the browser's format: `[{"urls": "turn:host:3478", "username": "u",
    "credential": "p"}]`, `urls` a string or a list of them."""
    try:
        entries = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"ICE servers must be JSON: {exc}") from None
    if not isinstance(entries, list):
        raise ValueError("ICE servers must be a JSON list of objects")
    return tuple(_ice_server(entry) for entry in entries)


def _ice_server(entry: Any) -> IceServer:
    if not isinstance(entry, dict) or not set(entry) <= {"urls", "username", "credential"}:
        raise ValueError('an ICE server is an object with "urls", and "username" and "credential" if needed')
    urls = entry.get("urls")
    urls = [urls] if isinstance(urls, str) else urls
    schemes = ("stun:", "turn:", "turns:")
    if (
        not isinstance(urls, list)
        or not urls
        or not all(isinstance(u, str) and u.startswith(schemes) for u in urls)
    ):
        raise ValueError("an ICE server needs urls starting with stun:, turn: or turns:")
    username, credential = entry.get("username"), entry.get("credential")
    if not isinstance(username, str | None) or not isinstance(credential, str | None):
        raise ValueError("an ICE server's username and credential are strings")
    return IceServer(tuple(urls), username, credential)


@dataclass(frozen=True)
class Mail:
    """Where the hub's mail goes: an SMTP server by URL (`smtp://` plain, for a relay on the same
    network; `smtp+starttls://` upgraded to TLS; `smtps://` TLS from the start; a user and password in
    the URL log in), who it comes from, and how fast it may go (the provider's limit)."""

    # repr=False: it may hold the password.
    url: str = field(repr=False)
    sender: str = ""
    rate: str = "5/second"
    # Overrides one in the URL (given through the environment, where `ps` does not show it).
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.server()
        self.per()
        if "@" not in self.sender:
            raise ValueError(f"a sender needs an address: {self.sender!r}")

    def server(self) -> SmtpServer:
        parts = urlsplit(self.url)
        tls = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}.get(parts.scheme)
        if tls is None or not parts.hostname:
            raise ValueError(f"an SMTP URL is smtp://, smtp+starttls:// or smtps://HOST[:PORT]: {self.url!r}")
        port = parts.port or {"none": 25, "starttls": 587, "tls": 465}[tls]
        user = unquote(parts.username) if parts.username else None
        password = self.password or (unquote(parts.password) if parts.password else None)
        return SmtpServer(parts.hostname, port, tls, user, password)

    def per(self) -> tuple[int, float]:
        return _rate("mail rate", self.rate)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    # "none", "starttls" or "tls".
    tls: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Oidc:
    """Single sign-on with an OpenID Connect provider: its issuer URL (discovery is read from
    ISSUER/.well-known/openid-configuration), the hub's client id and secret there, and the name the
    sign-in page gives the button."""

    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    name: str = "single sign-on"

    def __post_init__(self) -> None:
        parts = urlsplit(self.issuer)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError(f"an OpenID issuer is an https:// URL: {self.issuer!r}")
        if not self.client_id:
            raise ValueError("single sign-on needs the hub's client id at the provider")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # None: the embedded store in data_dir.
    redis_url: str | None = None
    data_dir: Path = Path("hub-data")
    # The address members open; join links start with it.
    public_url: str | None = None
    secret: str | None = None
    limits: Limits = field(default_factory=Limits)
    # STUN and TURN servers for the media relay; browsers get the same list when they join media, with
    # credentials of their own for a TURN server that shares a secret (which the relay itself skips).
    ice_servers: tuple[IceServer, ...] = ()
    # Browsers gather only relayed candidates (iceTransportPolicy "relay"): every member's media goes
    # through the TURN servers above, for a relay reachable only from them.
    ice_relay_only: bool = False
    # Tests only: the relay also gathers 127.0.0.1, so that peers on this machine connect over loopback.
    ice_loopback: bool = False
    # Each node renews its heartbeat this often; one not renewed for `node_expiry_seconds` is dead, and
    # the live nodes look for dead ones every `node_scan_seconds` and sweep their connections.
    node_beat_seconds: float = 2.0
    node_expiry_seconds: float = 10.0
    node_scan_seconds: float = 3.0
    # Which of `hub serve --workers N`'s processes this is (1 to N); None for a lone process.
    worker: int | None = None
    # None: mail is queued but nothing sends it (the console says so).
    mail: Mail | None = None
    # How long before a meeting's start members are reminded, unless the meeting says otherwise.
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    # None: members sign in by emailed link only.
    oidc: Oidc | None = None
    # Where livestreams write their segments (served as plain files, docs/livestream.md); None: in
    # data_dir.
    live_dir: Path | None = None

    @property
    def node(self) -> str:
        """This process's name among the hub's nodes: the machine's name and the port, so that two
        machines serving on the same address and port (`0.0.0.0:8000`) never take each other for one,
        and the worker (`host:8000-w2`) when several processes share the port. Never a slash: sessions
        are named `NODE/SID`."""
        name = f"{socket.gethostname()}:{self.port}"
        return name if self.worker is None else f"{name}-w{self.worker}"

    @property
    def live_root(self) -> Path:
        return self.live_dir or self.data_dir / "live"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def organizer(self) -> str:
        """The address the hub's calendar invitations come from: the sender's, else one at the hub's
        own host name."""
        if self.mail is not None:
            return parseaddr(self.mail.sender)[1]
        return f"hub@{urlsplit(self.base_url).hostname or 'localhost'}"

    def signing_secret(self) -> str:
        """The configured secret, else one kept in the data directory so links survive restarts."""
        if self.secret:
            return self.secret
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()
