from __future__ import annotations

from typing import Any, cast

import pytest
from aiortc import RTCBundlePolicy
from click.testing import CliRunner

from hub.cli import main
from hub.config import IceServer, Limits, Mail, Oidc, SmtpServer, parse_ice_servers
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


def test_the_smtp_server_is_read_from_its_url() -> None:
    sender = "Branch Hub <hub@example.org>"
    assert Mail("smtp://relay.local", sender).server() == SmtpServer("relay.local", 25, "none")
    upgraded = Mail("smtp+starttls://ana%40example.org:s%3Acret@mail.example.org", sender).server()
    assert upgraded == SmtpServer("mail.example.org", 587, "starttls", "ana@example.org", "s:cret")
    assert Mail("smtps://u@mail.example.org:2465", sender, password="from-env").server() == SmtpServer(
        "mail.example.org", 2465, "tls", "u", "from-env"
    )
    assert Mail("smtp://x", sender, rate="100/minute").per() == (100, 60.0)
    assert "s:cret" not in repr(Mail("smtp://u:s%3Acret@x", sender))
    for url in ("http://mail.example.org", "smtp://", "mail.example.org"):
        with pytest.raises(ValueError, match="SMTP URL"):
            Mail(url, sender)
    with pytest.raises(ValueError, match="address"):
        Mail("smtp://x", "Branch Hub")
    with pytest.raises(ValueError, match="mail rate"):
        Mail("smtp://x", sender, rate="fast")


def test_serve_explains_and_checks_its_mail_options() -> None:
    output = CliRunner().invoke(main, ["serve", "--help"]).output
    assert all(v in output for v in ("HUB_SMTP_URL", "HUB_MAIL_FROM", "HUB_MAIL_RATE", "HUB_SMTP_PASSWORD"))
    alone = CliRunner().invoke(main, ["serve", "--smtp-url", "smtp://x"])
    assert alone.exit_code == 2 and "needs --mail-from" in alone.output
    bad = CliRunner().invoke(main, ["serve", "--smtp-url", "ftp://x", "--mail-from", "hub@example.org"])
    assert bad.exit_code == 2 and "SMTP URL" in bad.output


def test_single_sign_on_needs_an_https_issuer_and_a_client_id() -> None:
    assert Oidc("https://id.example.org", "hub").name == "single sign-on"
    assert Oidc("http://localhost:9400", "hub").issuer.startswith("http://localhost")  # a test provider
    assert "s3cret" not in repr(Oidc("https://id.example.org", "hub", "s3cret"))
    with pytest.raises(ValueError, match="https"):
        Oidc("http://id.example.org", "hub")
    with pytest.raises(ValueError, match="client id"):
        Oidc("https://id.example.org", "")
    output = CliRunner().invoke(main, ["serve", "--help"]).output
    assert all(v in output for v in ("HUB_OIDC_ISSUER", "HUB_OIDC_CLIENT_ID", "HUB_OIDC_CLIENT_SECRET"))
    bad = CliRunner().invoke(main, ["serve", "--oidc-issuer", "http://id.example.org"])
    assert bad.exit_code == 2 and "https" in bad.output
