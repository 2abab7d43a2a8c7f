"""Pure rules for votes: opening a poll on a motion or a question (quorum, order of business,
electorate), closing it with its result (hub/polls.py), and what a result does to motions and the
meeting.

Ballots themselves never pass through here: they are counted atomically in the store (hub/lua), and
the count arrives with the close.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub import agenda, lifecycle, motions, polls
from hub.commands import VoteAsk, VoteClose, VoteOpen
from hub.errors import HubError
from hub.meetings import Actor, Change, OpenBox, next_id, require_present
from hub.models import (
    VOTING_ROLES,
    Majority,
    Meeting,
    Motion,
    PollMethod,
    PollOption,
    Procedure,
    Role,
    Secrecy,
    TextChange,
    Vote,
    VoteSubject,
)


def find(meeting: Meeting, vote_id: str) -> Vote:
    for vote in meeting.votes:
        if vote.id == vote_id:
            return vote
    raise HubError("vote.not_found", "There is no such vote.", {"vote_id": vote_id})


def open_vote(meeting: Meeting) -> Vote | None:
    """The vote open in the meeting (advance polls, which close by themselves, run beside it)."""
    return next((v for v in meeting.votes if v.status == "open" and v.closes_at is None), None)


def electorate(meeting: Meeting, vote: Vote) -> dict[str, int]:
    """Who may vote online, with their weight: present members with a voting role (card votes:
    delegates). Members in the hall vote there by show of hands where the poll allows (`hall_votes`),
    even if they are also connected, so no one is counted twice; in any other poll they vote online."""
    return {
        p.member_id: _weight(meeting, p.member_id, vote)
        for p in meeting.participants.values()
        if p.present and may_vote(vote, p.role) and (not p.hall or not vote.hall_votes)
    }


def may_vote(vote: Vote, role: Role) -> bool:
    """Whether a member in this role is in the poll's electorate."""
    return role in VOTING_ROLES and (vote.voters is None or role in vote.voters)


def hall_electorate(meeting: Meeting, vote: Vote) -> dict[str, int]:
    """Who may vote by show of hands in the hall, with their weight: none where the hall votes online."""
    if not vote.hall_votes:
        return {}
    return {
        p.member_id: _weight(meeting, p.member_id, vote)
        for p in meeting.participants.values()
        if p.hall and may_vote(vote, p.role)
    }


def _weight(meeting: Meeting, member_id: str, vote: Vote) -> int:
    return meeting.card_weights.get(member_id, 1) if vote.weights else 1


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
    if subject.motion_id is None:
        raise HubError(
            "invalid_payload",
            "A question is put with vote.ask, an election's ballot opened with election.open_ballot.",
            {"problems": [{"field": "subject.kind", "problem": "not_a_motion"}]},
        )
    motion = motions.find(meeting, subject.motion_id)
    if subject.kind in ("motion", "amendment") and command.closes_at is None:
        refuse_before_its_item(meeting, motion)
    may_open(meeting, motion.id, command.secrecy, command.weights, command.closes_at, now)
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
    poll = {
        "secrecy": command.secrecy,
        "weights": command.weights,
        "majority": majority,
        "closes_at": command.closes_at,
    }
    return open_poll(meeting, subject, question, poll, now, {"lapsed": lapsed})


def ask(meeting: Meeting, command: VoteAsk, actor: Actor, now: datetime) -> Change:
    """The chair puts a question that concerns no motion: one of N, up to k of N, ranked, or yes/no."""
    options: list[PollOption] = polls.options(command)
    may_open(meeting, None, command.secrecy, command.weights, command.closes_at, now)
    poll = {
        "method": command.method,
        "secrecy": command.secrecy,
        "weights": command.weights,
        "options": options,
        "choose": command.choose if command.method in (PollMethod.UP_TO, PollMethod.RANKED) else 1,
        "majority": Majority.SIMPLE,
        "closes_at": command.closes_at,
    }
    subject = VoteSubject(kind="question")
    # The minutes record the question under the item it was put on.
    return open_poll(meeting, subject, command.question.strip(), poll, now, {"item_id": meeting.current_item})


def may_open(
    meeting: Meeting,
    motion_id: str | None,
    secrecy: Secrecy,
    weights: bool,
    closes_at: datetime | None,
    now: datetime,
) -> None:
    """What every poll needs to open: no secret card vote; and in the meeting, quorum, no other vote
    open, and no procedural motion waiting (unless this is it). An advance poll (`closes_at`) is taken
    outside the meeting's order of business: it needs only a closing time still to come."""
    if secrecy == Secrecy.SECRET and weights:
        # A delegate's unusual weight would single out their ballot in the count.
        raise HubError("vote.secret_card", "A card vote cannot be secret: a delegate's weight would show.")
    if closes_at is not None:
        if closes_at <= now:
            raise HubError(
                "invalid_payload",
                "An advance poll closes at a time still to come.",
                {"problems": [{"field": "closes_at", "problem": "past"}]},
            )
        return
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
    if procedural is not None and procedural.id != motion_id:
        raise HubError(
            "motion.procedural_pending",
            f"The procedural motion “{procedural.title}” must be decided first.",
            {"motion_id": procedural.id},
        )


