from __future__ import annotations

from datetime import timedelta

import pytest

from hub.errors import HubError
from hub.tokens import JoinTokens
from tests.unit.builders import NOON


def test_a_token_names_its_member_meeting_and_expiry() -> None:
    tokens = JoinTokens("secret")
    claims = tokens.read(tokens.issue("m001", "agm", NOON + timedelta(hours=1)), NOON)
    assert (claims.member_id, claims.meeting_id) == ("m001", "agm")
    assert claims.expires_at == NOON + timedelta(hours=1)


def test_every_token_has_its_own_id() -> None:
    tokens = JoinTokens("secret")
    a = tokens.read(tokens.issue("m001", "agm", NOON + timedelta(hours=1)), NOON)
    b = tokens.read(tokens.issue("m001", "agm", NOON + timedelta(hours=1)), NOON)
    assert a.token_id != b.token_id


def test_expired_token_is_refused() -> None:
    tokens = JoinTokens("secret")
    token = tokens.issue("m001", "agm", NOON)
    with pytest.raises(HubError) as refused:
        tokens.read(token, NOON)
    assert refused.value.code == "auth.expired_token"


@pytest.mark.parametrize("mangle", [lambda t: t + "x", lambda t: "x" + t, lambda t: "", lambda t: "a.b"])
def test_tampered_token_is_refused(mangle: object) -> None:
    tokens = JoinTokens("secret")
    token = tokens.issue("m001", "agm", NOON + timedelta(hours=1))
    with pytest.raises(HubError) as refused:
        tokens.read(mangle(token), NOON)  # type: ignore[operator]
    assert refused.value.code == "auth.invalid_token"


def test_token_from_another_secret_is_refused() -> None:
    token = JoinTokens("other").issue("m001", "agm", NOON + timedelta(hours=1))
    with pytest.raises(HubError) as refused:
        JoinTokens("secret").read(token, NOON)
    assert refused.value.code == "auth.invalid_token"
