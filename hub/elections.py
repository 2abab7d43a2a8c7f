"""Pure rules for elections: the posts an election item fills, nominations (a member nominates
themselves or another, seconded where the standing orders require it; the nominee accepts with a short
statement, and may withdraw until the ballot opens; nominations close at a set time or when the ballot
opens), and opening a post's ballot: a ranked secret poll over its candidates, counted by hub/stv.py
with the post's balance rule.

A candidate's balance group comes from their self-described gender (`speakers.balance_group`), read by
the edge from the directory; it is recorded, and shown, only for a post with a balance rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub import agenda, polls, stv, votes
from hub.commands import (
    ElectionAccept,
    ElectionAddPost,
    ElectionNominate,
    ElectionOpenBallot,
    ElectionRemovePost,
    ElectionSecond,
    ElectionWithdraw,
)
from hub.errors import HubError
from hub.meetings import Actor, Change, next_id
from hub.models import (
    VOTING_ROLES,
    AgendaKind,
    Majority,
    Meeting,
    Nomination,
    PollMethod,
    PollOption,
    Post,
    Role,
    Secrecy,
    VoteSubject,
)

# The balance group a rule reserves seats for.
WOMEN = "woman"


@dataclass(frozen=True)
class Nominee:
    """The member nominated, as the directory knows them: name, role in the meeting, balance group."""

    member_id: str
    name: str
    role: Role
    group: str | None


def find_post(meeting: Meeting, post_id: str) -> Post:
    for post in meeting.posts:
        if post.id == post_id:
            return post
    raise HubError("election.post_not_found", "There is no such post.", {"post_id": post_id})


def find_nomination(meeting: Meeting, nomination_id: str) -> Nomination:
    for nomination in meeting.nominations:
        if nomination.id == nomination_id:
            return nomination
    raise HubError(
        "election.nomination_not_found", "There is no such nomination.", {"nomination_id": nomination_id}
    )


def _replace_post(meeting: Meeting, post: Post) -> Meeting:
    return meeting.model_copy(update={"posts": [post if p.id == post.id else p for p in meeting.posts]})


def _replace_nomination(meeting: Meeting, nomination: Nomination) -> Meeting:
    kept = [nomination if n.id == nomination.id else n for n in meeting.nominations]
    return meeting.model_copy(update={"nominations": kept})


def standing(meeting: Meeting, post: Post) -> list[Nomination]:
    """The post's candidates: nominations accepted, seconded where required, and not withdrawn."""
    seconder = meeting.standing_orders.nominations_need_seconder
    return [
        n
        for n in meeting.nominations
        if n.post_id == post.id and n.accepted and not n.withdrawn and (n.seconded_by or not seconder)
    ]


def _open_for_nominations(post: Post, now: datetime) -> None:
    if post.vote_id is not None or (post.closes_at is not None and now >= post.closes_at):
        raise HubError(
            "election.nominations_closed",
            f"Nominations for {post.title} have closed.",
            {"post_id": post.id, "closed_at": None if post.closes_at is None else post.closes_at.isoformat()},
        )


def add_post(meeting: Meeting, command: ElectionAddPost, actor: Actor, now: datetime) -> Change:
    item = agenda.find(meeting, command.item_id)
    if item.kind != AgendaKind.ELECTION:
        raise HubError("election.not_an_election", "Posts belong to an election item.", {"item_id": item.id})
    if command.women_at_least > command.seats:
        raise HubError(
            "invalid_payload",
            "A post cannot reserve more seats than it has.",
            {"problems": [{"field": "women_at_least", "problem": "more_than_seats"}]},
        )
    meeting, post_id = next_id(meeting, "post")
    fields = command.model_dump(exclude_none=True)
    post = Post(id=post_id, **fields)
    return Change(
        meeting.model_copy(update={"posts": [*meeting.posts, post]}),
        "election.post_added",
        {"post_id": post_id, **post.model_dump(mode="json", exclude={"id", "vote_id"})},
    )


