"""The connections this node holds, by member, address and link: how many one member or one address may
open, the rate limit shared by all of a member's connections, and which connections a closure names
(a link revoked or expired, a member removed or deactivated). Memory only: each node counts what it holds."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiolimiter import AsyncLimiter

from hub.config import Limits
from hub.errors import HubError


@dataclass(frozen=True)
class Connection:
    sid: str
    meeting_id: str
    member_id: str
    token_id: str
    expires_at: datetime
    address: str
    # When this node registered it (time.monotonic).
    opened: float = field(default_factory=time.monotonic)

    @property
    def member(self) -> tuple[str, str]:
        return self.meeting_id, self.member_id


class Connections:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._by_sid: dict[str, Connection] = {}
        # Insertion-ordered, so the oldest of a member's connections comes first.
        self._by_member: defaultdict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        self._by_address: defaultdict[str, set[str]] = defaultdict(set)
        # Connections that have joined their meeting.
        self._joined: set[str] = set()
        # One leaky bucket per member in a meeting, shared by all their connections and kept after they
        # leave until it has drained, so reconnecting never buys a fresh allowance.
        self._buckets: dict[tuple[str, str], AsyncLimiter] = {}
        # A second bucket per member for events with a stricter rate of their own.
        self._rates = {
            "chat.send": (limits.chat_rate, limits.chat_per()),
            "reaction.send": (limits.reactions_rate, limits.reactions_per()),
        }
        self._event_buckets: dict[tuple[str, str, str], AsyncLimiter] = {}

    def __len__(self) -> int:
        return len(self._by_sid)

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def add(self, connection: Connection) -> list[str]:
        """Registers a new connection; returns the member's oldest connections it displaces (to close).
        Refuses one address more connections than the limit: a member's own extra tabs and devices
        displace their oldest, but many members behind one address are refused."""
        peers = self._by_address.get(connection.address, ())
        if len(peers) >= self.limits.connections_per_address:
            raise HubError(
                "auth.too_many_connections",
                "Too many connections from your network; close some and try again.",
                {"limit": self.limits.connections_per_address},
            )
        own = self._by_member[connection.member]
        displaced = list(own)[: max(0, len(own) - self.limits.connections_per_member + 1)]
        self._by_sid[connection.sid] = connection
        own[connection.sid] = None
        self._by_address[connection.address].add(connection.sid)
        return displaced

    def mark_joined(self, sid: str, joined: bool) -> None:
        if joined and sid in self._by_sid:
            self._joined.add(sid)
        else:
            self._joined.discard(sid)

    def joined(self) -> list[str]:
        return sorted(self._joined)

    def drop(self, sid: str) -> Connection | None:
        self._joined.discard(sid)
        connection = self._by_sid.pop(sid, None)
        if connection is None:
            return None
        own = self._by_member[connection.member]
        own.pop(sid, None)
        if not own:
            del self._by_member[connection.member]
        peers = self._by_address[connection.address]
        peers.discard(sid)
        if not peers:
            del self._by_address[connection.address]
        return connection

    async def take(self, connection: Connection, event: str) -> str | None:
        """Takes one event from the member's allowance; the rate that refuses it, if one does."""
        bucket = self._buckets.get(connection.member)
        if bucket is None:
            bucket = self._buckets[connection.member] = AsyncLimiter(*self.limits.events_per())
        buckets = [(bucket, self.limits.events_rate)]
        if event in self._rates:
            key = (*connection.member, event)
            rate, per = self._rates[event]
            own = self._event_buckets.get(key)
            if own is None:
                own = self._event_buckets[key] = AsyncLimiter(*per)
            buckets.append((own, rate))
        for limiter, rate in buckets:
            if not limiter.has_capacity():
                return rate
        for limiter, _ in buckets:
            # Returns at once: each has capacity.
            await limiter.acquire()
        return None

    def forget_drained(self) -> None:
        """Drops the buckets of members with no connection here whose allowance has fully come back."""
        for key in [k for k in self._buckets if k not in self._by_member]:
            if self._buckets[key].has_capacity(self._buckets[key].max_rate):
                del self._buckets[key]
        for event_key in [k for k in self._event_buckets if (k[0], k[1]) not in self._by_member]:
            if self._event_buckets[event_key].has_capacity(self._event_buckets[event_key].max_rate):
                del self._event_buckets[event_key]

    def named(self, closure: dict[str, Any]) -> list[str]:
        """The connections a closure names: `{"token": id}`, `{"meeting": id, "member": id}` (removed
        from a meeting) or `{"member": id}` (deactivated: in every meeting)."""
        token, meeting, member = closure.get("token"), closure.get("meeting"), closure.get("member")
        if isinstance(token, str):
            return [c.sid for c in self._by_sid.values() if c.token_id == token]
        if isinstance(meeting, str) and isinstance(member, str):
            return list(self._by_member.get((meeting, member), ()))
        if isinstance(member, str):
            return [c.sid for c in self._by_sid.values() if c.member_id == member]
        return []

    def older_than(self, opened: float) -> list[str]:
        return [c.sid for c in self._by_sid.values() if c.opened < opened]

    def meeting_ids(self) -> set[str]:
        return {c.meeting_id for c in self._by_sid.values()}

    def expired(self, now: datetime) -> list[str]:
        return [c.sid for c in self._by_sid.values() if c.expires_at <= now]

    def member_ids(self) -> set[str]:
        return {c.member_id for c in self._by_sid.values()}

    def token_ids(self) -> set[str]:
        return {c.token_id for c in self._by_sid.values()}
