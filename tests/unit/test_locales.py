"""The web client's catalogues: every text in both languages, and a translation for each code and name
the hub sends that the client words itself (refusals, procedures, majorities, statuses, roles)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hub.models import Majority, MeetingStatus, Procedure, Role

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "web" / "src" / "locales"
LANGUAGES = ("en", "es")


def keys(catalogue: dict[str, Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for key, value in catalogue.items():
        found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"}
    return found


def catalogue(language: str) -> set[str]:
    """Every text of one language, in all its parts (the room's, and home/ for the other pages)."""
    found: set[str] = set()
    for part in (LOCALES / f"{language}.json", LOCALES / "home" / f"{language}.json"):
        found |= keys(json.loads(part.read_text()))
    return found


def test_both_languages_have_every_text() -> None:
    english, spanish = catalogue("en"), catalogue("es")
    assert sorted(english - spanish) == [] and sorted(spanish - english) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_documented_error_code_is_explained(language: str) -> None:
    codes = re.findall(r"^\| `([a-z_.]+)` \|", (ROOT / "docs" / "protocol" / "errors.md").read_text(), re.M)
    assert len(codes) > 40
    assert sorted(c for c in codes if f"errors.{c}" not in catalogue(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_name_the_hub_sends_is_translated(language: str) -> None:
    found = catalogue(language)
    wanted = [
        *(f"procedure.{p.value}" for p in Procedure),
        *(f"majority.{m.value}" for m in Majority),
        *(f"status.{s.value}" for s in MeetingStatus),
        *(f"role.{r.value}" for r in Role),
    ]
    assert sorted(w for w in wanted if w not in found) == []
