from __future__ import annotations

from datetime import timedelta

import pytest

from hub.errors import HubError
from hub.tokens import Links
from tests.unit.builders import NOON


def test_a_token_names_its_member_meeting_and_expiry() -> None:
    tokens = Links("secret")
    claims = tokens.read(tokens.issue("m001", "agm", NOON + timedelta(hours=1)), NOON)
    assert (claims.member_id, claims.meeting_id) == ("m001", "agm")
    assert claims.expires_at == NOON + timedelta(hours=1)


def test_every_token_has_its_own_id() -> None:
    tokens = Links("secret")
    a = tokens.read(tokens.issue("m001", "agm", NOON + timedelta(hours=1)), NOON)
    b = tokens.read(tokens.issue("m001", "agm", NOON + timedelta(hours=1)), NOON)
    assert a.token_id != b.token_id


def test_expired_token_is_refused() -> None:
    tokens = Links("secret")
    token = tokens.issue("m001", "agm", NOON)
    with pytest.raises(HubError) as refused:
        tokens.read(token, NOON)
    assert refused.value.code == "auth.expired_token"


@pytest.mark.parametrize("mangle", [lambda t: t + "x", lambda t: "x" + t, lambda t: "", lambda t: "a.b"])
def test_tampered_token_is_refused(mangle: object) -> None:
    tokens = Links("secret")
    token = tokens.issue("m001", "agm", NOON + timedelta(hours=1))
    with pytest.raises(HubError) as refused:
        tokens.read(mangle(token), NOON)  # type: ignore[operator]
    assert refused.value.code == "auth.invalid_token"


def test_token_from_another_secret_is_refused() -> None:
    token = Links("other").issue("m001", "agm", NOON + timedelta(hours=1))
    with pytest.raises(HubError) as refused:
        Links("secret").read(token, NOON)
    assert refused.value.code == "auth.invalid_token"


def test_a_home_link_names_its_member_and_no_meeting() -> None:
    tokens = Links("secret")
    claims = tokens.read_home(tokens.issue_home("m001", NOON + timedelta(days=1)), NOON)
    assert (claims.member_id, claims.meeting_id) == ("m001", "")


def test_home_and_join_links_are_not_interchangeable() -> None:
    tokens = Links("secret")
    home = tokens.issue_home("m001", NOON + timedelta(days=1))
    join = tokens.issue("m001", "agm", NOON + timedelta(days=1))
    for read, token in ((tokens.read, home), (tokens.read_home, join)):
        with pytest.raises(HubError) as refused:
            read(token, NOON)
        assert refused.value.code == "auth.invalid_token"
    assert tokens.read_any(home, NOON).meeting_id == ""
    assert tokens.read_any(join, NOON).meeting_id == "agm"
