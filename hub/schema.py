"""JSON Schema for what crosses the wire, generated from the models: the public view of a meeting (the
`meeting` of a snapshot, which every event's `patch` edits), the envelope of a pushed event, and the
payload of every client event. `python -m hub.schema docs/protocol/schema` writes them; a test fails
when they drift from the models."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hub.events import EVENTS
from hub.models import PRIVATE, Event, Meeting
from hub.pushes import PUSHES

BASE = "https://meeting-hub.invalid/schema/"
# What `Meeting.public_view` leaves out of the stored meeting, by model: connection ids, gender and
# each connection's media, the balance kept for ordering speakers, and the text of the minutes
# (fetched with minutes.get), and the livestream's push address (a secret key).
HIDDEN: dict[str, frozenset[str]] = {
    "Participant": frozenset(PRIVATE),
    "AgendaItem": frozenset({"last_balance", "last_stance"}),
    "QueueEntry": frozenset({"balance"}),
    "Minutes": frozenset({"text"}),
    "Livestream": frozenset({"push_url"}),
}


def _closed(schema: dict[str, Any], hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An object schema without the hidden fields, every field always sent, and nothing else."""
    properties = {k: v for k, v in schema.get("properties", {}).items() if k not in hidden}
    return {**schema, "properties": properties, "required": list(properties), "additionalProperties": False}


def public_view() -> dict[str, Any]:
    schema = Meeting.model_json_schema(mode="serialization")
    defs = schema.pop("$defs")
    for name, definition in defs.items():
        if definition.get("type") == "object":
            defs[name] = _closed(definition, HIDDEN.get(name, frozenset()))
    # A model used only by hidden fields (a connection's media) is no part of the view.
    used = json.dumps([schema, *defs.values()])
    defs = {name: d for name, d in defs.items() if f'"#/$defs/{name}"' in used}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + "meeting.json",
        **_closed(schema),
        "description": "A meeting as every client sees it: the `meeting` of a snapshot.",
        "$defs": defs,
    }


def event() -> dict[str, Any]:
    schema = _closed(Event.model_json_schema(mode="serialization"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + "event.json",
        **schema,
        "description": "One event of `meeting.events`: its `patch` (RFC 6902) edits the public view.",
    }


def payload(name: str) -> dict[str, Any]:
    schema = EVENTS[name].payload.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + f"{name}.json",
        **schema,
        "title": name,
        "description": f"The payload of `{name}`.",
    }


def push(name: str) -> dict[str, Any]:
    """A payload the hub pushes (hub/pushes.py): what it always sends is required, nothing else allowed."""
    schema = PUSHES[name].model_json_schema(mode="serialization")
    defs = {k: _closed(v) if v.get("type") == "object" else v for k, v in schema.pop("$defs", {}).items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + f"push.{name}.json",
        **schema,
        "additionalProperties": False,
        "title": name,
        "description": f"What the hub pushes as `{name}`.",
        **({"$defs": defs} if defs else {}),
    }


def documents() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every file under docs/protocol/schema/."""
    docs = {"meeting.json": public_view(), "event.json": event()}
    docs.update({f"push.{name}.json": push(name) for name in PUSHES})
    docs.update({f"{name}.json": payload(name) for name in EVENTS})
    return docs


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in documents().items():
        path = folder / name
        path.write_text(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/protocol/schema")):
        print(path)
