"""The hub store: the only module that talks to Redis.

Keys carry a hash tag per meeting (`hub:{m:ID}:...`) so that one meeting's keys share a Cluster slot and
the commit script may touch all of them. Values are msgpack.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import msgpack
import redis.asyncio as redis
from redis.asyncio.connection import BlockingConnectionPool
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hub import crowds

Doc = dict[str, Any]

# The errors that mean the store cannot be reached right now (down, restarting, hung): a command
# refused for one of these may be retried, unlike any other failure.
OUTAGES: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)


def _script(name: str) -> str:
    return resources.files("hub").joinpath(f"lua/{name}.lua").read_text()


_BALLOT_PARTS = ("box", "weights", "ballots", "voted", "receipts", "counts")
# Advance polls by closing time (signalling/closing.py closes them).
_CLOSING = "hub:closing"


def _pack(value: Doc) -> bytes:
    return cast(bytes, msgpack.packb(value, use_bin_type=True))


def _unpack(blob: bytes) -> Doc:
    return cast(Doc, msgpack.unpackb(blob, raw=False))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _events(entries: Any) -> list[Doc]:
    return [_event(stream_id, fields) for stream_id, fields in entries]


def _event(stream_id: bytes, fields: dict[bytes, bytes]) -> Doc:
    """An event from its stream entry. One committed by commute.lua left the counts out of its patch,
    since only Redis knew them: they are in `n`, and go back in here."""
    event = _unpack(fields[b"e"])
    counts = fields.get(b"n")
    if counts is not None:
        event["version"] = int(stream_id.split(b"-")[0])
        event["patch"] = crowds.counted(event["patch"], _counts(counts))
    return event


def _counts(text: bytes) -> dict[str, int]:
    """Presence counts from their form in a stream entry: "name=n name=n"."""
    return {name: int(n) for name, n in (pair.split("=") for pair in text.decode().split())}


def _count_text(counts: dict[str, int]) -> str:
    return " ".join(f"{name}={n}" for name, n in counts.items())


def _count_map(flat: Any) -> dict[str, int] | None:
    """Counts from HGETALL (a dict, or a script's flat list); None when there are none stored."""
    items = flat.items() if isinstance(flat, dict) else zip(flat[::2], flat[1::2], strict=True)
    counts = {_text(name): int(n) for name, n in items}
    return counts or None


def _answer(reply: asyncio.Future[Any]) -> asyncio.Future[Committed | None]:
    """A commit's or a commute's reply, as it comes: {1, version, prior, previous tag, counts...} or
    {0, ...}."""
    result: asyncio.Future[Committed | None] = asyncio.get_running_loop().create_future()

    def parsed(done: asyncio.Future[Any]) -> None:
        if result.done():
            return
        if done.cancelled():
            result.cancel()
        elif (error := done.exception()) is not None:
            result.set_exception(error)
        else:
            found = done.result()
            if not found[0]:
                result.set_result(None)
            else:
                counts = _count_map(found[4:]) if len(found) > 4 else None
                result.set_result(Committed(int(found[1]), int(found[2]), _text(found[3]), counts))

    reply.add_done_callback(parsed)
    return result


_CLOSURES = "hub:closures"
_INACTIVE = "hub:inactive"


def _meeting(meeting_id: str, part: str) -> str:
    return f"hub:{{m:{meeting_id}}}:{part}"


# Drops waiting out the grace period (`Store.away`), and the most one look takes.
_AWAY = "hub:away"
AWAY_PAGE = 500


def _meeting_member(entry: str) -> tuple[str, str]:
    meeting_id, member_id, _ = entry.split(" ")
    return meeting_id, member_id


# One hash tag for every node key, so that a script may touch a node's heartbeat and the set together.
_NODES = "hub:{nodes}:known"
_NODE_BEAT = "hub:{nodes}:beat:"
_FORGET_NODE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('SREM', KEYS[2], ARGV[1])
"""


# Under Sentinel, python-socketio's URL form:
# redis+sentinel://[[user]:password@]host:port[,host:port...]/DB/SERVICE
SENTINEL_SCHEME = "redis+sentinel"
# How long a write under Sentinel waits for a replica to confirm it before it is refused as an outage.
REPLICA_WAIT_MS = 1000


class NotReplicated(RedisConnectionError):
    """No replica confirmed the write in time: it may be lost if the primary fails, so it is not
    acknowledged (it is an outage, retried by the client; the scripts are safe to run again)."""


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: list[tuple[str, int]]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None


def parse_sentinel_url(url: str) -> SentinelTarget:
    """The sentinels, service and database of a `redis+sentinel://` URL, read as python-socketio reads
    it (`socketio.redis_manager.parse_redis_sentinel_url`), so the state and the manager follow the
    same primary. Unlike python-socketio's, a service name is required (it would fall back on the
    channel's name) and a query string is refused rather than ignored."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ValueError(f"not a {SENTINEL_SCHEME}:// URL")
    if parts.query or parts.fragment:
        raise ValueError("a Sentinel URL takes no query string or fragment")
    sentinels = []
    for host_port in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = host_port.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"a sentinel must be given as host:port, not {host_port!r}")
        sentinels.append((host.strip("[]"), int(port)))
    path = parts.path.split("/")
    db = int(path[1]) if len(path) >= 2 and path[1] else 0
    service = path[2] if len(path) >= 3 else ""
    if not service:
        raise ValueError("a Sentinel URL names its service: redis+sentinel://HOST:PORT,.../DB/SERVICE")
    return SentinelTarget(
        sentinels,
        service,
        db,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


class StoreClosed(RedisConnectionError):
    """A call made after the store was closed, by work still running at shutdown."""


class _ClosingPool(BlockingConnectionPool):
    """A pool that stays closed. redis-py's own lends a closed pool's next caller a new connection,
    which nothing then closes: work still running at shutdown left sockets open after the loop was gone.
    A closed one refuses to lend and closes any connection given back to it."""

    _closed = False

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        if self._closed:
            raise StoreClosed("The store is closed.")
        return await super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call]

    async def release(self, connection: Any) -> None:
        await super().release(connection)
        if self._closed:
            await connection.disconnect()

    async def aclose(self) -> None:
        self._closed = True
        await super().aclose()


