"""Join links: signed tokens bound to one member and one meeting, with an expiry and an id to revoke."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from hub.errors import HubError


@dataclass(frozen=True)
class Claims:
    member_id: str
    meeting_id: str
    token_id: str
    expires_at: datetime


class JoinTokens:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt="hub.join")

    def issue(self, member_id: str, meeting_id: str, expires_at: datetime) -> str:
        payload = {
            "m": member_id,
            "mt": meeting_id,
            "id": secrets.token_urlsafe(9),
            "exp": int(expires_at.timestamp()),
        }
        return str(self._serializer.dumps(payload))

    def read(self, token: str, now: datetime) -> Claims:
        """The token's claims, or `auth.invalid_token` / `auth.expired_token`."""
        try:
            payload = self._serializer.loads(token)
            claims = Claims(
                member_id=str(payload["m"]),
                meeting_id=str(payload["mt"]),
                token_id=str(payload["id"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (BadSignature, KeyError, TypeError, ValueError) as exc:
            raise HubError("auth.invalid_token", "This join link is not valid.") from exc
        if claims.expires_at <= now:
            raise HubError(
                "auth.expired_token",
                "This join link has expired; ask the branch for a new one.",
                {"expired_at": claims.expires_at.isoformat()},
            )
        return claims
