"""Pure rules for motions, amendments and procedural motions.

A motion is moved in writing and seconded by another member. Amendments change its text and are
decided before it. Procedural motions interrupt debate and are decided before anything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub import agenda, lifecycle, speakers
from hub.commands import (
    AmendmentMove,
    AmendmentSecond,
    AmendmentWithdraw,
    MotionAllowWithdrawal,
    MotionProcedural,
    MotionReply,
    MotionSecond,
    MotionSubmit,
    MotionWithdraw,
)
from hub.errors import HubError
from hub.meetings import Actor, Change, next_id
from hub.models import Amendment, AmendmentKind, Meeting, Motion, Procedure, Speech

PROCEDURE_TITLES = {
    Procedure.NEXT_BUSINESS: "That the meeting proceed to next business",
    Procedure.QUESTION_BE_NOW_PUT: "That the question be now put",
    Procedure.REFER_BACK: "That the matter be referred back",
    Procedure.ADJOURN: "That the meeting be adjourned",
    Procedure.CHALLENGE_CHAIR: "That the chair's ruling be challenged",
}
# Procedural motions that act on another motion.
TARGETED = {Procedure.NEXT_BUSINESS, Procedure.QUESTION_BE_NOW_PUT, Procedure.REFER_BACK}
# A motion in one of these states is still before the meeting.
UNDECIDED = {"awaiting_admission", "proposed", "seconded", "withdrawal_requested"}
PENDING_AMENDMENT = {"proposed", "seconded"}


def find(meeting: Meeting, motion_id: str) -> Motion:
    for motion in meeting.motions:
        if motion.id == motion_id:
            return motion
    raise HubError("motion.not_found", "There is no such motion.", {"motion_id": motion_id})


def find_amendment(motion: Motion, amendment_id: str) -> Amendment:
    for amendment in motion.amendments:
        if amendment.id == amendment_id:
            return amendment
    raise HubError("amendment.not_found", "There is no such amendment.", {"amendment_id": amendment_id})


def replace_motion(meeting: Meeting, motion: Motion) -> Meeting:
    motions = [motion if m.id == motion.id else m for m in meeting.motions]
    return meeting.model_copy(update={"motions": motions})


def replace_amendment(motion: Motion, amendment: Amendment) -> Motion:
    amendments = [amendment if a.id == amendment.id else a for a in motion.amendments]
    return motion.model_copy(update={"amendments": amendments})


def pending_procedural(meeting: Meeting) -> Motion | None:
    """A seconded procedural motion not yet decided: it must be put before anything else."""
    for motion in meeting.motions:
        if motion.procedure is not None and motion.status == "seconded":
            return motion
    return None


def _data(motion: Motion, **extra: Any) -> dict[str, Any]:
    return {"motion_id": motion.id, "title": motion.title, **extra}


def submit(meeting: Meeting, command: MotionSubmit, actor: Actor, now: datetime) -> Change:
    item_id = command.item_id if command.item_id is not None else meeting.current_item
    if item_id is not None:
        agenda.find(meeting, item_id)
    meeting, motion_id = next_id(meeting, "mo")
    motion = Motion(
        id=motion_id,
        item_id=item_id,
        title=command.title,
        text=command.text,
        original_text=command.text,
        mover_id=actor.member_id,
        mover_name=actor.name,
        emergency=command.emergency,
        status="awaiting_admission" if command.emergency else "proposed",
        submitted_at=now,
    )
    return Change(
        meeting.model_copy(update={"motions": [*meeting.motions, motion]}),
        "motion.submitted",
        _data(
            motion,
            mover_id=actor.member_id,
            mover_name=actor.name,
            text=motion.text,
            emergency=motion.emergency,
            item_id=item_id,
        ),
    )


def procedural(meeting: Meeting, command: MotionProcedural, actor: Actor, now: datetime) -> Change:
    if command.procedure in TARGETED:
        if command.target_id is None:
            raise HubError("motion.target_required", "Say which motion this procedural motion is about.")
        target = find(meeting, command.target_id)
        if target.status not in UNDECIDED or target.procedure is not None:
            raise HubError(
                "motion.not_open",
                "That motion is not before the meeting.",
                {"motion_id": target.id, "status": target.status},
            )
    challenged = command.procedure == Procedure.CHALLENGE_CHAIR and command.target_id is not None
    if challenged and not any(p.id == command.target_id and p.ruling is not None for p in meeting.points):
        raise HubError(
            "point.not_found",
            "Name a ruling the chair has given on a point of order.",
            {"point_id": command.target_id},
        )
    if command.until is not None:
        lifecycle.check_until(command.until, now)
    if pending_procedural(meeting) is not None:
        raise HubError("motion.procedural_pending", "Another procedural motion must be decided first.")
    meeting, motion_id = next_id(meeting, "mo")
    title = PROCEDURE_TITLES[command.procedure]
    motion = Motion(
        id=motion_id,
        item_id=meeting.current_item,
        title=title,
        text=command.reason or title,
        original_text=command.reason or title,
        mover_id=actor.member_id,
        mover_name=actor.name,
        procedure=command.procedure,
        # The motion it acts on; for a challenge to the chair, the ruling on a point of order, if named.
        target_id=command.target_id if command.procedure in TARGETED or challenged else None,
        until=command.until,
        submitted_at=now,
    )
    return Change(
        meeting.model_copy(update={"motions": [*meeting.motions, motion]}),
        "motion.procedural_moved",
        _data(
            motion,
            procedure=command.procedure.value,
            target_id=motion.target_id,
            until=None if motion.until is None else motion.until.isoformat(),
            mover_id=actor.member_id,
            mover_name=actor.name,
        ),
    )


def second(meeting: Meeting, command: MotionSecond, actor: Actor, now: datetime) -> Change:
    motion = find(meeting, command.motion_id)
    if motion.mover_id == actor.member_id:
        raise HubError("motion.own_motion", "The mover cannot second their own motion.")
    if motion.seconder_id is not None:
        raise HubError(
            "motion.already_seconded",
            "This motion has already been seconded.",
            {"seconder": motion.seconder_name},
        )
    if motion.status not in {"proposed", "awaiting_admission"}:
        raise HubError("motion.not_open", "This motion is not before the meeting.", {"status": motion.status})
    status = motion.status if motion.status == "awaiting_admission" else "seconded"
    seconded = motion.model_copy(
        update={"seconder_id": actor.member_id, "seconder_name": actor.name, "status": status}
    )
    return Change(
        replace_motion(meeting, seconded),
        "motion.seconded",
        _data(motion, seconder_id=actor.member_id, seconder_name=actor.name),
    )


def withdraw(meeting: Meeting, command: MotionWithdraw, actor: Actor, now: datetime) -> Change:
    """Before it is seconded the mover may simply withdraw; after, the meeting must consent."""
    motion = find(meeting, command.motion_id)
    if motion.mover_id != actor.member_id:
        raise HubError("forbidden", "Only the mover may withdraw a motion.")
    if motion.status not in UNDECIDED or motion.status == "withdrawal_requested":
        raise HubError("motion.not_open", "This motion is not before the meeting.", {"status": motion.status})
    if motion.status in {"proposed", "awaiting_admission"}:
        return Change(
            replace_motion(meeting, motion.model_copy(update={"status": "withdrawn"})),
            "motion.withdrawn",
            _data(motion, consent=False),
        )
    return Change(
        replace_motion(meeting, motion.model_copy(update={"status": "withdrawal_requested"})),
        "motion.withdrawal_requested",
        _data(motion),
    )


def allow_withdrawal(meeting: Meeting, command: MotionAllowWithdrawal, actor: Actor, now: datetime) -> Change:
    """The chair declares that the meeting consents to the mover's request."""
    motion = find(meeting, command.motion_id)
    if motion.status != "withdrawal_requested":
        raise HubError("motion.no_withdrawal_request", "The mover has not asked to withdraw this motion.")
    return Change(
        replace_motion(meeting, motion.model_copy(update={"status": "withdrawn"})),
        "motion.withdrawn",
        _data(motion, consent=True),
    )


