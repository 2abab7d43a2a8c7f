"""The browser client's types (web/src/protocol.gen.ts) are what web/scripts/types.mjs compiles from the
published JSON Schema, so a model change that reaches the schema reaches the client's type check."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from hub.events import EVENTS
from hub.schema import documents

WEB = Path(__file__).resolve().parents[2] / "web"
GENERATED = WEB / "src" / "protocol.gen.ts"


def generated() -> str:
    node = shutil.which("node")
    assert node, "node is needed to compile the types (scripts/setup installs it)"
    run = subprocess.run(
        [node, "scripts/types.mjs", "--print"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def fields(interface: str) -> dict[str, bool]:
    """The top-level fields of an exported interface in the generated file: name -> required."""
    body = re.search(rf"^export interface {interface} \{{\n(.*?)^\}}", GENERATED.read_text(), re.M | re.S)
    assert body, f"no interface {interface}"
    return {m[1] or m[2]: not m[3] for m in re.finditer(r'^  (?:"([^"]+)"|(\w+))(\??):', body[1], re.M)}


def test_generated_types_match_the_schema() -> None:
    """Regenerate with `npm run types` in web/ after `python -m hub.schema docs/protocol/schema`."""
    assert GENERATED.read_text() == generated()


def test_every_client_event_has_its_payload_type() -> None:
    assert fields("Payloads") == dict.fromkeys(EVENTS, True)


def test_the_meeting_type_has_every_field_of_the_public_view_always_sent() -> None:
    assert fields("Meeting") == dict.fromkeys(documents()["meeting.json"]["properties"], True)
