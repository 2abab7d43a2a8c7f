"""Reactions gathered into bursts: one message per burst however many react, each member once per kind
in a burst, a few named, and the requests to the chair counted once per member in the rolling window."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.commands import ReactionSend
from hub.reactions import NAMED_MOST, REQUEST_WINDOW, Gathering


def test_a_crowd_reacting_is_one_burst_with_counts_and_a_few_names() -> None:
    gathering = Gathering()
    for n in range(500):
        gathering.add("agm", f"m{n:03}", f"Member {n}", "applause", 0.0)
    gathering.add("agm", "m001", "Member 1", "applause", 0.1)
    gathering.add("agm", "m001", "Member 1", "agree", 0.1)
    gathering.add("other", "m900", "Elsewhere", "disagree", 0.1)
    burst = gathering.take("agm", 0.2)
    assert burst is not None
    assert burst.counts == {"applause": 500, "agree": 1}
    assert len(burst.named) == NAMED_MOST and burst.named[0].name == "Member 0"
    assert burst.asks == {}
    # Taken: the next burst starts empty; another meeting's reactions are its own.
    assert gathering.take("agm", 0.3) is None
    other = gathering.take("other", 0.3)
    assert other is not None and other.counts == {"disagree": 1}


def test_requests_to_the_chair_count_once_per_member_in_the_window() -> None:
    gathering = Gathering()
    gathering.add("agm", "m001", "Ana", "cant_hear", 0.0)
    gathering.add("agm", "m002", "Bo", "slower", 0.0)
    first = gathering.take("agm", 0.5)
    assert first is not None and first.asks == {"cant_hear": 1, "slower": 1}
    # Ana asks again ten seconds later: shown, not counted again.
    gathering.add("agm", "m001", "Ana", "cant_hear", 10.0)
    again = gathering.take("agm", 10.5)
    assert again is not None and again.counts == {"cant_hear": 1} and again.asks == {}
    # After the window she counts again.
    gathering.add("agm", "m001", "Ana", "cant_hear", REQUEST_WINDOW + 1)
    later = gathering.take("agm", REQUEST_WINDOW + 1.5)
    assert later is not None and later.asks == {"cant_hear": 1}


def test_only_the_five_reactions_are_accepted() -> None:
    for kind in ("applause", "agree", "disagree", "cant_hear", "slower"):
        assert ReactionSend(kind=kind).kind == kind  # type: ignore[arg-type]
    for bad in ("boo", "", "APPLAUSE", None, 1):
        with pytest.raises(ValidationError):
            ReactionSend.model_validate({"kind": bad})
