"""The command line against its embedded store."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main


def test_a_refusal_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["revoke", "--data-dir", str(tmp_path), "not-a-token"])
    assert result.exit_code == 1
    assert "This link is not valid. (auth.invalid_token)" in result.output
    assert "Traceback" not in result.output


def test_demo_links_follow_the_address_options(tmp_path: Path) -> None:
    """`hub demo` and `hub serve --demo` print links for the address the hub will serve."""
    result = CliRunner().invoke(main, ["demo", "--data-dir", str(tmp_path), "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert result.output.count("http://127.0.0.1:8765/join/") == 6
    assert result.output.count("http://127.0.0.1:8765/home/") == 6
    again = CliRunner().invoke(
        main, ["demo", "--data-dir", str(tmp_path), "--public-url", "https://hub.example.org/"]
    )
    assert again.output.count("https://hub.example.org/join/") == 6


def test_a_home_link_is_printed_and_can_be_revoked(tmp_path: Path) -> None:
    store = ["--data-dir", str(tmp_path)]
    assert CliRunner().invoke(main, ["demo", *store]).exit_code == 0
    printed = CliRunner().invoke(main, ["home-link", *store, "m002", "--days", "30"])
    assert printed.exit_code == 0, printed.output
    link = printed.output.strip()
    assert "/home/" in link
    revoked = CliRunner().invoke(main, ["revoke", *store, link])
    assert (revoked.exit_code, revoked.output.strip()) == (0, "Link revoked.")
    unknown = CliRunner().invoke(main, ["home-link", *store, "nobody"])
    assert unknown.exit_code == 1 and "member.not_found" in unknown.output
