"""Secret ballots stay secret on disk: against a redis-server that writes every command to its
append-only file, no member id reaches a ballot box, the slow log never shows a member beside a
choice, the box keeps no order of casting, a receipt proves inclusion and never content, and after the
vote closes the rewritten file keeps the counts but not the sequence that built them."""

from __future__ import annotations

import asyncio
import itertools
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aredis
import socketio

from hub.config import Limits, Settings
from hub.embedded import EmbeddedRedis
from hub.runtime import open_hub
from hub.tokens import Links
from signalling.ballots import BallotDesk
from tests.conftest import RedisServer, RunningHub, demo_hub, free_port
from tests.integration.test_votes import close_all, put_motion, seat

VOTERS = 30
SECRET = "test-secret"
CHOICES = (b"for", b"against", b"abstain")
# A ranked secret ballot's papers: every ranking of three of four candidates (24, most of them unique
# among 30 voters), so a ballot in the box could single out its voter if anything kept its order.
CANDIDATES = ["Ana", "Ben", "Cy", "Di"]
RANKINGS = [list(r) for r in itertools.permutations(["o1", "o2", "o3", "o4"], 3)]


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A private redis-server that appends every write to its file at once, logs every command in its
    slow log, and writes its snapshot and rewritten file uncompressed, so the test reads what is on disk."""
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(
        workdir,
        *("--appendonly", "yes", "--appendfsync", "always", "--save", ""),
        *("--aof-use-rdb-preamble", "no", "--rdbcompression", "no"),
        *("--slowlog-log-slower-than", "0", "--slowlog-max-len", "100000"),
    )
    server.launch()
    server.wait()
    yield server.url, workdir
    server.stop()


def aof_commands(workdir: Path) -> list[list[bytes]]:
    """Every command in the append-only file(s), in order (Redis 7 keeps a base and increments in
    appendonlydir/, listed by its manifest; older versions one appendonly.aof)."""
    folder = workdir / "appendonlydir"
    if folder.exists():
        manifest = (folder / "appendonly.aof.manifest").read_text().split("\n")
        names = [line.split()[1] for line in manifest if line.strip()]
        files = [folder / name for name in names]
    else:
        files = [workdir / "appendonly.aof"]
    commands: list[list[bytes]] = []
    for file in files:
        data = file.read_bytes()
        at = 0
        while at < len(data):
            assert data[at : at + 1] == b"*", (file, at)
            end = data.index(b"\r\n", at)
            count, at = int(data[at + 1 : end]), end + 2
            args = []
            for _ in range(count):
                end = data.index(b"\r\n", at)
                size = int(data[at + 1 : end])
                args.append(data[end + 2 : end + 2 + size])
                at = end + 4 + size
            commands.append(args)
    return commands


def transactions(commands: list[list[bytes]]) -> Iterator[list[list[bytes]]]:
    """The file's commands grouped as they were applied: a MULTI ... EXEC block, or one command."""
    block: list[list[bytes]] | None = None
    for command in commands:
        name = command[0].upper()
        if name == b"MULTI":
            block = []
        elif name == b"EXEC":
            assert block is not None
            yield block
            block = None
        elif block is not None:
            block.append(command)
        else:
            yield [command]


def flat(block: list[list[bytes]]) -> bytes:
    return b"\0".join(arg for command in block for arg in command)


async def rewritten(client: aredis.Redis) -> None:
    """Wait for the rewrite the hub asked for (the file is swapped when it ends)."""
    async with asyncio.timeout(30):
        while True:
            info = await client.info("persistence")
            if info["aof_rewrites"] >= 1 and not (
                info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"]
            ):
                return
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("ranked", [False, True], ids=["yes_no", "ranked"])
async def test_secret_ballot_leaves_no_member_beside_a_choice(
    persistent_redis: tuple[str, Path], tmp_path: Path, ranked: bool
) -> None:
    url, workdir = persistent_redis
    settings = Settings(
        port=free_port(),
        redis_url=url,
        data_dir=tmp_path,
        secret=SECRET,
        limits=Limits(events_rate="1000/second"),
    )
    async with demo_hub(settings) as hub:
        await secret_vote(hub, url, workdir, ranked)


def ballot(n: int, ranked: bool) -> dict[str, Any]:
    """The n-th voter's ballot: a ranking, or for, against or abstain."""
    return {"choices": RANKINGS[n % len(RANKINGS)]} if ranked else {"choice": CHOICES[n % 3].decode()}


