"""The web client's catalogues: every text in both languages, a translation for each code and name the
hub sends that the client words itself (refusals, procedures, majorities, statuses, roles), and the
join screen's text in the part fetched with it."""

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
    """Every text of one language, in all its parts (the join screen's and the stage's, panels/ for the
    rest of the room, and home/ for the other pages)."""
    found: set[str] = set()
    for part in (LOCALES, LOCALES / "panels", LOCALES / "home"):
        found |= keys(json.loads((part / f"{language}.json").read_text()))
    return found


SOURCES = ROOT / "web" / "src"
# A module's imports that load with it (`import type` and `import("./x")` do not).
STATIC_IMPORT = re.compile(r'^import\s+(?!type\s)[^;]*?\sfrom\s+"\./(\w+)"', re.M)
# What a call of t() names, up to its first closing parenthesis or options: literal keys, and the fixed
# start of a key built in a template (`procedure.${...}`).
CALL = re.compile(r"\bt\(([^){]*)")
LITERAL = re.compile(r'"([a-z_]+\.[a-z_.]+)"')
TEMPLATE = re.compile(r"`([a-z_]+\.[a-z_.]*)\$\{")


def join_path_modules() -> set[str]:
    """The modules a join link loads before its join screen shows: the first module, the views, and all
    they import statically (web/src/main.ts, pages.ts)."""
    found: set[str] = set()
    todo = ["main", "pages"]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        path = next(SOURCES.glob(f"{name}.ts*"))
        todo += STATIC_IMPORT.findall(path.read_text())
    return found


def test_the_join_path_finds_its_text_in_the_room_part() -> None:
    """What the join screen and the stage say comes in the catalogue fetched beside them, not with the
    panels after them (room.tsx loadPanels): otherwise a member on a slow link sees keys for words."""
    modules = join_path_modules()
    assert {"room", "joinscreen", "mediaview", "toolbar"} <= modules
    assert not {"motions", "console", "home"} & modules
    every = catalogue("en")
    for language in LANGUAGES:
        room = keys(json.loads((LOCALES / f"{language}.json").read_text()))
        missing: list[str] = []
        for name in sorted(modules):
            source = next(SOURCES.glob(f"{name}.ts*")).read_text()
            for call in CALL.findall(source):
                missing += [f"{name}: {k}" for k in LITERAL.findall(call) if k not in room and k in every]
                missing += [
                    f"{name}: {k}"
                    for prefix in TEMPLATE.findall(call)
                    for k in sorted(every)
                    if k.startswith(prefix) and k not in room
                ]
        assert not missing, f"{language}: {missing}"


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
