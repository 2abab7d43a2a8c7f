"""The published JSON Schemas match the models, and a real public view and event fit them: nothing the
view sends is missing from the schema, nothing hidden (connection ids, gender, minutes' text) is in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.events import EVENTS
from hub.models import Event
from hub.patch import diff
from hub.pushes import PresenceCounts, VoteTally
from hub.schema import documents, render
from tests.unit.builders import NOON
from tests.unit.test_events import busy_meeting

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "protocol" / "schema"
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


@pytest.mark.parametrize("name", sorted(documents()))
def test_schema_files_match_the_models(name: str) -> None:
    """Regenerate with `python -m hub.schema docs/protocol/schema` after changing a model."""
    assert (SCHEMA / name).read_text() == render(documents()[name])


def test_no_stale_schema_files() -> None:
    assert sorted(p.name for p in SCHEMA.glob("*.json")) == sorted(documents())


def problems(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "") -> list[str]:
    """A small validator for the subset of JSON Schema pydantic writes."""
    if "$ref" in schema:
        return problems(value, root["$defs"][schema["$ref"].rsplit("/", 1)[-1]], root, at)
    if "anyOf" in schema:
        tries = [problems(value, s, root, at) for s in schema["anyOf"]]
        return [] if any(not t for t in tries) else min(tries, key=len)
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} not in {schema['enum']}"]
    if "const" in schema and value != schema["const"]:
        return [f"{at}: {value!r} is not {schema['const']!r}"]
    kind = schema.get("type")
    if kind is not None and (
        not isinstance(value, TYPES[kind]) or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        return [f"{at}: {value!r} is not {kind}"]
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{at}/{k}: missing" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found += problems(item, properties[key], root, f"{at}/{key}")
            elif extra is False:
                found.append(f"{at}/{key}: not in the schema")
            elif isinstance(extra, dict):
                found += problems(item, extra, root, f"{at}/{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            found += problems(item, schema["items"], root, f"{at}/{n}")
    return found


def test_a_busy_meetings_public_view_and_events_fit_the_schema() -> None:
    m = busy_meeting()
    view = m.public_view()
    assert view["participants"] and view["agenda"][0]["queue"] and view["motions"] and view["chat"]
    schema = documents()["meeting.json"]
    assert problems(view, schema, schema) == []
    event = Event(version=2, type="chat.sent", actor="p001", at=NOON, data={}, patch=diff({}, view))
    envelope = documents()["event.json"]
    assert problems(event.model_dump(mode="json"), envelope, envelope) == []


def test_hidden_fields_are_refused_by_the_schema() -> None:
    m = busy_meeting()
    view = m.public_view()
    member = next(iter(view["participants"]))
    view["participants"][member] = {**view["participants"][member], "sessions": ["node/sid"]}
    schema = documents()["meeting.json"]
    assert problems(view, schema, schema) == [f"/participants/{member}/sessions: not in the schema"]


def test_every_example_payload_fits_its_schema() -> None:
    for name, declared in EVENTS.items():
        schema = documents()[f"{name}.json"]
        assert problems(dict(declared.example), schema, schema) == [], name


def test_what_the_hub_pushes_fits_its_schema() -> None:
    m = busy_meeting()
    counts = PresenceCounts(version=9, presence=m.presence, quorum=m.quorum).model_dump()
    open_tally = VoteTally(vote_id="v1", cast=3, eligible=5, counts={"for": 2, "against": 1, "abstain": 0})
    secret_tally = VoteTally(vote_id="v2", cast=3, eligible=5)
    for name, sent in [
        ("meeting.presence", counts),
        ("vote.tally", open_tally.model_dump(exclude_none=True)),
        ("vote.tally", secret_tally.model_dump(exclude_none=True)),
    ]:
        schema = documents()[f"push.{name}.json"]
        assert problems(sent, schema, schema) == [], name
    schema = documents()["push.vote.tally.json"]
    assert problems({"vote_id": "v1", "cast": 1, "eligible": 1, "voter": "m1"}, schema, schema) == [
        "/voter: not in the schema"
    ]
