"""The RFC 6902 patch between two public views of a meeting.

Dictionaries are compared key by key with `==` (which runs in C) and only differing keys are
descended into; a changed list or value is replaced whole. jsonpatch's make_patch walks every value in
Python instead, which costs about 20 ms per change on a meeting of 500 participants. Clients apply the
result with any RFC 6902 library.
"""

from __future__ import annotations

from typing import Any


def pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [] if old == new else [{"op": "replace", "path": path, "value": new}]
    ops: list[dict[str, Any]] = [
        {"op": "remove", "path": f"{path}/{pointer(key)}"} for key in old if key not in new
    ]
    for key, value in new.items():
        if key not in old:
            ops.append({"op": "add", "path": f"{path}/{pointer(key)}", "value": value})
        elif old[key] != value:
            ops.extend(diff(old[key], value, f"{path}/{pointer(key)}"))
    return ops
