"""Links members open: signed tokens with an expiry and an id to revoke. A join link is bound to one
member and one meeting; a home link to a member only (their meetings, calendar and minutes); a projector
link to a meeting only, to watch it and do nothing else; an unsubscribe link to a member, to turn their
reminders off. The same secret keys the names secret ballots give voters in Redis (`BallotSeal`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from hub.errors import HubError


@dataclass(frozen=True)
class Claims:
    # Empty for a projector link.
    member_id: str
    # Empty for a home link.
    meeting_id: str
    token_id: str
    expires_at: datetime


# Crockford's base32: no I, L, O or U, so a receipt read aloud or copied by hand survives.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


class BallotSeal:
    """Names for a secret ballot's voter that only the hub can make. Redis holds a voter's tag, never
    their member id, and the key behind tags lives with the signing secret, outside Redis: a copy of
    Redis (memory, append-only file, snapshot, replica) alone links no member to anything."""

    def __init__(self, secret: str) -> None:
        # Derived, so the key that names voters is not the key that signs links.
        self._key = hmac.new(secret.encode(), b"ballot-tags", hashlib.sha256).digest()

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self._key, "\0".join(parts).encode(), hashlib.sha256).digest()

    def tag(self, vote_id: str, member_id: str) -> str:
        """The voter in this vote's box: 22 base64url characters (132 bits), a different tag per vote."""
        return base64.urlsafe_b64encode(self._mac(vote_id, member_id)).decode()[:22]

    def receipt(self, vote_id: str, member_id: str) -> str:
        """The voter's receipt: the same however often they ask (a lost reply is answered again), 80
        bits as XXXX-XXXX-XXXX-XXXX. It is made from the tag, so the hub can post every receipt of a
        closed vote from the tags in its box."""
        return self.receipt_of(self.tag(vote_id, member_id))

    def receipt_of(self, tag: str) -> str:
        number = int.from_bytes(self._mac("receipt", tag)[:10], "big")
        chars = "".join(_CROCKFORD[(number >> shift) & 31] for shift in range(75, -5, -5))
        return "-".join(chars[i : i + 4] for i in range(0, 16, 4))

    @staticmethod
    def normal_receipt(text: str) -> str:
        """A receipt as typed (any case, spaces, O for 0, I or L for 1) in its printed form."""
        chars = "".join(c for c in text.upper().translate(_MISREAD) if c.isalnum())
        return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


class Links:
    def __init__(self, secret: str) -> None:
        # Different salts: no kind of link can be used as another.
        self._join = URLSafeSerializer(secret, salt="hub.join")
        self._home = URLSafeSerializer(secret, salt="hub.home")
        self._projector = URLSafeSerializer(secret, salt="hub.projector")
        self._unsubscribe = URLSafeSerializer(secret, salt="hub.unsubscribe")
        self.ballots = BallotSeal(secret)

    def issue(self, member_id: str, meeting_id: str, expires_at: datetime) -> str:
        return self._issue(self._join, {"m": member_id, "mt": meeting_id}, expires_at)

    def issue_home(self, member_id: str, expires_at: datetime) -> str:
        return self._issue(self._home, {"m": member_id}, expires_at)

    def issue_projector(self, meeting_id: str, expires_at: datetime) -> str:
        return self._issue(self._projector, {"m": "", "mt": meeting_id}, expires_at)

    def issue_unsubscribe(self, member_id: str, expires_at: datetime) -> str:
        """A link in the member's letters that turns their reminders off, and nothing else."""
        return self._issue(self._unsubscribe, {"m": member_id}, expires_at)

    def read(self, token: str, now: datetime) -> Claims:
        """A join link's claims, or `auth.invalid_token` / `auth.expired_token`."""
        return self._read(self._join, token, now, "join link")

    def read_home(self, token: str, now: datetime) -> Claims:
        return self._read(self._home, token, now, "home link")

    def read_projector(self, token: str, now: datetime) -> Claims:
        return self._read(self._projector, token, now, "projector link")

    def read_unsubscribe(self, token: str, now: datetime) -> Claims:
        return self._read(self._unsubscribe, token, now, "link")

    def read_any(self, token: str, now: datetime) -> Claims:
        """A join, home or projector link's claims (to revoke any of them)."""
        for read in (self.read, self.read_home, self.read_projector):
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
