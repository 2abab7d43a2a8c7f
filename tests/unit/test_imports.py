"""Importing members from CSV (hub/imports.py): every row's outcome before anything is saved."""

from __future__ import annotations

from importlib import resources

import pytest

from hub import imports
from hub.imports import Outcome
from hub.models import Branch, Member, Role

BERLIN = Branch(id="berlin", name="Berlin", home_time_zone="Europe/Berlin", roles={"m1": Role.MEMBER})
PARIS = Branch(id="paris", name="Paris", home_time_zone="Europe/Paris")
BRANCHES = [BERLIN, PARIS]
ANA = Member(id="m1", name="Ana Silva", email="ana@example.org", time_zone="Europe/Berlin", branch="berlin")


def csv(*lines: str, sep: str = ",") -> bytes:
    return "\n".join(line.replace(",", sep) for line in lines).encode()


def outcomes(found: imports.Preview) -> list[Outcome]:
    return [r.outcome for r in found.rows]


def test_the_shipped_sample_imports_as_new_members_with_their_branches() -> None:
    data = resources.files("hub").joinpath("data/sample-members.csv").read_bytes()
    branches = [
        Branch(id=name.lower().replace(" ", "-").replace("&", "-"), name=name)
        for name in (
            "Berlin", "North America", "Asia-Pacific", "Paris", "Iberia", "Brussels", "Nordic",
            "Africa & Middle East",
        )
    ]  # fmt: skip
    found = imports.preview(data, [], branches)
    assert found.ok, found.problems or [r for r in found.rows if r.problems]
    assert found.counts["new"] == 49
    members, changed = imports.apply(found, branches)
    assert len(members) == 49
    assert sum(len(b.roles) for b in changed) == 39  # ten members belong to no branch
    assert all(r is Role.MEMBER for b in changed for r in b.roles.values())


def test_a_spreadsheet_export_with_a_bom_semicolons_and_non_latin_names() -> None:
    text = "\ufeffMember number;Name;E-mail;Time zone;Branch\n"
    text += "m7;\u674e\u534e;li@example.org;Asia/Shanghai;Paris\n"
    text += "m8;\u0410\u043d\u043d\u0430 \u041f\u0435\u0442\u0440\u043e\u0432\u0430;anna@example.org;;\n"
    text += 'm9;"Dupont; Marie";marie@example.org;Europe/Paris;paris\n'
    found = imports.preview(text.encode("utf-8"), [], BRANCHES)
    assert found.ok
    names = [r.member.name for r in found.rows if r.member]
    assert names == [
        "\u674e\u534e",
        "\u0410\u043d\u043d\u0430 \u041f\u0435\u0442\u0440\u043e\u0432\u0430",
        "Dupont; Marie",
    ]
    assert [r.member.time_zone for r in found.rows if r.member] == ["Asia/Shanghai", "UTC", "Europe/Paris"]
    assert [r.member.branch for r in found.rows if r.member] == ["paris", None, "paris"]


def test_every_kind_of_bad_row_is_named_with_its_field_and_nothing_is_saved() -> None:
    data = (
        b"number,name,email,time zone,branch,role\n"
        b"m1,Ana Silva,not-an-address,Europe/Berlin,Berlin,member\n"
        b"m2,Bo,bo@example.org,Mars/Olympus,Berlin,member\n"
        b"m3,Cy,cy@example.org,Europe/Paris,Atlantis,member\n"
        b"m4,Di,di@example.org,Europe/Paris,Paris,member\n"
        b"m4,Di again,di2@example.org,Europe/Paris,Paris,member\n"
        b"m5,Ed,di@example.org,Europe/Paris,Paris,member\n"
        b"m6,Fran\xe7ois,fr@example.org,Europe/Paris,Paris,member\n"
        b"m 7,Gus,gus@example.org,UTC,,\n"
        b"m8,,h@example.org,UTC,,\n"
        b"m9,Ida,ida@example.org,UTC,Paris,president\n"
        b"m10,Jo,jo@example.org,UTC,,chair\n"
        b"m11,Kai,ana@example.org,UTC,,\n"
    )
    found = imports.preview(data, [ANA], BRANCHES)
    assert not found.ok
    problems = {r.line: [(p.column, p.code) for p in r.problems] for r in found.rows}
    assert problems == {
        2: [("email", "import.bad_email")],
        3: [("time_zone", "import.bad_time_zone")],
        4: [("branch", "import.unknown_branch")],
        5: [],
        6: [("number", "import.duplicate_number")],
        7: [("email", "import.duplicate_email")],
        8: [("name", "import.bad_encoding")],
        9: [("number", "import.bad_number")],
        10: [("name", "import.bad_name")],
        11: [("role", "import.bad_role")],
        12: [("role", "import.role_without_branch")],
        13: [("email", "import.email_taken")],
    }
    assert found.counts["error"] == 11 and found.counts["new"] == 1
    with pytest.raises(imports.ImportRefused):
        imports.apply(found, BRANCHES)


