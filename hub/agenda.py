"""Pure rules for the agenda: officers add, edit, order and remove items; the chair takes one up."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from hub.commands import AgendaAdd, AgendaMove, AgendaRemove, AgendaSelect, AgendaUpdate
from hub.errors import HubError, invalid_payload
from hub.meetings import Actor, Change, next_id
from hub.models import AgendaItem, Meeting


def find(meeting: Meeting, item_id: str) -> AgendaItem:
    for item in meeting.agenda:
        if item.id == item_id:
            return item
    raise HubError("agenda.not_found", "There is no such agenda item.", {"item_id": item_id})


def current(meeting: Meeting) -> AgendaItem:
    if meeting.current_item is None:
        raise HubError("agenda.no_current_item", "The chair has not taken up an agenda item yet.")
    return find(meeting, meeting.current_item)


def replace_item(meeting: Meeting, item: AgendaItem) -> Meeting:
    return meeting.model_copy(update={"agenda": [item if i.id == item.id else i for i in meeting.agenda]})


def add(meeting: Meeting, command: AgendaAdd, actor: Actor, now: datetime) -> Change:
    meeting, item_id = next_id(meeting, "a")
    item = AgendaItem(
        id=item_id,
        title=command.title,
        kind=command.kind,
        minutes_budget=command.minutes_budget,
        documents=command.documents,
    )
    agenda = list(meeting.agenda)
    position = len(agenda) if command.position is None else min(command.position, len(agenda))
    agenda.insert(position, item)
    return Change(
        meeting.model_copy(update={"agenda": agenda}),
        "agenda.added",
        {"item_id": item_id, "title": item.title, "kind": item.kind.value, "position": position},
    )


def update(meeting: Meeting, command: AgendaUpdate, actor: Actor, now: datetime) -> Change | None:
    item = find(meeting, command.item_id)
    changes = command.model_dump(exclude={"item_id"}, exclude_unset=True)
    try:
        edited = AgendaItem.model_validate({**item.model_dump(), **changes})
    except ValidationError as exc:
        raise invalid_payload(exc) from None
    if edited == item:
        return None
    return Change(
        replace_item(meeting, edited),
        "agenda.updated",
        {"item_id": item.id, "title": edited.title, "fields": sorted(changes)},
    )


def move(meeting: Meeting, command: AgendaMove, actor: Actor, now: datetime) -> Change | None:
    item = find(meeting, command.item_id)
    agenda = [i for i in meeting.agenda if i.id != item.id]
    position = min(command.position, len(agenda))
    agenda.insert(position, item)
    if agenda == meeting.agenda:
        return None
    return Change(
        meeting.model_copy(update={"agenda": agenda}),
        "agenda.moved",
        {"item_id": item.id, "title": item.title, "position": position},
    )


def remove(meeting: Meeting, command: AgendaRemove, actor: Actor, now: datetime) -> Change:
    item = find(meeting, command.item_id)
    if meeting.current_item == item.id:
        raise HubError(
            "agenda.item_in_use",
            "The item under discussion cannot be removed; take up another item first.",
            {"item_id": item.id},
        )
    return Change(
        meeting.model_copy(update={"agenda": [i for i in meeting.agenda if i.id != item.id]}),
        "agenda.removed",
        {"item_id": item.id, "title": item.title},
    )


def select(meeting: Meeting, command: AgendaSelect, actor: Actor, now: datetime) -> Change | None:
    """Take up an item (or none): the time used on the item being left is banked."""
    if command.item_id == meeting.current_item:
        return None
    target = None if command.item_id is None else find(meeting, command.item_id)
    if meeting.speech is not None:
        raise HubError("speech.in_progress", "End the current speech before moving to another agenda item.")
    if meeting.current_item is not None:
        leaving = find(meeting, meeting.current_item)
        meeting = replace_item(meeting, bank_time(leaving, now))
    if target is not None:
        meeting = replace_item(meeting, target.model_copy(update={"opened_at": now}))
    return Change(
        meeting.model_copy(update={"current_item": command.item_id}),
        "agenda.selected",
        {"item_id": command.item_id, "title": None if target is None else target.title},
    )


def bank_time(item: AgendaItem, now: datetime) -> AgendaItem:
    if item.opened_at is None:
        return item
    spent = int((now - item.opened_at).total_seconds())
    return item.model_copy(update={"opened_at": None, "seconds_used": item.seconds_used + spent})
