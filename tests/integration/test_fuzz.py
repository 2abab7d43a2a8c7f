"""Property-based fuzzing of every client event over Socket.IO, against the real app on real Redis.

Each example is a fresh meeting (opened, in session, an agenda item selected, so the rules are reached)
with several real clients of every role. Hypothesis draws a list of steps: a client, an event (every
name in COMMANDS, plus unknown and reserved names) and a payload, either valid for the event (built
from ids that exist in the meeting) or adversarial (wrong types, huge strings, deep nesting, extra
fields, non-objects, several arguments, binary, control characters, NaN and infinities, extreme numbers).

After every step: the event was acked, and never with `internal`. After every example: the stored
state parses, replaying the log's patches from version 1 gives the public view, every connected client
holds that view, and no connection changed whose it is.

`HUB_FUZZ_EXAMPLES` sets the number of examples and `HUB_FUZZ_STEPS` the most steps in one;
`HUB_FUZZ_SHRINK=1` shrinks a failure to a minimal example (scripts/fuzz sets all three).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import jsonpatch
import pytest
import socketio
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hub.config import Limits
from hub.events import COMMANDS, EVENTS
from hub.models import Meeting, Quorum, Role, StandingOrders
from hub.permissions import MATRIX
from hub.runtime import open_hub
from hub.service import Hub
from hub.sessions import Sessions
from tests.client import MeetingClient
from tests.conftest import RunningHub

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "60"))
MAX_STEPS = int(os.environ.get("HUB_FUZZ_STEPS", "40"))
# Shrinking replays examples against the server for minutes: scripts/fuzz turns it on; in the suite a
# failure is reported as found (every draw is printed, and the example database replays it).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + (
    [Phase.shrink] if os.environ.get("HUB_FUZZ_SHRINK") == "1" else []
)

# One connection per role (the admin and observer are appointed in the branch below), a second
# member, and a second connection of the same member: presence is counted per connection.
CLIENTS: list[tuple[str, Role]] = [
    ("m001", Role.CHAIR),
    ("m007", Role.SECRETARY),
    ("m002", Role.MEMBER),
    ("m002", Role.MEMBER),
    ("m040", Role.MEMBER),
    ("m025", Role.ADMIN),
    ("m031", Role.OBSERVER),
]
APPOINTED = {"m025": Role.ADMIN, "m031": Role.OBSERVER}
# Members of the demo branch with no connection: checked in in the hall.
IN_THE_HALL = ["m003", "m004"]
# Ids that exist in no meeting, next to the real ones, so "not found" paths run too.
STRANGERS = ["zz9", "m999", "a0", "q0", "mo0", "am0", "v0", "c0"]

# Names that are not client events: Socket.IO's own, the server's pushes, near misses of real names.
RESERVED = [
    "connect",
    "disconnect",
    "connect_error",
    "*",
    "message",
    "meeting.join ",
    " meeting.join",
    "MEETING.JOIN",
    "meeting.join\x00",
    "meeting",
    "meeting.events",
    "vote.tally",
    "reaction.burst",
    "media.offer",
    "__proto__",
    "x" * 300,
]

# Step outcomes, counted for the summary printed at the end of the run.
STATS: dict[str, int] = {}


def count(key: str) -> None:
    STATS[key] = STATS.get(key, 0) + 1


@dataclass
class Context:
    """What a step may refer to: the meeting as stored now, and what earlier steps learnt."""

    view: dict[str, Any]
    version: int
    receipts: list[str] = field(default_factory=list)

    def ids(self, *found: str) -> st.SearchStrategy[str]:
        # Mostly ids that exist, so the rules run past their look-ups.
        strangers = st.sampled_from(STRANGERS)
        return st.one_of(st.sampled_from(found), st.sampled_from(found), strangers) if found else strangers

    def items(self) -> st.SearchStrategy[str]:
        return self.ids(*(i["id"] for i in self.view["agenda"]))

    def entries(self) -> st.SearchStrategy[str]:
        return self.ids(*(e["id"] for i in self.view["agenda"] for e in i["queue"]))

    def motions(self) -> st.SearchStrategy[str]:
        return self.ids(*(m["id"] for m in self.view["motions"]))

    def amendments(self) -> st.SearchStrategy[tuple[str, str]]:
        pairs = [(m["id"], a["id"]) for m in self.view["motions"] for a in m["amendments"]]
        return st.sampled_from([*pairs, ("zz9", "zz9")]) | st.tuples(self.motions(), self.ids())

    def points(self) -> st.SearchStrategy[str]:
        return self.ids(*(p["id"] for p in self.view["points"]))

    def votes(self) -> st.SearchStrategy[str]:
        return self.ids(*(v["id"] for v in self.view["votes"]))

    def members(self) -> st.SearchStrategy[str]:
        return self.ids(*sorted({m for m, _ in CLIENTS} | set(self.view["participants"])))

    def posts(self) -> st.SearchStrategy[str]:
        return self.ids(*(p["id"] for p in self.view["posts"]))

    def nominations(self) -> st.SearchStrategy[str]:
        return self.ids(*(n["id"] for n in self.view["nominations"]))

    def messages(self) -> st.SearchStrategy[str]:
        return self.ids(*(c["id"] for c in self.view["chat"]))

    def motion_words(self) -> st.SearchStrategy[tuple[str, str]]:
        """A motion and a piece of its text, so an amendment has a target that exists."""
        pairs = [(m["id"], w) for m in self.view["motions"] for w in m["text"].split()[:20]]
        return st.sampled_from(pairs) if pairs else st.tuples(self.motions(), st.just("text"))


# Text as people and attackers type it: any Unicode but lone surrogates (not encodable), with control
# characters, bidi overrides, NUL and byte-order marks weighted in.
ODD = "\x00\x07\x1b\u200b\u200e\u202e\u2066\ufeff\ufffd\n\r\t"
chars = st.characters(codec="utf-8") | st.sampled_from(ODD)


def text(min_size: int = 0, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(chars, min_size=min_size, max_size=max_size)


def optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


def obj(
    required: dict[str, st.SearchStrategy[Any]], **fields: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=fields)


EMPTY: st.SearchStrategy[dict[str, Any]] = st.just({})
# An adjournment's time around now: past, seconds ahead (resumed during the run), beyond the limit, or
# without its offset.
until = st.builds(
    lambda ahead, naive: (datetime.now(UTC) + timedelta(seconds=ahead)).isoformat()[: 19 if naive else None],
    st.integers(-60, 15 * 86400) | st.integers(1, 5),
    st.booleans(),
)
kinds = st.sampled_from(["minutes", "report", "motion", "election", "other"])
position = st.integers(0, 12) | st.just(10_000)
quorum = st.fixed_dictionaries({"kind": st.just("number"), "value": st.floats(min_value=0)}) | (
    st.fixed_dictionaries({"kind": st.just("fraction"), "value": st.floats(0, 1)})
)
standing_orders = optional(
    quorum=quorum,
    speech_seconds=st.integers(10, 3600),
    mover_seconds=st.integers(10, 3600),
    right_of_reply=st.booleans(),
    amendments_need_seconder=st.booleans(),
    alternate_by_gender=st.booleans(),
    chair_challenge_majority=st.sampled_from(["simple", "two_thirds_present"]),
    vote_changes_allowed=st.booleans(),
)

# A valid payload for events whose fields name things in the meeting, drawn against the meeting as it
# stands: ids that exist, most of the time. Any other event sends the example it is declared with.
# A poll's options: a yes/no poll's, and a question's first few.
OPTIONS = ["for", "against", "abstain", "o1", "o2", "o3", "o4"]

VALID: dict[str, Callable[[Context], st.SearchStrategy[dict[str, Any]]]] = {
    "meeting.join": lambda c: optional(since=st.integers(0, c.version + 2)),
    "meeting.sync": lambda c: obj({"since": st.integers(0, c.version + 2) | st.just(2**53)}),
    "meeting.set_status": lambda c: obj(
        {"status": st.sampled_from(["open", "in_session", "in_session", "scheduled", "closed"])}
    ),
    "meeting.set_standing_orders": lambda c: obj({"standing_orders": standing_orders}),
    "meeting.set_card_weights": lambda c: obj(
        {"weights": st.dictionaries(c.members(), st.integers(0, 100_000), max_size=4)}
    ),
    "agenda.add": lambda c: obj(
        {"title": text(1, 200)},
        kind=kinds,
        minutes_budget=st.none() | st.integers(0, 24 * 60),
        documents=st.lists(text(), max_size=3),
        position=st.none() | position,
    ),
    "agenda.update": lambda c: obj(
        {"item_id": c.items()},
        title=text(1, 200) | st.none(),
        kind=kinds | st.none(),
        minutes_budget=st.none() | st.integers(0, 24 * 60),
        documents=st.none() | st.lists(text(), max_size=3),
    ),
    "agenda.move": lambda c: obj({"item_id": c.items(), "position": position}),
    "agenda.remove": lambda c: obj({"item_id": c.items()}),
    "agenda.select": lambda c: obj({"item_id": c.items() | st.none()}),
    "speaker.request": lambda c: optional(stance=st.sampled_from(["for", "against", None])),
    "speaker.point_of_order": lambda c: obj({"rule": text(1, 200), "point": text(1, 500)}),
    "speaker.withdraw": lambda c: optional(entry_id=c.entries() | st.none()),
    "speaker.call": lambda c: optional(entry_id=c.entries() | st.none()),
    "speaker.move": lambda c: obj({"entry_id": c.entries(), "position": position}),
    "speaker.remove": lambda c: obj({"entry_id": c.entries()}),
    "speech.extend": lambda c: obj({"seconds": st.integers(1, 3600)}),
    "point.rule": lambda c: obj({"point_id": c.points(), "upheld": st.booleans(), "ruling": text(1, 300)}),
    "attendance.apologise": lambda c: optional(note=text(0, 500)),
    "attendance.check_in": lambda c: EMPTY,
    # Members of the branch who never connect, too: those an officer checks in in the hall.
    "hall.check_in": lambda c: obj({"member_id": c.members() | st.sampled_from(IN_THE_HALL)}),
    "hall.check_out": lambda c: obj({"member_id": c.members()}),
    "hall.roll": lambda c: optional(
        query=text(0, 120), after=st.none() | text(0, 300), limit=st.integers(1, 100)
    ),
    "motion.submit": lambda c: obj(
        {"title": text(1, 200), "text": text(1, 300)},
        item_id=c.items() | st.none(),
        emergency=st.booleans(),
    ),
    "motion.second": lambda c: obj({"motion_id": c.motions()}),
    "motion.withdraw": lambda c: obj({"motion_id": c.motions()}),
    "motion.allow_withdrawal": lambda c: obj({"motion_id": c.motions()}),
    "motion.reply": lambda c: obj({"motion_id": c.motions()}),
    "motion.procedural": lambda c: obj(
        {
            "procedure": st.sampled_from(
                ["next_business", "question_be_now_put", "refer_back", "adjourn", "challenge_chair"]
            )
        },
        target_id=c.motions() | st.none(),
        reason=text(0, 200),
        until=st.none() | until,
    ),
    "meeting.resume": lambda c: EMPTY,
    "amendment.move": lambda c: c.motion_words().flatmap(
        lambda pair: obj(
            {"motion_id": st.just(pair[0]), "kind": st.sampled_from(["insert", "delete", "replace"])},
            target=st.just(pair[1]) | text(0, 50),
            text=text(0, 100),
        )
    ),
    "amendment.second": lambda c: c.amendments().map(lambda p: {"motion_id": p[0], "amendment_id": p[1]}),
    "amendment.withdraw": lambda c: c.amendments().map(lambda p: {"motion_id": p[0], "amendment_id": p[1]}),
    "vote.open": lambda c: obj(
        {
            "subject": obj(
                {
                    "kind": st.sampled_from(["motion", "amendment", "procedural", "admission"]),
                    "motion_id": c.motions(),
                },
                amendment_id=c.amendments().map(lambda p: p[1]) | st.none(),
            )
        },
        secrecy=st.sampled_from(["open", "secret"]),
        weights=st.booleans(),
    ),
    "vote.ask": lambda c: obj(
        {"question": text(1, 500)},
        method=st.sampled_from(["yes_no", "one_of", "up_to", "ranked"]),
        options=st.lists(text(1, 200), max_size=6),
        choose=st.integers(1, 4),
        secrecy=st.sampled_from(["open", "secret"]),
        weights=st.booleans(),
    ),
    "election.add_post": lambda c: obj(
        {"item_id": c.items(), "title": text(1, 200)},
        seats=st.integers(1, 5),
        women_at_least=st.integers(0, 3),
        women_only=st.booleans(),
        stand=st.none() | st.lists(st.sampled_from(["member", "chair", "observer"]), min_size=1, max_size=3),
        closes_at=st.none() | until,
    ),
    "election.remove_post": lambda c: obj({"post_id": c.posts()}),
    "election.nominate": lambda c: obj({"post_id": c.posts(), "member_id": c.members()}),
    "election.second": lambda c: obj({"nomination_id": c.nominations()}),
    "election.accept": lambda c: obj({"nomination_id": c.nominations()}, statement=text(0, 2000)),
    "election.withdraw": lambda c: obj({"nomination_id": c.nominations()}),
    "election.open_ballot": lambda c: obj({"post_id": c.posts()}),
    "vote.cast": lambda c: (
        obj({"vote_id": c.votes(), "choice": st.sampled_from(OPTIONS)})
        | obj({"vote_id": c.votes(), "choices": st.lists(st.sampled_from(OPTIONS), max_size=5)})
    ),
    "vote.close": lambda c: obj({"vote_id": c.votes()}, casting_vote=st.sampled_from([*OPTIONS, None])),
    "vote.ballots": lambda c: obj({"vote_id": c.votes()}),
    "vote.hall_count": lambda c: obj(
        {
            "vote_id": c.votes(),
            "counts": st.dictionaries(st.sampled_from(OPTIONS), st.integers(0, 3), min_size=1),
        }
    ),
    "vote.verify": lambda c: obj(
        {"vote_id": c.votes(), "receipt": st.sampled_from(c.receipts) if c.receipts else text(1, 64)}
    ),
    "minutes.edit": lambda c: obj({"text": text(1, 2000)}),
    "minutes.approve": lambda c: optional(note=text(0, 500)),
    "media.join": lambda c: optional(
        mode=st.sampled_from(["full", "audio", "listen"]), microphone=st.booleans()
    ),
    "media.answer": lambda c: obj({"sdp": st.just("v=0\r\n") | text(1, 200)}),
    "media.share": lambda c: obj({"on": st.booleans()}),
    "media.microphone": lambda c: obj({"on": st.booleans()}),
    "media.follow": lambda c: EMPTY,
    "media.mute": lambda c: obj({"member_id": c.members()}),
    "media.unmute": lambda c: obj({"member_id": c.members()}),
    "media.set_settings": lambda c: optional(
        formal=st.sampled_from(["auto", "on", "off"]) | st.none(),
        formal_above=st.integers(0, 100_000) | st.none(),
        last_n=st.integers(0, 100) | st.none(),
    ),
    "participant.remove": lambda c: obj({"member_id": c.members()}),
    "participant.readmit": lambda c: obj({"member_id": c.members()}),
    "lobby.set": lambda c: obj({"on": st.booleans()}),
    "lobby.admit": lambda c: obj({"member_id": c.members()}),
    "chat.send": lambda c: obj({"text": text(1, 1000)}),
    "chat.hide": lambda c: obj({"message_id": c.messages()}),
    "chat.set_open": lambda c: obj({"open": st.booleans()}),
    "livestream.start": lambda c: optional(
        quality=st.sampled_from(["360p", "720p"]),
        audience=st.sampled_from(["branch", "members", "public"]),
        record=st.booleans(),
        language=st.sampled_from(["en", "es"]),
    ),
    "livestream.set": lambda c: optional(
        quality=st.sampled_from(["360p", "720p"]),
        audience=st.sampled_from(["branch", "members", "public"]),
        record=st.booleans(),
        language=st.sampled_from(["en", "es"]),
    ),
    # A push address nothing listens at (refused at once), or none.
    "livestream.push": lambda c: obj(
        {"url": st.none() | st.sampled_from(["rtmp://127.0.0.1:9/live/key", "rtmps://127.0.0.1:9/x/y"])}
    ),
    "reaction.send": lambda c: obj(
        {"kind": st.sampled_from(["applause", "agree", "disagree", "cant_hear", "slower"])}
    ),
}

# Values that no field expects: msgpack's whole range, NaN and infinities, binary, containers.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.sampled_from([-1, 0, 2**31, 2**53 + 1, 2**63 - 1, 2**64 - 1, -(2**63)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e308, -1e308, 5e-324])
    | text(0, 40)
    | st.binary(max_size=40)
)
junk = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text(0, 10), children, max_size=4),
    max_leaves=12,
)


class Big:
    """A string of `times` copies of `unit`, built just before sending, so failures print short."""

    def __init__(self, unit: str, times: int) -> None:
        self.unit, self.times = unit, times

    def __repr__(self) -> str:
        return f"Big({self.unit!r} * {self.times})"


class Deep:
    """`leaf` inside `depth` lists or objects."""

    def __init__(self, depth: int, leaf: Any, as_dict: bool) -> None:
        self.depth, self.leaf, self.as_dict = depth, leaf, as_dict

    def __repr__(self) -> str:
        return f"Deep({self.depth} {'objects' if self.as_dict else 'lists'} around {self.leaf!r})"


def built(value: Any) -> Any:
    """A drawn payload with its Big and Deep markers made real."""
    if isinstance(value, Big):
        return value.unit * value.times
    if isinstance(value, Deep):
        inner = built(value.leaf)
        for _ in range(value.depth):
            inner = {"a": inner} if value.as_dict else [inner]
        return inner
    if isinstance(value, dict):
        return {k: built(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(built(v) for v in value)
    return value


# Big but under Engine.IO's 1 MiB message limit, beyond which the server drops the connection.
huge = st.builds(Big, st.just("x"), st.sampled_from([16 * 1024, 17_000, 300_000, 700_000])) | st.builds(
    Big, st.just("\u00e9\u202e\x00"), st.sampled_from([50_000, 150_000])
)
deep = st.builds(Deep, st.integers(20, 480), scalars, st.booleans())
odd_strings = st.text(st.sampled_from(ODD + "\x01\x7f\x85\u2028\u2029\U0010ffff"), min_size=1, max_size=64)
replacements = junk | huge | deep | odd_strings | st.binary(min_size=1, max_size=2000)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a payload a value can be swapped: the keys of objects and the items of lists."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += [(*prefix, k), *paths(v, (*prefix, k))]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += [(*prefix, i), *paths(v, (*prefix, i))]
    return found


def swapped(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        # A field the valid payload left out is added.
        return {**value, head: swapped(value.get(head), rest, new)}
    copy = list(value)
    copy[head] = swapped(copy[head], rest, new)
    return copy


def adversarial(event: str, valid: dict[str, Any]) -> st.SearchStrategy[tuple[str, tuple[Any, ...]]]:
    """A kind of attack and the arguments it sends, made from a valid payload."""
    fields = sorted(COMMANDS[event].model_fields) if event in COMMANDS else []
    targets = [(f,) for f in fields] + paths(valid)
    attacks: dict[str, st.SearchStrategy[tuple[str, tuple[Any, ...]]]] = {
        "swap": st.sampled_from(targets).flatmap(
            lambda path: replacements.map(lambda new: ("swap", (swapped(valid, path, new),)))
        )
        if targets
        else st.nothing(),
        "extra_field": st.tuples(
            text(0, 20) | st.sampled_from(["__class__", "id", "actor", "member_id"]), junk
        ).map(lambda kv: ("extra_field", ({**valid, kv[0]: kv[1]},))),
        "not_object": (junk | huge | deep)
        .filter(lambda v: not isinstance(v, dict))
        .map(lambda v: ("not_object", (v,))),
        "no_arguments": st.just(("no_arguments", ())),
        "two_arguments": junk.map(lambda v: ("two_arguments", (valid, v))),
        "three_arguments": st.just(("three_arguments", (valid, valid, valid))),
    }
    weights = ["swap"] * 5 + ["extra_field"] * 2 + ["not_object"] * 2 + [k for k in attacks if "arg" in k]
    return st.sampled_from([k for k in weights if targets or k != "swap"]).flatmap(lambda k: attacks[k])


async def meeting_id_for(hub: Hub, template: Meeting, serial: Any) -> str:
    meeting_id = f"fuzz{next(serial)}"
    # Quorum of three: the officers and members present can open votes.
    orders = StandingOrders(quorum=Quorum(kind="number", value=3))
    await hub.create_meeting(template.model_copy(update={"id": meeting_id, "standing_orders": orders}))
    return meeting_id


class Fuzz:
    def __init__(self, server: RunningHub, hub: Hub, template: Meeting) -> None:
        self.server, self.hub, self.template = server, hub, template
        self.serial = itertools.count(1)

    def __repr__(self) -> str:
        # Hypothesis prints the arguments of a failing example: the draws are what matter.
        return f"Fuzz({self.server.url})"


@pytest.fixture
def limits() -> Limits:
    # The fuzzer sends as fast as acks come back; rate limiting has its own test.
    return Limits(events_rate="100000/second")


@pytest.fixture
async def fuzz(hub_server: RunningHub) -> AsyncIterator[Fuzz]:
    async with open_hub(hub_server.settings) as hub:
        branch = await hub.branch("intl")
        branch.roles.update(APPOINTED)
        await hub.save_branch(branch)
        _, template = await hub.meeting(hub_server.meeting_id)
        yield Fuzz(hub_server, hub, template)


def test_every_strategy_is_for_a_declared_event() -> None:
    assert VALID.keys() <= COMMANDS.keys()


async def send(client: MeetingClient, event: str, args: tuple[Any, ...], timeout: float) -> Any:
    data = args[0] if len(args) == 1 else (args if args else None)
    return await client.sio.call(event, data, timeout=timeout)


def check_ack(event: str, ack: Any) -> None:
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, ack)
    if ack["ok"]:
        assert set(ack) == {"ok", "data"}, ack
        count(f"ok {event}")
    else:
        error = ack["error"]
        assert isinstance(error, dict) and isinstance(error.get("code"), str), ack
        assert error["code"] != "internal", (event, ack)
        count(f"refused {event} {error['code']}")


async def identity(client: MeetingClient) -> tuple[str, str] | None:
    """Whom the hub takes this connection for, from a join's reply (None if it refuses the join)."""
    since = {} if client.meeting is None else {"since": client.version}
    client.early = []
    ack = await client.call("meeting.join", since)
    if not ack["ok"]:
        client.early = None
        return None
    client.catch_up(ack["data"])
    you = ack["data"]["you"]
    return you["member_id"], you["role"]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
