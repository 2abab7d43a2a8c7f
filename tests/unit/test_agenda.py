from __future__ import annotations

from datetime import timedelta

import pytest

from hub import agenda
from hub.commands import AgendaAdd, AgendaMove, AgendaRemove, AgendaSelect, AgendaUpdate
from hub.errors import HubError
from hub.models import AgendaKind, Meeting, Role, Speech
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("m001", Role.CHAIR)


def with_items(*titles: str) -> Meeting:
    m = meeting()
    for title in titles:
        change = agenda.add(m, AgendaAdd(title=title), CHAIR, NOON)
        m = change.meeting
    return m


def test_add_appends_with_fresh_ids_or_inserts_at_a_position() -> None:
    m = with_items("Apologies", "Reports")
    assert [(i.id, i.title) for i in m.agenda] == [("a1", "Apologies"), ("a2", "Reports")]
    change = agenda.add(
        m, AgendaAdd(title="Minutes", kind=AgendaKind.MINUTES, minutes_budget=5, position=1), CHAIR, NOON
    )
    assert [i.title for i in change.meeting.agenda] == ["Apologies", "Minutes", "Reports"]
    assert change.data == {"item_id": "a3", "title": "Minutes", "kind": "minutes", "position": 1}


def test_update_changes_only_the_fields_sent() -> None:
    m = with_items("Reports")
    change = agenda.update(m, AgendaUpdate(item_id="a1", minutes_budget=10), CHAIR, NOON)
    assert change is not None
    item = change.meeting.agenda[0]
    assert (item.title, item.minutes_budget) == ("Reports", 10)
    assert change.data["fields"] == ["minutes_budget"]
    assert agenda.update(change.meeting, AgendaUpdate(item_id="a1", minutes_budget=10), CHAIR, NOON) is None


def test_update_refuses_to_blank_a_title() -> None:
    with pytest.raises(HubError) as refused:
        agenda.update(with_items("Reports"), AgendaUpdate(item_id="a1", title=None), CHAIR, NOON)
    assert refused.value.code == "invalid_payload"


def test_move_reorders() -> None:
    m = with_items("A", "B", "C")
    change = agenda.move(m, AgendaMove(item_id="a3", position=0), CHAIR, NOON)
    assert change is not None
    assert [i.title for i in change.meeting.agenda] == ["C", "A", "B"]
    assert agenda.move(change.meeting, AgendaMove(item_id="a3", position=0), CHAIR, NOON) is None


def test_unknown_item_is_refused() -> None:
    with pytest.raises(HubError) as refused:
        agenda.move(with_items("A"), AgendaMove(item_id="a9", position=0), CHAIR, NOON)
    assert refused.value.code == "agenda.not_found"


def test_select_banks_time_on_the_item_left() -> None:
    m = with_items("A", "B")
    first = agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON)
    assert first is not None
    assert first.meeting.current_item == "a1" and first.meeting.agenda[0].opened_at == NOON
    second = agenda.select(first.meeting, AgendaSelect(item_id="a2"), CHAIR, NOON + timedelta(minutes=7))
    assert second is not None
    left, taken = second.meeting.agenda
    assert (left.seconds_used, left.opened_at) == (420, None)
    assert taken.opened_at == NOON + timedelta(minutes=7)
    back = agenda.select(second.meeting, AgendaSelect(item_id="a1"), CHAIR, NOON + timedelta(minutes=8))
    assert back is not None and back.meeting.agenda[1].seconds_used == 60


def test_select_is_refused_while_someone_has_the_floor() -> None:
    m = with_items("A", "B")
    first = agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON)
    assert first is not None
    speaking = first.meeting.model_copy(
        update={"speech": Speech(item_id="a1", member_id="m2", name="B", kind="speech", limit_seconds=60)}
    )
    with pytest.raises(HubError) as refused:
        agenda.select(speaking, AgendaSelect(item_id="a2"), CHAIR, NOON)
    assert refused.value.code == "speech.in_progress"


def test_the_current_item_cannot_be_removed() -> None:
    m = with_items("A", "B")
    first = agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON)
    assert first is not None
    with pytest.raises(HubError) as refused:
        agenda.remove(first.meeting, AgendaRemove(item_id="a1"), CHAIR, NOON)
    assert refused.value.code == "agenda.item_in_use"
    removed = agenda.remove(first.meeting, AgendaRemove(item_id="a2"), CHAIR, NOON)
    assert [i.id for i in removed.meeting.agenda] == ["a1"]