def remove_post(meeting: Meeting, command: ElectionRemovePost, actor: Actor, now: datetime) -> Change:
    """A post whose ballot has not opened; its nominations go with it."""
    post = find_post(meeting, command.post_id)
    if post.vote_id is not None:
        raise HubError("election.ballot_opened", "This post's ballot has opened.", {"post_id": post.id})
    kept = [n for n in meeting.nominations if n.post_id != post.id]
    return Change(
        meeting.model_copy(
            update={"posts": [p for p in meeting.posts if p.id != post.id], "nominations": kept}
        ),
        "election.post_removed",
        {"post_id": post.id, "title": post.title},
    )


def nominate(
    meeting: Meeting, command: ElectionNominate, actor: Actor, now: datetime, nominee: Nominee
) -> Change:
    """A member nominates themselves (and so accepts) or another member, who may stand for the post."""
    post = find_post(meeting, command.post_id)
    _open_for_nominations(post, now)
    if nominee.role not in post.stand or (post.women_only and nominee.group != WOMEN):
        raise HubError(
            "election.may_not_stand",
            f"{nominee.name} may not stand for {post.title}.",
            {"post_id": post.id, "member_id": nominee.member_id},
        )
    for other in meeting.nominations:
        if other.post_id == post.id and other.member_id == nominee.member_id and not other.withdrawn:
            raise HubError(
                "election.already_nominated",
                f"{nominee.name} is already nominated for {post.title}.",
                {"nomination_id": other.id},
            )
    meeting, nomination_id = next_id(meeting, "n")
    nomination = Nomination(
        id=nomination_id,
        post_id=post.id,
        member_id=nominee.member_id,
        name=nominee.name,
        nominated_by=actor.member_id,
        nominator_name=actor.name,
        accepted=nominee.member_id == actor.member_id,
        group=(nominee.group or "other") if post.women_at_least or post.women_only else None,
        at=now,
    )
    return Change(
        meeting.model_copy(update={"nominations": [*meeting.nominations, nomination]}),
        "election.nominated",
        {"nomination_id": nomination_id, **nomination.model_dump(mode="json", exclude={"id", "statement"})},
    )


def _open_nomination(meeting: Meeting, nomination_id: str, now: datetime) -> tuple[Post, Nomination]:
    nomination = find_nomination(meeting, nomination_id)
    if nomination.withdrawn:
        raise HubError(
            "election.withdrawn", "This nomination was withdrawn.", {"nomination_id": nomination.id}
        )
    post = find_post(meeting, nomination.post_id)
    _open_for_nominations(post, now)
    return post, nomination


def second(meeting: Meeting, command: ElectionSecond, actor: Actor, now: datetime) -> Change | None:
    """Another member than the nominator and the nominee seconds a nomination."""
    _, nomination = _open_nomination(meeting, command.nomination_id, now)
    if actor.member_id in (nomination.nominated_by, nomination.member_id):
        raise HubError(
            "election.own_nomination",
            "A nomination is seconded by someone other than its nominator and nominee.",
            {"nomination_id": nomination.id},
        )
    if nomination.seconded_by is not None:
        return None
    seconded = nomination.model_copy(update={"seconded_by": actor.member_id, "seconder_name": actor.name})
    return Change(
        _replace_nomination(meeting, seconded),
        "election.seconded",
        {"nomination_id": nomination.id, "post_id": nomination.post_id, "by": actor.name},
    )


def accept(meeting: Meeting, command: ElectionAccept, actor: Actor, now: datetime) -> Change | None:
    """The nominee agrees to stand, with a short statement (sent again, the statement is replaced)."""
    _, nomination = _open_nomination(meeting, command.nomination_id, now)
    if actor.member_id != nomination.member_id:
        raise HubError(
            "forbidden", "Only the nominee accepts a nomination.", {"nomination_id": nomination.id}
        )
    statement = command.statement.strip()
    if nomination.accepted and nomination.statement == statement:
        return None
    accepted = nomination.model_copy(update={"accepted": True, "statement": statement})
    return Change(
        _replace_nomination(meeting, accepted),
        "election.accepted",
        {"nomination_id": nomination.id, "post_id": nomination.post_id, "statement": statement},
    )