def test_rows_match_by_number_then_by_email_and_only_given_columns_change() -> None:
    members = [ANA, Member(id="m2", name="Bo Lund", email="bo@example.org", gender="man")]
    data = csv(
        "name,email,member number",
        "Ana Silva,ana@example.org,m1",  # the same as stored
        "Bo Lund,BO@example.org,",  # found by address, whatever its case
        "Ana Silva-Costa,ana@example.org,m1x",  # another number for Ana's address: refused
        "Cy Moss,cy@example.org,",  # new, numbered from the address
    )
    found = imports.preview(data, members, BRANCHES)
    assert outcomes(found) == [Outcome.UNCHANGED, Outcome.UPDATED, Outcome.ERROR, Outcome.NEW]
    assert found.rows[1].changed == ("email",) and found.rows[1].member is not None
    assert found.rows[1].member.id == "m2" and found.rows[1].member.gender == "man"
    assert found.rows[2].problems[0].code == "import.email_taken"
    cy = found.rows[3].member
    assert cy is not None and cy.id == imports.preview(data, members, BRANCHES).rows[3].member.id  # type: ignore[union-attr]
    assert cy.id.startswith("m-")


def test_a_member_who_moves_branch_leaves_the_old_roll_and_a_changed_role_counts_as_an_update() -> None:
    data = csv("number,name,branch,role", "m1,Ana Silva,Paris,secretary", "m2,Bo,Berlin,")
    found = imports.preview(data, [ANA], BRANCHES)
    assert outcomes(found) == [Outcome.UPDATED, Outcome.NEW]
    assert found.rows[0].changed == ("branch", "role")
    members, changed = imports.apply(found, BRANCHES)
    assert [m.id for m in members] == ["m1", "m2"]
    rolls = {b.id: b.roles for b in changed}
    assert rolls == {"berlin": {"m2": Role.MEMBER}, "paris": {"m1": Role.SECRETARY}}
    same = imports.preview(csv("number,name,branch", "m1,Ana Silva,Berlin"), [ANA], BRANCHES)
    assert outcomes(same) == [Outcome.UNCHANGED]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import.empty"),
        (b"number,email\nm1,a@example.org\n", "import.no_name_column"),
        (b"name,branch\nAna,Berlin\n", "import.no_key_column"),
        (b"name,email,e-mail\nAna,a@example.org,b@example.org\n", "import.column_twice"),
    ],
)
def test_a_file_that_cannot_be_read_as_members_says_why(data: bytes, code: str) -> None:
    found = imports.preview(data, [], BRANCHES)
    assert [p.code for p in found.problems] == [code] and found.rows == () and not found.ok


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers() -> None:
    found = imports.preview(b"name,email\n\nAna,a@example.org\n,\nBo,b@example.org\n", [], [])
    assert [r.line for r in found.rows] == [3, 5]


def test_a_language_column_sets_each_members_letters_language() -> None:
    found = imports.preview(
        csv(
            "Member number,Name,Email,Language",
            "m1,Ana Silva,ana@example.org,ES",
            "m2,Luis Paz,luis@example.org,es-MX",
            "m3,Jo Lee,jo@example.org,",
            "m4,Kim Park,kim@example.org,Klingon",
        ),
        [ANA],
        BRANCHES,
    )
    assert [r.member.language for r in found.rows if r.member] == ["es", "es", "en"]
    assert found.rows[0].outcome == Outcome.UPDATED and found.rows[0].changed == ("language",)
    assert [(p.column, p.code) for p in found.rows[3].problems] == [("language", "import.bad_language")]
    # Without the column, nobody's language changes.
    kept = imports.preview(
        csv("Member number,Name", "m1,Ana Silva"), [ANA.model_copy(update={"language": "es"})], []
    )
    assert kept.rows[0].outcome == Outcome.UNCHANGED and kept.rows[0].member.language == "es"  # type: ignore[union-attr]
