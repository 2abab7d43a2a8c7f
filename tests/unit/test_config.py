from __future__ import annotations

from typing import Any, cast

import pytest
from aiortc import RTCBundlePolicy
from click.testing import CliRunner

from hub.cli import main
from hub.config import IceServer, Limits, parse_ice_servers
from signalling.media.relay import Relay


def test_ice_servers_in_the_browsers_format() -> None:
    servers = parse_ice_servers(
        '[{"urls": "stun:stun.example.org:3478"},'
        ' {"urls": ["turn:turn.example.org:3478", "turns:turn.example.org:5349"], "username": "hub",'
        ' "credential": "s3cret"}]'
    )
    assert servers == (
        IceServer(("stun:stun.example.org:3478",)),
        IceServer(("turn:turn.example.org:3478", "turns:turn.example.org:5349"), "hub", "s3cret"),
    )
    assert servers[0].as_dict() == {"urls": ["stun:stun.example.org:3478"]}
    assert servers[1].as_dict()["credential"] == "s3cret"
    assert parse_ice_servers("[]") == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("stun:x", "must be JSON"),
        ('{"urls": "stun:x"}', "a JSON list"),
        ('[{"url": "stun:x"}]', "is an object"),
        ('[{"urls": []}]', "urls starting with"),
        ('[{"urls": "http://x"}]', "urls starting with"),
        ('[{"urls": "turn:x", "username": 7}]', "are strings"),
    ],
)
def test_bad_ice_servers_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_ice_servers(text)


def test_relay_uses_the_ice_servers_and_max_bundle() -> None:
    turn = IceServer(("turn:turn.example.org:3478",), "hub", "s3cret")
    relay = Relay(cast(Any, None), cast(Any, None), str, (turn,))
    configuration = relay.configuration()
    assert configuration.bundlePolicy == RTCBundlePolicy.MAX_BUNDLE
    [server] = configuration.iceServers or []
    assert (server.urls, server.username, server.credential) == (
        ["turn:turn.example.org:3478"],
        "hub",
        "s3cret",
    )
    assert Relay(cast(Any, None), cast(Any, None), str).configuration().iceServers == []


def test_serve_explains_and_checks_its_ice_servers() -> None:
    assert "HUB_ICE_SERVERS" in CliRunner().invoke(main, ["serve", "--help"]).output
    result = CliRunner().invoke(main, ["serve", "--ice-servers", "stun:x"])
    assert result.exit_code == 2 and "must be JSON" in result.output


def test_the_events_rate_is_read_as_a_count_per_period() -> None:
    assert Limits(events_rate="20/second").events_per() == (20, 1.0)
    assert Limits(events_rate="600/minute").events_per() == (600, 60.0)
    for bad in ("20", "20/fortnight", "x/second", "0/second", "-1/second"):
        with pytest.raises(ValueError, match="events_rate"):
            Limits(events_rate=bad)
    assert Limits().chat_per() == (10, 60.0)
    with pytest.raises(ValueError, match="chat_rate"):
        Limits(chat_rate="often")
