"""Settings for one hub process. Every one can be set by a command-line option or an environment
variable (see `hub serve --help` and docs/operations.md)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    # Client events per connection in a moving window, e.g. "20/second".
    events_rate: str = "20/second"
    # A client event's msgpack-encoded payload, in bytes.
    payload_bytes: int = 16 * 1024
    # A reconnecting client gets missed events up to this many, else a fresh snapshot.
    replay_events: int = 500


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

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

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
