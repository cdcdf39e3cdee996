"""Rules of published 考核细则 tables (issue 13): pro-rata rates, rounding, grade
conditions on answers and caps, informational questions, the one-line veto. Every
number is worked out by hand in a comment."""

from __future__ import annotations

import msgspec
import pytest

from service.forms.answers import InvalidAnswers
from service.forms.catalog import _decode
from service.forms.loader import canonical_json
from service.scoring.breakdown import ItemStatus
from service.scoring.engine import score
from tests.factories import definition, form_data, scored_form, section


def check(id: str, points: float = 0, **fields):
    return {"id": id, "type": "check", "label": id, "points": points, **fields}


def rate(id: str, points: float, **fields):
    return {"id": id, "type": "rate", "label": id, "points": points, **fields}


def item(breakdown, item_id: str):
    return next(i for i in breakdown.items if i.id == item_id)


# ---------------------------------------------------------------- pro-rata rates


def test_pro_rata_rate_counts_part_of_a_percentage_point():
    # 签订率100%得8分，每低1个百分点扣0.25分
    form = scored_form(section("s", [rate("contracts", 8, minus=0.25)], points=8), max=8)
    assert score(form, {"contracts": 100}).total == 8
    assert score(form, {"contracts": 96.4}).total == 7.1  # 8 − 3.6 × 0.25 = 8 − 0.9
    assert score(form, {"contracts": 99.9}).total == 7.98  # 8 − 0.1 × 0.25 = 7.975 → 7.98
    assert score(form, {"contracts": 50}).total == 0  # 8 − 12.5: 扣完为止
    assert item(score(form, {"contracts": 96.4}), "contracts").status is ItemStatus.failed


def test_pro_rata_over_a_step_of_several_points():
    # 入会率90%以上得5分，每低2个百分点扣0.5分 (pro rata: 0.25 a point)
    form = scored_form(
        section("s", [rate("members", 5, target=90, minus=0.5, per=2)], points=5), max=5
    )
    assert score(form, {"members": 95}).total == 5
    assert score(form, {"members": 87}).total == 4.25  # 3 below = 1.5 steps × 0.5 = 0.75


def test_pro_rata_rate_in_a_deduction_section():
    # 参保率90%为准，每低1个百分点扣0.5分，最多扣3分
    insurance = rate("insurance", 0, target=90, minus=0.5)
    form = scored_form(
        section("s", [check("a", 10)], points=10),
        section("minus", [insurance], kind="deduction", cap=3),
        max=10,
    )
    assert score(form, {"a": "yes", "insurance": 86.5}).total == 8.25  # 10 − 3.5 × 0.5
    assert score(form, {"a": "yes", "insurance": 10}).total == 7  # 40 capped at 3


def test_a_stored_rate_with_deduct_keeps_whole_steps():
    # A version stored before `minus` existed: decoded with today's model, 96.4% is
    # still 3 whole points below: 8 − 3 × 0.25 = 7.25, not 7.1.
    data = form_data(
        sections=[section("s", [rate("contracts", 8, deduct=0.25)], points=8)],
        scoring={"max": 8},
    )
    stored = _decode("hash-of-an-old-version", canonical_json(data).decode())
    assert score(stored, {"contracts": 96.4}).total == 7.25


# ---------------------------------------------------------------- rounding


def half_point_form(**scoring):
    """Two sections of 10 with a 0.25-point item each: totals end in .25 and .75."""
    items = [check("a", 7), check("b", 2.75), check("c", 0.25)]
    other = [check("d", 7), check("e", 2.75), check("f", 0.25)]
    return scored_form(
        section("one", items, points=10), section("two", other, points=10), max=20, **scoring
    )


def test_total_rounded_half_up_to_one_decimal():
    form = half_point_form(round_total="one_decimal")
    # 7 + 0.25 = 7.25 → 7.3 (half up; round() would give 7.2)
    result = score(form, {"a": "yes", "c": "yes"})
    assert result.total == 7.3
    assert result.percentage == 36.5  # 7.3 / 20
    # 7 + 2.75 + 7 + 0.25 = 17 → 17
    assert score(form, {"a": "yes", "b": "yes", "d": "yes", "f": "yes"}).total == 17


