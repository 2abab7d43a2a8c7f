"""Time-limited TURN credentials (hub/turn.py) and the settings that turn them on. That coturn accepts
them is tested against a real coturn in tests/integration/test_turn.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, cast

import pytest
from click.testing import CliRunner

from hub import turn
from hub.cli import main
from hub.config import IceServer
from signalling.media.relay import Relay

STUN = IceServer(("stun:stun.example.org:3478",))
STATIC = IceServer(("turn:static.example.org:3478",), "hub", "s3cret")
SHARED = IceServer(("turn:turn.example.org:3478", "turns:turn.example.org:5349?transport=tcp"))


def test_a_credential_is_the_hmac_of_expiry_and_member_under_the_secret() -> None:
    username, credential = turn.credentials("north", "m002", 1_700_000_000)
    assert username == "1700000000:m002"
    assert base64.b64decode(credential) == hmac.digest(b"north", b"1700000000:m002", hashlib.sha1)


def test_the_secret_goes_to_turn_servers_given_without_credentials() -> None:
    stun, static, shared = turn.with_secret((STUN, STATIC, SHARED), "north")
    assert (stun, static) == (STUN, STATIC)
    assert shared.secret == "north" and shared.username is None
    assert "north" not in repr(shared)
    with pytest.raises(ValueError, match="HUB_TURN_SECRET"):
        turn.with_secret((SHARED,), None)
    with pytest.raises(ValueError, match="both a username and a credential"):
        turn.with_secret((IceServer(("turn:x",), username="hub"),), "north")
    assert turn.with_secret((STUN, STATIC), None) == (STUN, STATIC)


def test_each_member_gets_credentials_of_their_own_and_never_the_secret() -> None:
    servers = turn.with_secret((STUN, STATIC, SHARED), "north")
    now = 1_700_000_000.5
    stun, static, shared = turn.for_member(servers, "m002", now)
    assert stun == {"urls": ["stun:stun.example.org:3478"]}
    assert static == STATIC.as_dict()
    expires = 1_700_000_001 + turn.CREDENTIAL_SECONDS
    assert shared == {
        "urls": list(SHARED.urls),
        "username": f"{expires}:m002",
        "credential": turn.credentials("north", "m002", expires)[1],
    }
    assert turn.for_member(servers, "m003", now)[2]["credential"] != shared["credential"]


def test_the_relay_gathers_without_the_servers_that_share_a_secret() -> None:
    servers = turn.with_secret((STUN, STATIC, SHARED), "north")
    assert turn.for_relay(servers) == [STUN, STATIC]
    relay = Relay(cast(Any, None), cast(Any, None), str, servers)
    urls = [server.urls for server in relay.configuration().iceServers or []]
    assert urls == [list(STUN.urls), list(STATIC.urls)]


def test_serve_checks_the_turn_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUB_TURN_SECRET", raising=False)
    shared = '[{"urls": "turn:turn.example.org:3478"}]'
    result = CliRunner().invoke(main, ["serve", "--ice-servers", shared])
    assert result.exit_code == 2 and "HUB_TURN_SECRET" in result.output
    result = CliRunner().invoke(main, ["serve", "--ice-relay-only", "--ice-servers", '[{"urls": "stun:x"}]'])
    assert result.exit_code == 2 and "--ice-relay-only needs a TURN server" in result.output
    assert "HUB_ICE_RELAY_ONLY" in CliRunner().invoke(main, ["serve", "--help"]).output
