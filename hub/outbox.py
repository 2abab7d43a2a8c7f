"""The outbox: mail the hub has to send (invitations, reminders, sign-in links), kept in Redis until the
SMTP server has taken each letter, so a restart loses none. The sender (`signalling/mailer.py`) runs on
one hub process at a time.

- `hub:mail:ID`: a hash, the letter (msgpack) and where it stands (status, attempts, the last error,
  when it was queued and sent), for the officers' console.
- `hub:outbox`: a stream of letter ids to send, read by the consumer group `senders`. A letter is
  acknowledged there once it is sent, has failed for good, or waits for another try; one taken by a
  sender that died is claimed again after `CLAIM_AFTER_MS`.
- `hub:outbox:later`: letters waiting for another try, by when (a sorted set).
- `hub:mail:meeting:ID`: the letters about a meeting (a set), for its list of recipients.
- `hub:outbox:sender`: which process sends, renewed while it lives.

Each letter's Message-ID is fixed when it is queued, so a letter sent twice (the sender killed between
the server taking it and the acknowledgement) is one message to the mail servers that drop duplicates."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import msgpack
import redis.asyncio as redis

STREAM = "hub:outbox"
GROUP = "senders"
LATER = "hub:outbox:later"
SENDER = "hub:outbox:sender"
# A letter taken this long ago by a sender that never settled it is taken again.
CLAIM_AFTER_MS = 60_000


class Status(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    # A try failed in a way that may pass (the server down, a 4xx reply): another comes later.
    RETRYING = "retrying"
    FAILED = "failed"


@dataclass(frozen=True)
class Attachment:
    filename: str
    # e.g. "text/calendar; method=REQUEST"
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # Extra headers (List-Unsubscribe, ...).
    headers: tuple[tuple[str, str], ...] = ()
    # What it is about, for the console.
    kind: str = ""
    meeting_id: str | None = None
    member_id: str | None = None
    id: str = field(default_factory=lambda: secrets.token_hex(12))

    def dump(self) -> bytes:
        return cast(
            bytes,
            msgpack.packb(
                {
                    "id": self.id,
                    "to": self.to,
                    "subject": self.subject,
                    "text": self.text,
                    "html": self.html,
                    "attachments": [[a.filename, a.content_type, a.data] for a in self.attachments],
                    "headers": [list(h) for h in self.headers],
                    "kind": self.kind,
                    "meeting_id": self.meeting_id,
                    "member_id": self.member_id,
                }
            ),
        )

    @classmethod
    def load(cls, blob: bytes) -> Letter:
        doc = msgpack.unpackb(blob)
        return cls(
            to=doc["to"],
            subject=doc["subject"],
            text=doc["text"],
            html=doc["html"],
            attachments=tuple(Attachment(*a) for a in doc["attachments"]),
            headers=tuple((k, v) for k, v in doc["headers"]),
            kind=doc["kind"],
            meeting_id=doc["meeting_id"],
            member_id=doc["member_id"],
            id=doc["id"],
        )


@dataclass(frozen=True)
class Record:
    """Where a letter stands."""

    letter: Letter
    status: Status
    attempts: int
    error: str | None
    queued_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class Progress:
    """Where a letter stands, without the letter: for lists of thousands."""

    status: Status
    attempts: int
    error: str | None
    queued_at: datetime
    sent_at: datetime | None


def _key(letter_id: str) -> str:
    return f"hub:mail:{letter_id}"


def _meeting_key(meeting_id: str) -> str:
    return f"hub:mail:meeting:{meeting_id}"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Mark:
    """A hash field set when a letter is queued by `post_once` (and only then): where a member's
    letter about a meeting stands, say. `keep`: an existing value stays (HSETNX)."""

    key: str
    field: str
    value: str
    keep: bool = False


# KEYS: the stream, then for each letter its hash, its meeting's set (when it is about one) and the
# keys of its marks. ARGV: the time queued, then for each letter its id, its msgpack, whether it is
# about a meeting, how many marks, and for each mark whether to keep an existing value, field, value.
_POST_ONCE = """
local k, a, queued = 2, 2, 0
while a <= #ARGV do
  local id, blob, about, marks = ARGV[a], ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  a = a + 4
  local letter = KEYS[k]
  k = k + 1
  local meeting = nil
  if about == '1' then
    meeting = KEYS[k]
    k = k + 1
  end
  local new = redis.call('EXISTS', letter) == 0
  if new then
    redis.call('HSET', letter, 'letter', blob, 'status', 'queued', 'attempts', 0, 'error', '',
      'queued_at', ARGV[1], 'sent_at', '')
    if meeting then redis.call('SADD', meeting, id) end
    redis.call('XADD', KEYS[1], '*', 'id', id)
    queued = queued + 1
  end
  for _ = 1, marks do
    if new then
      if ARGV[a] == '1' then
        redis.call('HSETNX', KEYS[k], ARGV[a + 1], ARGV[a + 2])
      else
        redis.call('HSET', KEYS[k], ARGV[a + 1], ARGV[a + 2])
      end
    end
    k = k + 1
    a = a + 3
  end