async def test_every_event_survives_random_and_hostile_payloads(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.clear()
    hub = fuzz.hub
    meeting_id = await meeting_id_for(hub, fuzz.template, fuzz.serial)
    tokens = [await hub.issue_link(m, meeting_id, timedelta(hours=1)) for m, _ in CLIENTS]
    clients = [MeetingClient(fuzz.server.url, t) for t in tokens]
    try:
        for client in clients:
            await client.connect()
            await client.join()
        chair = clients[0]
        for event, payload in [
            ("meeting.set_status", {"status": "open"}),
            ("meeting.set_status", {"status": "in_session"}),
            ("agenda.select", {"item_id": "a5"}),
        ]:
            await chair.ok(event, payload)
        submit = {"title": "A motion", "text": "This branch resolves to meet online."}
        motion_id = (await chair.ok("motion.submit", submit))["motion_id"]
        # A seconded motion and a queue: votes, amendments and speeches are a step away.
        await clients[2].ok("motion.second", {"motion_id": motion_id})
        await clients[4].ok("speaker.request", {"stance": "for"})
        context = Context(view={}, version=0)
        # Hypothesis favours the first of a list; rotating it per example spreads that over the events.
        shift = data.draw(st.integers(0, len(COMMANDS) - 1), label="rotation")
        names = sorted(COMMANDS)[shift:] + sorted(COMMANDS)[:shift]
        for _ in range(data.draw(st.integers(1, MAX_STEPS), label="steps")):
            connected = [i for i, c in enumerate(clients) if c.sio.connected]
            if not connected:
                break
            reserved = data.draw(st.sampled_from([False] * 11 + [True]), label="reserved?")
            event = data.draw(st.sampled_from(RESERVED if reserved else names), label="event")
            # Mostly a role the matrix allows, so the rules run; the walk in test_permissions covers
            # the rest, and the other roles still come up here.
            allowed = [i for i in connected if CLIENTS[i][1] in MATRIX.get(event, ())]
            favour = data.draw(st.sampled_from([True] * 3 + [False]), label="allowed role?")
            pick = allowed if allowed and favour else connected
            index = data.draw(st.sampled_from(pick), label="client")
            client = clients[index]
            current = await hub.current(meeting_id)
            context.version, context.view = current.version, current.view
            count(f"drawn {event}")
            strategy = VALID.get(event)
            declared = EVENTS.get(event)
            example = st.just(dict(declared.example)) if declared is not None else EMPTY
            valid = data.draw(example if strategy is None else strategy(context), label="valid")
            if reserved:
                # Reserved names try to re-run the connect handler with someone else's link.
                kind, args = data.draw(
                    st.sampled_from(tokens).map(lambda t: ("token", ({"token": t},)))
                    | st.sampled_from(tokens).map(lambda t: ("environ_token", ({}, {"token": t})))
                    | adversarial(event, valid),
                    label="payload",
                )
            elif not data.draw(st.sampled_from([False] * 3 + [True] * 2), label="hostile?"):
                kind, args = "valid", (valid,)
            else:
                kind, args = data.draw(adversarial(event, valid), label="payload")
            count(f"kind {kind}")
            count("reserved steps" if reserved else "event steps")
            try:
                ack = await send(client, event, built(args), timeout=2 if reserved else 15)
            except socketio.exceptions.TimeoutError:
                # A name with no handler of its own may go unanswered; a client event may not.
                assert reserved, (event, kind, args)
                count("reserved unanswered")
                ack = None
            if ack is not None or not reserved:
                check_ack(event, ack)
            if event == "vote.cast" and ack and ack["ok"] and ack["data"].get("receipt"):
                context.receipts.append(ack["data"]["receipt"])
            if reserved and client.sio.connected:
                who = await identity(client)
                assert who is None or who == (CLIENTS[index][0], CLIENTS[index][1].value), (event, args, who)

        # The stored state parses, and the log replayed from version 1 is the public view.
        loaded = await hub.store.load(meeting_id)
        assert loaded is not None
        version = loaded.version
        Meeting.model_validate({**loaded.doc, "participants": loaded.entries})
        snapshot = await hub.snapshot(meeting_id)
        assert snapshot["version"] == version
        log = await hub.store.event_log(meeting_id)
        assert [e["version"] for e in log] == list(range(1, version + 1))
        replayed: Any = None
        for entry in log:
            replayed = jsonpatch.apply_patch(replayed, entry["patch"])
        assert replayed == snapshot["meeting"]

        # Every connection still open is who it was, and catches up to the same view.
        for index, client in enumerate(clients):
            if client.sio.connected:
                who = await identity(client)
                assert who is None or who == (CLIENTS[index][0], CLIENTS[index][1].value)
        final = await hub.snapshot(meeting_id)
        for client in clients:
            if client.sio.connected and client.meeting is not None:
                await client.wait_until(lambda c: c.version >= final["version"])
                assert client.version == final["version"]
                assert client.meeting == final["meeting"]
        # Nothing failed on the server where no ack could tell of it (a lifecycle handler, a broadcast).
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, errors
        count("examples")
    finally:
        # Each example's meeting is its own: a livestream left on would keep a feed running to the end.
        if clients[0].sio.connected:
            await clients[0].call("livestream.stop", {})
        for client in clients:
            if client.sio.connected:
                await client.disconnect()


async def test_a_packet_that_does_not_decode_leaves_the_connection_working(hub_server: RunningHub) -> None:
    """Map keys other than strings and bytes (msgpack carries them, JSON cannot) fail python-socketio's
    decoding before any handler sees an event, so today there is nothing to ack. Whatever the answer,
    it is not `internal`, and the connection stays open and answers the next event."""
    client = MeetingClient(hub_server.url, hub_server.links["m002"])
    await client.connect()
    await client.join()
    odd: list[dict[Any, Any]] = [{1: "x"}, {None: 1}, {1.5: []}]
    for keys in odd:
        try:
            ack = await client.sio.call("chat.send", {"text": "hi", **keys}, timeout=0.5)
            assert not ack["ok"] and ack["error"]["code"] != "internal", ack
        except socketio.exceptions.TimeoutError:
            pass
        assert client.sio.connected
        assert (await client.call("chat.send", {"text": "still here"}))["ok"]
    await client.disconnect()


@pytest.mark.parametrize("route", ["/register/{}.csv", "/ballots/{}/v1.blt", "/ballots/agm/{}.blt"])
async def test_the_file_routes_refuse_hostile_requests_without_failing(
    hub_server: RunningHub, route: str
) -> None:
    """`/register/ID.csv` and `/ballots/ID/VOTE.blt` with any id and token: a refusal (403, 404), never a
    server error."""
    rng = random.Random(13)

    def junk(most: int) -> str:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, most)))

    ids = ["agm", "nope", "..", "%22", "a" * 300, *(junk(40) for _ in range(20))]
    tokens = ["", "forged", "a" * 2000, hub_server.links["m002"], *(junk(200) for _ in range(20))]
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=10) as http:
        for meeting_id, token in itertools.product(ids, tokens):
            reply = await http.get(route.format(quote(meeting_id, safe="")), params={"token": token})
            assert reply.status_code in (403, 404), (meeting_id, reply.status_code)


