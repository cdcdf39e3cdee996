"""Keep checking a form past its type errors.

A file with a misspelt field and a section whose points do not add up should show
both errors at once. After the structural check, each problem's nearest optional
field is dropped and each broken list element is replaced by a harmless stand-in
(keeping every index, so later paths and lines stay right); the rule checks then
run on the rest. Rule errors that could be mere echoes of a repair (a section's
total after one of its items was replaced) are left out.
"""

from __future__ import annotations

import re
from typing import Any

from .model import ITEM_ID_PATTERN
from .structure import StructureProblem
from .yaml_source import join

_ELEMENT = re.compile(r"^(?P<list>.*?)(?P<name>\w+)\[(?P<index>\d+)\]$")
_SECTION = re.compile(r"^sections\[(\d+)\]")


def repair(data: Any, problems: list[StructureProblem]) -> tuple[Any, set[str]] | None:
    """The data with every problem taken out, and the repaired paths; None if impossible.

    Unknown fields are taken out but not counted as repairs: nothing else depends on them.
    """
    drops = {problem.drop for problem in problems}
    if None in drops or not isinstance(data, dict):
        return None
    repaired = _rebuild(data, "", drops)  # type: ignore[arg-type]
    for key in drops:
        if key in _TOP_LEVEL_STAND_INS:  # a top-level field that was wrong or missing
            repaired[key] = _TOP_LEVEL_STAND_INS[key](data)
        elif "." not in key and "[" not in key and key in _REQUIRED_TOP_LEVEL:
            return None
    if repaired is _IMPOSSIBLE:
        return None
    return repaired, {p.drop for p in problems if not p.harmless}  # type: ignore[misc]


_TOP_LEVEL_STAND_INS = {
    "id": lambda data: "form",
    "version": lambda data: 1,
    "kind": lambda data: "scored" if "scoring" in data else "checklist",
    "title": lambda data: "?",
    "basis": lambda data: "?",
    "roles": lambda data: ["admin"],
}
_REQUIRED_TOP_LEVEL = {"sections"}


def is_echo(path: str, message: str, repaired: set[str], data: Any) -> bool:
    """Whether a rule error may only be a consequence of a repair."""
    for drop in repaired:
        if path.startswith(drop):
            return True
        section = _SECTION.match(drop)
        if section and path in (f"sections[{section.group(1)}].points", "scoring.max"):
            return True
        if drop.startswith("scoring.grades") and path.startswith("scoring.grades"):
            return True
        if drop == "kind" and (path.startswith("scoring") or "kind: scored" in message):
            return True
        replaced_id = _original_id(data, drop)
        if replaced_id and ".show_if" in path and f"`{replaced_id}`" in message:
            return True
    return False


class _Impossible:
    pass


_IMPOSSIBLE = _Impossible()


def _rebuild(value: Any, path: str, drops: set[str]) -> Any:
    if isinstance(value, dict):
        rebuilt = {}
        for key, child in value.items():
            child_path = join(path, str(key))
            if child_path in drops:
                continue
            rebuilt[key] = _rebuild(child, child_path, drops)
            if rebuilt[key] is _IMPOSSIBLE:
                return _IMPOSSIBLE
        return rebuilt
    if isinstance(value, list):
        rebuilt_list = []
        for index, child in enumerate(value):
            child_path = join(path, index)
            if child_path in drops:
                child = _stand_in(child_path, child, index)
            else:
                child = _rebuild(child, child_path, drops)
            if child is _IMPOSSIBLE:
                return _IMPOSSIBLE
            rebuilt_list.append(child)
        return rebuilt_list
    return value


def _stand_in(path: str, original: Any, index: int) -> Any:
    """A harmless element for the list it stands in, keeping a valid original id."""
    name = _ELEMENT.match(path).group("name")  # type: ignore[union-attr]
    given = original.get("id") if isinstance(original, dict) else None
    kept = given if isinstance(given, str) and re.match(ITEM_ID_PATTERN, given) else None
    stand_in_id = kept or f"removed-{index}"
    if name == "items":
        return {"id": stand_in_id, "type": "long_text", "label": "?"}
    if name == "options":
        return {"id": stand_in_id, "label": "?"}
    if name == "sections":
        return {"id": stand_in_id, "title": "?", "items": []}
    if name == "grades":
        return {"id": stand_in_id, "min": 0, "label": "?"}
    if name in ("gates", "requires"):
        return {"min_total": 0}
    if name == "roles":
        return "admin"
    if name == "any_of":
        return "?"
    return _IMPOSSIBLE


def _original_id(data: Any, path: str) -> str | None:
    """The id the author gave the element at `path`, if any."""
    node = data
    for key, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                return None
            node = node[int(index)]
    given = node.get("id") if isinstance(node, dict) else None
    return given if isinstance(given, str) else None