def open_poll(
    meeting: Meeting,
    subject: VoteSubject,
    question: str,
    poll: dict[str, Any],
    now: datetime,
    extra: dict[str, Any],
) -> Change:
    """Open a poll (`poll`: how it is marked and counted) and its ballot box, for the electorate now."""
    quorum = meeting.quorum
    meeting, vote_id = next_id(meeting, "v")
    vote = Vote(id=vote_id, subject=subject, question=question, opened_at=now, eligible=0, present=0, **poll)
    if vote.closes_at is not None:
        # An advance poll's electorate is everyone invited with a vote, each admitted to the box at
        # their first ballot (signalling/ballots.py); they are counted as the meeting's electorate.
        # Those removed from the meeting are in the box at weight 0, which refuses them.
        voters = dict.fromkeys(meeting.removed, 0)
        vote = vote.model_copy(update={"eligible": meeting.electorate, "present": meeting.electorate})
    else:
        voters = electorate(meeting, vote)
        hall = hall_electorate(meeting, vote)
        in_hall = {p.member_id for p in meeting.participants.values() if p.hall and p.role in VOTING_ROLES}
        vote = vote.model_copy(
            update={
                "eligible": sum(voters.values()),
                # Present online or in the hall, each once.
                "present": len(voters.keys() | in_hall),
                "hall": sum(hall.values()),
            }
        )
    return Change(
        meeting.model_copy(update={"votes": [*meeting.votes, vote]}),
        "vote.opened",
        {
            "vote_id": vote_id,
            "question": vote.question,
            "method": vote.method.value,
            "secrecy": vote.secrecy.value,
            "weights": vote.weights,
            "options": [o.model_dump() for o in vote.options],
            "choose": vote.choose,
            "majority": vote.majority.value,
            "eligible": vote.eligible,
            "hall": vote.hall,
            "closes_at": None if vote.closes_at is None else vote.closes_at.isoformat(),
            # For the minutes: the quorum the vote opened with, and the amendments that fell unseconded.
            "quorum": quorum.model_dump(),
            "lapsed": [],
            **extra,
            **vote.subject.model_dump(),
        },
        effects=(
            OpenBox(
                vote_id,
                vote.secret,
                meeting.standing_orders.vote_changes_allowed and not vote.secret,
                voters,
                vote.closes_at,
            ),
        ),
    )


def check_close(meeting: Meeting, command: VoteClose, actor: Actor) -> Vote:
    """Every refusal of `vote.close`, before its ballot box is touched: the box closes only for a close
    that will be committed, so a refused close leaves the vote open and its box taking ballots."""
    require_present(meeting, actor)
    vote = _still_open(meeting, command.vote_id)
    polls.check_casting(vote, command.casting_vote)
    return vote


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
    # The hands counted in the hall join the online ballots; the result keeps the two apart.
    hall = None if vote.hall_count is None else dict(vote.hall_count.counts)
    result = polls.decide(vote, counts, command.casting_vote, hall)
    closed = vote.model_copy(update={"status": "closed", "closed_at": now, "result": result})
    meeting = meeting.model_copy(update={"votes": [closed if v.id == vote.id else v for v in meeting.votes]})
    fallen: list[str] = []
    if vote.subject.motion_id is None:
        effect = _question_effect(closed)
    else:
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
            # The count stage by stage is in the vote's result in the state, not told twice.
            "result": result.model_dump(mode="json", exclude={"count"}),
            "effect": effect,
            "fallen": fallen,
            **vote.subject.model_dump(),
        },
    )


def _question_effect(vote: Vote) -> str:
    """A question changes nothing in the meeting: the sentence for the minutes says what it decided."""
    assert vote.result is not None
    if vote.method == PollMethod.YES_NO:
        return f"The question was {vote.result.outcome}."
    labels = {o.id: o.label for o in vote.options}
    chosen = ", ".join(f"\u201c{labels[o]}\u201d" for o in vote.result.chosen)
    if vote.result.outcome == "tied":
        return f"The vote was tied{'; chosen: ' + chosen if chosen else ''}."
    if vote.method == PollMethod.RANKED:
        return f"Elected: {chosen}."
    return f"Chosen: {chosen}."


def apply_result(meeting: Meeting, vote: Vote, now: datetime) -> tuple[Meeting, str]:
    """What the result does to the motion voted on; returns the new meeting and a sentence for the
    minutes."""
    assert vote.result is not None and vote.subject.motion_id is not None
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