@pytest.mark.parametrize(
    "route",
    [
        "/api/live/{}",
        "/live/{}/index.m3u8",
        "/live/{}/abcdefgh12/seg_00001.ts",
        "/live/agm/{}/x.ts",
        "/recordings/{}/20270313T120000Z.mp4",
        "/recordings/agm/{}.mp4",
        "/recordings/agm/{}.vtt",
    ],
)
async def test_the_livestream_routes_refuse_hostile_requests_without_failing(
    hub_server: RunningHub, route: str
) -> None:
    """The livestream's routes with any id and token: a refusal (403, 404), never a server error; only
    what an invited member may see of a meeting that is not live (its status)."""
    rng = random.Random(17)

    def junk(most: int) -> str:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, most)))

    ids = ["agm", "nope", "..", ".", "%22", "a" * 300, *(junk(40) for _ in range(20))]
    tokens = ["", "forged", "a" * 2000, hub_server.links["m002"], *(junk(200) for _ in range(20))]
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=10) as http:
        for meeting_id, token in itertools.product(ids, tokens):
            reply = await http.get(route.format(quote(meeting_id, safe="")), params={"token": token})
            allowed = route == "/api/live/{}" and meeting_id == "agm" and token == hub_server.links["m002"]
            assert reply.status_code in ((200,) if allowed else (403, 404)), (meeting_id, reply.status_code)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
