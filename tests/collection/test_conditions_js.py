"""show_if on the phone (static/js/conditions.js) shows the same items as the server
(service/forms/answers.visible_items) for the same answers, on every built-in form.

The script runs in node, one process for the module, one JSON line per example."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.collection.offline import client_plan
from service.forms.answers import visible_items
from service.forms.loader import load_forms
from service.forms.model import Check, Choice, FormDefinition, MultiChoice
from service.settings import PROJECT_ROOT
from tests.factories import definition, section

SCRIPT = PROJECT_ROOT / "static" / "js" / "conditions.js"
BUILT_IN = sorted(
    (form.definition for form in load_forms([PROJECT_ROOT / "forms"])[0]),
    key=lambda definition: definition.id,
)


def _options(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "label": i} for i in ids]


# The built-in tables ask only "shown when X is yes"; this one chains conditions across
# sections, on a multiple choice, with any_of and a number-like option id, and hides a
# whole section.
CHAINED = definition(
    kind="checklist",
    scoring=None,
    sections=[
        section(
            "one",
            [
                {"id": "q1", "type": "choice", "label": "一", "options": _options("a", "b", "3")},
                {
                    "id": "q2",
                    "type": "multi",
                    "label": "二",
                    "options": _options("x", "y", "z"),
                    "show_if": {"item": "q1", "any_of": ["a", "3"]},
                },
            ],
            title="一",
        ),
        section(
            "two",
            [
                {
                    "id": "q3",
                    "type": "check",
                    "label": "三",
                    "show_if": {"item": "q2", "equals": "y"},
                },
                {
                    "id": "q4",
                    "type": "text",
                    "label": "四",
                    "show_if": {"item": "q3", "equals": "no"},
                },
                {
                    "id": "q5",
                    "type": "check",
                    "label": "五",
                    "show_if": {"item": "q1", "equals": "b"},
                },
            ],
            title="二",
        ),
        # A section asked only under a condition: its items hide with it, and so does
        # what depends on them in a later section.
        section(
            "three",
            [
                {"id": "q6", "type": "check", "label": "六"},
                {
                    "id": "q7",
                    "type": "check",
                    "label": "七",
                    "show_if": {"item": "q6", "equals": "no"},
                },
            ],
            title="三",
            show_if={"item": "q2", "any_of": ["x", "z"]},
        ),
        section(
            "four",
            [
                {
                    "id": "q8",
                    "type": "check",
                    "label": "八",
                    "show_if": {"item": "q7", "equals": "yes"},
                }
            ],
            title="四",
        ),
    ],
)
FORMS = [*BUILT_IN, CHAINED]
# Reads {"plan": …, "answers": …} lines, answers the visible ids, sorted, a line each.
RUNNER = f"""
const {{ visibleItems }} = require({json.dumps(str(SCRIPT))});
const lines = require("readline").createInterface({{ input: process.stdin }});
lines.on("line", (line) => {{
  const {{ plan, answers }} = JSON.parse(line);
  process.stdout.write(JSON.stringify(Object.keys(visibleItems(plan, answers)).sort()) + "\\n");
}});
"""


@pytest.fixture(scope="module")
def node() -> Iterator[subprocess.Popen]:
    if shutil.which("node") is None:
        pytest.skip("no node on PATH (it comes with npm, which make setup needs)")
    process = subprocess.Popen(
        ["node", "-e", RUNNER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    yield process
    process.stdin.close()  # type: ignore[union-attr]
    process.wait(timeout=10)
    process.stdout.close()  # type: ignore[union-attr]


def in_script(node: subprocess.Popen, plan: dict, answers: dict[str, Any]) -> set[str]:
    node.stdin.write(json.dumps({"plan": plan, "answers": answers}) + "\n")  # type: ignore[union-attr]
    node.stdin.flush()  # type: ignore[union-attr]
    return set(json.loads(node.stdout.readline()))  # type: ignore[union-attr]


def answers_for(definition: FormDefinition) -> st.SearchStrategy[dict[str, Any]]:
    """Answers as the page's controls give them, to the items conditions look at."""
    choices: dict[str, st.SearchStrategy[Any]] = {}
    for _, item in definition.items():
        if isinstance(item, Check):
            choices[item.id] = st.sampled_from(["yes", "no", "na"])
        elif isinstance(item, Choice):
            choices[item.id] = st.sampled_from([option.id for option in item.options])
        elif isinstance(item, MultiChoice):
            ids = [option.id for option in item.options]
            choices[item.id] = st.lists(st.sampled_from(ids), min_size=1, unique=True)
    return st.fixed_dictionaries({}, optional=choices)


def test_every_built_in_form_has_conditions_to_compare():
    assert len(BUILT_IN) >= 8
    assert any(item.show_if for form in BUILT_IN for _, item in form.items())


@pytest.mark.parametrize("form", FORMS, ids=lambda d: d.id)
def test_the_script_shows_what_the_server_shows(node, form: FormDefinition):
    plan = client_plan(form)

    @settings(max_examples=60, deadline=None)
    @given(answers_for(form))
    def same(answers: dict[str, Any]) -> None:
        assert in_script(node, plan, answers) == visible_items(form, answers)

    same()