end
return queued
"""


class Outbox:
    def __init__(self, client: redis.Redis, claim_after_ms: int = CLAIM_AFTER_MS) -> None:
        self.redis = client
        self.claim_after_ms = claim_after_ms
        self._post_once = client.register_script(_POST_ONCE)

    async def post(self, letters: Sequence[Letter], now: datetime) -> None:
        """Queue the letters, all or none."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for letter in letters:
                pipe.hset(
                    _key(letter.id),
                    mapping={
                        "letter": letter.dump(),
                        "status": Status.QUEUED.value,
                        "attempts": 0,
                        "error": "",
                        "queued_at": _stamp(now),
                        "sent_at": "",
                    },
                )
                if letter.meeting_id is not None:
                    pipe.sadd(_meeting_key(letter.meeting_id), letter.id)
                pipe.xadd(STREAM, {"id": letter.id})
            await pipe.execute()

    async def post_once(
        self, letters: Sequence[Letter], now: datetime, marks: Sequence[Sequence[Mark]]
    ) -> int:
        """Queue each letter unless one with its id was ever queued, and with each letter queued now set
        its marks (`marks[i]` for `letters[i]`), all in one script: a letter whose id is made from what
        it is about (a member's reminder an hour before) goes out once however many processes, or
        retries after a crash, post it, and its marks are set if and only if it was queued. How many
        were queued."""
        keys: list[str] = [STREAM]
        args: list[str | bytes] = [_stamp(now)]
        for letter, extra in zip(letters, marks, strict=True):
            keys.append(_key(letter.id))
            if letter.meeting_id is not None:
                keys.append(_meeting_key(letter.meeting_id))
            args += [letter.id, letter.dump(), "1" if letter.meeting_id is not None else "0", str(len(extra))]
            for mark in extra:
                keys.append(mark.key)
                args += ["1" if mark.keep else "0", mark.field, mark.value]
        if len(keys) == 1:
            return 0
        return int(await self._post_once(keys=keys, args=args))

    async def record(self, letter_id: str) -> Record | None:
        found = cast(dict[bytes, bytes], await self.redis.hgetall(_key(letter_id)))
        return _record(found) if found else None

    async def progress(self, letter_ids: Sequence[str]) -> list[Progress | None]:
        """Where each letter stands (None for one unknown), in one round trip, without the letters."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for letter_id in letter_ids:
                pipe.hmget(_key(letter_id), *_PROGRESS)
            found = await pipe.execute()
        return [_progress(f) if f[0] is not None else None for f in found]

    async def about(self, meeting_id: str) -> list[Record]:
        """Every letter about a meeting, oldest first."""
        members = cast(set[bytes], await self.redis.smembers(_meeting_key(meeting_id)))
        ids = sorted(m.decode() for m in members)
        async with self.redis.pipeline(transaction=False) as pipe:
            for letter_id in ids:
                pipe.hgetall(_key(letter_id))
            found = await pipe.execute()
        records = [_record(f) for f in found if f]
        return sorted(records, key=lambda r: (r.queued_at, r.letter.id))

    async def resend(self, letter_id: str, now: datetime) -> bool:
        """Queue a letter again (a failed one, or one a member says never came); False if unknown."""
        if not await self.redis.exists(_key(letter_id)):
            return False
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                _key(letter_id),
                mapping={"status": Status.QUEUED.value, "attempts": 0, "error": "", "queued_at": _stamp(now)},
            )
            pipe.zrem(LATER, letter_id)
            pipe.xadd(STREAM, {"id": letter_id})
            await pipe.execute()
        return True

    # The sender's side.

    async def hold(self, sender: str, ttl_ms: int) -> bool:
        """Whether `sender` is (still, or now) the one process that sends."""
        if await self.redis.set(SENDER, sender, nx=True, px=ttl_ms):
            return True
        if await self.redis.get(SENDER) == sender.encode():
            await self.redis.pexpire(SENDER, ttl_ms)
            return True
        return False

    async def release(self, sender: str) -> None:
        if await self.redis.get(SENDER) == sender.encode():
            await self.redis.delete(SENDER)

    async def take(self, sender: str, count: int, block_ms: int) -> list[tuple[bytes, Record]]:
        """Letters to send now: first those a dead sender took and never settled, then new ones (waiting
        up to `block_ms` for some)."""
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        claimed: Any = await self.redis.xautoclaim(STREAM, GROUP, sender, self.claim_after_ms, count=count)
        entries: list[tuple[bytes, dict[bytes, bytes]]] = list(claimed[1])
        if not entries:
            read: Any = await self.redis.xreadgroup(GROUP, sender, {STREAM: ">"}, count=count, block=block_ms)
            entries = [e for _, stream_entries in read for e in stream_entries]
        taken = []
        for entry_id, fields in entries:
            record = await self.record(fields[b"id"].decode()) if fields else None
            if record is None or record.status in (Status.SENT, Status.FAILED):
                # Settled already (sent before a crash cut the acknowledgement), or gone.
                await self.redis.xack(STREAM, GROUP, entry_id)
                continue
            taken.append((entry_id, record))
        return taken

    async def sent(self, entry_id: bytes, letter_id: str, now: datetime) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                _key(letter_id), mapping={"status": Status.SENT.value, "error": "", "sent_at": _stamp(now)}
            )
            pipe.hincrby(_key(letter_id), "attempts", 1)
            pipe.xack(STREAM, GROUP, entry_id)
            await pipe.execute()

    async def failed(self, entry_id: bytes, letter_id: str, error: str, retry_at: datetime | None) -> None:
        """A try failed: another at `retry_at`, or none."""
        status = Status.RETRYING if retry_at is not None else Status.FAILED
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(_key(letter_id), mapping={"status": status.value, "error": error[:500]})
            pipe.hincrby(_key(letter_id), "attempts", 1)
            if retry_at is not None:
                pipe.zadd(LATER, {letter_id: retry_at.timestamp()})
            pipe.xack(STREAM, GROUP, entry_id)
            await pipe.execute()

    async def due(self, now: datetime) -> int:
        """Letters whose next try has come, queued again; how many."""
        ids = cast(list[bytes], await self.redis.zrangebyscore(LATER, 0, now.timestamp()))
        for letter_id in ids:
            # Only the process that removes it queues it: two senders never queue one letter twice.
            if await self.redis.zrem(LATER, letter_id):
                await self.redis.xadd(STREAM, {"id": letter_id})
        return len(ids)


_PROGRESS = ("status", "attempts", "error", "queued_at", "sent_at")


def _progress(found: list[bytes]) -> Progress:
    status, attempts, error, queued_at, sent_at = (v.decode() for v in found)
    return Progress(
        status=Status(status),
        attempts=int(attempts),
        error=error or None,
        queued_at=datetime.fromisoformat(queued_at),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
    )


def _record(found: dict[bytes, bytes]) -> Record:
    text: dict[str, Any] = {k.decode(): v for k, v in found.items()}
    sent_at = text["sent_at"].decode()
    error = text["error"].decode()
    return Record(
        letter=Letter.load(text["letter"]),
        status=Status(text["status"].decode()),
        attempts=int(text["attempts"]),
        error=error or None,
        queued_at=datetime.fromisoformat(text["queued_at"].decode()),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
    )
