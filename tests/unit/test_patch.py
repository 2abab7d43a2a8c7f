from __future__ import annotations

from typing import Any

import jsonpatch
import pytest

from hub.patch import diff

CASES: list[tuple[Any, Any]] = [
    ({"a": 1}, {"a": 1}),
    ({"a": 1}, {"a": 2}),
    ({"a": 1, "b": 2}, {"b": 2}),
    ({"a": 1}, {"a": 1, "c/d~e": {"x": [1, 2]}}),
    (
        {"p": {"m1": {"present": True}, "m2": {"present": True}}},
        {"p": {"m1": {"present": False}, "m2": {"present": True}}},
    ),
    ({"q": [1, 2, 3]}, {"q": [3, 1]}),
    ({"s": None}, {"s": {"name": "Ana"}}),
    ({"s": {"name": "Ana"}}, {"s": None}),
]


@pytest.mark.parametrize(("old", "new"), CASES)
def test_applying_the_diff_gives_the_new_document(old: Any, new: Any) -> None:
    assert jsonpatch.apply_patch(old, diff(old, new)) == new


def test_unchanged_branches_produce_no_operations() -> None:
    old = {"participants": {f"m{n}": {"present": True} for n in range(500)}, "status": "open"}
    new = {**old, "status": "in_session"}
    assert diff(old, new) == [{"op": "replace", "path": "/status", "value": "in_session"}]