def withdraw(meeting: Meeting, command: ElectionWithdraw, actor: Actor, now: datetime) -> Change:
    """The nominee withdraws, until the ballot opens (or nominations close)."""
    _, nomination = _open_nomination(meeting, command.nomination_id, now)
    if actor.member_id != nomination.member_id:
        raise HubError(
            "forbidden", "Only the nominee withdraws a nomination.", {"nomination_id": nomination.id}
        )
    return Change(
        _replace_nomination(meeting, nomination.model_copy(update={"withdrawn": True})),
        "election.withdrawn",
        {"nomination_id": nomination.id, "post_id": nomination.post_id, "name": nomination.name},
    )


def labels(candidates: list[Nomination]) -> list[str]:
    """The ballot's names: the candidates' own, with their member id where two share a name."""
    names = [polls.blt_name(n.name) or n.member_id for n in candidates]
    return [
        f"{name} ({n.member_id})" if names.count(name) > 1 else name
        for name, n in zip(names, candidates, strict=True)
    ]


def open_ballot(meeting: Meeting, command: ElectionOpenBallot, actor: Actor, now: datetime) -> Change:
    """The post's ranked secret ballot over its candidates, for its seats, with its balance rule;
    nominations for it close."""
    post = find_post(meeting, command.post_id)
    if post.vote_id is not None:
        raise HubError("election.ballot_opened", "This post's ballot has opened.", {"post_id": post.id})
    if command.closes_at is None and post.item_id != meeting.current_item:
        # As a motion is put with its item; an advance ballot is taken outside the order of business.
        raise HubError(
            "election.not_current_item",
            f"{post.title} is elected under its agenda item: take up that item first.",
            {"post_id": post.id, "item_id": post.item_id},
        )
    candidates = standing(meeting, post)
    if len(candidates) < post.seats:
        raise HubError(
            "election.too_few_candidates",
            f"{post.title} has {len(candidates)} candidates for {post.seats} seats.",
            {"post_id": post.id, "candidates": len(candidates), "seats": post.seats},
        )
    names = labels(candidates)
    balance = None
    if post.women_at_least:
        women = sum(1 for n in candidates if n.group == WOMEN)
        if women < post.women_at_least:
            raise HubError(
                "election.balance_impossible",
                f"{post.title} reserves {post.women_at_least} seats for women, and {women} stand.",
                {"post_id": post.id, "women": women, "reserved": post.women_at_least},
            )
        groups = {name: n.group or "other" for name, n in zip(names, candidates, strict=True)}
        balance = stv.BalanceRule(groups=groups, minimums={WOMEN: post.women_at_least})
    options = [PollOption(id=n.id, label=name) for name, n in zip(names, candidates, strict=True)]
    poll = {
        "method": PollMethod.RANKED,
        "secrecy": Secrecy.SECRET,
        "options": options,
        "choose": post.seats,
        "balance": balance,
        "voters": None if set(post.voters) >= VOTING_ROLES else post.voters,
        "majority": Majority.SIMPLE,
        "closes_at": command.closes_at,
    }
    votes.may_open(meeting, None, Secrecy.SECRET, False, command.closes_at, now)
    subject = VoteSubject(kind="election", post_id=post.id)
    seats = "1 seat" if post.seats == 1 else f"{post.seats} seats"
    change = votes.open_poll(
        meeting, subject, f"{post.title} ({seats})", poll, now, {"item_id": post.item_id}
    )
    opened = _replace_post(change.meeting, post.model_copy(update={"vote_id": change.data["vote_id"]}))
    return Change(opened, change.type, change.data, effects=change.effects)