async def secret_vote(hub: RunningHub, url: str, workdir: Path, ranked: bool) -> None:
    # One more member than votes: the chair removes them while the vote is open.
    chair, everyone = await seat(hub, VOTERS + 1)
    members, removed = everyone[:VOTERS], everyone[VOTERS]
    ids = [f"v{n:04}".encode() for n in range(VOTERS + 1)]
    if ranked:
        ask = {"question": "Delegates", "method": "ranked", "options": CANDIDATES, "choose": 2}
        vote_id = (await chair.ok("vote.ask", {**ask, "secrecy": "secret"}))["vote_id"]
    else:
        vote_id = await put_motion(chair, members, method="secret")
    marks = [">".join(r).encode() for r in RANKINGS] if ranked else list(CHOICES)
    prefix = f"hub:{{m:vote}}:vote:{vote_id}:".encode()
    client = aredis.Redis.from_url(url)
    await client.slowlog_reset()
    # What participant.remove does to open ballot boxes (the removal itself closes their connections).
    async with open_hub(hub.settings) as service:
        _, meeting = await service.meeting("vote")
        await BallotDesk(socketio.AsyncServer(), service, str).strike(
            "vote", meeting.votes[0], f"v{VOTERS:04}"
        )
    struck = await removed.call("vote.cast", {"vote_id": vote_id, **ballot(0, ranked)})
    assert struck["error"]["code"] == "vote.not_eligible"

    replies: list[dict[str, Any]] = []
    for n, member in enumerate(members):
        replies.append(await member.ok("vote.cast", {"vote_id": vote_id, **ballot(n, ranked)}))
    receipts = [r["receipt"] for r in replies]
    assert len(set(receipts)) == VOTERS
    assert all(len(r) == 19 and r.count("-") == 3 for r in receipts)

    # A voter whose reply was lost asks again: the same receipt, and no choice.
    again = await members[7].ok("vote.cast", {"vote_id": vote_id, **ballot(8, ranked)})
    assert again == {
        "vote_id": vote_id,
        "choice": None,
        "choices": None,
        "receipt": receipts[7],
        "cast": VOTERS,
        "already": True,
    }

    # A receipt proves inclusion, never content: mine is found, a made-up one is not.
    assert await members[4].ok("vote.verify", {"vote_id": vote_id, "receipt": receipts[4]}) == {
        "vote_id": vote_id,
        "counted": True,
    }
    assert not (await members[4].ok("vote.verify", {"vote_id": vote_id, "receipt": "0000-0000-0000-0000"}))[
        "counted"
    ]

    # Nothing written while the vote is open names a member in a command on the ballot box.
    during = aof_commands(workdir)
    boxed = [c for c in during if any(a.startswith(prefix) for a in c)]
    assert any(c[0].upper() == b"ZADD" for c in boxed)
    assert [c for c in boxed if any(i in a for a in c for i in ids)] == []
    # The slow log (which shows a script's arguments, as MONITOR would) never has a member beside a choice.
    for entry in await client.slowlog_get(100_000):
        words = entry["command"]
        assert not (any(i in words for i in ids) and any(c in words for c in marks)), words
    # The box keeps tags and counts, nothing per ballot, and no order of casting.
    seal = Links(SECRET).ballots
    tags = [seal.tag(vote_id, i.decode()).encode() for i in ids[:VOTERS]]
    voted = await client.zrange(prefix + b"voted", 0, -1)
    assert set(voted) == set(tags) and voted == sorted(voted) and voted != tags
    # The electorate (the chair too, who did not vote) under tags, in no order of joining.
    weights = list(await client.hgetall(prefix + b"weights"))
    assert weights == sorted(weights) and set(weights) == {*tags, seal.tag(vote_id, "chair").encode()}
    assert await client.exists(prefix + b"ballots", prefix + b"receipts") == 0
    # The counts keep each distinct ballot once, in order of count and then of bytes: never in the order
    # in which they were first cast (a small hash would keep that order, and a unique ranking with it).
    counted = await client.zrange(prefix + b"counts", 0, -1, withscores=True)
    assert counted == sorted(counted, key=lambda pair: (pair[1], pair[0]))
    first_cast = list(dict.fromkeys(marks[n % len(marks)] for n in range(VOTERS)))
    assert [key for key, _ in counted] != first_cast
    # Until the vote closes, the file does hold each voter's tag in the transaction that counted their
    # choice: only a holder of the signing secret as well could say whose tag it is.
    assert any(
        prefix + b"counts" in flat(t) and any(tag in flat(t) for tag in tags) for t in transactions(during)
    )

    result = (await chair.ok("vote.close", {"vote_id": vote_id}))["result"]
    if ranked:
        firsts = [RANKINGS[n % len(RANKINGS)][0] for n in range(VOTERS)]
        assert result["counts"] == {o: firsts.count(o) for o in ("o1", "o2", "o3", "o4")}
        assert len(result["chosen"]) == 2 and "count" not in result  # the stages are in the state
    else:
        assert result["counts"] == {"for": 10, "against": 10, "abstain": 10}
    await rewritten(client)

    # Receipts are posted when the vote closes, sorted; anyone's receipt is found, and says only that.
    posted = await client.zrange(prefix + b"receipts", 0, -1)
    assert posted == sorted(posted) and {r.decode() for r in posted} == set(receipts)
    theirs = await members[0].ok("vote.verify", {"vote_id": vote_id, "receipt": receipts[9].lower()})
    assert theirs == {"vote_id": vote_id, "counted": True}

    # The rewritten file keeps the state, not the sequence: no block of commands holds both a tag and
    # a count, and still no member id goes with the box.
    after = aof_commands(workdir)
    assert not any(
        prefix + b"counts" in flat(t) and any(tag in flat(t) for tag in tags) for t in transactions(after)
    )
    assert [
        c for c in after if any(a.startswith(prefix) for a in c) and any(i in a for a in c for i in ids)
    ] == []
    assert any(c[0].upper() == b"ZADD" and c[1] == prefix + b"counts" for c in after)

    # The snapshot (uncompressed, so the file's bytes are the values' bytes) holds the box as DUMP
    # shows it, and nothing in it names a member.
    await client.save()
    snapshot = (workdir / "dump.rdb").read_bytes()
    for key in await client.keys(prefix + b"*"):
        value = await client.dump(key)
        assert value is not None
        # DUMP is the type, the value as the file has it, then a version and checksum.
        assert value[1:-10] in snapshot, key
        assert not any(i in value for i in ids), key
    await client.aclose()
    await close_all([chair, *everyone])


async def test_embedded_store_is_readable_by_the_hub_user_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)  # left open by an older hub: tightened at start
    store = EmbeddedRedis(data)
    await store.start()
    try:
        client = aredis.Redis.from_url(store.url)
        await client.set("k", "v")
        await client.aclose()
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        files = [p for p in data.rglob("*") if p.is_file() and p.name.startswith(("appendonly", "redis.log"))]
        assert any(p.name.startswith("appendonly") for p in files)
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
    finally:
        await store.stop()
