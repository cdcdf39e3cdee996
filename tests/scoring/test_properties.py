"""Invariants of the scoring engine over generated forms and answers (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.forms.loader import load_form_text
from service.scoring.engine import score
from tests.factories import form_data, form_yaml

points = st.integers(min_value=1, max_value=20).map(lambda n: n / 2)  # 0.5 … 10


@st.composite
def scored_item(draw: st.DrawFn, item_id: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["check", "count", "rate", "choice", "multi"]))
    value = draw(points)
    item: dict[str, Any] = {"id": item_id, "type": kind, "label": item_id}
    if kind == "check":
        return {**item, "points": value}
    if kind == "count":
        return {**item, "points": value, "deduct_each": draw(points)}
    if kind == "rate":
        per = draw(st.sampled_from([1, 2, 5]))
        return {
            **item,
            "points": value,
            "target": draw(st.integers(50, 100)),
            draw(st.sampled_from(["deduct", "minus"])): draw(points),  # whole steps, pro rata
            "per": per,
        }
    if kind == "multi":
        scores = [draw(points), draw(points), -draw(points)]
        options = [{"id": o, "label": o, "score": x} for o, x in zip("xyz", scores, strict=True)]
        return {**item, "points": value, "options": options}
    lower = draw(st.integers(min_value=-4, max_value=0)) / 2
    return {
        **item,
        "options": [
            {"id": "best", "label": "好", "score": value},
            {"id": "worse", "label": "差", "score": lower},
        ],
    }


@st.composite
def scored_form(draw: st.DrawFn, with_extras: bool = True) -> dict[str, Any]:
    """Standard sections, and with extras: a bonus section, a deduction list, a
    deduction section with its own points, a veto question and either N/A policy."""
    sections = []
    counter = 0
    for s in range(draw(st.integers(1, 3))):
        items = []
        for _ in range(draw(st.integers(1, 4))):
            counter += 1
            items.append(draw(scored_item(f"i{counter}")))
        total = sum(_item_max(item) for item in items)
        sections.append({"id": f"s{s}", "title": f"s{s}", "points": total, "items": items})
    if with_extras and draw(st.booleans()):
        items = [
            {"id": f"b{n}", "type": "check", "label": "加分", "points": draw(points)}
            for n in range(draw(st.integers(1, 3)))
        ]
        sections.append(
            {"id": "bonus", "title": "加分", "kind": "bonus", "cap": draw(points), "items": items}
        )
    if with_extras and draw(st.booleans()):
        items = [
            {"id": f"d{n}", "type": "count", "label": "扣分", "deduct_each": draw(points)}
            for n in range(draw(st.integers(1, 3)))
        ]
        sections.append(
            {
                "id": "minus",
                "title": "扣分",
                "kind": "deduction",
                "cap": draw(points),
                "items": items,
            }
        )
    if with_extras and draw(st.booleans()):
        items = [
            {"id": "dd0", "type": "check", "label": "扣分", "deduct": draw(points)},
            {"id": "dd1", "type": "count", "label": "缺项", "deduct_each": draw(points)},
        ]
        sections.append(
            {
                "id": "safety",
                "title": "扣分制",
                "kind": "deduction",
                "points": draw(points),
                "items": items,
            }
        )
    if with_extras and draw(st.booleans()):
        sections[0]["items"].append(
            {
                "id": "veto",
                "type": "check",
                "label": "事故",
                "good": "no",
                "veto": {"when": "yes", "reason": "事故"},
                "allow_na": True,  # said explicitly: 不适用 means no veto here
            }
        )
    maximum = sum(s.get("points", 0) for s in sections if s.get("kind") != "bonus")
    policy = draw(st.sampled_from(["rescale", "full_marks"])) if with_extras else "rescale"
    return form_data(sections=sections, scoring={"max": maximum, "not_applicable": policy})


def _item_max(item: dict[str, Any]) -> float:
    if item["type"] == "choice":
        return max(o["score"] for o in item["options"])
    if item["type"] == "multi":
        return min(item["points"], sum(o["score"] for o in item["options"] if o["score"] > 0))
    return item["points"]


@st.composite
def answers_for(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for section in data["sections"]:
        for item in section["items"]:
            if draw(st.integers(0, 5)) == 0:
                continue  # left unanswered
            kind = item["type"]
            if kind == "check":
                answers[item["id"]] = draw(st.sampled_from(["yes", "no", "na"]))
            elif kind == "count":
                answers[item["id"]] = draw(st.integers(0, 12))
            elif kind == "rate":
                answers[item["id"]] = draw(st.integers(0, 1000)) / 10
            elif kind == "multi":
                answers[item["id"]] = draw(st.lists(st.sampled_from("xyz"), unique=True))
            else:
                answers[item["id"]] = draw(st.sampled_from(["best", "worse"]))
    return answers


@st.composite
def form_and_answers(draw: st.DrawFn, with_extras: bool = True):
    data = draw(scored_form(with_extras))
    return data, draw(answers_for(data))


def _load(data: dict[str, Any]):
    return load_form_text(form_yaml(data)).definition


@settings(max_examples=150, deadline=None)
@given(form_and_answers())
def test_total_never_exceeds_max_plus_bonus_cap(case):
    data, answers = case
    result = score(_load(data), answers)
    assert 0 <= result.total <= result.max + result.bonus_cap + 1e-9
    assert result.bonus <= result.bonus_cap + 1e-9


@settings(max_examples=150, deadline=None)
@given(form_and_answers())
def test_a_capped_deduction_never_takes_more_than_its_cap(case):
    data, answers = case
    result = score(_load(data), answers)
    caps = {
        s["id"]: s["cap"] for s in data["sections"] if s.get("kind") == "deduction" and "cap" in s
    }
    for section in result.sections:
        if section.id in caps:
            assert section.score >= -caps[section.id] - 1e-9
        if section.id == "safety":  # a deduction section with points stops at zero
            assert 0 <= section.score <= section.max
    assert result.deductions <= sum(caps.values()) + 1e-9


@settings(max_examples=150, deadline=None)
@given(form_and_answers(with_extras=False), st.data())
def test_an_excluded_not_applicable_item_does_not_change_the_percentage_of_the_rest(case, data):
    form, answers = case
    extra = {"id": "extra", "type": "check", "label": "不适用项", "points": data.draw(points)}
    with_extra = copy.deepcopy(form)
    target = with_extra["sections"][data.draw(st.integers(0, len(form["sections"]) - 1))]
    target["items"].append(extra)
    target["points"] += extra["points"]
    with_extra["scoring"]["max"] += extra["points"]
    without = score(_load(form), answers)
    with_na = score(_load(with_extra), {**answers, "extra": "na"})
    assert abs(without.percentage - with_na.percentage) <= 0.01


@settings(max_examples=100, deadline=None)
@given(form_and_answers())
def test_any_veto_makes_the_result_ineligible(case):
    data, answers = case
    result = score(_load(data), answers)
    if answers.get("veto") == "yes":
        assert result.vetoed and not result.eligible and result.grade is None
    if result.vetoed:
        assert not result.eligible


@settings(max_examples=100, deadline=None)
@given(form_and_answers())
def test_scores_are_deterministic_whatever_the_answer_order(case):
    data, answers = case
    form = _load(data)
    reordered = dict(reversed(list(answers.items())))
    assert score(form, answers) == score(form, answers) == score(form, reordered)
