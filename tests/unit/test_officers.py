"""The officers' pure rules (hub/officers.py): who manages what, wall-clock times across daylight
saving, meetings from templates, invitations beyond a branch, rescheduling and cancelling, CSV export
and a branch officer's import."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub import imports, officers
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import Branch, Meeting, MeetingStatus, Member, Role
from hub.permissions import effective_role

BERLIN = Branch(
    id="berlin",
    name="Berlin",
    home_time_zone="Europe/Berlin",
    roles={"ana": Role.SECRETARY, "bo": Role.MEMBER},
)
PARIS = Branch(
    id="paris", name="Paris", home_time_zone="Europe/Paris", roles={"cy": Role.CHAIR, "di": Role.OBSERVER}
)
MEMBERS = {
    "ana": Member(id="ana", name="Ana", branch="berlin"),
    "bo": Member(id="bo", name="Bo", branch="berlin"),
    "cy": Member(id="cy", name="Cy", branch="paris"),
    "di": Member(id="di", name="Di", branch="paris"),
    "ed": Member(id="ed", name="Ed"),
    "fay": Member(id="fay", name="Fay", admin=True),
}
ACTOR = Actor(member_id="ana", name="Ana", role=Role.ADMIN)


def meeting(**fields: object) -> Meeting:
    base = {
        "id": "m",
        "branch_id": "berlin",
        "title": "T",
        "starts_at": datetime(2031, 5, 1, 17, tzinfo=UTC),
        "time_zone": "Europe/Berlin",
    }
    return Meeting.model_validate({**base, **fields})


def test_scopes_admins_branch_officers_and_nobody() -> None:
    branches = [BERLIN, PARIS]
    admin = officers.scope_of(MEMBERS["fay"], branches)
    assert admin is not None and admin.admin and admin.reaches_member(MEMBERS["cy"])
    ana = officers.scope_of(MEMBERS["ana"], branches)
    assert ana is not None and ana.branches == {"berlin"}
    assert (
        ana.reaches_member(MEMBERS["bo"])
        and not ana.reaches_member(MEMBERS["cy"])
        and not ana.reaches_member(MEMBERS["ed"])
    )
    assert ana.reaches_meeting(meeting()) and not ana.reaches_meeting(meeting(branch_id="paris"))
    assert officers.scope_of(MEMBERS["bo"], branches) is None
    assert officers.scope_of(MEMBERS["fay"].model_copy(update={"active": False}), branches) is None


def test_a_wall_clock_time_the_clocks_skip_is_refused_and_one_they_repeat_is_the_first() -> None:
    with pytest.raises(HubError) as skipped:
        officers.local_time("2031-03-30T02:30", "Europe/Berlin")
    assert skipped.value.code == "meeting.bad_time"
    twice = officers.local_time("2031-10-26T02:30", "Europe/Berlin")
    assert twice.astimezone(UTC).hour == 0  # 02:30 summer time, the first of the two
    assert officers.local_time("2031-07-01T20:00", "Europe/Berlin").astimezone(UTC).hour == 18


def test_a_meeting_invites_other_branches_as_members_and_everyone_only_when_asked() -> None:
    joint = meeting(invited_branches=["paris"])
    # Paris's chair is a member of a Berlin meeting; Paris's observer observes.
    assert effective_role(BERLIN, joint, "cy", PARIS) == Role.MEMBER
    assert effective_role(BERLIN, joint, "di", PARIS) == Role.OBSERVER
    assert effective_role(BERLIN, joint, "ana", None) == Role.SECRETARY
    assert effective_role(BERLIN, joint, "ed", None) is None
    assert effective_role(BERLIN, meeting(), "cy", PARIS) is None
    assert effective_role(BERLIN, meeting(everyone=True), "ed", None) == Role.MEMBER
    invited = officers.invitees(joint, MEMBERS.values(), {"berlin": BERLIN, "paris": PARIS})
    assert {m.id: r for m, r in invited} == {
        "ana": Role.SECRETARY,
        "bo": Role.MEMBER,
        "cy": Role.MEMBER,
        "di": Role.OBSERVER,
    }
    assert officers.electorate(invited) == 3


def test_a_meeting_from_a_template_with_its_appointments() -> None:
    form = officers.MeetingForm(
        branch_id="berlin", kind="agm", title="AGM", starts_at="2031-06-07T14:00", chair="cy", tellers=["bo"]
    )
    made = officers.new_meeting(form, BERLIN, "agm-2031", MEMBERS)
    assert [i.kind for i in made.agenda] == [
        "minutes",
        "report",
        "motion",
        "election",
        "other",
    ] and made.serial == 5
    assert made.roles == {"bo": Role.SECRETARY, "cy": Role.CHAIR}
    assert (
        made.starts_at == datetime(2031, 6, 7, 12, tzinfo=UTC)
        and made.standing_orders == BERLIN.standing_orders
    )
    with pytest.raises(HubError, match="no member 'zz'"):
        officers.new_meeting(form.model_copy(update={"chair": "zz"}), BERLIN, "x", MEMBERS)
    with pytest.raises(ValueError, match="other branch"):
        officers.MeetingForm(branch_id="berlin", title="T", starts_at="2031-06-07T14:00", invite="branches")


def test_only_an_admin_invites_everyone_and_officers_only_their_branches() -> None:
    ana = officers.scope_of(MEMBERS["ana"], [BERLIN, PARIS])
    assert ana is not None
    known = ["berlin", "paris"]
    officers.check_invitees(ana, officers.Invitees(branch_id="berlin"), known)
    for form in (
        officers.Invitees(branch_id="berlin", invite="everyone"),
        officers.Invitees(branch_id="berlin", invite="branches", invited_branches=["paris"]),
        officers.Invitees(branch_id="paris"),
    ):
        with pytest.raises(HubError, match="may not"):
            officers.check_invitees(ana, form, known)


def test_a_scheduled_meeting_is_rescheduled_and_cancelled_and_nothing_else_is() -> None:
    moved = officers.reschedule(
        meeting(), officers.Reschedule(starts_at="2031-05-02T19:00"), ACTOR, datetime.now(UTC)
    )
    assert moved is not None and moved.type == "meeting.rescheduled"
    assert moved.meeting.starts_at == datetime(2031, 5, 2, 17, tzinfo=UTC)
    assert (
        officers.reschedule(
            meeting(), officers.Reschedule(starts_at="2031-05-01T19:00"), ACTOR, datetime.now(UTC)
        )
        is None
    )
    cancelled = officers.cancel(meeting(), officers.Cancel(reason="storm"), ACTOR, datetime.now(UTC))
    assert cancelled is not None and cancelled.meeting.status == MeetingStatus.CANCELLED
    assert officers.cancel(cancelled.meeting, officers.Cancel(), ACTOR, datetime.now(UTC)) is None
    for status in (MeetingStatus.OPEN, MeetingStatus.CLOSED):
        with pytest.raises(HubError) as refused:
            officers.cancel(meeting(status=status), officers.Cancel(), ACTOR, datetime.now(UTC))
        assert refused.value.code == "meeting.not_scheduled"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_would_start_a_formula_are_written_as_text(cell: str) -> None:
    assert officers.neutral(cell) == "'" + cell
    assert officers.neutral("Ana " + cell) == "Ana " + cell


def test_the_export_names_branches_roles_and_languages() -> None:
    text = officers.export_csv(
        [MEMBERS["ana"], MEMBERS["ed"].model_copy(update={"name": "=cmd"})], {"berlin": BERLIN}
    )
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines == [
        "Member number,Name,Email,Time zone,Branch,Role,Gender,Language,Active",
        "ana,Ana,,UTC,Berlin,secretary,,en,yes",
        "ed,'=cmd,,UTC,,,,en,yes",
    ]


def test_a_branch_officers_import_refuses_rows_outside_their_branches() -> None:
    data = b"number,name,branch\nbo,Bo,Berlin\ncy,Cy,Paris\nnew,New,Berlin\ned,Ed,Berlin\n"
    found = imports.preview(data, MEMBERS.values(), [BERLIN, PARIS])
    ana = officers.scope_of(MEMBERS["ana"], [BERLIN, PARIS])
    assert ana is not None
    confined = officers.confine(found, ana, MEMBERS.values())
    assert [r.outcome.value for r in confined.rows] == ["unchanged", "error", "new", "error"]
    assert not confined.ok and confined.counts["error"] == 2
    assert officers.confine(found, officers.OPERATOR, MEMBERS.values()) is found


def test_members_are_found_by_name_email_or_number_in_a_branch_or_none() -> None:
    assert [m.id for m in officers.search(MEMBERS.values(), "A")] == ["ana", "fay"]
    assert [m.id for m in officers.search(MEMBERS.values(), "", "none")] == ["ed", "fay"]
    assert [m.id for m in officers.search(MEMBERS.values(), "b", "berlin")] == ["bo"]
    assert officers.slug("São Paulo & Rio") == "sao-paulo-rio"
