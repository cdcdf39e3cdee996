"""`forms check` on the rules of issue 13: each mistake named at its path and line,
all at once, in words a clerk can act on."""

from __future__ import annotations

import pytest

from service.forms.loader import FormFileInvalid
from service.forms.model import Check
from tests.factories import form_data, load


def problems(data: dict) -> dict[str, str]:
    with pytest.raises(FormFileInvalid) as caught:
        load(data)
    return {e.path: e.message for e in caught.value.errors}


def with_items(*extra: dict, **scoring) -> dict:
    data = form_data(scoring={"max": 20, **scoring})
    data["sections"][1]["items"] += list(extra)
    return data


def test_a_long_veto_that_offers_not_applicable_is_refused():
    veto = {"id": "accident", "type": "check", "label": "事故", "good": "no"}
    data = with_items({**veto, "veto": {"reason": "发生事故"}})
    found = problems(data)
    assert "offers 不适用, which would mean no veto" in found["sections[1].items[2].veto"]
    # said explicitly either way, or the one-line form: accepted
    for fixed in ({"allow_na": False}, {"allow_na": True}):
        load(with_items({**veto, "veto": {"reason": "发生事故"}, **fixed}))
    one_line = load(with_items({"id": "accident", "type": "check", "label": "事故", "veto": "x"}))
    accident = one_line.definition.item_map()["accident"]
    assert isinstance(accident, Check)
    assert (accident.good, accident.veto.when, accident.allow_na) == ("no", "yes", False)


def test_a_one_line_veto_with_good_yes_vetoes_its_good_answer():
    item = {"id": "accident", "type": "check", "label": "事故", "good": "yes", "veto": "发生事故"}
    found = problems(with_items(item))
    assert "vetoes on its good answer `yes`" in found["sections[1].items[2].veto.when"]


def test_an_informational_question_has_no_points_or_consequences():
    item = {"id": "chem", "type": "check", "label": "化学品", "info": True, "points": 2}
    data = with_items({**item, "hazard": {"grade": "general"}, "mandatory": True})
    data["sections"][1]["points"] = 12
    data["scoring"]["max"] = 22
    found = problems(data)
    assert set(found) >= {
        "sections[1].items[2].points",
        "sections[1].items[2].hazard",
        "sections[1].items[2].mandatory",
    }
    assert "for information only (info: true)" in found["sections[1].items[2].hazard"]


def test_a_rate_deducts_pro_rata_or_by_steps_not_both():
    rate = {"id": "r", "type": "rate", "label": "率", "points": 0, "minus": 0.2}
    found = problems(with_items({**rate, "deduct": 0.2, "part_step_counts": True}))
    assert "both minus (pro rata) and deduct (whole steps)" in found["sections[1].items[2].minus"]
    assert "no steps to count" in found["sections[1].items[2].part_step_counts"]


def test_answer_conditions_and_grade_caps_name_real_items_answers_and_grades():
    data = with_items(
        {"id": "n", "type": "number", "label": "人数"},
        grades=[
            {
                "id": "top",
                "min": 18,
                "label": "优",
                "requires": [{"item": "a", "equals": "maybe"}, {"item": "n", "equals": "3"}],
            },
            {"id": "ok", "min": 10, "label": "良"},
        ],
        grade_caps=[
            {"item": "a", "equals": "yes", "at_most": "fine", "reason": "封顶"},
            {"item": "ghost", "any_of": ["yes"], "at_most": "ok", "reason": "封顶"},
        ],
        gates=[{"item": "a", "equals": "yes", "none_of": ["no"]}],
    )
    found = problems(data)
    assert (
        "`maybe` is not an answer of `a`; one of: na, no, yes"
        in (found["scoring.grades[0].requires[0].equals"])
    )
    assert "needs a check, choice or multi item" in found["scoring.grades[0].requires[1].equals"]
    assert (
        "names grade `fine`, which does not exist; grades: top, ok"
        in (found["scoring.grade_caps[0].at_most"])
    )
    assert "`ghost`, which does not exist" in found["scoring.grade_caps[1].item"]
    assert "exactly one of at_least, equals, any_of or none_of" in found["scoring.gates[0]"]


def test_grades_out_of_100_are_checked_on_that_scale():
    data = form_data(
        scoring={"max": 20, "out_of": 100, "grades": [{"id": "x", "min": 101, "label": "x"}]}
    )
    assert "above the possible 100" in problems(data)["scoring.grades[0].min"]
    load(
        form_data(
            scoring={"max": 20, "out_of": 100, "grades": [{"id": "x", "min": 95, "label": "x"}]}
        )
    )


def test_an_unknown_rounding_lists_the_choices():
    found = problems(form_data(scoring={"max": 20, "round_total": "half"}))
    assert "one of: whole, one_decimal" in found["scoring.round_total"]
