"""BLT files, the plain-text form of ranked ballots that STV counting programs share (first described
by Hill, Wichmann and Woodall, "Algorithm 123: Single Transferable Vote by Meek's method", The
Computer Journal 30(3), 1987). The layout read and written here, one item a line:

    4 2                   candidates and seats
    -2                    optional: withdrawn candidates, each as a negative number
    3 1 3 4 0             a ballot: its weight (voters), then candidate numbers in order of preference, then 0
    1 2 0
    0                     the end of the ballots
    "Adam"                the candidates' names, in the order of their numbers
    "Basil"
    "Charlotte"
    "Donald"
    "Title"               the election's title

Blank lines and comments (from `#` to the end of a line, outside quotes) are ignored. Extensions some
programs add (ballot ids, equal rankings with `=`, skipped rankings with `-`) are refused with a
message, since the count has no rule for them.
"""

from __future__ import annotations

from hub.rankings import MAX_CANDIDATES, Ballot, Profile

# A weight beyond this is a mistake, not an electorate.
MAX_WEIGHT = 10**9


class BltError(ValueError):
    """A malformed file: `line` is the 1-based line the problem is on (0 when it is the whole file)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}" if line else problem)
        self.line = line
        self.problem = problem


def _strip_comment(text: str) -> str:
    inside = False
    for position, char in enumerate(text):
        if char == '"':
            inside = not inside
        elif char == "#" and not inside:
            return text[:position]
    return text


def _integers(number: int, text: str, what: str) -> list[int]:
    values = []
    for token in text.split():
        if "=" in token:
            raise BltError(
                number, f"equal rankings ({token!r}) are not supported: rank one candidate a place"
            )
        if token == "-":
            raise BltError(number, "skipped rankings ('-') are not supported")
        if token.startswith("("):
            raise BltError(number, f"ballot ids ({token!r}) are not supported")
        try:
            values.append(int(token))
        except ValueError:
            raise BltError(number, f"{what}: {token!r} is not a whole number") from None
    return values


def _quoted(number: int, text: str, what: str) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"') or '"' in text[1:-1]:
        raise BltError(number, f"{what} must be one name in double quotes, found {text!r}")
    name = text[1:-1]
    if not name.strip():
        raise BltError(number, f"{what} is empty")
    return name


def parse(text: str) -> Profile:
    """Read a BLT file; a `BltError` names the line and what is wrong with it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [
        (number, stripped)
        for number, line in enumerate(text.splitlines(), start=1)
        if (stripped := _strip_comment(line).strip())
    ]
    if not lines:
        raise BltError(0, "the file is empty")
    position = 0

    number, line = lines[position]
    header = _integers(number, line, "the first line should be the number of candidates and of seats")
    if len(header) != 2:
        raise BltError(number, f"the first line should be two numbers, candidates and seats, found {line!r}")
    candidates, seats = header
    if not 1 <= candidates <= MAX_CANDIDATES:
        raise BltError(number, f"{candidates} candidates: a file may have 1 to {MAX_CANDIDATES}")
    if not 1 <= seats <= candidates:
        raise BltError(
            number, f"{seats} seats for {candidates} candidates: seats must be from 1 to {candidates}"
        )
    position += 1

    withdrawn: set[int] = set()
    if position < len(lines) and lines[position][1].startswith("-"):
        number, line = lines[position]
        for value in _integers(number, line, "the withdrawn line"):
            if not -candidates <= value <= -1:
                raise BltError(number, f"withdrawn candidate {value} should be from -1 to -{candidates}")
            if -value - 1 in withdrawn:
                raise BltError(number, f"candidate {-value} is withdrawn twice")
            withdrawn.add(-value - 1)
        position += 1

    ballots: list[Ballot] = []
    while True:
        if position >= len(lines):
            raise BltError(0, "the ballots never end: a line with a single 0 must follow the last ballot")
        number, line = lines[position]
        position += 1
        if line.startswith('"'):
            raise BltError(number, "a name where a ballot or the closing 0 was expected")
        values = _integers(number, line, "a ballot")
        if values == [0]:
            break
        weight, *ranking = values
        if weight < 1:
            raise BltError(number, f"a ballot's weight must be a whole number from 1, found {weight}")
        if weight > MAX_WEIGHT:
            raise BltError(number, f"a ballot's weight of {weight} is more than {MAX_WEIGHT}")
        if not ranking or ranking[-1] != 0:
            raise BltError(number, "a ballot must end with 0")
        ranking = ranking[:-1]
        if 0 in ranking:
            raise BltError(number, "a 0 in the middle of a ballot: each ballot ends at its first 0")
        for candidate in ranking:
            if not 1 <= candidate <= candidates:
                raise BltError(
                    number, f"candidate {candidate} does not exist: numbers go from 1 to {candidates}"
                )
        if len(set(ranking)) != len(ranking):
            repeated = next(c for c in ranking if ranking.count(c) > 1)
            raise BltError(number, f"candidate {repeated} is ranked twice on one ballot")
        ballots.append(Ballot(weight, tuple(candidate - 1 for candidate in ranking)))

    names: list[str] = []
    for index in range(candidates):
        if position >= len(lines):
            raise BltError(0, f"{candidates} candidates' names expected, found {index}")
        number, line = lines[position]
        position += 1
        names.append(_quoted(number, line, f"candidate {index + 1}'s name"))
    if position >= len(lines):
        raise BltError(0, "the title is missing: a quoted title must follow the candidates' names")
    number, line = lines[position]
    title = _quoted(number, line, "the title")
    position += 1
    if position < len(lines):
        number, line = lines[position]
        raise BltError(number, f"unexpected text after the title: {line!r}")
    if len(set(names)) != len(names):
        repeated_name = next(name for name in names if names.count(name) > 1)
        raise BltError(0, f"two candidates are both called {repeated_name!r}")
    try:
        return Profile(title, tuple(names), seats, tuple(ballots), frozenset(withdrawn))
    except ValueError as exc:
        raise BltError(0, str(exc)) from None


def write(profile: Profile) -> str:
    """The profile as a BLT file, anonymised: equal rankings merged, in a fixed order."""
    profile = profile.canonical()
    lines = [f"{len(profile.candidates)} {profile.seats}"]
    if profile.withdrawn:
        lines.append(" ".join(f"-{number + 1}" for number in sorted(profile.withdrawn)))
    for ballot in profile.ballots:
        lines.append(" ".join(str(value) for value in (ballot.weight, *(c + 1 for c in ballot.ranking), 0)))
    lines.append("0")
    lines.extend(f'"{name}"' for name in profile.candidates)
    lines.append(f'"{profile.title}"')
    return "\n".join(lines) + "\n"