class _SentinelPool(SentinelConnectionPool, _ClosingPool):
    """Sentinel's pool, which asks the sentinels for the primary before each new connection and drops
    idle ones when it moves, waiting for a free connection as `BlockingConnectionPool` does. It owns
    its sentinels' clients and closes them with itself."""

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            await self.sentinel_manager.aclose()


def connect(url: str, connections: int) -> redis.Redis:
    """A client on a bounded pool that waits for a free connection: a burst of ballots or
    disconnects queues here instead of failing with "too many connections". A `redis+sentinel://`
    URL gives a client of the service's current primary, which follows a failover."""
    if urlsplit(url).scheme != SENTINEL_SCHEME:
        pool = _ClosingPool.from_url(url, max_connections=connections, timeout=30)
        return redis.Redis.from_pool(pool)
    target = parse_sentinel_url(url)
    # A sentinel that does not answer within a second is skipped for the next one; a primary whose
    # machine vanished is given up on after two, and the sentinels asked again.
    sentinel = Sentinel(
        target.sentinels,
        sentinel_kwargs={"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
        socket_connect_timeout=2.0,
        db=target.db,
        username=target.username,
        password=target.password,
    )
    return cast(
        redis.Redis,
        sentinel.master_for(
            target.service, connection_pool_class=_SentinelPool, max_connections=connections, timeout=30
        ),
    )


def replicated(url: str) -> bool:
    return urlsplit(url).scheme == SENTINEL_SCHEME


# One call to a batched script: its keys, its arguments, and where its reply goes.
Call = tuple[list[str], Sequence[Any], "asyncio.Future[Any]"]


class Batched:
    """Calls to one script made while a pipeline of them is in flight go out together in the next
    pipeline. A storm of ballots then costs a few round trips instead of one per ballot, and redis-py's
    work per call (taking a connection from the pool, a write, a read) is shared by the batch.

    With `replicas`, each pipeline ends with WAIT on the same connection, and its calls are answered only
    once that many replicas confirm them (else `NotReplicated`): one wait per batch, not per call."""

    def __init__(self, client: redis.Redis, script: AsyncScript, replicas: int = 0) -> None:
        self.client = client
        self.script = script
        self.replicas = replicas
        self._pending: list[Call] = []
        self._sending: list[Call] = []
        self._flusher: asyncio.Task[None] | None = None

    async def __call__(self, keys: list[str], args: Sequence[Any] = ()) -> Any:
        return await self.submit(keys, args)

    def submit(self, keys: list[str], args: Sequence[Any] = ()) -> asyncio.Future[Any]:
        """The call queued now, in order with the others; its reply to come."""
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((keys, args, reply))
        # A flusher that has finished may not have had its done callback yet.
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
            self._flusher.add_done_callback(self._flushed)
        return reply

    async def _flush(self) -> None:
        while self._pending:
            self._sending, self._pending = self._pending, []
            try:
                replies = await self._run(self._sending)
            except Exception as exc:
                replies = [exc] * len(self._sending)
            for (*_, reply), result in zip(self._sending, replies, strict=True):
                if reply.done():
                    continue
                if isinstance(result, Exception):
                    reply.set_exception(result)
                else:
                    reply.set_result(result)
            self._sending = []

    def _flushed(self, flusher: asyncio.Task[None]) -> None:
        if self._flusher is flusher:
            self._flusher = None
        # Cancelled (even before it ran) or failed: no caller may wait for an answer that will not come.
        if flusher.cancelled() or flusher.exception() is not None:
            for *_, reply in self._sending + self._pending:
                if not reply.done():
                    reply.set_exception(ConnectionError("The call did not reach the store."))
            self._sending, self._pending = [], []

    async def _run(self, batch: list[Call]) -> list[Any]:
        replies = await self._pipeline(batch)
        # A Redis that restarted, or a replica promoted by Sentinel, may not know the script. Only the
        # calls refused for that are sent again: with several hubs, another may load it while this
        # pipeline runs, so some calls ran.
        again = [n for n, r in enumerate(replies) if isinstance(r, NoScriptError)]
        if again:
            await self.client.script_load(self.script.script)
            for n, result in zip(again, await self._pipeline([batch[n] for n in again]), strict=True):
                replies[n] = result
        return replies

    async def _pipeline(self, batch: list[Call]) -> list[Any]:
        async with self.client.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                pipe.evalsha(self.script.sha, len(keys), *keys, *args)
            if self.replicas:
                # WAIT counts the replicas that have this connection's writes so far: the batch's.
                pipe.wait(self.replicas, REPLICA_WAIT_MS)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        if self.replicas:
            confirmed = replies.pop()
            if isinstance(confirmed, Exception) or confirmed < self.replicas:
                raise NotReplicated(f"{confirmed} of {self.replicas} replicas confirmed the write in time.")
        return replies


@dataclass(frozen=True)
class Loaded:
    version: int
    # The commit's own name, which a change computed on top of it must name (commit.lua).
    tag: str
    # The meeting without its participants.
    doc: Doc
    # Its participant entries by member id (from `refresh`: only those written since; None: all needed).
    entries: dict[str, Doc] | None
    # The tag of the last commit that was not commuted (commute.lua), and the presence counts, kept
    # apart from the document (None: a store written before they were, where the document has them).
    core: str = ""
    counts: dict[str, int] | None = None


@dataclass(frozen=True)
class Committed:
    version: int
    # The version of the last event shown to a big room before this one (see `Store.commit`).
    prior: int
    # The tag of the version it was committed on top of.
    previous: str = ""
    # From `commute`: the presence counts after it, which only Redis knew.
    counts: dict[str, int] | None = None


class Store:
    def __init__(self, client: redis.Redis, replicas: int = 0) -> None:
        """`replicas`: how many replicas must confirm a commit or a ballot before it is acknowledged
        (0 for a single Redis). Plain scripts reload themselves after a NoScriptError (redis-py's
        `AsyncScript`); batched ones do in `Batched._run`."""
        self.redis = client
        self.replicas = replicas
        # Batched even on a single Redis: commands run one after another's commit, not after its reply.
        self._commit = Batched(client, client.register_script(_script("commit")), replicas)
        self._commute = Batched(client, client.register_script(_script("commute")), replicas)
        self._refresh = client.register_script(_script("refresh"))
        self._open_box = self._durable(client.register_script(_script("open_box")))
        self._cast = Batched(client, client.register_script(_script("cast")), replicas)
        self._close_box = self._durable(client.register_script(_script("close_box")))
        self._upgrade_box = self._durable(client.register_script(_script("upgrade_box")))
        self._forget_node = client.register_script(_FORGET_NODE)
        # Reads, so no replica need confirm them.
        self._admission = Batched(client, client.register_script(_script("admission")))

    def _durable(self, script: AsyncScript) -> Any:
        """Under Sentinel, a write that members are told about waits for a replica (see `Batched`)."""
        return Batched(self.redis, script, self.replicas) if self.replicas else script

    @classmethod
    def from_url(cls, url: str, connections: int = 64) -> Store:
        """Under Sentinel (`redis+sentinel://`), commits and ballots wait for one replica, so a
        failover loses none that was acknowledged."""
        return cls(connect(url, connections), replicas=1 if replicated(url) else 0)

    async def close(self) -> None:
        await self.redis.aclose()

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    # Meetings: versioned state plus an append-only event stream.

    def _state(self, meeting_id: str) -> list[str]:
        return [_meeting(meeting_id, part) for part in ("state", "events", "participants", "presence")]

    async def load(self, meeting_id: str) -> Loaded | None:
        """The meeting as stored: a meeting written before participants had entries of their own has
        them in its document still."""
        state, _, participants, presence = self._state(meeting_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hmget(state, ["version", "state", "tag", "core"])
            pipe.hgetall(participants)
            pipe.hgetall(presence)
            (version, doc, tag, core), entries, counts = await pipe.execute()
        if version is None:
            return None
        return Loaded(
            int(version),
            _text(tag or b""),
            _unpack(doc),
            {_text(m): _unpack(e) for m, e in entries.items()},
            _text(core or b""),
            _count_map(counts),
        )

    async def refresh(self, meeting_id: str, held: int, tag: str, limit: int) -> Loaded | None:
        """What a copy of the meeting at version `held` (with `tag`) is missing: None when nothing;
        else the meeting as `load` gives it, with only the entries written since, or None for them when
        more than `limit` events came since or the copy is not of a version stored (load it whole)."""
        reply = await self._refresh(keys=self._state(meeting_id), args=[held, limit, tag])
        if len(reply) == 1:
            return None
        version, tag, doc = int(reply[0]), _text(reply[1]), _unpack(reply[2]) if reply[2] else {}
        core, counts = _text(reply[3]), _count_map(reply[4])
        if len(reply) == 5:
            return Loaded(version, tag, doc, None, core, counts)
        pairs = reply[6:]
        entries = {_text(pairs[i]): _unpack(pairs[i + 1]) for i in range(0, len(pairs), 2)}
        return Loaded(version, tag, doc, entries, core, counts)

    def commit(
        self,
        meeting_id: str,
        expected: int,
        state: Doc,
        event: Doc,
        entries: dict[str, Doc] | None = None,
        shown: bool = True,
        tags: tuple[str, str] = ("", ""),
        counts: dict[str, int] | None = None,
    ) -> asyncio.Future[Committed | None]:
        """The new version, or None if the meeting is no longer at `expected` (with `tags`: the expected
        version's tag and this commit's, see commit.lua). `state` is the meeting without its
        participants; `entries` the participant entries the change wrote, by member id; `shown` whether
        a big room is shown the event (else only its counts); `counts` the presence counts after it.

        Queued at once, answered later: commits queued one after another reach Redis in that order, in
        as few round trips as the batches allow, so one may be computed on top of another still on its
        way (its compare-and-set fails if that one did)."""
        pairs = [x for member_id, entry in (entries or {}).items() for x in (member_id, _pack(entry))]
        args = [
            expected,
            *tags,
            _pack(state),
            _pack(event),
            "1" if shown else "0",
            _count_text(counts or {}),
            *pairs,
        ]
        return _answer(self._commit.submit(self._state(meeting_id), args))

    def commute(
        self,
        meeting_id: str,
        core: str,
        tag: str,
        event: Doc,
        entries: dict[str, tuple[Doc | None, Doc]],
        added: dict[str, int],
        quorum: tuple[int, bool],
    ) -> asyncio.Future[Committed | None]:
        """Commit a change that only writes participant entries (`entries`: each as the change found it
        and as it left it) and adds to the presence counts (`added`), whatever the version, if nothing
        it was computed from has changed since (see commute.lua): the `core` tag, each entry, and
        whether the quorum (required, met) is met. None: compute it again and `commit` it."""
        triples = [
            x
            for member_id, (before, after) in entries.items()
            for x in (member_id, b"" if before is None else _pack(before), _pack(after))
        ]
        required, met = quorum
        args = [core, tag, _pack(event), _count_text(added), required, "1" if met else "0", *triples]
        return _answer(self._commute.submit(self._state(meeting_id), args))

    async def events_since(self, meeting_id: str, since: int, limit: int) -> list[Doc] | None:
        """Events after version `since`, oldest first; None when more than `limit` are missing."""
        entries = await self.redis.xrange(
            _meeting(meeting_id, "events"), min=f"{since + 1}-0", count=limit + 1
        )
        if len(cast(list[Any], entries)) > limit:
            return None
        return _events(entries)

    async def event_log(self, meeting_id: str) -> list[Doc]:
        return _events(await self.redis.xrange(_meeting(meeting_id, "events")))

    async def meeting_ids(self) -> list[str]:
        ids = await self.redis.zrange("hub:meetings", 0, -1)
        return [m.decode() for m in cast(list[bytes], ids)]

    async def index_meeting(self, meeting_id: str, starts_at: float) -> None:
        await self.redis.zadd("hub:meetings", {meeting_id: starts_at})

    # Ballot boxes: one per vote, outside the meeting's state so that a storm of ballots never
    # contends for the meeting's version.

    def _box(self, meeting_id: str, vote_id: str) -> list[str]:
        return [_meeting(meeting_id, f"vote:{vote_id}:{part}") for part in _BALLOT_PARTS]

    async def open_box(
        self,
        meeting_id: str,
        vote_id: str,
        secret: bool,
        allow_change: bool,
        weights: dict[str, int],
        closes_at: datetime | None = None,
    ) -> None:
        """`weights` is keyed by voter: member ids, or tags for a secret ballot. They are written in
        sorted order, since a small hash keeps the order it was written in (here, the order members
        joined)."""
        keys = self._box(meeting_id, vote_id)[:2]
        pairs = [x for voter, weight in sorted(weights.items()) for x in (voter, weight)]
        secrecy = "secret" if secret else "open"
        closes = "" if closes_at is None else str(int(closes_at.timestamp() * 1000))
        await self._open_box(keys=keys, args=[secrecy, "1" if allow_change else "0", closes, *pairs])
        if closes_at is not None:
            await self.redis.zadd(_CLOSING, {f"{meeting_id}\x00{vote_id}": closes_at.timestamp()})

    async def due_polls(self, now: datetime) -> list[tuple[str, str]]:
        """Advance polls whose closing time has come and that are not yet closed: (meeting, vote)."""
        due = await self.redis.zrangebyscore(_CLOSING, "-inf", now.timestamp())
        return [tuple(_text(entry).split("\x00", 1)) for entry in due]  # type: ignore[misc]

    async def poll_closed(self, meeting_id: str, vote_id: str) -> None:
        await self.redis.zrem(_CLOSING, f"{meeting_id}\x00{vote_id}")

    async def upgrade_box(self, meeting_id: str, vote_id: str) -> bool:
        """A box opened before polls, brought to this release's layout (hub/lua/upgrade_box.lua)."""
        keys = self._box(meeting_id, vote_id)
        return bool(await self._upgrade_box(keys=[keys[0], keys[5]]))

    async def cast(
        self, meeting_id: str, vote_id: str, voter: str, ballot: str, weight: int | None = None
    ) -> tuple[str, int]:
        """("ok", ballots cast) or an error code with the ballots cast (0 when not told). The voter is
        a member id in an open vote and a tag in a secret ballot: the script never gets both a member
        id and a ballot, so Redis's slow log and MONITOR show no member beside a choice."""
        args = [voter, ballot] if weight is None else [voter, ballot, str(weight)]
        reply = await self._cast(keys=self._box(meeting_id, vote_id), args=args)
        return _text(reply[0]), int(reply[1]) if len(reply) > 1 else 0

    async def strike_voter(self, meeting_id: str, vote_id: str, voter: str, advance: bool = False) -> None:
        """No further ballot from this voter in this box; one already cast stays counted. An advance
        poll's box keeps them at weight 0, since it would otherwise admit them again at their next
        ballot."""
        weights = self._box(meeting_id, vote_id)[1]
        if advance:
            await self.redis.hset(weights, voter, 0)
        else:
            await self.redis.hdel(weights, voter)

    async def close_box(self, meeting_id: str, vote_id: str) -> tuple[int, dict[str, int]] | None:
        """Ballots cast and the weighted count per ballot (hub/polls.py); None if there is no such box."""
        keys = self._box(meeting_id, vote_id)
        reply = await self._close_box(keys=[keys[0], keys[5]])
        if _text(reply[0]) != "ok":
            return None
        pairs = reply[2:]
        return int(reply[1]), {_text(pairs[i]): int(float(pairs[i + 1])) for i in range(0, len(pairs), 2)}

    async def ballots_cast(self, meeting_id: str, vote_id: str) -> int:
        return int(await self.redis.hget(self._box(meeting_id, vote_id)[0], "cast") or 0)

    async def tally(self, meeting_id: str, vote_id: str) -> tuple[int, dict[str, int]]:
        box, *_, counts = self._box(meeting_id, vote_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(box, "cast")
            pipe.zrange(counts, 0, -1, withscores=True)
            ballots_cast, raw = await pipe.execute()
        return int(ballots_cast or 0), {_text(k): int(v) for k, v in raw}

    async def ballots(self, meeting_id: str, vote_id: str) -> dict[str, str]:
        """Member -> ballot (hub/polls.py), for votes that are not secret."""
        raw = await self.redis.hgetall(self._box(meeting_id, vote_id)[2])
        return {_text(k): _text(v) for k, v in cast(dict[bytes, bytes], raw).items()}

    async def ballot_of(self, meeting_id: str, vote_id: str, member_id: str) -> str | None:
        """A member's ballot in a vote that is not secret, if they have cast one."""
        found = await self.redis.hget(self._box(meeting_id, vote_id)[2], member_id)
        return None if found is None else _text(found)

    async def voter_tags(self, meeting_id: str, vote_id: str) -> list[str]:
        """The tags of a secret ballot's voters, in lexicographic order."""
        return [_text(t) for t in await self.redis.zrange(self._box(meeting_id, vote_id)[3], 0, -1)]

    async def has_voted(self, meeting_id: str, vote_id: str, tag: str) -> bool:
        return await self.redis.zscore(self._box(meeting_id, vote_id)[3], tag) is not None

    async def post_receipts(self, meeting_id: str, vote_id: str, receipts: list[str]) -> None:
        """A closed secret ballot's receipts, sorted and in as few commands as fit, so neither the set
        nor the append-only file says in what order they were cast. Posting again adds nothing."""
        key = self._box(meeting_id, vote_id)[4]
        ordered = sorted(receipts)
        for start in range(0, len(ordered), 1000):
            await self.redis.zadd(key, dict.fromkeys(ordered[start : start + 1000], 0))

    async def has_receipt(self, meeting_id: str, vote_id: str, receipt: str) -> bool:
        return await self.redis.zscore(self._box(meeting_id, vote_id)[4], receipt) is not None

    async def rewrite_history(self) -> bool:
        """Ask Redis to rewrite its append-only file, so it keeps the state rather than the sequence of
        commands that built it. False when the file is off, a rewrite is already running, or the
        server refuses (a managed Redis may not allow it)."""
        try:
            persistence = await self.redis.info("persistence")
            if not int(persistence.get("aof_enabled", 0)):
                return False
            await self.redis.bgrewriteaof()
        except redis.ResponseError:
            return False
        return True

    # Directory: branches and members, written by officers, not event-sourced.

    async def put(self, kind: str, key: str, doc: Doc) -> None:
        await self.redis.set(f"hub:{kind}:{key}", _pack(doc))

    async def put_many(self, kind: str, docs: dict[str, Doc]) -> None:
        """Several at once, all or none (an import)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for key, doc in docs.items():
                pipe.set(f"hub:{kind}:{key}", _pack(doc))
            await pipe.execute()

    async def index_emails(self, members: dict[str, str]) -> None:
        """Members by email address (lower case -> member id), for signing in. Only added to: a reader
        checks the member still has the address."""
        if members:
            await self.redis.hset("hub:member-email", mapping=cast(Any, members))

    # Deactivated members, so that each node can check its connections against them now and then (as
    # it does against revoked links), in case it missed their closure.

    async def mark_active(self, member_id: str, active: bool) -> None:
        await (self.redis.srem(_INACTIVE, member_id) if active else self.redis.sadd(_INACTIVE, member_id))

    async def index_inactive(self, member_ids: set[str]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(_INACTIVE)
            if member_ids:
                pipe.sadd(_INACTIVE, *sorted(member_ids))
            await pipe.execute()

    async def inactive_among(self, member_ids: list[str]) -> set[str]:
        if not member_ids:
            return set()
        found = await self.redis.smismember(_INACTIVE, member_ids)
        return {m for m, inactive in zip(member_ids, found, strict=True) if inactive}

    async def member_by_email(self, email: str) -> str | None:
        found = await self.redis.hget("hub:member-email", email)
        return None if found is None else cast(bytes, found).decode()

    async def every(self, kind: str) -> list[Doc]:
        """Every stored one of `kind`: for officers' lists and imports, never a hot path."""
        keys = [key async for key in self.redis.scan_iter(match=f"hub:{kind}:*", count=1000)]
        docs: list[Doc] = []
        for start in range(0, len(keys), 1000):
            blobs = cast(list[bytes | None], await self.redis.mget(keys[start : start + 1000]))
            docs += [_unpack(blob) for blob in blobs if blob]
        return docs

    async def get_many(self, kind: str, keys: list[str]) -> dict[str, Doc]:
        """Those of `keys` stored, by key: a thousand to a round trip."""
        found: dict[str, Doc] = {}
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            blobs = cast(list[bytes | None], await self.redis.mget([f"hub:{kind}:{k}" for k in chunk]))
            found.update({k: _unpack(blob) for k, blob in zip(chunk, blobs, strict=True) if blob})
        return found

    async def get(self, kind: str, key: str) -> Doc | None:
        blob = await self.get_packed(kind, key)
        return None if blob is None else _unpack(blob)

    async def get_packed(self, kind: str, key: str) -> bytes | None:
        """The stored bytes, for callers that keep what they parsed from them."""
        return cast(bytes | None, await self.redis.get(f"hub:{kind}:{key}"))

    @staticmethod
    def unpack(blob: bytes) -> Doc:
        return _unpack(blob)

    # Join links that were revoked before they expire.

    async def revoke(self, token_id: str, ttl_seconds: int) -> None:
        await self.redis.set(f"hub:revoked:{token_id}", 1, ex=max(ttl_seconds, 1))
        await self.announce_closure({"token": token_id})

    async def is_revoked(self, token_id: str) -> bool:
        return bool(await self.redis.exists(f"hub:revoked:{token_id}"))

    async def admission_reads(
        self, token_id: str, member_id: str, branch_id: str
    ) -> tuple[bool, Doc | None, bytes | None]:
        """What admitting a join link reads, in one round trip shared with the others connecting at the
        same time: whether the link was revoked, the member, and the meeting's branch as stored."""
        keys = [f"hub:revoked:{token_id}", f"hub:member:{member_id}", f"hub:branch:{branch_id}"]
        revoked, member, branch = await self._admission(keys)
        return bool(revoked), _unpack(member) if member else None, branch or None

    async def revoked_among(self, token_ids: list[str]) -> set[str]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for token_id in token_ids:
                pipe.exists(f"hub:revoked:{token_id}")
            found = await pipe.execute()
        return {t for t, revoked in zip(token_ids, found, strict=True) if revoked}

    # Closures: every node hears that a link was revoked or a member removed, and closes the
    # connections it holds for them. Pub/sub may miss a message while a node reconnects, so nodes also
    # check their connections against the revoked links now and then.

    async def announce_closure(self, closure: Doc) -> None:
        await self.redis.publish(_CLOSURES, _pack(closure))

    async def closures(self) -> AsyncIterator[Doc]:
        """Closures announced from now on, until the connection to Redis fails (then it raises)."""
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(_CLOSURES)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield _unpack(message["data"])

    # Nodes: each hub process keeps a heartbeat key that expires unless renewed, and is listed in a set,
    # so the live ones can find a node that stopped beating and sweep its connections.

    async def beat(self, node: str, ttl_seconds: float) -> bool:
        """Renews the node's heartbeat; whether it had lapsed (expired, or never beaten)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_NODE_BEAT + node, 1, px=int(ttl_seconds * 1000), get=True)
            pipe.sadd(_NODES, node)
            before, _ = await pipe.execute()
        return before is None

    async def nodes(self) -> list[str]:
        return sorted(_text(n) for n in await self.redis.smembers(_NODES))

    async def node_alive(self, node: str) -> bool:
        return bool(await self.redis.exists(_NODE_BEAT + node))

    async def forget_node(self, node: str) -> bool:
        """Drop a swept node from the set, unless it came back meanwhile."""
        return bool(await self._forget_node(keys=[_NODE_BEAT + node, _NODES], args=[node]))

    async def node_stopped(self, node: str) -> None:
        """A clean stop: this node's connections are gone already."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(_NODE_BEAT + node)
            pipe.srem(_NODES, node)
            await pipe.execute()

    # Members away (a connection dropped): an entry per drop, "MEETING MEMBER SERIAL" scored by when it
    # dropped, written before the change that made them away, so that whichever node looks next can
    # decide their departure once the grace period is over, whatever happened to the node that held them.

    async def away(self, meeting_id: str, member_ids: Iterable[str], at: float) -> None:
        entries = {f"{meeting_id} {m} {secrets.token_hex(4)}": at for m in member_ids}
        if entries:
            await self.redis.zadd(_AWAY, entries)

    async def away_since(self, before: float) -> list[tuple[str, str, str]]:
        """Entries of drops at or before `before`: (entry, meeting id, member id)."""
        found = await self.redis.zrangebyscore(_AWAY, "-inf", before, start=0, num=AWAY_PAGE)
        entries = [_text(entry) for entry in found]
        return [(entry, *_meeting_member(entry)) for entry in entries]

    async def settled(self, entries: list[str]) -> None:
        if entries:
            await self.redis.zrem(_AWAY, *entries)

    # Livestreams: the directory each writes its segments to is named by a key of its own
    # (`hub:{m:ID}:live`), which only the playlist (checked for who may watch) reveals.

    async def live_key(self, meeting_id: str) -> str:
        """The meeting's livestream key, made on first use and kept (a restart continues its playlist)."""
        key = _meeting(meeting_id, "live")
        await self.redis.set(key, secrets.token_urlsafe(12), nx=True)
        return _text(await self.redis.get(key))

    async def known_live_key(self, meeting_id: str) -> str | None:
        found = await self.redis.get(_meeting(meeting_id, "live"))
        return None if found is None else _text(found)

    # Its viewers: the viewer pages' heartbeats in a HyperLogLog per minute (`hub:{m:ID}:viewers:MINUTE`,
    # MINUTE counted from the epoch), kept 3 minutes; a viewer is counted once however often it beats.

    async def seen_live(self, meeting_id: str, viewer: str, now: datetime) -> None:
        key = _meeting(meeting_id, f"viewers:{int(now.timestamp()) // 60}")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.pfadd(key, viewer)
            pipe.expire(key, 180)
            await pipe.execute()

    async def live_viewers(self, meeting_id: str, now: datetime) -> int:
        """Those seen this minute or the one before (a heartbeat every 30 s falls in both)."""
        minute = int(now.timestamp()) // 60
        keys = [_meeting(meeting_id, f"viewers:{m}") for m in (minute, minute - 1)]
        return int(await self.redis.pfcount(*keys))

    # Media: the node that runs each meeting's relay (`hub:{m:ID}:media_node`), held for a time to live
    # that node renews while it has peers there, so the pin of a node that died lapses within that time;
    # and messages between nodes, on a channel per node, for the media of connections held elsewhere.

    _PIN_MEDIA = """
local owner = redis.call('GET', KEYS[1])
if not owner or (ARGV[3] ~= '' and string.sub(owner, 1, #ARGV[3]) == ARGV[3] and owner ~= ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return owner
"""
    _UNPIN_MEDIA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
    _NODE_CHANNEL = "hub:node-messages:"

    async def pin_media(
        self, meeting_ids: Sequence[str], owner: str, ttl_seconds: float, takes_over: str = ""
    ) -> dict[str, str]:
        """Who runs each meeting's media, in one round trip: `owner` where nobody did, or an owner whose
        name starts with `takes_over` (the same node's previous life) did; where it was `owner`
        already, its time to live renewed."""
        ttl = max(1, int(ttl_seconds * 1000))
        async with self.redis.pipeline(transaction=False) as pipe:
            for meeting_id in meeting_ids:
                pipe.eval(self._PIN_MEDIA, 1, _meeting(meeting_id, "media_node"), owner, ttl, takes_over)
            owners = await pipe.execute()
        return {m: _text(found) for m, found in zip(meeting_ids, owners, strict=True)}

    async def unpin_media(self, meeting_id: str, owner: str) -> None:
        """Let go of the meeting's media, if `owner` still runs it."""
        await self.redis.eval(self._UNPIN_MEDIA, 1, _meeting(meeting_id, "media_node"), owner)

    async def media_node(self, meeting_id: str) -> str | None:
        owner = await self.redis.get(_meeting(meeting_id, "media_node"))
        return None if owner is None else _text(owner)

    async def send_to_node(self, node: str, message: Doc) -> bool:
        """Whether any process was listening as `node` to hear it."""
        return bool(await self.redis.publish(self._NODE_CHANNEL + node, _pack(message)))

    async def node_messages(self, node: str, ready: asyncio.Event) -> AsyncIterator[Doc]:
        """Messages sent to `node` from the moment `ready` is set (Redis has the subscription), until the
        connection to Redis fails (then it raises)."""
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(self._NODE_CHANNEL + node)
            async for message in pubsub.listen():
                if message.get("type") == "subscribe":
                    ready.set()
                elif message.get("type") == "message":
                    yield _unpack(message["data"])

    # The livestream's report for the console (signalling/live/station.py), written by the node that
    # runs the feed, with a time to live so that it never outlives that node.

    async def report_live(self, meeting_id: str, report: Doc, ttl_seconds: float) -> None:
        await self.redis.set(_meeting(meeting_id, "live_report"), _pack(report), px=int(ttl_seconds * 1000))

    async def live_report(self, meeting_id: str) -> Doc | None:
        found = await self.redis.get(_meeting(meeting_id, "live_report"))
        return None if found is None else _unpack(cast(bytes, found))

    async def forget_live_report(self, meeting_id: str) -> None:
        await self.redis.delete(_meeting(meeting_id, "live_report"))
