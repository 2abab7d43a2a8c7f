"""The protocol reference, one page per client event, generated from the code that enforces it:
each event's declaration in hub/events.py (payload model, roles, presence, effect, events, errors and
reply). `python -m hub.protocol_docs docs/protocol` rewrites the
pages; a test fails when they drift from the code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hub.events import EVENTS
from hub.models import Role

COMMON_ERRORS = (
    "invalid_payload",
    "payload_too_large",
    "rate_limited",
    "forbidden",
    "busy",
    "store.unavailable",
    "internal",
)


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return " / ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), defs)}"
    limits = [
        f"{label} {schema[key]}"
        for key, label in (
            ("minLength", "min length"),
            ("maxLength", "max length"),
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("maxItems", "max items"),
        )
        if key in schema
    ]
    return kind + (f" ({', '.join(limits)})" if limits else "")


def _table(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = [
        f"| `{name}` | {_type(field, defs)} | {'yes' if name in required else 'no'} | "
        f"{json.dumps(field['default']) if 'default' in field else ''} |"
        for name, field in schema.get("properties", {}).items()
    ]
    return "\n| field | type | required | default |\n|---|---|---|---|\n" + "\n".join(rows)


def page(event: str) -> str:
    doc = EVENTS[event]
    schema = doc.payload.model_json_schema()
    defs = schema.get("$defs", {})
    payload = _table(schema, defs) if schema.get("properties") else "An empty object `{}`."
    for name, definition in defs.items():
        body = (
            "one of " + ", ".join(f"`{v}`" for v in definition["enum"])
            if "enum" in definition
            else _table(definition, defs)
        )
        payload += f"\n\n`{name}`: {body}"
    roles = ", ".join(r.value for r in Role if r in doc.roles)
    emits = ", ".join(f"`{e}`" for e in doc.emits) or "none"
    present = ("attendance.not_present",) if doc.present else ()
    closed = ("meeting.closed", "meeting.adjourned") if doc.business else ()
    errors = "\n".join(f"- `{code}`" for code in (*doc.errors, *closed, *present, *COMMON_ERRORS))
    return (
        f"# `{event}`\n\n{doc.effect}\n\n## Payload\n\n{payload}\n\nUnknown fields are refused.\n\n"
        f"## Who may\n\n{roles}\n\n## Reply\n\n{doc.reply_text}\n\n## Events\n\n{emits}\n\n"
        f"## Errors\n\n{errors}\n\nSee [errors](errors.md) for what each code means.\n"
    )


def matrix_page() -> str:
    """docs/protocol/permissions.md: every event against every role."""
    roles = list(Role)
    header = "| event | " + " | ".join(r.value for r in roles) + " |\n|---|" + "---|" * len(roles)
    rows = [
        f"| [`{event}`]({event}.md) | " + " | ".join("yes" if r in doc.roles else "—" for r in roles) + " |"
        for event, doc in EVENTS.items()
    ]
    return (
        "# Permissions\n\nWho may send each event. The server checks every event against this matrix "
        "(the roles declared with each event in hub/events.py); a refused event gets `forbidden` and "
        "changes nothing. A member's role in a meeting is their appointment for that meeting, else their "
        "role in its branch.\n\n" + header + "\n" + "\n".join(rows) + "\n"
    )


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "permissions.md").write_text(matrix_page())
    written = [folder / "permissions.md"]
    for event in EVENTS:
        path = folder / f"{event}.md"
        path.write_text(page(event))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/protocol")):
        print(path)
