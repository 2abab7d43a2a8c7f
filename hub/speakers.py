"""Pure rules for the speaker queue of the current agenda item and the timer of the current speech.

Order: points of order first; then members who have not yet spoken on the item; then the rest; each in
the order they asked. The chair may move anyone; later requests are placed around such moves by the
same order. Every entry records why it stands where it does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hub import agenda
from hub.commands import (
    PointRule,
    SpeakerCall,
    SpeakerCloseList,
    SpeakerMove,
    SpeakerPointOfOrder,
    SpeakerRemove,
    SpeakerReopenList,
    SpeakerRequest,
    SpeakerWithdraw,
    SpeechEnd,
    SpeechExtend,
    SpeechPause,
    SpeechStart,
)
from hub.errors import HubError
from hub.meetings import Actor, Change, next_id
from hub.models import AgendaItem, Meeting, PointOfOrder, QueueEntry, Speech

# Self-described genders read as a woman's, in the languages of the network; and any ending in "woman"
# ("trans woman", "cis woman").
WOMEN = frozenset(
    {"woman", "women", "female", "f", "w", "mujer", "femenino", "femme", "femmina", "donna", "frau", "mulher"}
)


def balance_group(gender: str | None) -> str | None:
    """Balance rules (speaker alternation, election seats) are between women and everyone else; no group
    when none was given."""
    if not gender:
        return None
    said = " ".join(gender.casefold().split())
    return "woman" if said in WOMEN or said.endswith(" woman") else "other"


def priority(entry: QueueEntry, item: AgendaItem) -> int:
    if entry.kind == "point_of_order":
        return 0
    return 2 if item.spoken.get(entry.member_id) else 1


def place(item: AgendaItem, entry: QueueEntry) -> list[QueueEntry]:
    """Insert after the last entry of the same or higher priority."""
    rank = priority(entry, item)
    position = 0
    for index, other in enumerate(item.queue):
        if priority(other, item) <= rank:
            position = index + 1
    queue = list(item.queue)
    queue.insert(position, entry)
    return queue


def alternate(
    item: AgendaItem, group: Callable[[QueueEntry], str | None], last: str | None
) -> list[QueueEntry]:
    """The queue with speakers alternating between groups (balance groups, or for and against) within
    each priority, starting from the last speaker called (in group `last`). Points of order and entries
    the chair placed keep their positions."""
    fixed = {
        i: e for i, e in enumerate(item.queue) if e.kind == "point_of_order" or e.reason == "moved_by_chair"
    }
    # Start from the order without alternation (priority, then time of asking) so reasons stay stable.
    free = sorted(
        (e for i, e in enumerate(item.queue) if i not in fixed),
        key=lambda e: (priority(e, item), e.requested_at),
    )
    arranged: list[QueueEntry] = []
    while free:
        rank = min(priority(e, item) for e in free)
        same = [e for e in free if priority(e, item) == rank]
        pick = next((e for e in same if group(e) and last and group(e) != last), same[0])
        if group(same[0]) == last and pick is not same[0]:
            reason = "alternation"
        else:
            reason = "spoken_before" if item.spoken.get(pick.member_id) else "first_time"
        arranged.append(pick.model_copy(update={"reason": reason}))
        free.remove(pick)
        last = group(pick) or last
    rest = iter(arranged)
    return [fixed[i] if i in fixed else next(rest) for i in range(len(item.queue))]


def arranged(meeting: Meeting, item: AgendaItem, **changes: Any) -> Meeting:
    """Replace the item with `changes`, re-arranging its queue when an alternation rule is on: for and
    against, else by balance group."""
    item = item.model_copy(update=changes)
    orders = meeting.standing_orders
    if orders.alternate_by_stance:
        item = item.model_copy(update={"queue": alternate(item, lambda e: e.stance, item.last_stance)})
    elif orders.alternate_by_gender:
        item = item.model_copy(update={"queue": alternate(item, lambda e: e.balance, item.last_balance)})
    return agenda.replace_item(meeting, item)


def _entry(item: AgendaItem, entry_id: str) -> QueueEntry:
    for entry in item.queue:
        if entry.id == entry_id:
            return entry
    raise HubError("speaker.not_in_queue", "That entry is not in the queue.", {"entry_id": entry_id})


def _entry_data(item: AgendaItem, entry: QueueEntry, **extra: Any) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "entry_id": entry.id,
        "member_id": entry.member_id,
        "name": entry.name,
        "kind": entry.kind,
        "stance": entry.stance,
        "rule": entry.rule,
        "point": entry.point,
        **extra,
    }


def _queued(meeting: Meeting, item: AgendaItem, entry: QueueEntry) -> Change:
    meeting = arranged(meeting, item, queue=place(item, entry))
    position = next(i for i, e in enumerate(agenda.find(meeting, item.id).queue) if e.id == entry.id)
    return Change(meeting, "speaker.queued", _entry_data(item, entry, position=position))


def request(meeting: Meeting, command: SpeakerRequest, actor: Actor, now: datetime) -> Change:
    item = agenda.current(meeting)
    if not item.queue_open:
        raise HubError("speaker.list_closed", "The chair has closed the list of speakers on this item.")
    if any(e.member_id == actor.member_id and e.kind == "speech" for e in item.queue):
        raise HubError("speaker.already_queued", "You are already in the queue.")
    meeting, entry_id = next_id(meeting, "q")
    reason = "spoken_before" if item.spoken.get(actor.member_id) else "first_time"
    entry = QueueEntry(
        id=entry_id,
        member_id=actor.member_id,
        name=actor.name,
        stance=command.stance,
        requested_at=now,
        reason=reason,
        balance=balance_group(actor.gender),
    )
    return _queued(meeting, item, entry)


def point_of_order(meeting: Meeting, command: SpeakerPointOfOrder, actor: Actor, now: datetime) -> Change:
    """Allowed even when the list is closed: order comes before debate."""
    item = agenda.current(meeting)
    if any(e.member_id == actor.member_id and e.kind == "point_of_order" for e in item.queue):
        raise HubError("speaker.already_queued", "You have already raised a point of order.")
    meeting, entry_id = next_id(meeting, "q")
    entry = QueueEntry(
        id=entry_id,
        member_id=actor.member_id,
        name=actor.name,
        kind="point_of_order",
        rule=command.rule,
        point=command.point,
        requested_at=now,
        reason="point_of_order",
    )
    return _queued(meeting, item, entry)


def withdraw(meeting: Meeting, command: SpeakerWithdraw, actor: Actor, now: datetime) -> Change:
    item = agenda.current(meeting)
    if command.entry_id is None:
        mine = [e for e in item.queue if e.member_id == actor.member_id and e.kind == "speech"]
        if not mine:
            raise HubError("speaker.not_in_queue", "You are not in the queue.")
        entry = mine[0]
    else:
        entry = _entry(item, command.entry_id)
        if entry.member_id != actor.member_id:
            raise HubError("forbidden", "You may only withdraw your own request.")
    return _removed(meeting, item, entry, "speaker.withdrawn")


def remove(meeting: Meeting, command: SpeakerRemove, actor: Actor, now: datetime) -> Change:
    item = agenda.current(meeting)
    return _removed(meeting, item, _entry(item, command.entry_id), "speaker.removed")


def _removed(meeting: Meeting, item: AgendaItem, entry: QueueEntry, event: str) -> Change:
    queue = [e for e in item.queue if e.id != entry.id]
    return Change(
        arranged(meeting, item, queue=queue),
        event,
        {"item_id": item.id, "entry_id": entry.id, "member_id": entry.member_id, "name": entry.name},
    )


def move(meeting: Meeting, command: SpeakerMove, actor: Actor, now: datetime) -> Change | None:
    item = agenda.current(meeting)
    entry = _entry(item, command.entry_id)
    queue = [e for e in item.queue if e.id != entry.id]
    position = min(command.position, len(queue))
    queue.insert(position, entry.model_copy(update={"reason": "moved_by_chair"}))
    if [e.id for e in queue] == [e.id for e in item.queue]:
        return None
    return Change(
        agenda.replace_item(meeting, item.model_copy(update={"queue": queue})),
        "speaker.moved",
        {"item_id": item.id, "entry_id": entry.id, "name": entry.name, "position": position},
    )


def close_list(meeting: Meeting, command: SpeakerCloseList, actor: Actor, now: datetime) -> Change | None:
    return _list_open(meeting, False)


def reopen_list(meeting: Meeting, command: SpeakerReopenList, actor: Actor, now: datetime) -> Change | None:
    return _list_open(meeting, True)


def _list_open(meeting: Meeting, is_open: bool) -> Change | None:
    item = agenda.current(meeting)
    if item.queue_open == is_open:
        return None
    return Change(
        agenda.replace_item(meeting, item.model_copy(update={"queue_open": is_open})),
        "speaker.list_reopened" if is_open else "speaker.list_closed",
        {"item_id": item.id},
    )


def call(meeting: Meeting, command: SpeakerCall, actor: Actor, now: datetime) -> Change:
    """Give the floor to an entry (the head of the queue by default); its timer starts at once.

    A speech still running is ended first, so the chair can simply call the next speaker.
    """
    item = agenda.current(meeting)
    if not item.queue:
        raise HubError("speaker.queue_empty", "Nobody is waiting to speak.")
    entry = item.queue[0] if command.entry_id is None else _entry(item, command.entry_id)
    ended = None if meeting.speech is None else ended_data(meeting.speech, now)
    speech = Speech(
        item_id=item.id,
        member_id=entry.member_id,
        name=entry.name,
        kind=entry.kind,
        limit_seconds=_limit(meeting, item, entry),
        started_at=now,
    )
    spoken = dict(item.spoken)
    if entry.kind == "speech":
        spoken[entry.member_id] = spoken.get(entry.member_id, 0) + 1
    queue = [e for e in item.queue if e.id != entry.id]
    speaking = entry.kind == "speech"
    balance = entry.balance if speaking and entry.balance else item.last_balance
    stance = entry.stance if speaking and entry.stance else item.last_stance
    updated = arranged(meeting, item, queue=queue, spoken=spoken, last_balance=balance, last_stance=stance)
    points = updated.points
    if entry.kind == "point_of_order":
        heard = PointOfOrder(
            id=entry.id,
            item_id=item.id,
            member_id=entry.member_id,
            name=entry.name,
            rule=entry.rule or "",
            point=entry.point or "",
            heard_at=now,
        )
        points = [*points, heard]
    return Change(
        updated.model_copy(update={"speech": speech, "points": points}),
        "speaker.called",
        _entry_data(item, entry, limit_seconds=speech.limit_seconds, ended=ended),
    )


def _limit(meeting: Meeting, item: AgendaItem, entry: QueueEntry) -> int:
    """How long the speaker called may speak: a mover opening the debate on their motion (the first
    time they speak on the item) has the mover's time."""
    orders = meeting.standing_orders
    moving = any(
        m.mover_id == entry.member_id and m.item_id == item.id and m.status in ("proposed", "seconded")
        for m in meeting.motions
    )
    first = not item.spoken.get(entry.member_id)
    return orders.mover_seconds if entry.kind == "speech" and moving and first else orders.speech_seconds


