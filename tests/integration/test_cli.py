"""The command line against its embedded store."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from hub.config import Settings
from hub.demo import meeting_over
from hub.tokens import Links


def test_a_refusal_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["revoke", "--data-dir", str(tmp_path), "not-a-token"])
    assert result.exit_code == 1
    assert "This link is not valid. (auth.invalid_token)" in result.output
    assert "Traceback" not in result.output


def test_demo_links_follow_the_address_options(tmp_path: Path) -> None:
    """`hub demo` and `hub serve --demo` print links for the address the hub will serve."""
    result = CliRunner().invoke(main, ["demo", "--data-dir", str(tmp_path), "--port", "8765"])
    assert result.exit_code == 0, result.output
    # Enough members to make the demo meeting quorate (10), each with a home page.
    assert result.output.count("http://127.0.0.1:8765/join/") == 10
    assert result.output.count("http://127.0.0.1:8765/home/") == 10
    again = CliRunner().invoke(
        main, ["demo", "--data-dir", str(tmp_path), "--public-url", "https://hub.example.org/"]
    )
    assert again.output.count("https://hub.example.org/join/") == 10


def test_demo_links_last_until_the_meeting_is_over(tmp_path: Path) -> None:
    """By default the links outlive the demo meeting; a `--days` that would end them first is refused."""
    result = CliRunner().invoke(main, ["demo", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    token = result.output.split("/join/")[1].split()[0]
    claims = Links(Settings(data_dir=tmp_path).signing_secret()).read(token, datetime.now(UTC))
    assert claims.expires_at >= meeting_over()
    short = CliRunner().invoke(main, ["demo", "--data-dir", str(tmp_path), "--days", "5"])
    assert short.exit_code == 2
    assert "would expire before the demo meeting is over" in short.output


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


def test_members_import_previews_saves_and_refuses_a_file_with_errors(tmp_path: Path) -> None:
    """`hub members import`: the shipped sample matches the demo's members; a file with a bad row saves
    nothing; a dry run prints the same preview and saves nothing either."""
    store = ["--data-dir", str(tmp_path)]
    assert CliRunner().invoke(main, ["demo", *store]).exit_code == 0
    sample = resources.files("hub").joinpath("data/sample-members.csv").read_bytes()
    (tmp_path / "sample.csv").write_bytes(sample)
    same = CliRunner().invoke(main, ["members", "import", *store, str(tmp_path / "sample.csv")])
    assert same.exit_code == 0, same.output
    assert "0 new, 0 updated, 49 unchanged, 0 error" in same.output

    edited = sample.replace(b"m002,Beatriz Bauer", b"m002,Beatriz Bauer-Lima")
    bad = edited + b"m900,New Member,not-an-address,Europe/Paris,Paris,\n"
    (tmp_path / "bad.csv").write_bytes(bad)
    refused = CliRunner().invoke(main, ["members", "import", *store, str(tmp_path / "bad.csv")])
    assert refused.exit_code == 1
    assert "line     51  error      email: Not an email address" in refused.output
    assert "Nothing was saved" in refused.output

    (tmp_path / "good.csv").write_bytes(edited + b"m900,New Member,new@example.org,Europe/Paris,Paris,\n")
    dry = CliRunner().invoke(main, ["members", "import", *store, "--dry-run", str(tmp_path / "good.csv")])
    assert dry.exit_code == 0, dry.output
    assert "updated    m002  Beatriz Bauer-Lima  (name)" in dry.output and "1 new, 1 updated" in dry.output
    assert "Nothing saved (a dry run)." in dry.output
    saved = CliRunner().invoke(main, ["members", "import", *store, str(tmp_path / "good.csv")])
    assert saved.exit_code == 0 and "Saved." in saved.output
    again = CliRunner().invoke(main, ["members", "import", *store, str(tmp_path / "good.csv")])
    assert "0 new, 0 updated, 50 unchanged" in again.output


def test_sign_out_ends_a_members_sessions(tmp_path: Path) -> None:
    store = ["--data-dir", str(tmp_path)]
    assert CliRunner().invoke(main, ["demo", *store]).exit_code == 0
    ended = CliRunner().invoke(main, ["sign-out", *store, "m002"])
    assert (ended.exit_code, ended.output.strip()) == (0, "0 sessions ended.")
    unknown = CliRunner().invoke(main, ["sign-out", *store, "nobody"])
    assert unknown.exit_code == 1 and "member.not_found" in unknown.output
