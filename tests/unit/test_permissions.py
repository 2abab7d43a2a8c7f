from __future__ import annotations

import pytest

from hub.errors import HubError
from hub.events import COMMANDS
from hub.models import Branch, Role
from hub.permissions import MATRIX, authorise, effective_role
from tests.unit.builders import meeting


def test_matrix_covers_exactly_the_commands() -> None:
    assert MATRIX.keys() == COMMANDS.keys()


@pytest.mark.parametrize("event", sorted(MATRIX))
@pytest.mark.parametrize("role", list(Role))
def test_authorise_follows_the_matrix(event: str, role: Role) -> None:
    if role in MATRIX[event]:
        authorise(event, role)
    else:
        with pytest.raises(HubError) as refused:
            authorise(event, role)
        assert refused.value.code == "forbidden"


def test_meeting_appointment_wins_over_branch_role() -> None:
    branch = Branch(id="intl", name="Intl", roles={"m1": Role.MEMBER, "m2": Role.CHAIR})
    m = meeting(roles={"m1": Role.CHAIR})
    assert effective_role(branch, m, "m1") == Role.CHAIR
    assert effective_role(branch, m, "m2") == Role.CHAIR
    assert effective_role(branch, m, "m3") is None
