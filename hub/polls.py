"""Pure rules of polls: the options a question offers, a ballot as the box keeps it, each option's
total, and the result under the poll's method.

The box (hub/lua/cast.lua) counts ballots by their key: the option in a yes/no or one-of-N poll, the
options marked joined by "+" (in the poll's order) in an up-to-k poll, the ranking joined by ">" in a
ranked one. Equal ballots share a key, so the count is the anonymised profile a BLT file holds.
"""

from __future__ import annotations

from collections import Counter

from hub import rankings, stv
from hub.commands import VoteAsk, VoteCast
from hub.errors import HubError
from hub.models import YES_NO_OPTIONS, Majority, PollMethod, PollOption, Vote, VoteResult

SEPARATOR = {PollMethod.UP_TO: "+", PollMethod.RANKED: ">"}

MAJORITY_RULE = {
    Majority.SIMPLE: (
        "Simple majority of votes cast: carried if more for than against; abstentions not counted."
    ),
    Majority.TWO_THIRDS_CAST: "Two thirds of the votes cast for and against.",
    Majority.TWO_THIRDS_PRESENT: "Two thirds of the members present when the vote opened.",
}
ONE_OF_RULE = "The option with the most votes is chosen."
RANKED_RULE = {
    stv.Method.IRV: "Ranked ballots counted by the alternative vote (instant run-off).",
    stv.Method.STV: "Ranked ballots counted by the single transferable vote (Scottish rules).",
}


def _invalid(vote: Vote, problem: str, message: str) -> HubError:
    details = {"vote_id": vote.id, "method": vote.method.value, "problem": problem}
    return HubError("vote.invalid_ballot", message, details)


def options(command: VoteAsk) -> list[PollOption]:
    """The options of a question, numbered o1, o2, ... in the order given: a yes/no question's are for,
    against and abstain. Labels are trimmed, and no two may read alike."""
    if command.method == PollMethod.YES_NO:
        if command.options:
            raise _ask_problem(
                "options", "yes_no_takes_none", "A yes/no question offers for, against and abstain."
            )
        return list(YES_NO_OPTIONS)
    labels = [label.strip() for label in command.options]
    if len(labels) < 2:
        raise _ask_problem("options", "too_few", "Give at least two options.")
    seen: set[str] = set()
    for label in labels:
        # Alike as the count and the ballot file name them, where two names must differ.
        named = blt_name(label).casefold()
        if not named:
            raise _ask_problem("options", "empty", "An option is empty.")
        if named in seen:
            raise _ask_problem("options", "alike", f"Two options read \u201c{label}\u201d.")
        seen.add(named)
    if command.method == PollMethod.ONE_OF and command.choose != 1:
        raise _ask_problem("choose", "one_of_chooses_one", "One of N chooses one option.")
    if command.choose >= len(labels) and command.method != PollMethod.ONE_OF:
        raise _ask_problem("choose", "not_fewer", f"Choose fewer than the {len(labels)} options.")
    return [PollOption(id=f"o{n}", label=label) for n, label in enumerate(labels, start=1)]


def _ask_problem(field: str, problem: str, message: str) -> HubError:
    return HubError("invalid_payload", message, {"problems": [{"field": field, "problem": problem}]})


def blt_name(label: str) -> str:
    """A label or a candidate's name as a BLT file can hold it: between double quotes, with no way to
    escape one, and on one line (a control character becomes a space)."""
    cleaned = "".join("\u201d" if c == '"' else " " if ord(c) < 32 or c == "\x7f" else c for c in label)
    return " ".join(cleaned.split())


def ballot_key(vote: Vote, command: VoteCast) -> str:
    """The ballot as the box counts it, or `vote.invalid_ballot` saying what is wrong with it."""
    ids = vote.option_ids()
    if vote.method in (PollMethod.YES_NO, PollMethod.ONE_OF):
        if command.choice is None:
            raise _invalid(vote, "one_expected", "Choose one option.")
        if command.choice not in ids:
            raise _invalid(vote, "not_an_option", "That is not one of the options.")
        return command.choice
    if command.choices is None:
        raise _invalid(vote, "list_expected", "Mark your choices as a list.")
    marks = command.choices
    if not marks:
        raise _invalid(vote, "none_marked", "Mark at least one option.")
    if any(mark not in ids for mark in marks):
        raise _invalid(vote, "not_an_option", "A mark is not one of the options.")
    if len(set(marks)) != len(marks):
        raise _invalid(vote, "marked_twice", "An option is marked twice.")
    if vote.method == PollMethod.UP_TO:
        if len(marks) > vote.choose:
            raise _invalid(vote, "too_many", f"Mark at most {vote.choose}.")
        marks = sorted(marks, key=ids.index)
    return SEPARATOR[vote.method].join(marks)


def marks(vote: Vote, key: str) -> list[str]:
    """The options a ballot key marks (a ranking: first preference first)."""
    separator = SEPARATOR.get(vote.method)
    return key.split(separator) if separator else [key]