def rule_on_point(meeting: Meeting, command: PointRule, actor: Actor, now: datetime) -> Change:
    """The chair's ruling on a point of order it has heard, once: the minutes record it, and a
    challenge to the chair's ruling refers to it."""
    point = next((p for p in meeting.points if p.id == command.point_id), None)
    if point is None:
        raise HubError(
            "point.not_found", "No point of order by that id has been heard.", {"point_id": command.point_id}
        )
    if point.ruling is not None:
        raise HubError("point.ruled", "The chair has already ruled on this point of order.")
    ruled = point.model_copy(update={"upheld": command.upheld, "ruling": command.ruling, "ruled_at": now})
    return Change(
        meeting.model_copy(update={"points": [ruled if p.id == point.id else p for p in meeting.points]}),
        "point.ruled",
        {
            "point_id": point.id,
            "item_id": point.item_id,
            "member_id": point.member_id,
            "name": point.name,
            "rule": point.rule,
            "point": point.point,
            "upheld": command.upheld,
            "ruling": command.ruling,
        },
    )


def _speech(meeting: Meeting) -> Speech:
    if meeting.speech is None:
        raise HubError("speech.none", "Nobody has the floor.")
    return meeting.speech


def elapsed(speech: Speech, now: datetime) -> float:
    running = 0.0 if speech.started_at is None else (now - speech.started_at).total_seconds()
    return speech.elapsed_seconds + running


