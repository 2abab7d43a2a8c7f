"""Links members open: signed tokens with an expiry and an id to revoke. A join link is bound to one
member and one meeting; a home link to a member only (their meetings, calendar and minutes)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from hub.errors import HubError


@dataclass(frozen=True)
class Claims:
    member_id: str
    # Empty for a home link.
    meeting_id: str
    token_id: str
    expires_at: datetime


class Links:
    def __init__(self, secret: str) -> None:
        # Different salts: a home link can never be used as a join link, nor the other way round.
        self._join = URLSafeSerializer(secret, salt="hub.join")
        self._home = URLSafeSerializer(secret, salt="hub.home")

    def issue(self, member_id: str, meeting_id: str, expires_at: datetime) -> str:
        return self._issue(self._join, {"m": member_id, "mt": meeting_id}, expires_at)

    def issue_home(self, member_id: str, expires_at: datetime) -> str:
        return self._issue(self._home, {"m": member_id}, expires_at)

    def read(self, token: str, now: datetime) -> Claims:
        """A join link's claims, or `auth.invalid_token` / `auth.expired_token`."""
        return self._read(self._join, token, now, "join link")

    def read_home(self, token: str, now: datetime) -> Claims:
        return self._read(self._home, token, now, "home link")

    def read_any(self, token: str, now: datetime) -> Claims:
        """A join link's or a home link's claims (to revoke either)."""
        for read in (self.read, self.read_home):
            try:
                return read(token, now)
            except HubError as exc:
                if exc.code != "auth.invalid_token":
                    raise
        raise HubError("auth.invalid_token", "This link is not valid.")

    @staticmethod
    def _issue(serializer: URLSafeSerializer, claims: dict[str, Any], expires_at: datetime) -> str:
        payload = claims | {"id": secrets.token_urlsafe(9), "exp": int(expires_at.timestamp())}
        return str(serializer.dumps(payload))

    @staticmethod
    def _read(serializer: URLSafeSerializer, token: str, now: datetime, what: str) -> Claims:
        try:
            payload = serializer.loads(token)
            claims = Claims(
                member_id=str(payload["m"]),
                meeting_id=str(payload.get("mt", "")),
                token_id=str(payload["id"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (BadSignature, KeyError, TypeError, ValueError) as exc:
            raise HubError("auth.invalid_token", f"This {what} is not valid.") from exc
        if claims.expires_at <= now:
            raise HubError(
                "auth.expired_token",
                f"This {what} has expired; ask the branch for a new one.",
                {"expired_at": claims.expires_at.isoformat()},
            )
        return claims
