"""`hub count BALLOTS.blt`: a returning officer's recount of any BLT file with the hub's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main

ALMOND = str(Path(__file__).parent.parent / "data" / "elections" / "edinburgh-2017-ward-01-almond.blt")
SMALL = '5 2\n6 1 2 0\n4 2 0\n1 3 0\n2 4 0\n3 5 0\n0\n"Ann"\n"Bo"\n"Cy"\n"Di"\n"Ed"\n"Branch officers"\n'


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["count", *args], input=stdin)
    return result.exit_code, result.output


def test_prints_the_stage_table() -> None:
    code, output = run(ALMOND)
    assert code == 0
    assert "Single transferable vote (Scottish local government rules), 4 seats" in output
    assert "quota 2842 = floor(14207 / 5) + 1" in output
    assert "Stage 2: surplus of Kevin  LANG, transfer value 0.53248" in output
    assert "Louise YOUNG               +2514.90304      3652.90304  elected" in output
    assert "Stage 10: exclusion of Pamela MITCHELL" in output
    assert output.rstrip().endswith(
        "Elected, in order: Kevin  LANG, Louise YOUNG, Graham HUTCHISON, Norrie WORK"
    )


def test_json_lists_the_elected_as_written_in_the_file_in_order_of_election() -> None:
    code, output = run(ALMOND, "--json")
    assert code == 0
    count = json.loads(output)
    assert count["elected"] == ["Kevin  LANG", "Louise YOUNG", "Graham HUTCHISON", "Norrie WORK"]
    assert len(count["stages"]) == 10
    assert count["stages"][1]["transfers"]["Louise YOUNG"] == "2514.90304"
    assert count["stages"][1]["elected"] == [{"candidate": "Louise YOUNG", "reason": "quota"}]
    assert count["quota"] == 2842 and count["method"] == "scottish_stv"


def test_reads_standard_input_and_takes_seats_from_the_command_line() -> None:
    code, output = run("-", "--seats", "1", "--json", stdin=SMALL)
    assert code == 0
    count = json.loads(output)
    assert (count["method"], count["seats"], count["elected"]) == ("irv", 1, ["Ann"])


def test_applies_a_balance_rule() -> None:
    plain = json.loads(run("-", "--json", stdin=SMALL)[1])
    assert plain["elected"] == ["Ann", "Bo"]
    code, output = run(
        "-", "--group", "Cy=women", "--group", "Di=women", "--at-least", "women=1", stdin=SMALL
    )
    assert code == 0, output
    assert "Balance rule: at least women 1 of 2 seats" in output
    assert "passed over by the balance rule" in output
    balanced = json.loads(
        run(
            "-", "--json", "--group", "Cy=women", "--group", "Di=women", "--at-least", "women=1", stdin=SMALL
        )[1]
    )
    assert balanced["elected"][0] == "Ann" and balanced["elected"][1] == "Di"
    assert balanced["balance"] == {"groups": {"Cy": "women", "Di": "women"}, "minimums": {"women": 1}}


def test_a_seed_decides_the_lot_and_is_recorded() -> None:
    tied = '3 1\n2 1 0\n2 2 0\n2 3 0\n0\n"A"\n"B"\n"C"\n"Tie"\n'
    count = json.loads(run("-", "--json", "--seed", "agm-2026", stdin=tied)[1])
    assert count["seed"] == "agm-2026"
    assert count["stages"][1]["ties"][0]["decided_by"] == "lot"
    assert json.loads(run("-", "--json", "--seed", "agm-2026", stdin=tied)[1]) == count


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n"T"\n', "<stdin>: line 2: candidate 3 does not exist"),
        ("2 1\n1 1 0\n", "<stdin>: the ballots never end"),
        ('2 1\n1 0\n0\n"A"\n"B"\n"T"\n', "<stdin>: cannot count: there are no valid ballots"),
        ("\xff", "<stdin>: not UTF-8 text"),
    ],
)
def test_a_bad_file_is_a_clear_error(stdin: str, message: str) -> None:
    result = CliRunner().invoke(main, ["count", "-"], input=stdin.encode("latin-1"))
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at-least", "women"], "'women' should be like women=2"),
        (["--at-least", "women=two", "--group", "Cy=women"], "'two' in women=two is not a number of seats"),
        (["--group", "Cy=women"], "'women' has no --at-least women=N"),
        (["--at-least", "women=1"], "no candidate is in 'women'"),
        (["--group", "Cy=w", "--group", "Cy=w", "--at-least", "w=1"], "'Cy' is given a group twice"),
        (["--seats", "0"], "0 is not in the range x>=1"),
    ],
)
def test_bad_options_are_a_clear_usage_error(args: list[str], message: str) -> None:
    code, output = run("-", *args, stdin=SMALL)
    assert code == 2
    assert message in output


def test_options_the_file_cannot_meet_are_a_clear_error() -> None:
    code, output = run("-", "--seats", "9", stdin=SMALL)
    assert (code, "cannot count: 9 seats for 5 candidates" in output) == (1, True)
    code, output = run("-", "--group", "Zed=women", "--at-least", "women=1", stdin=SMALL)
    assert (code, "the balance rule names 'Zed', who is not a candidate" in output) == (1, True)
    code, output = run("-", "--group", "Cy=women", "--at-least", "women=2", stdin=SMALL)
    assert (code, "cannot be met" in output) == (1, True)