def totals(vote: Vote, counts: dict[str, int]) -> dict[str, int]:
    """Each option's total from the box's count by ballot: votes, marks (up to k) or first
    preferences (ranked)."""
    result = dict.fromkeys(vote.option_ids(), 0)
    for key, weight in counts.items():
        marked = marks(vote, key)
        for option in marked[:1] if vote.method == PollMethod.RANKED else marked:
            if option in result:
                result[option] += weight
    return result


def check_casting(vote: Vote, casting_vote: str | None) -> None:
    """A casting vote is for or against in a yes/no poll and one of the options in a one-of-N poll;
    the other methods take none (ranked ties are decided by the count's own rules)."""
    if casting_vote is None:
        return
    allowed = {PollMethod.YES_NO: ["for", "against"], PollMethod.ONE_OF: vote.option_ids()}.get(
        vote.method, []
    )
    if casting_vote not in allowed:
        raise HubError(
            "invalid_payload",
            "That casting vote does not fit this poll.",
            {"problems": [{"field": "casting_vote", "problem": "not_allowed"}], "allowed": allowed},
        )


def decide(
    vote: Vote, counts: dict[str, int], casting_vote: str | None, hall: dict[str, int] | None = None
) -> VoteResult:
    """The result from the box's count by ballot (`counts`), with the hands counted in the hall."""
    online = totals(vote, counts)
    total = {o: online[o] + (hall or {}).get(o, 0) for o in online}
    parts = (
        {"online": online, "hall": {o: (hall or {}).get(o, 0) for o in online}} if hall is not None else {}
    )
    if vote.method == PollMethod.YES_NO:
        result = yes_no(total, vote.majority, vote.present, casting_vote)
    elif vote.method == PollMethod.RANKED:
        result = ranked(vote, counts)
    else:
        result = most(vote, total, casting_vote)
    return result.model_copy(update=parts)


def yes_no(counts: dict[str, int], majority: Majority, present: int, casting_vote: str | None) -> VoteResult:
    votes_for, against = counts.get("for", 0), counts.get("against", 0)
    counted = {"for": votes_for, "against": against, "abstain": counts.get("abstain", 0)}
    rule = MAJORITY_RULE[majority]
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


def most(vote: Vote, total: dict[str, int], casting_vote: str | None) -> VoteResult:
    """One of N: the option with the most votes; a tie at the top goes to the chair's casting vote.
    Up to k of N: the k options with the most marks; a tie for the last place chosen leaves those
    level unchosen, for the meeting to decide."""
    seats = vote.choose
    ranked = sorted((o for o in total if total[o] > 0), key=lambda o: -total[o])
    if vote.method == PollMethod.ONE_OF:
        rule = ONE_OF_RULE
    else:
        rule = f"The {seats} options with the most marks are chosen."
    if len(ranked) <= seats:
        return VoteResult(counts=total, outcome="chosen" if ranked else "tied", chosen=ranked, rule=rule)
    last = total[ranked[seats - 1]]
    if total[ranked[seats]] != last:
        return VoteResult(counts=total, outcome="chosen", chosen=ranked[:seats], rule=rule)
    clear = [o for o in ranked if total[o] > last]
    level = [o for o in ranked if total[o] == last]
    if vote.method == PollMethod.ONE_OF and casting_vote in level:
        return VoteResult(
            counts=total,
            outcome="chosen",
            chosen=[casting_vote],
            casting_vote=casting_vote,
            tied=True,
            rule=rule + " Tied: the chair's casting vote decides.",
        )
    return VoteResult(counts=total, outcome="tied", chosen=clear, tied=True, rule=rule + " Tied.")


def profile(vote: Vote, counts: dict[str, int]) -> rankings.Profile:
    """The anonymised ballots of a ranked poll, candidates named by their options' labels."""
    ids = vote.option_ids()
    weights: Counter[tuple[int, ...]] = Counter()
    for key, weight in counts.items():
        if weight > 0:
            weights[tuple(ids.index(o) for o in marks(vote, key) if o in ids)] += weight
    ballots = tuple(rankings.Ballot(w, r) for r, w in sorted(weights.items()) if r)
    title = blt_name(vote.question)[: rankings.MAX_NAME] or "Poll"
    names = tuple(blt_name(o.label) for o in vote.options)
    return rankings.Profile(title, names, vote.choose, ballots)


def ranked(vote: Vote, counts: dict[str, int]) -> VoteResult:
    first = totals(vote, counts)
    try:
        counted = stv.count(profile(vote, counts), vote.balance)
    except ValueError as exc:  # no valid ballot
        return VoteResult(counts=first, outcome="tied", rule=f"Nothing to count: {exc}.")
    by_name = {blt_name(o.label): o.id for o in vote.options}
    return VoteResult(
        counts=first,
        outcome="chosen",
        chosen=[by_name[name] for name in counted.elected],
        rule=RANKED_RULE[counted.method],
        count=counted,
    )