def reply(meeting: Meeting, command: MotionReply, actor: Actor, now: datetime) -> Change:
    """The chair gives the mover the floor for the right of reply, once, before the vote."""
    motion = find(meeting, command.motion_id)
    if not meeting.standing_orders.right_of_reply:
        raise HubError("motion.no_right_of_reply", "These standing orders give no right of reply.")
    if motion.status != "seconded" or motion.procedure is not None:
        raise HubError("motion.not_open", "This motion is not under debate.", {"status": motion.status})
    if motion.reply_given:
        raise HubError("motion.reply_given", "The mover has already replied.")
    ended = None if meeting.speech is None else speakers.ended_data(meeting.speech, now)
    speech = Speech(
        item_id=motion.item_id or agenda.current(meeting).id,
        member_id=motion.mover_id,
        name=motion.mover_name,
        kind="speech",
        limit_seconds=meeting.standing_orders.reply_seconds,
        started_at=now,
    )
    replied = replace_motion(meeting, motion.model_copy(update={"reply_given": True}))
    return Change(
        replied.model_copy(update={"speech": speech}),
        "motion.reply_started",
        _data(
            motion,
            item_id=speech.item_id,
            member_id=motion.mover_id,
            name=motion.mover_name,
            limit_seconds=speech.limit_seconds,
            ended=ended,
        ),
    )


