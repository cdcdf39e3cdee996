"""Build form definitions for tests: a valid small form, changed where a test needs."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import yaml

from service.forms.loader import LoadedForm, load_form_text
from service.forms.model import FormDefinition


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid scored form: two standard sections of 10 points, max 20."""
    data: dict[str, Any] = {
        "id": "test-form",
        "version": 1,
        "kind": "scored",
        "title": {"zh": "测试表", "en": "Test form"},
        "basis": "测试依据",
        "roles": ["enterprise", "judge"],
        "scoring": {"max": 20},
        "sections": [
            {
                "id": "first",
                "title": "第一部分",
                "points": 10,
                "items": [
                    {"id": "a", "type": "check", "label": "甲", "points": 4},
                    {"id": "b", "type": "check", "label": "乙", "points": 6},
                ],
            },
            {
                "id": "second",
                "title": "第二部分",
                "points": 10,
                "items": [
                    {"id": "c", "type": "check", "label": "丙", "points": 5},
                    {"id": "d", "type": "check", "label": "丁", "points": 5},
                ],
            },
        ],
    }
    data.update(copy.deepcopy(overrides))
    return data


def form_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load(data: dict[str, Any], file: str = "test-form.yaml") -> LoadedForm:
    return load_form_text(form_yaml(data), file)


def definition(**overrides: Any) -> FormDefinition:
    return load(form_data(**overrides)).definition


def section(id: str, items: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": id, "title": id, "items": items, **fields}


def scored_form(*sections: dict[str, Any], max: float, **scoring: Any) -> FormDefinition:
    """A scored form made of the given sections."""
    return definition(sections=list(sections), scoring={"max": max, **scoring})


def as_dict(value: Any) -> Any:
    return msgspec.to_builtins(value)


def best_answers(definition: dict[str, Any]) -> dict[str, Any]:
    """Answers that earn every point of a definition given as JSON (the API's shape)."""
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        for item in section["items"]:
            kind = item["type"]
            if kind == "check":
                answers[item["id"]] = item.get("good", "yes")
            elif kind == "rate":
                answers[item["id"]] = 100
            elif kind == "count":
                answers[item["id"]] = 0
            elif kind == "choice":
                answers[item["id"]] = max(item["options"], key=lambda o: o["score"])["id"]
            elif kind == "multi":
                answers[item["id"]] = [o["id"] for o in item["options"] if o["score"] > 0]
    return answers
