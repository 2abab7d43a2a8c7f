"""Pure rules for votes: opening (quorum, order of business, electorate), deciding a result under a
majority rule with the chair's casting vote, and what a result does to motions and the meeting.

Ballots themselves never pass through here: they are counted atomically in the store (hub/lua), and
the count arrives with the close.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from hub import agenda, lifecycle, motions
from hub.commands import Choice, VoteClose, VoteOpen
from hub.errors import HubError
from hub.meetings import Actor, Change, OpenBox, next_id, require_present
from hub.models import (
    VOTING_ROLES,
    Majority,
    Meeting,
    Motion,
    Procedure,
    TextChange,
    Vote,
    VoteMethod,
    VoteResult,
)

CHOICES: tuple[Choice, ...] = ("for", "against", "abstain")

RULE_TEXT = {
    Majority.SIMPLE: (
        "Simple majority of votes cast: carried if more for than against; abstentions not counted."
    ),
    Majority.TWO_THIRDS_CAST: "Two thirds of the votes cast for and against.",
    Majority.TWO_THIRDS_PRESENT: "Two thirds of the members present when the vote opened.",
}


def find(meeting: Meeting, vote_id: str) -> Vote:
    for vote in meeting.votes:
        if vote.id == vote_id:
            return vote
    raise HubError("vote.not_found", "There is no such vote.", {"vote_id": vote_id})


def open_vote(meeting: Meeting) -> Vote | None:
    return next((v for v in meeting.votes if v.status == "open"), None)


def electorate(meeting: Meeting, method: VoteMethod) -> dict[str, int]:
    """Who may vote online, with their weight: present members with a voting role (card votes:
    delegates). Members in the hall vote there by show of hands, even if they are also connected, so
    no one is counted twice; but a secret ballot is cast online only (hub/hall.py)."""
    return {
        p.member_id: _weight(meeting, p.member_id, method)
        for p in meeting.participants.values()
        if p.present and p.role in VOTING_ROLES and (not p.hall or method == VoteMethod.SECRET)
    }


def hall_electorate(meeting: Meeting, method: VoteMethod) -> dict[str, int]:
    """Who may vote by show of hands in the hall, with their weight: none in a secret ballot."""
    if method == VoteMethod.SECRET:
        return {}
    return {
        p.member_id: _weight(meeting, p.member_id, method)
        for p in meeting.participants.values()
        if p.hall and p.role in VOTING_ROLES
    }


def _weight(meeting: Meeting, member_id: str, method: VoteMethod) -> int:
    return meeting.card_weights.get(member_id, 1) if method == VoteMethod.CARD else 1


def refuse_before_its_item(meeting: Meeting, motion: Motion) -> None:
    """A motion on an agenda item is taken up with its item: it is not put while another item is
    current. (A procedural motion concerns the debate in hand, and admitting an emergency motion only
    decides whether it will be debated, so neither waits; a motion whose item was removed from the
    agenda is on no item, and waits for none.)"""
    waits = motion.item_id is not None and motion.item_id != meeting.current_item
    if waits and any(item.id == motion.item_id for item in meeting.agenda):
        raise HubError(
            "motion.not_current_item",
            f"\u201c{motion.title}\u201d is taken with its agenda item: take up that item first.",
            {"motion_id": motion.id, "item_id": motion.item_id},
        )


def open(meeting: Meeting, command: VoteOpen, actor: Actor, now: datetime) -> Change:
    subject = command.subject
    motion = motions.find(meeting, subject.motion_id)
    if subject.kind in ("motion", "amendment"):
        refuse_before_its_item(meeting, motion)
    quorum = meeting.quorum
    if not quorum.quorate:
        raise HubError(
            "vote.not_quorate",
            f"The meeting is not quorate: {quorum.present} present, {quorum.required} needed.",
            quorum.model_dump(),
        )
    if (current := open_vote(meeting)) is not None:
        raise HubError("vote.already_open", "Close the open vote first.", {"vote_id": current.id})
    procedural = motions.pending_procedural(meeting)
    if procedural is not None and procedural.id != motion.id:
        raise HubError(
            "motion.procedural_pending",
            f"The procedural motion “{procedural.title}” must be decided first.",
            {"motion_id": procedural.id},
        )
    majority = Majority.SIMPLE
    lapsed: list[str] = []
    if subject.kind == "admission":
        if motion.status != "awaiting_admission":
            raise HubError(
                "motion.not_open", "This motion is not awaiting admission.", {"status": motion.status}
            )
        question = f"That the emergency motion “{motion.title}” be admitted"
    elif subject.kind == "amendment":
        if subject.amendment_id is None:
            raise HubError(
                "invalid_payload",
                "Say which amendment.",
                {"problems": [{"field": "subject.amendment_id", "problem": "required"}]},
            )
        amendment = motions.find_amendment(motion, subject.amendment_id)
        if motion.status != "seconded":
            raise HubError(
                "motion.not_open", "The motion is not before the meeting.", {"status": motion.status}
            )
        if amendment.status != "seconded":
            raise HubError(
                "amendment.not_open",
                "Only a seconded, undecided amendment can be put.",
                {"status": amendment.status},
            )
        motions.amend_text(motion.text, amendment)
        question = f"Amendment to “{motion.title}” moved by {amendment.mover_name}"
    else:
        if (subject.kind == "procedural") != (motion.procedure is not None):
            raise HubError(
                "invalid_payload",
                "The subject's kind does not match the motion.",
                {"problems": [{"field": "subject.kind", "problem": "mismatch"}]},
            )
        if motion.status != "seconded":
            raise HubError(
                "motion.not_open",
                "Only a seconded motion before the meeting can be put.",
                {"status": motion.status},
            )
        pending = [a for a in motion.amendments if a.status == "seconded"]
        if pending:
            raise HubError(
                "motion.amendments_pending",
                "The amendments must be decided before the motion.",
                {"amendment_ids": [a.id for a in pending]},
            )
        # Amendments nobody seconded lapse when the motion is put.
        lapsed = [a.id for a in motion.amendments if a.status == "proposed"]
        kept = [a.model_copy(update={"status": "fallen"}) if a.id in lapsed else a for a in motion.amendments]
        meeting = motions.replace_motion(meeting, motion.model_copy(update={"amendments": kept}))
        if motion.procedure == Procedure.CHALLENGE_CHAIR:
            majority = Majority(meeting.standing_orders.chair_challenge_majority)
        question = motion.title
    voters = electorate(meeting, command.method)
    hall = hall_electorate(meeting, command.method)
    in_hall = {p.member_id for p in meeting.participants.values() if p.hall and p.role in VOTING_ROLES}
    meeting, vote_id = next_id(meeting, "v")
    vote = Vote(
        id=vote_id,
        subject=subject,
        question=question,
        method=command.method,
        majority=majority,
        opened_at=now,
        eligible=sum(voters.values()),
        # Present online or in the hall, each once.
        present=len(voters.keys() | in_hall),
        hall=sum(hall.values()),
    )
    return Change(
        meeting.model_copy(update={"votes": [*meeting.votes, vote]}),
        "vote.opened",
        {
            "vote_id": vote_id,
            "question": question,
            "method": vote.method.value,
            "majority": majority.value,
            "eligible": vote.eligible,
            "hall": vote.hall,
            # For the minutes: the quorum the vote opened with, and the amendments that fell unseconded.
            "quorum": quorum.model_dump(),
            "lapsed": lapsed,
            **subject.model_dump(),
        },
        effects=(OpenBox(vote_id, vote.method.value, meeting.standing_orders.vote_changes_allowed, voters),),
    )


def decide(
    counts: dict[str, int], majority: Majority, present: int, casting_vote: Literal["for", "against"] | None
) -> VoteResult:
    votes_for, against = counts.get("for", 0), counts.get("against", 0)
    counted = {"for": votes_for, "against": against, "abstain": counts.get("abstain", 0)}
    rule = RULE_TEXT[majority]
    if majority == Majority.TWO_THIRDS_CAST:
        carried = votes_for > 0 and 3 * votes_for >= 2 * (votes_for + against)
    elif majority == Majority.TWO_THIRDS_PRESENT:
        carried = votes_for > 0 and 3 * votes_for >= 2 * present
    elif votes_for == against:
        # A tie: the chair's casting vote decides; without one the question is not carried.
        return VoteResult(
            counts=counted,
            outcome="carried" if casting_vote == "for" else "lost",
            casting_vote=casting_vote,
            tied=True,
            rule=rule + " Tied: the chair's casting vote decides.",
        )
    else:
        carried = votes_for > against
    return VoteResult(counts=counted, outcome="carried" if carried else "lost", rule=rule)


def check_close(meeting: Meeting, command: VoteClose, actor: Actor) -> Vote:
    """Every refusal of `vote.close`, before its ballot box is touched: the box closes only for a close
    that will be committed, so a refused close leaves the vote open and its box taking ballots."""
    require_present(meeting, actor)
    return _still_open(meeting, command.vote_id)


def _still_open(meeting: Meeting, vote_id: str) -> Vote:
    vote = find(meeting, vote_id)
    if vote.status != "open":
        raise HubError("vote.closed", "This vote has already closed.", {"vote_id": vote.id})
    return vote


def close(
    meeting: Meeting, command: VoteClose, counts: dict[str, int], actor: Actor, now: datetime
) -> Change:
    """The result from the closed box's count. `check_close` accepted the close before the box closed;
    only a close committed meanwhile (by another officer) can refuse it now, and then the box is rightly
    closed."""
    vote = _still_open(meeting, command.vote_id)
    hall = vote.hall_count
    if hall is None:
        result = decide(counts, vote.majority, vote.present, command.casting_vote)
    else:
        # The hands counted in the hall join the online ballots; the result keeps the two apart.
        online: dict[str, int] = {choice: counts.get(choice, 0) for choice in CHOICES}
        total: dict[str, int] = {choice: online[choice] + hall.counts.get(choice, 0) for choice in CHOICES}
        result = decide(total, vote.majority, vote.present, command.casting_vote).model_copy(
            update={"online": online, "hall": dict(hall.counts)}
        )
    closed = vote.model_copy(update={"status": "closed", "closed_at": now, "result": result})
    meeting = meeting.model_copy(update={"votes": [closed if v.id == vote.id else v for v in meeting.votes]})
    before = motions.find(meeting, vote.subject.motion_id).amendments
    meeting, effect = apply_result(meeting, closed, now)
    after = motions.find(meeting, vote.subject.motion_id).amendments
    # Amendments whose words a carried amendment took out (`_drop_stale_amendments`), for the minutes.
    fallen = [
        a.id for a, b in zip(after, before, strict=True) if a.status == "fallen" and b.status != "fallen"
    ]
    return Change(
        meeting,
        "vote.closed",
        {
            "vote_id": vote.id,
            "question": vote.question,
            "method": vote.method.value,
            "result": result.model_dump(),
            "effect": effect,
            "fallen": fallen,
            **vote.subject.model_dump(),
        },
    )


def apply_result(meeting: Meeting, vote: Vote, now: datetime) -> tuple[Meeting, str]:
    """What the result does; returns the new meeting and a sentence for the minutes."""
    assert vote.result is not None
    carried = vote.result.outcome == "carried"
    motion = motions.find(meeting, vote.subject.motion_id)
    kind = vote.subject.kind
    if kind == "amendment":
        amendment = motions.find_amendment(motion, vote.subject.amendment_id or "")
        if not carried:
            lost = motions.replace_amendment(motion, amendment.model_copy(update={"status": "lost"}))
            return motions.replace_motion(meeting, lost), "The amendment was lost."
        text = motions.amend_text(motion.text, amendment)
        change = TextChange(amendment_id=amendment.id, before=motion.text, after=text, at=now)
        amended = motions.replace_amendment(motion, amendment.model_copy(update={"status": "carried"}))
        amended = _drop_stale_amendments(
            amended.model_copy(update={"text": text, "history": [*motion.history, change]})
        )
        return motions.replace_motion(
            meeting, amended
        ), "The amendment was carried; the motion now reads as amended."
    if kind == "admission":
        status = ("seconded" if motion.seconder_id else "proposed") if carried else "lost"
        effect = "The emergency motion was admitted." if carried else "The emergency motion was not admitted."
        return motions.replace_motion(meeting, motion.model_copy(update={"status": status})), effect
    meeting = motions.replace_motion(
        meeting, motion.model_copy(update={"status": "carried" if carried else "lost"})
    )
    if kind == "motion" or not carried:
        return meeting, f"The motion was {'carried' if carried else 'lost'}."
    return _procedural_effect(meeting, motion, now)


def _procedural_effect(meeting: Meeting, procedural: Motion, now: datetime) -> tuple[Meeting, str]:
    procedure = procedural.procedure
    if procedure == Procedure.ADJOURN:
        if procedural.until is None:
            return lifecycle.close(meeting, now), "The meeting was adjourned."
        return (
            lifecycle.adjourn(meeting, procedural.until, now),
            f"The meeting was adjourned until {lifecycle.when(meeting, procedural.until)}.",
        )
    if procedure == Procedure.CHALLENGE_CHAIR:
        point = next((p for p in meeting.points if p.id == procedural.target_id), None)
        if point is None:
            return meeting, "The chair's ruling was overturned."
        points = [p.model_copy(update={"overturned": True}) if p is point else p for p in meeting.points]
        return (
            meeting.model_copy(update={"points": points}),
            f"The chair's ruling on the point of order from {point.name} was overturned.",
        )
    target = motions.find(meeting, procedural.target_id or "")
    if procedure == Procedure.QUESTION_BE_NOW_PUT:
        # Debate ends: the speech under way, and the list, closes; nobody else is called before the vote.
        meeting = meeting.model_copy(update={"speech": None})
        if target.item_id is not None:
            item = agenda.find(meeting, target.item_id)
            meeting = agenda.replace_item(meeting, item.model_copy(update={"queue_open": False, "queue": []}))
        return meeting, f"Debate on “{target.title}” closed; the question is put."
    status = "dropped" if procedure == Procedure.NEXT_BUSINESS else "referred_back"
    meeting = motions.replace_motion(meeting, target.model_copy(update={"status": status}))
    if procedure == Procedure.NEXT_BUSINESS:
        return meeting, f"The meeting moved to next business; “{target.title}” was not put."
    return meeting, f"“{target.title}” was referred back."


def _drop_stale_amendments(motion: Motion) -> Motion:
    """Pending amendments whose words a carried amendment removed fall."""
    kept = []
    for amendment in motion.amendments:
        if amendment.status in motions.PENDING_AMENDMENT:
            try:
                motions.amend_text(motion.text, amendment)
            except HubError:
                amendment = amendment.model_copy(update={"status": "fallen"})
        kept.append(amendment)
    return motion.model_copy(update={"amendments": kept})
