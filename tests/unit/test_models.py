from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from hub.commands import COMMANDS, MeetingJoin
from hub.models import Member
from tests.unit.builders import meeting


def test_times_must_carry_an_offset_and_are_kept_in_utc() -> None:
    with pytest.raises(ValidationError):
        meeting(starts_at=datetime(2027, 3, 13, 13, 0))
    m = meeting(starts_at=datetime.fromisoformat("2027-03-13T14:00:00+01:00"))
    assert m.starts_at.isoformat() == "2027-03-13T13:00:00+00:00"


def test_unknown_time_zones_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        meeting(time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError, match="unknown time zone"):
        Member(id="m1", name="A", time_zone="Nowhere")


def test_commands_forbid_unknown_fields_and_negative_versions() -> None:
    with pytest.raises(ValidationError):
        MeetingJoin.model_validate({"since": 1, "admin": True})
    with pytest.raises(ValidationError):
        MeetingJoin.model_validate({"since": -1})


def test_every_command_is_named_noun_dot_verb() -> None:
    for name, model in COMMANDS.items():
        noun, verb = name.split(".")
        assert model.__name__ == "".join(p.title() for p in [noun, *verb.split("_")])