def test_sections_rounded_before_they_are_added_up():
    form = half_point_form(round_sections="one_decimal")
    result = score(form, {"a": "yes", "c": "yes", "d": "yes", "f": "yes"})
    # each section 7.25 → 7.3; the total adds the rounded sections: 14.6, not 14.5
    assert [s.score for s in result.sections] == [7.3, 7.3]
    assert [s.percentage for s in result.sections] == [73, 73]
    assert result.total == 14.6


def test_grades_and_gates_compare_the_rounded_total():
    form = half_point_form(
        round_total="whole",
        gates=[{"min_total": 10}],
        grades=[{"id": "good", "min": 10, "label": "良好"}],
    )
    # 7 + 2.75 = 9.75 → 10: the gate holds and the grade is reached
    result = score(form, {"a": "yes", "b": "yes"})
    assert result.total == 10 and result.eligible
    assert result.grade.id == "good"
    low = score(form, {"a": "yes", "f": "yes", "c": "yes"})  # 7 + 0.25 + 0.25 = 7.5 → 8
    assert low.total == 8 and not low.eligible and low.grade is None


def test_a_1000_point_table_reported_out_of_100():
    # sections of 600 and 400; 873.5 of 1000 → 87.35 of 100 → 87.4 (one decimal)
    form = scored_form(
        section("one", [check("a", 500), check("b", 100)], points=600),
        section("two", [check("c", 373.5), check("d", 26.5)], points=400),
        max=1000,
        out_of=100,
        round_total="one_decimal",
        grades=[{"id": "top", "min": 87.4, "label": "优秀"}],
    )
    result = score(form, {"a": "yes", "c": "yes"})
    assert result.total == 87.4 and result.max == 100 and result.percentage == 87.4
    assert result.grade.id == "top"
    assert [s.score for s in result.sections] == [500, 373.5]  # sections stay in table points


# ---------------------------------------------------------------- grade conditions


def grade_form(**scoring):
    items = [check("congress", 40), check("fatal", 0, good="no", allow_na=False)]
    return scored_form(
        section("s", [*items, check("rest", 60)], points=100),
        max=100,
        grades=[
            {
                "id": "model",
                "min": 90,
                "label": {"zh": "模范", "en": "Model"},
                "requires": [{"item": "congress", "equals": "yes"}],
            },
            {"id": "first", "min": 80, "label": {"zh": "一级", "en": "Level 1"}},
            {"id": "second", "min": 60, "label": {"zh": "二级", "en": "Level 2"}},
        ],
        **scoring,
    )


def test_only_grades_the_total_reaches_are_explained():
    form = grade_form()
    assert score(form, {"congress": "yes", "fatal": "no", "rest": "yes"}).grade.id == "model"
    # 60 points: below model (90) and first (80) anyway, so nothing to explain
    result = score(form, {"congress": "no", "fatal": "no", "rest": "yes"})
    assert result.total == 60 and result.grade.id == "second" and result.grade_limits == []


def test_a_requirement_on_an_answer_lowers_the_grade_with_a_reason():
    # 未建立职代会制度的不得评为模范: 100 points, but the congress question says no
    items = [check("congress", 0, info=True), check("rest", 100)]
    form = scored_form(
        section("s", items, points=100),
        max=100,
        grades=[
            {
                "id": "model",
                "min": 90,
                "label": {"zh": "模范", "en": "Model"},
                "requires": [{"item": "congress", "equals": "yes"}],
            },
            {"id": "first", "min": 80, "label": "一级"},
        ],
    )
    result = score(form, {"congress": "no", "rest": "yes"})
    assert result.total == 100 and result.grade.id == "first"
    [limit] = result.grade_limits
    assert (limit.grade, limit.code, limit.item) == ("model", "item_answer", "congress")
    assert limit.message.zh == "未评为“模范”：“congress”的回答为“否”，须为“是”"
    assert limit.message.en == "Not graded Model: congress: answered no, needs yes"
    open_question = score(form, {"rest": "yes"})
    assert open_question.grade.id == "first"
    assert open_question.grade_limits[0].message.zh == "未评为“模范”：“congress”未作答"