def amend_text(text: str, amendment: Amendment) -> str:
    """The motion's text with the amendment applied, its words joined to their neighbours as a reader
    expects (`_joined`); amendment.target_not_found if its target is gone. An insertion goes after its
    target, or at the end when it names none."""
    if amendment.kind == AmendmentKind.INSERT and not amendment.target:
        return _joined(text, amendment.text, "")
    start = text.find(amendment.target)
    if start < 0:
        raise HubError(
            "amendment.target_not_found",
            "The words this amendment refers to are not in the motion's text.",
            {"target": amendment.target},
        )
    end = start + len(amendment.target)
    if amendment.kind == AmendmentKind.INSERT:
        return _joined(text[:end], amendment.text, text[end:])
    replacement = amendment.text if amendment.kind == AmendmentKind.REPLACE else ""
    return _joined(text[:start], replacement, text[end:])


# What never takes a space before it, and what never takes one after it.
_CLOSING = tuple(",.;:!?)]\u201d\u2019")  # and the closing quotation marks
_OPENING = tuple("([\u201c\u2018")


def _joined(left: str, middle: str, right: str) -> str:
    """`left + middle + right` with one space, and only one, where words meet: inserting "loudly" after
    "campaign" does not make "campaignloudly", and deleting a word leaves neither two spaces nor a
    space before a comma."""
    return _seam(_seam(left, middle), right) if middle else _seam(left, right)


def _seam(left: str, right: str) -> str:
    if not left:
        return right.lstrip(" ")
    if not right:
        return left
    if left[-1] == " " and right[0] == " ":
        return left + right.lstrip(" ")
    if left[-1] == " " and right.startswith(_CLOSING):
        return left.rstrip(" ") + right
    if (left[-1].isalnum() or left.endswith(_CLOSING)) and (right[0].isalnum() or right.startswith(_OPENING)):
        return f"{left} {right}"
    return left + right


def move_amendment(meeting: Meeting, command: AmendmentMove, actor: Actor, now: datetime) -> Change:
    motion = find(meeting, command.motion_id)
    if motion.procedure is not None:
        raise HubError("amendment.not_allowed", "A procedural motion cannot be amended.")
    if motion.status != "seconded":
        raise HubError(
            "motion.not_open",
            "Only a seconded motion before the meeting can be amended.",
            {"status": motion.status},
        )
    if command.kind != AmendmentKind.INSERT and not command.target:
        raise HubError(
            "invalid_payload",
            "Say which words the amendment takes out.",
            {"problems": [{"field": "target", "problem": "required"}]},
        )
    if command.kind != AmendmentKind.DELETE and not command.text:
        raise HubError(
            "invalid_payload",
            "Give the words the amendment puts in.",
            {"problems": [{"field": "text", "problem": "required"}]},
        )
    meeting, amendment_id = next_id(meeting, "am")
    needs_seconder = meeting.standing_orders.amendments_need_seconder
    amendment = Amendment(
        id=amendment_id,
        mover_id=actor.member_id,
        mover_name=actor.name,
        kind=command.kind,
        target=command.target,
        text=command.text if command.kind != AmendmentKind.DELETE else "",
        status="proposed" if needs_seconder else "seconded",
    )
    amend_text(motion.text, amendment)  # refuse now if the words are not there
    moved = motion.model_copy(update={"amendments": [*motion.amendments, amendment]})
    return Change(
        replace_motion(meeting, moved),
        "amendment.moved",
        _data(
            motion,
            amendment_id=amendment_id,
            kind=command.kind.value,
            target=command.target,
            text=amendment.text,
            mover_id=actor.member_id,
            mover_name=actor.name,
        ),
    )


def second_amendment(meeting: Meeting, command: AmendmentSecond, actor: Actor, now: datetime) -> Change:
    motion = find(meeting, command.motion_id)
    amendment = find_amendment(motion, command.amendment_id)
    if amendment.mover_id == actor.member_id:
        raise HubError("motion.own_motion", "The mover cannot second their own amendment.")
    if amendment.status != "proposed":
        raise HubError(
            "amendment.not_open", "This amendment is not awaiting a seconder.", {"status": amendment.status}
        )
    seconded = amendment.model_copy(
        update={"seconder_id": actor.member_id, "seconder_name": actor.name, "status": "seconded"}
    )
    return Change(
        replace_motion(meeting, replace_amendment(motion, seconded)),
        "amendment.seconded",
        _data(motion, amendment_id=amendment.id, seconder_id=actor.member_id, seconder_name=actor.name),
    )


def withdraw_amendment(meeting: Meeting, command: AmendmentWithdraw, actor: Actor, now: datetime) -> Change:
    motion = find(meeting, command.motion_id)
    amendment = find_amendment(motion, command.amendment_id)
    if amendment.mover_id != actor.member_id:
        raise HubError("forbidden", "Only the mover may withdraw an amendment.")
    if amendment.status not in PENDING_AMENDMENT:
        raise HubError("amendment.not_open", "This amendment has been decided.", {"status": amendment.status})
    withdrawn = amendment.model_copy(update={"status": "withdrawn"})
    return Change(
        replace_motion(meeting, replace_amendment(motion, withdrawn)),
        "amendment.withdrawn",
        _data(motion, amendment_id=amendment.id),
    )
