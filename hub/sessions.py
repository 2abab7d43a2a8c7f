"""Signing in without a stored link: a member asks for a one-time link by email, opens it, and holds a
session from then on (a signed cookie naming a session kept in Redis, so it can be revoked).

- `hub:signin:token:SHA256`: the member a sign-in link stands for, until it is used (read and deleted
  at once: single use) or `LINK_TTL` passes. Only the token's hash is stored.
- `hub:signin:rate:address:SHA256` and `hub:signin:rate:client:CLIENT`: requests in the current window,
  per address asked for (known or not, so a refusal says nothing about the address) and per client.
- `hub:session:ID`: the member a session stands for and when it ends; `hub:sessions:MEMBER`: their
  sessions, so all can be revoked at once.

Whatever the address, asking for a link gets the same answer: nobody learns whether it is known."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import msgpack
import redis.asyncio as redis
from itsdangerous import BadSignature, URLSafeSerializer

from hub.errors import HubError

LINK_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(days=30)
# Requests for a link within `RATE_WINDOW`: per address, and per client (its IP address).
PER_ADDRESS = 3
PER_CLIENT = 10
RATE_WINDOW = timedelta(minutes=15)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normal_address(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class Session:
    id: str
    member_id: str
    expires_at: datetime


class Sessions:
    def __init__(self, client: redis.Redis, secret: str) -> None:
        self.redis = client
        # Derived, so the key that signs cookies is not the key that signs links.
        key = hmac.new(secret.encode(), b"sessions", hashlib.sha256).hexdigest()
        self._cookies = URLSafeSerializer(key, salt="session")

    async def allow(self, email: str, client: str) -> None:
        """Counts a request for a link; `signin.too_many` past either limit (with the seconds to wait)."""
        window_ms = int(RATE_WINDOW.total_seconds() * 1000)
        keys = [
            (f"hub:signin:rate:address:{_digest(normal_address(email))}", PER_ADDRESS),
            (f"hub:signin:rate:client:{client}", PER_CLIENT),
        ]
        async with self.redis.pipeline(transaction=True) as pipe:
            for key, _ in keys:
                # The window starts with the first request (SET NX, not EXPIRE NX, which the embedded
                # store's Redis 6.2 lacks); INCR keeps the expiry.
                pipe.set(key, 0, px=window_ms, nx=True)
                pipe.incr(key)
                pipe.pttl(key)
            replies = await pipe.execute()
        for n, (_, limit) in enumerate(keys):
            count, ttl_ms = replies[3 * n + 1], replies[3 * n + 2]
            if count > limit:
                wait = max(1, int(ttl_ms) // 1000)
                raise HubError(
                    "signin.too_many",
                    f"Too many sign-in links asked for: try again in {wait // 60 + 1} minutes.",
                    {"retry_after": wait},
                )

    async def issue_link(self, member_id: str) -> str:
        """A one-time sign-in token for the member."""
        token = secrets.token_urlsafe(32)
        ttl = int(LINK_TTL.total_seconds() * 1000)
        await self.redis.set(f"hub:signin:token:{_digest(token)}", member_id, px=ttl)
        return token

    async def redeem(self, token: str) -> str:
        """The member a sign-in token stands for; it cannot be used again."""
        found = await self.redis.getdel(f"hub:signin:token:{_digest(token)}")
        if found is None:
            raise HubError(
                "signin.invalid", "This sign-in link has been used or has expired: ask for another."
            )
        return cast(bytes, found).decode()

    async def open(self, member_id: str, now: datetime) -> tuple[Session, str]:
        """A new session and the cookie value that names it."""
        session = Session(secrets.token_urlsafe(18), member_id, now + SESSION_TTL)
        ttl = int(SESSION_TTL.total_seconds() * 1000)
        doc = {"member_id": member_id, "expires_at": session.expires_at.isoformat()}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(f"hub:session:{session.id}", msgpack.packb(doc), px=ttl)
            pipe.sadd(f"hub:sessions:{member_id}", session.id)
            pipe.pexpire(f"hub:sessions:{member_id}", ttl)
            await pipe.execute()
        return session, self._cookies.dumps(session.id)

    async def find(self, cookie: str | None) -> Session | None:
        """The session a cookie names, if it is genuine and still open."""
        if not cookie:
            return None
        try:
            session_id = self._cookies.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(session_id, str):
            return None
        blob = await self.redis.get(f"hub:session:{session_id}")
        if blob is None:
            return None
        doc: dict[str, Any] = msgpack.unpackb(cast(bytes, blob))
        return Session(session_id, doc["member_id"], datetime.fromisoformat(doc["expires_at"]))

    async def close(self, session: Session) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(f"hub:session:{session.id}")
            pipe.srem(f"hub:sessions:{session.member_id}", session.id)
            await pipe.execute()

    async def close_all(self, member_id: str) -> int:
        """Revoke every session of a member (a lost phone, a member leaving); how many there were."""
        ids = cast(set[bytes], await self.redis.smembers(f"hub:sessions:{member_id}"))
        async with self.redis.pipeline(transaction=True) as pipe:
            for session_id in ids:
                pipe.delete(f"hub:session:{session_id.decode()}")
            pipe.delete(f"hub:sessions:{member_id}")
            await pipe.execute()
        return len(ids)