SIGNIN_FIELDS = {"email": JSON_VALUES, "token": JSON_VALUES, "language": JSON_VALUES}


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
@given(data=st.data())
async def test_the_viewers_heartbeat_refuses_hostile_requests_without_failing(
    hub_server: RunningHub, data: st.DataObject
) -> None:
    """The viewer page's heartbeat with any meeting, link, body or bytes: a refusal with a reason (nothing
    is live here), never a server error."""
    meeting_id = data.draw(st.sampled_from(["agm", "nope", "..", "a" * 300]) | st.text(max_size=40))
    token = data.draw(st.sampled_from(["", "forged", hub_server.links["m002"]]) | st.text(max_size=200))
    body = data.draw(st.fixed_dictionaries({}, optional={"viewer": JSON_VALUES}) | JSON_VALUES)
    raw = data.draw(st.none() | st.binary(max_size=200))
    typed = data.draw(st.booleans())
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=10) as http:
        reply = await http.post(
            f"/api/live/{quote(meeting_id, safe='')}/seen",
            params={"token": token} if token else None,
            content=raw if raw is not None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"} if typed else None,
        )
    assert reply.status_code in (400, 403, 404, 415), (meeting_id, reply.status_code)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
@given(data=st.data())
async def test_the_signin_routes_refuse_hostile_requests_without_failing(
    hub_server: RunningHub, data: st.DataObject
) -> None:
    """Sign-in with any body, bytes, cookie or provider's answer: an answer with a reason (or the same
    202 for any address), never a server error, and never a session without a real link."""
    path = data.draw(st.sampled_from(["/api/signin", "/api/signin/confirm", "/api/signout"]))
    body = data.draw(st.fixed_dictionaries({}, optional=SIGNIN_FIELDS) | JSON_VALUES)
    raw = data.draw(st.none() | st.binary(max_size=200))
    cookie = data.draw(
        st.none() | st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=80)
    )
    headers = {"Content-Type": "application/json"} | ({"Cookie": f"hub_session={cookie}"} if cookie else {})
    content = raw if raw is not None else json.dumps(body).encode()
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=10) as http:
        reply = await http.post(path, content=content, headers=headers)
        assert reply.status_code in (200, 202, 400, 403, 415, 429), (path, body, reply.status_code)
        assert "set-cookie" not in reply.headers or path == "/api/signout"
        home = await http.get("/api/home", headers={"Cookie": f"hub_session={cookie or ''}"})
        assert home.status_code == 401
        # A provider's answer, forged: back to the sign-in page with a reason, never a session.
        query = data.draw(st.dictionaries(st.sampled_from(["code", "state", "error"]), st.text(max_size=60)))
        back = await http.get("/signin/sso/callback", params=query)
        assert back.status_code == 303 and back.headers["location"].startswith("/signin?error=")
        assert "set-cookie" not in back.headers


