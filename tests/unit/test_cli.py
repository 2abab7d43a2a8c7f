from __future__ import annotations

import pytest
from click.testing import CliRunner

from hub.cli import main


def test_hub_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "link", "revoke"):
        assert command in result.output


@pytest.mark.parametrize("command", ["serve", "demo", "link", "revoke"])
def test_every_command_explains_its_options_and_variables(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    for variable in ("HUB_REDIS_URL", "HUB_DATA_DIR", "HUB_HOST", "HUB_PORT", "HUB_PUBLIC_URL"):
        assert variable in result.output
