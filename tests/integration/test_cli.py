"""The command line against its embedded store."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main


def test_a_refusal_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["revoke", "--data-dir", str(tmp_path), "not-a-token"])
    assert result.exit_code == 1
    assert "This join link is not valid. (auth.invalid_token)" in result.output
    assert "Traceback" not in result.output
