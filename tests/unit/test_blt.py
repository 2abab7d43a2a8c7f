from __future__ import annotations

import pytest

from hub import blt
from hub.rankings import Ballot, Profile, profile

# The example of Hill, Wichmann and Woodall (1987): 4 candidates, 2 seats, Basil withdrawn.
HILL = """4 2
-2
3 1 3 4 0
4 1 3 2 0
2 4 1 3 0
1 2 0
2 2 4 3 1 0
1 3 4 2 0
0
"Adam"
"Basil"
"Charlotte"
"Donald"
"Title"
"""


def test_reads_the_original_example() -> None:
    election = blt.parse(HILL)
    assert election.candidates == ("Adam", "Basil", "Charlotte", "Donald")
    assert (election.seats, election.title, election.withdrawn) == (2, "Title", frozenset({1}))
    assert election.ballots[0] == Ballot(3, (0, 2, 3))
    assert election.ballots[3] == Ballot(1, (1,))
    assert sum(ballot.weight for ballot in election.ballots) == 13


def test_reads_comments_blank_lines_a_byte_order_mark_and_names_with_spaces_and_hashes() -> None:
    text = (
        "\ufeff# ballots of the AGM\n2 1\n\n5 1 2 0  # five ballots\n3 2 0\n0\n"
        '"Ann # Smith"\n"Bo Li"\n"AGM 2026"\n'
    )
    election = blt.parse(text)
    assert election.candidates == ("Ann # Smith", "Bo Li")
    assert election.ballots == (Ballot(5, (0, 1)), Ballot(3, (1,)))


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", 0, "the file is empty"),
        ("two 1\n0\n", 1, "'two' is not a whole number"),
        ("3\n0\n", 1, "two numbers, candidates and seats"),
        ("2 3\n0\n", 1, "3 seats for 2 candidates"),
        ("2 1\n-3\n0\n", 2, "withdrawn candidate -3 should be from -1 to -2"),
        ("2 1\n-1 -1\n0\n", 2, "candidate 1 is withdrawn twice"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n"T"\n', 2, "a ballot must end with 0"),
        ('2 1\n1 3 0\n0\n"A"\n"B"\n"T"\n', 2, "candidate 3 does not exist"),
        ('2 1\n1 1 1 0\n0\n"A"\n"B"\n"T"\n', 2, "candidate 1 is ranked twice"),
        ('2 1\n0 1 0\n0\n"A"\n"B"\n"T"\n', 2, "weight must be a whole number from 1"),
        ('2 1\n1 1 0 2 0\n0\n"A"\n"B"\n"T"\n', 2, "a 0 in the middle of a ballot"),
        ('2 1\n1 1=2 0\n0\n"A"\n"B"\n"T"\n', 2, "equal rankings"),
        ('2 1\n1 - 2 0\n0\n"A"\n"B"\n"T"\n', 2, "skipped rankings"),
        ('2 1\n(a1) 1 1 2 0\n0\n"A"\n"B"\n"T"\n', 2, "ballot ids"),
        ('2 1\n1.5 1 2 0\n0\n"A"\n"B"\n"T"\n', 2, "'1.5' is not a whole number"),
        ('2 1\n1 1 0\n"A"\n"B"\n"T"\n', 3, "a name where a ballot or the closing 0 was expected"),
        ("2 1\n1 1 0\n", 0, "the ballots never end"),
        ('2 1\n1 1 0\n0\n"A"\n', 0, "2 candidates' names expected, found 1"),
        ('2 1\n1 1 0\n0\nA\n"B"\n"T"\n', 4, "candidate 1's name must be one name in double quotes"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n', 0, "the title is missing"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "unexpected text after the title"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', 0, "two candidates are both called 'A'"),
        ('2 1\n1 1 0\n0\n"A"\n""\n"T"\n', 5, "candidate 2's name is empty"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line_and_the_problem(
    text: str, line: int, problem: str
) -> None:
    with pytest.raises(blt.BltError) as caught:
        blt.parse(text)
    assert caught.value.line == line
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: " if line else problem[:5])


def test_writes_anonymised_ballots_merged_and_in_a_fixed_order() -> None:
    election = profile(
        "AGM 2026: delegates",
        ["Ann", "Bo", "Cy"],
        2,
        [["Cy"], ["Ann", "Bo"], ["Cy"], ["Ann", "Bo"], ["Bo", "Ann", "Cy"], ["Ann", "Bo"]],
        withdrawn=["Bo"],
    )
    assert blt.write(election) == (
        '3 2\n-2\n3 1 2 0\n1 2 1 3 0\n2 3 0\n0\n"Ann"\n"Bo"\n"Cy"\n"AGM 2026: delegates"\n'
    )
    assert blt.parse(blt.write(election)) == election


def test_names_a_blt_file_cannot_hold_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        Profile('Say "hi"', ("A",), 1, ())
    with pytest.raises(ValueError, match="cannot hold"):
        Profile("T", ("A\nB",), 1, ())
    with pytest.raises(ValueError, match="not a candidate"):
        profile("T", ["A"], 1, [["B"]])
