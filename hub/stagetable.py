"""A count (hub/stv.py) as plain text: a block per stage with each candidate's transfer and votes, the
non-transferable papers and fractions, and who was elected or excluded and why."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from hub.stv import Count, Method, Reason, Stage, StageKind, Tie

REASONS = {
    Reason.QUOTA: "reached the quota",
    Reason.LAST_VACANCIES: "as many continuing candidates as vacancies",
    Reason.LOWEST: "fewest votes",
    Reason.BALANCE: "passed over by the balance rule: their election would leave it impossible to meet",
}
PURPOSES = {
    "exclusion": "whom to exclude",
    "surplus": "whose surplus to transfer first",
    "election_order": "the order of election",
}


def plain(text: str) -> str:
    """Names are the voters' text: nothing in them may steer a terminal."""
    return "".join("\ufffd" if unicodedata.category(char).startswith("C") else char for char in text)


def _signed(value: Decimal) -> str:
    return f"+{value}" if value >= 0 else str(value)


def _heading(stage: Stage) -> str:
    who = ", ".join(plain(name) for name in stage.subject)
    if stage.kind is StageKind.FIRST:
        return f"Stage {stage.number}: first preferences"
    if stage.kind is StageKind.SURPLUS:
        values = ", ".join(str(value) for value in stage.transfer_values)
        return f"Stage {stage.number}: surplus of {who}, transfer value {values}"
    return f"Stage {stage.number}: exclusion of {who}"


def _tie(tie: Tie) -> str:
    tied = ", ".join(plain(name) for name in tie.candidates)
    how = f"the votes at stage {tie.stage}" if tie.decided_by == "earlier_stage" else "lot"
    return f"  Tie between {tied} for {PURPOSES[tie.purpose]}: decided by {how}, {plain(tie.chosen)}"


def render(result: Count) -> str:
    method = (
        "Alternative vote (instant run-off)"
        if result.method is Method.IRV
        else "Single transferable vote (Scottish local government rules)"
    )
    seats = "1 seat" if result.seats == 1 else f"{result.seats} seats"
    lines = [
        plain(result.title),
        f"{method}, {seats}",
        f"Valid ballots {result.valid}, empty {result.empty}; "
        f"quota {result.quota} = floor({result.valid} / {result.seats + 1}) + 1",
    ]
    if result.withdrawn:
        lines.append("Withdrawn: " + ", ".join(plain(name) for name in result.withdrawn))
    if result.balance:
        minimums = ", ".join(f"{plain(group)} {n}" for group, n in result.balance.minimums.items())
        lines.append(f"Balance rule: at least {minimums} of {result.seats} seats")
        for group in result.balance.minimums:
            members = [plain(name) for name, g in result.balance.groups.items() if g == group]
            lines.append(f"  {plain(group)}: {', '.join(members)}")
    lines.append(f"Lot seed: {plain(result.seed)}")

    names = [name for name in result.candidates if name not in result.withdrawn]
    width = max(len("Non-transferable"), *(len(plain(name)) for name in names))
    status: dict[str, str] = {}
    non_transferable = fractions = Decimal("0.00000")
    for stage in result.stages:
        non_transferable += stage.non_transferable
        fractions += stage.fractions
        for decision in stage.elected:
            status[decision.candidate] = "elected"
        for decision in stage.excluded:
            status[decision.candidate] = "excluded"
        lines += ["", _heading(stage), f"  {'Candidate':<{width}} {'Transfer':>15} {'Votes':>15}"]
        for name in names:
            lines.append(
                f"  {plain(name):<{width}} {_signed(stage.transfers[name]):>15} "
                f"{stage.votes[name]!s:>15}  {status.get(name, '')}".rstrip()
            )
        lines.append(
            f"  {'Non-transferable':<{width}} {_signed(stage.non_transferable):>15} {non_transferable!s:>15}"
        )
        if stage.kind is StageKind.SURPLUS:
            lines.append(f"  {'Fractions lost':<{width}} {_signed(stage.fractions):>15} {fractions!s:>15}")
        lines += [_tie(tie) for tie in stage.ties]
        for decision in stage.excluded:
            lines.append(f"  Excluded: {plain(decision.candidate)} ({REASONS[decision.reason]})")
        if stage.kept:
            kept = ", ".join(plain(name) for name in stage.kept)
            lines.append(f"  Kept from exclusion by the balance rule: {kept}")
        for decision in stage.elected:
            lines.append(f"  Elected: {plain(decision.candidate)} ({REASONS[decision.reason]})")
    lines += ["", "Elected, in order: " + ", ".join(plain(name) for name in result.elected)]
    if len(result.elected) < result.seats:
        lines.append(f"{result.seats - len(result.elected)} seat(s) left unfilled: too few candidates")
    return "\n".join(lines) + "\n"
