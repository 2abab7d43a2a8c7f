"""The chair's "what next": what the standing orders allow or require now, from the meeting's state, by
the same rules the hub enforces (hub/votes.py, hub/motions.py). Advice only: the rules decide.

It is part of the public view (`Meeting.next_steps`), so the browser shows the hub's advice rather than a
copy of its rules. A step names what it is about (a motion, a vote, a speaker) and the client words it;
it carries no counts that change at every arrival, so a big room is not sent a new step per join.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from hub.models import MeetingStatus, Step, StepKind

if TYPE_CHECKING:
    from hub.models import Meeting

# Motion statuses that still want the chair's attention on the item.
PENDING = frozenset({"proposed", "seconded", "awaiting_admission", "withdrawal_requested"})


def next_steps(meeting: Meeting) -> list[Step]:
    m = meeting
    steps: list[Step] = []
    if m.status == MeetingStatus.SCHEDULED:
        steps.append(Step(step="open"))
    if m.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        return [Step(step="closed")]
    if m.adjourned_until is not None:
        # Nothing but resuming (meeting.resume), or waiting for the time set.
        return [Step(step="adjourned")]
    if m.status == MeetingStatus.OPEN:
        steps.append(Step(step="start"))
    quorate = m.quorum.quorate
    blocked: Literal["not_quorate"] | None = None if quorate else "not_quorate"
    if not quorate:
        steps.append(Step(step="not_quorate", warning=True))
    # The meeting's own vote: advance polls close by themselves, beside the business.
    vote = next((v for v in m.votes if v.status == "open" and v.closes_at is None), None)
    if vote is not None:
        steps.append(Step(step="vote_open", vote_id=vote.id))
        return steps
    item = next((i for i in m.agenda if i.id == m.current_item), None)
    if item is None:
        steps.append(Step(step="take_up"))
        return steps
    unruled = next((p for p in m.points if p.ruling is None), None)
    if unruled is not None and (m.speech is None or m.speech.kind != "point_of_order"):
        # Heard, and not ruled on yet: the chair rules before debate goes on.
        steps.append(Step(step="rule", name=unruled.name, rule=unruled.rule, point_id=unruled.id))
    if m.speech is not None:
        steps.append(Step(step="speaking", name=m.speech.name))
    elif item.queue:
        first = item.queue[0]
        kind: StepKind = "call_poo" if first.kind == "point_of_order" else "call"
        steps.append(Step(step=kind, name=first.name, rule=first.rule))
    relevant = [x for x in m.motions if x.item_id in (m.current_item, None) or x.procedure]
    procedural = next((x for x in m.motions if x.procedure and x.status == "seconded"), None)
    if procedural is not None:
        steps.append(Step(step="procedural", motion_id=procedural.id, blocked=blocked))
        return steps
    for motion in relevant:
        if motion.status == "awaiting_admission":
            steps.append(Step(step="admission", motion_id=motion.id, blocked=blocked))
        elif motion.status == "proposed":
            steps.append(Step(step="needs_seconder", motion_id=motion.id))
        elif motion.status == "withdrawal_requested":
            steps.append(Step(step="withdrawal", motion_id=motion.id))
        elif motion.status == "seconded":
            amendment = next((a for a in motion.amendments if a.status == "seconded"), None)
            unseconded = sum(1 for a in motion.amendments if a.status == "proposed")
            if amendment is not None:
                steps.append(
                    Step(step="amendment", name=amendment.mover_name, motion_id=motion.id, blocked=blocked)
                )
            elif m.standing_orders.right_of_reply and not motion.reply_given:
                steps.append(Step(step="reply", name=motion.mover_name, motion_id=motion.id))
            else:
                steps.append(Step(step="put", motion_id=motion.id, falling=unseconded, blocked=blocked))
    if m.speech is None and not item.queue and not any(x.status in PENDING for x in relevant):
        steps.append(Step(step="nothing"))
    return steps
