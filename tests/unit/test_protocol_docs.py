from __future__ import annotations

from pathlib import Path

import pytest

from hub.events import EVENTS
from hub.protocol_docs import matrix_page, page

DOCS = Path(__file__).resolve().parents[2] / "docs" / "protocol"


def test_every_event_is_described() -> None:
    assert all(declared.effect and (DOCS / f"{name}.md").exists() for name, declared in EVENTS.items())


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_protocol_pages_match_the_code(event: str) -> None:
    """Regenerate with `python -m hub.protocol_docs docs/protocol` after changing an event."""
    assert (DOCS / f"{event}.md").read_text() == page(event)


def test_every_error_code_in_the_pages_is_explained() -> None:
    errors = (DOCS / "errors.md").read_text()
    for doc in EVENTS.values():
        for code in doc.errors:
            assert f"`{code}`" in errors, code


def test_every_error_code_the_code_can_raise_is_explained() -> None:
    import re

    root = Path(__file__).resolve().parents[2]
    codes: set[str] = set()
    for source in [*root.joinpath("hub").rglob("*.py"), *root.joinpath("signalling").rglob("*.py")]:
        codes |= set(re.findall(r'HubError\(\s*"([a-z_.]+)"', source.read_text()))
    for script in root.joinpath("hub", "lua").glob("*.lua"):
        codes |= set(re.findall(r"'(vote\.[a-z_]+)'", script.read_text()))
    errors = (DOCS / "errors.md").read_text()
    assert len(codes) > 40
    assert sorted(c for c in codes if f"`{c}`" not in errors) == []


def test_permissions_page_matches_the_matrix() -> None:
    assert (DOCS / "permissions.md").read_text() == matrix_page()