OFFICER_FIELDS = {
    name: JSON_VALUES
    | st.sampled_from(["berlin", "intl", "m003", "agm", "2031-03-30T02:30", "Europe/Berlin", "2031-01-06"])
    | st.sampled_from(["2031-02-30T10:00", "0001-01-01T00:30", "9999-12-31T23:30", "2031-13-01"])
    | st.lists(st.sampled_from(["2031-01-06T18:00", "2031-03-30T02:30", "2031-02-03T09:00", "x"]), max_size=4)
    for name in (
        "name",
        "home_time_zone",
        "branch_id",
        "branch",
        "role",
        "email",
        "title",
        "starts_at",
        "time_zone",
        "invite",
        "invited_branches",
        "chair",
        "tellers",
        "agenda",
        "standing_orders",
        "active",
        "file",
        "save",
        "kind",
        "minutes",
        "admin",
        "language",
        "weekday",
        "every",
        "meetings",
        "first",
        "starts",
    )
}


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
@given(data=st.data())
async def test_the_officers_routes_refuse_hostile_requests_without_failing(
    hub_server: RunningHub, data: st.DataObject
) -> None:
    """Every route of the officers' console, as an admin (who reaches every check) or with a forged
    cookie, with any body, bytes, path and query: an answer with a reason, never a server error."""
    from signalling import series
    from signalling.officers import ROUTES

    route = data.draw(st.sampled_from((*ROUTES, *series.ROUTES)))
    ids = st.sampled_from(["berlin", "m003", "agm", "nope", "..", "a" * 300]) | st.text(max_size=40)
    path = route.path
    for name in ("branch_id", "member_id", "meeting_id"):
        path = path.replace("{" + name + "}", quote(data.draw(ids), safe="") or "x")
    body = data.draw(st.fixed_dictionaries({}, optional=OFFICER_FIELDS) | JSON_VALUES)
    raw = data.draw(st.none() | st.binary(max_size=200))
    query = data.draw(
        st.dictionaries(st.sampled_from(["q", "branch", "offset", "limit"]), st.text(max_size=30))
    )
    async with open_hub(hub_server.settings) as hub:
        _, cookie = await Sessions(hub.store.redis, hub_server.settings.signing_secret()).open(
            "m007", hub.clock()
        )
    forged = data.draw(st.booleans())
    headers = {"Content-Type": "application/json", "Cookie": f"hub_session={'forged' if forged else cookie}"}
    content = raw if raw is not None else json.dumps(body).encode()
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=10) as http:
        if route.method == "GET":
            reply = await http.get(path, params=query, headers=headers)
        else:
            reply = await http.post(path, content=content, headers=headers, params=query)
    assert reply.status_code in (200, 400, 401, 403, 404, 405, 409, 415), (
        route.path,
        body,
        reply.status_code,
    )
    if forged:
        assert reply.status_code in (401, 404, 405)