def test_a_grade_cap_by_an_answer():
    # 发生1起死亡事故的，最高评为二级: 100 points would be model
    cap = {
        "item": "fatal",
        "equals": "yes",
        "at_most": "second",
        "reason": "发生死亡事故，最高评为二级",
    }
    form = grade_form(grade_caps=[cap])
    result = score(form, {"congress": "yes", "fatal": "yes", "rest": "yes"})
    assert result.total == 100 and result.eligible
    assert result.grade.id == "second"
    assert [(g.grade, g.code) for g in result.grade_limits] == [
        ("model", "grade_cap"),
        ("first", "grade_cap"),
    ]
    assert result.grade_limits[0].message.zh == "未评为“模范”：发生死亡事故，最高评为二级"
    # without the accident the cap does not apply
    assert score(form, {"congress": "yes", "fatal": "no", "rest": "yes"}).grade.id == "model"


def test_an_answer_excluded_by_an_eligibility_gate():
    choice = {
        "id": "penalty",
        "type": "choice",
        "label": {"zh": "行政处罚", "en": "Penalties"},
        "options": [
            {"id": "none", "label": "无"},
            {"id": "one", "label": {"zh": "1次", "en": "once"}},
            {"id": "more", "label": {"zh": "2次以上", "en": "twice or more"}},
        ],
    }
    form = scored_form(
        section("s", [check("a", 10), choice], points=10),
        max=10,
        gates=[{"item": "penalty", "none_of": ["one", "more"]}],
    )
    assert score(form, {"a": "yes", "penalty": "none"}).eligible
    result = score(form, {"a": "yes", "penalty": "more"})
    assert not result.eligible and result.gate_failures[0].code == "item_answer"
    assert result.gate_failures[0].message.zh == "“行政处罚”的回答为“2次以上”，不得为“1次或2次以上”"


# ---------------------------------------------------------------- informational questions


def test_an_informational_question_is_never_failed():
    chemicals = check("uses-chemicals", info=True)
    form = definition(
        kind="checklist",
        scoring=None,
        sections=[section("s", [chemicals, check("exits", hazard={"grade": "major"})])],
    )
    result = score(form, {"uses-chemicals": "no", "exits": "no"})
    assert item(result, "uses-chemicals").status is ItemStatus.answered
    assert item(result, "uses-chemicals").hazard is None
    assert result.failed == 1  # only the 0-point inspection item "exits" (不合格)
    assert item(result, "exits").status is ItemStatus.failed


# ---------------------------------------------------------------- the one-line veto


def test_the_one_line_veto_vetoes_on_yes_and_offers_no_not_applicable():
    form = scored_form(
        section(
            "s", [check("a", 10), check("accident", veto="本年度发生重伤及以上事故")], points=10
        ),
        max=10,
    )
    vetoed = score(form, {"a": "yes", "accident": "yes"})
    assert vetoed.vetoed and [r.reason.zh for r in vetoed.veto_reasons] == [
        "本年度发生重伤及以上事故"
    ]
    assert item(vetoed, "accident").status is ItemStatus.failed
    clean = score(form, {"a": "yes", "accident": "no"})
    assert clean.eligible and item(clean, "accident").status is ItemStatus.answered
    with pytest.raises(InvalidAnswers) as caught:
        score(form, {"a": "yes", "accident": "na"})
    assert [(e.item, e.code) for e in caught.value.errors] == [("accident", "na_not_allowed")]


def test_a_stored_long_veto_without_allow_na_still_takes_not_applicable():
    # Stored before the one-line form: 不适用 was allowed (and meant no veto); it still is.
    data = form_data(
        sections=[
            section(
                "s",
                [check("a", 10), check("accident", good="no", veto={"reason": "事故"})],
                points=10,
            )
        ],
        scoring={"max": 10},
    )
    stored = _decode("hash-of-a-stored-veto", msgspec.json.encode(data).decode())
    result = score(stored, {"a": "yes", "accident": "na"})
    assert result.eligible and not result.vetoed