def ended_data(speech: Speech, now: datetime) -> dict[str, Any]:
    return {"member_id": speech.member_id, "name": speech.name, "seconds": round(elapsed(speech, now))}


def start(meeting: Meeting, command: SpeechStart, actor: Actor, now: datetime) -> Change | None:
    speech = _speech(meeting)
    if speech.started_at is not None:
        return None
    return Change(
        meeting.model_copy(update={"speech": speech.model_copy(update={"started_at": now})}),
        "speech.started",
        {"member_id": speech.member_id, "elapsed_seconds": speech.elapsed_seconds},
    )


def pause(meeting: Meeting, command: SpeechPause, actor: Actor, now: datetime) -> Change | None:
    speech = _speech(meeting)
    if speech.started_at is None:
        return None
    paused = speech.model_copy(update={"started_at": None, "elapsed_seconds": elapsed(speech, now)})
    return Change(
        meeting.model_copy(update={"speech": paused}),
        "speech.paused",
        {"member_id": speech.member_id, "elapsed_seconds": paused.elapsed_seconds},
    )


def extend(meeting: Meeting, command: SpeechExtend, actor: Actor, now: datetime) -> Change:
    speech = _speech(meeting)
    limit = speech.limit_seconds + command.seconds
    return Change(
        meeting.model_copy(update={"speech": speech.model_copy(update={"limit_seconds": limit})}),
        "speech.extended",
        {"member_id": speech.member_id, "seconds": command.seconds, "limit_seconds": limit},
    )


def end(meeting: Meeting, command: SpeechEnd, actor: Actor, now: datetime) -> Change:
    speech = _speech(meeting)
    return Change(meeting.model_copy(update={"speech": None}), "speech.ended", ended_data(speech, now))