INVITATION_FIELDS = {
    "member_id": JSON_VALUES | st.sampled_from(["m003", "m046", "nobody"]),
    "failed": JSON_VALUES | st.booleans(),
    "minutes": JSON_VALUES | st.lists(st.integers(min_value=-10, max_value=50_000), max_size=6),
    "reminders": JSON_VALUES,
    "language": JSON_VALUES | st.sampled_from(["en", "es", "fr"]),
    # A ballot from home.
    "meeting_id": JSON_VALUES | st.sampled_from(["agm", "nope"]),
    "vote_id": JSON_VALUES | st.sampled_from(["v1", "v99"]),
    "choice": JSON_VALUES | st.sampled_from(["for", "o1"]),
    "choices": JSON_VALUES | st.lists(st.sampled_from(["o1", "o2"]), max_size=3),
}


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
@given(data=st.data())
async def test_the_invitation_routes_refuse_hostile_requests_without_failing(
    hub_server: RunningHub, data: st.DataObject
) -> None:
    """The console's invitation routes as an admin or with a forged cookie, the unsubscribe link, the
    members' letter settings and their ballots from home, with any body, bytes, token and query: an
    answer with a reason, never a server error."""
    from signalling.invitations import ROUTES

    paths = [(r.method, r.path) for r in ROUTES] + [
        ("GET", "/unsubscribe/{token}"),
        ("POST", "/unsubscribe/{token}"),
        ("POST", "/api/home/letters"),
        ("POST", "/api/home/{token}/letters"),
        ("POST", "/api/home/ballots"),
        ("POST", "/api/home/{token}/ballots"),
    ]
    method, path = data.draw(st.sampled_from(paths))
    ids = st.sampled_from(["agm", "nope", "..", "a" * 300]) | st.text(max_size=40)
    path = path.replace("{meeting_id}", quote(data.draw(ids), safe="") or "x")
    path = path.replace(
        "{token}", quote(data.draw(st.text(max_size=300) | st.just("forged")), safe="") or "x"
    )
    body = data.draw(st.fixed_dictionaries({}, optional=INVITATION_FIELDS) | JSON_VALUES)
    raw = data.draw(st.none() | st.binary(max_size=200))
    query = data.draw(
        st.dictionaries(
            st.sampled_from(["status", "offset", "limit"]), st.text(max_size=30) | st.just("failed")
        )
    )
    async with open_hub(hub_server.settings) as hub:
        _, cookie = await Sessions(hub.store.redis, hub_server.settings.signing_secret()).open(
            "m007", hub.clock()
        )
    forged = data.draw(st.booleans())
    headers = {"Content-Type": "application/json", "Cookie": f"hub_session={'forged' if forged else cookie}"}
    content = raw if raw is not None else json.dumps(body).encode()
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=30) as http:
        if method == "GET":
            reply = await http.get(path, params=query, headers=headers)
        else:
            reply = await http.post(path, content=content, headers=headers, params=query)
    assert reply.status_code in (200, 400, 401, 403, 404, 405, 409, 415), (
        method,
        path,
        body,
        reply.status_code,
    )
    if forged and path.startswith("/api/"):
        assert reply.status_code in (401, 403, 404, 405)


def test_summary() -> None:
    """Prints what the fuzzer tried (run with -s); runs after the fuzz test in file order."""
    print("\nfuzz summary:", dict(sorted(STATS.items())))
