"""Every scoring rule, on small forms whose results are worked out by hand."""

from __future__ import annotations

import pytest

from service.forms.answers import InvalidAnswers
from service.scoring.breakdown import ItemStatus
from service.scoring.engine import score
from tests.factories import scored_form, section


def check(id: str, points: float = 0, **fields):
    return {"id": id, "type": "check", "label": id, "points": points, **fields}


def items_by_id(breakdown):
    return {item.id: item for item in breakdown.items}


def sections_by_id(breakdown):
    return {s.id: s for s in breakdown.sections}


def test_fixed_points_per_check():
    form = scored_form(section("s", [check("a", 4), check("b", 6)], points=10), max=10)
    result = score(form, {"a": "yes", "b": "no"})
    assert result.total == 4
    assert result.percentage == 40
    assert items_by_id(result)["b"].status is ItemStatus.failed
    assert items_by_id(result)["a"].status is ItemStatus.answered


def test_good_answer_no():
    form = scored_form(section("s", [check("accident", 5, good="no")], points=5), max=5)
    assert score(form, {"accident": "no"}).total == 5
    assert score(form, {"accident": "yes"}).total == 0


def test_deduction_per_defect_down_to_zero():
    count = {"id": "records", "type": "count", "label": "缺项", "points": 5, "deduct_each": 1}
    form = scored_form(section("s", [count], points=5), max=5)
    assert score(form, {"records": 0}).total == 5
    assert score(form, {"records": 2}).total == 3
    assert score(form, {"records": 9}).total == 0  # 扣完为止


def test_deduction_per_percentage_point_below_target():
    rate = {
        "id": "contracts",
        "type": "rate",
        "label": "签订率",
        "points": 8,
        "target": 100,
        "deduct": 0.2,
    }
    form = scored_form(section("s", [rate], points=8), max=8)
    assert score(form, {"contracts": 100}).total == 8
    assert score(form, {"contracts": 95}).total == 7  # 5 points below × 0.2
    assert score(form, {"contracts": 97.5}).total == 7.6  # two full points below
    assert score(form, {"contracts": 0}).total == 0


def test_deduction_per_step_of_several_points_and_part_steps():
    rate = {
        "id": "members",
        "type": "rate",
        "label": "入会率",
        "points": 10,
        "target": 90,
        "deduct": 0.5,
        "per": 2,
    }
    form = scored_form(section("s", [rate], points=10), max=10)
    assert score(form, {"members": 89}).total == 10 - 0  # 1 point below: no full step
    assert score(form, {"members": 85}).total == 10 - 1  # 5 below: two full steps
    counted = {**rate, "part_step_counts": True}
    form = scored_form(section("s", [counted], points=10), max=10)
    assert score(form, {"members": 89}).total == 9.5  # a begun step counts
    assert score(form, {"members": 85}).total == 8.5  # three begun steps


def test_rate_without_deduction_is_all_or_nothing():
    rate = {"id": "licences", "type": "rate", "label": "持证率", "points": 3}
    form = scored_form(section("s", [rate], points=3), max=3)
    assert score(form, {"licences": 100}).total == 3
    assert score(form, {"licences": 99.9}).total == 0


def test_score_per_choice_option():
    choice = {
        "id": "system",
        "type": "choice",
        "label": "制度",
        "options": [
            {"id": "full", "label": "健全", "score": 4},
            {"id": "part", "label": "部分", "score": 2},
            {"id": "none", "label": "无", "score": 0},
        ],
    }
    form = scored_form(section("s", [choice], points=4), max=4)
    assert score(form, {"system": "part"}).total == 2
    assert items_by_id(score(form, {"system": "part"}))["system"].status is ItemStatus.failed
    assert items_by_id(score(form, {"system": "full"}))["system"].status is ItemStatus.answered


def test_multiple_choice_adds_up_to_its_cap():
    multi = {
        "id": "channels",
        "type": "multi",
        "label": "渠道",
        "points": 3,
        "options": [
            {"id": "box", "label": "意见箱", "score": 1},
            {"id": "phone", "label": "热线", "score": 1},
            {"id": "web", "label": "网上", "score": 1},
            {"id": "talk", "label": "座谈", "score": 1},
        ],
    }
    form = scored_form(section("s", [multi], points=3), max=3)
    assert score(form, {"channels": ["box"]}).total == 1
    assert score(form, {"channels": ["box", "phone", "web", "talk"]}).total == 3


def test_capped_bonus_is_added_after_the_base():
    base = section("s", [check("a", 10)], points=10)
    bonus = section("plus", [check("award", 3), check("innovation", 2)], kind="bonus", cap=4)
    form = scored_form(base, bonus, max=10)
    result = score(form, {"a": "yes", "award": "yes", "innovation": "yes"})
    assert result.bonus == 4
    assert result.total == 14
    assert result.bonus_cap == 4
    assert score(form, {"a": "no", "award": "yes"}).total == 3


def test_capped_deduction_list_applies_to_the_total():
    complaints = {
        "id": "complaints",
        "type": "choice",
        "label": "投诉",
        "options": [
            {"id": "none", "label": "无", "score": 0},
            {"id": "some", "label": "1-2起", "score": -2},
            {"id": "many", "label": "3起以上", "score": -6},
        ],
    }
    disputes = {"id": "disputes", "type": "count", "label": "争议", "deduct_each": 2}
    base = section("s", [check("a", 10)], points=10)
    minus = section("minus", [complaints, disputes], kind="deduction", cap=4)
    form = scored_form(base, minus, max=10)
    assert score(form, {"a": "yes", "complaints": "some"}).total == 8
    result = score(form, {"a": "yes", "complaints": "many", "disputes": 3})
    assert result.deductions == 4  # 6 + 6 capped at 4
    assert result.total == 6


def test_deduction_section_with_its_own_points():
    items = [
        check("ledger", deduct=2),
        check("drills", deduct=3),
        {"id": "gaps", "type": "count", "label": "缺项", "deduct_each": 1},
    ]
    safety = section("safety", items, kind="deduction", points=5)
    form = scored_form(safety, max=5)
    assert score(form, {"ledger": "yes", "drills": "yes", "gaps": 0}).total == 5
    assert score(form, {"ledger": "no", "drills": "yes", "gaps": 1}).total == 2
    assert score(form, {"ledger": "no", "drills": "no", "gaps": 4}).total == 0  # down to zero
    assert sections_by_id(score(form, {"ledger": "no"}))["safety"].percentage == 60


def test_veto_makes_the_result_ineligible_whatever_the_score():
    veto = check("accident", veto="发生死亡事故")  # the one-line veto: yes vetoes
    form = scored_form(
        section("s", [check("a", 10), veto], points=10),
        max=10,
        grades=[{"id": "top", "min": 9, "label": "优胜"}],
    )
    result = score(form, {"a": "yes", "accident": "yes"})
    assert result.total == 10
    assert result.vetoed and not result.eligible
    assert result.grade is None
    assert [r.reason.zh for r in result.veto_reasons] == ["发生死亡事故"]
    assert score(form, {"a": "yes", "accident": "no"}).eligible


def test_veto_by_choice_option():
    penalties = {
        "id": "penalties",
        "type": "choice",
        "label": "行政处罚",
        "options": [
            {"id": "none", "label": "无", "score": 0},
            {"id": "three", "label": "3次以上", "score": 0, "veto": "一年内受行政处罚3次以上"},
        ],
    }
    form = scored_form(section("s", [check("a", 1), penalties], points=1), max=1)
    result = score(form, {"a": "yes", "penalties": "three"})
    assert result.vetoed and result.veto_reasons[0].item == "penalties"


def test_mandatory_item_gates_the_result():
    form = scored_form(
        section("s", [check("chair-elected", 5, mandatory=True), check("b", 5)], points=10),
        max=10,
    )
    result = score(form, {"chair-elected": "no", "b": "yes"})
    assert not result.eligible and not result.vetoed
    assert [(f.code, f.item) for f in result.gate_failures] == [("mandatory", "chair-elected")]
    assert score(form, {"chair-elected": "yes", "b": "no"}).eligible


def test_gate_minimum_total_and_every_section_percentage():
    form = scored_form(
        section("one", [check("a", 5), check("b", 5)], points=10),
        section("two", [check("c", 5), check("d", 5)], points=10),
        max=20,
        gates=[{"min_total": 15}, {"min_section_percent": 80}],
    )
    result = score(form, {"a": "yes", "b": "yes", "c": "yes", "d": "no"})
    assert result.total == 15
    assert [(f.code, f.section) for f in result.gate_failures] == [("min_section_percent", "two")]
    assert "50%" in result.gate_failures[0].message.zh
    low = score(form, {"a": "yes", "b": "no", "c": "yes", "d": "no"})
    assert {f.code for f in low.gate_failures} == {"min_total", "min_section_percent"}


def test_gate_on_one_section_and_on_an_item_answer():
    rate = {"id": "members", "type": "rate", "label": "入会率", "points": 5}
    form = scored_form(
        section("basic", [check("a", 5), rate], points=10),
        max=10,
        gates=[
            {"section": "basic", "min_points": 6, "label": "基础部分不低于6分"},
            {"item": "members", "at_least": 90},
        ],
    )
    result = score(form, {"a": "yes", "members": 80})
    assert [f.code for f in result.gate_failures] == ["section_minimum", "item_minimum"]
    assert result.gate_failures[0].message.zh == "未达到：基础部分不低于6分"
    assert score(form, {"a": "yes", "members": 100}).eligible


def test_not_applicable_rescaled_to_the_declared_maximum():
    form = scored_form(
        section("s", [check("a", 4), check("b", 6), check("c", 10)], points=20), max=20
    )
    result = score(form, {"a": "yes", "b": "na", "c": "yes"})
    # 14 of an applicable 14, scaled to 20.
    assert result.total == 20
    assert sections_by_id(result)["s"].max == 14
    assert items_by_id(result)["b"].status is ItemStatus.not_applicable
    half = score(form, {"a": "no", "b": "na", "c": "yes"})
    assert half.total == pytest.approx(10 / 14 * 20, abs=0.01)


def test_not_applicable_as_full_marks():
    form = scored_form(
        section("s", [check("a", 4), check("b", 6)], points=10),
        max=10,
        not_applicable="full_marks",
    )
    assert score(form, {"a": "no", "b": "na"}).total == 6


def test_hidden_items_do_not_count():
    items = [
        {
            "id": "chemicals",
            "type": "choice",
            "label": "使用化学品",
            "options": [{"id": "yes", "label": "是"}, {"id": "no", "label": "否"}],
        },
        check("cards", 5, show_if={"item": "chemicals", "equals": "yes"}),
        check("exits", 5),
    ]
    form = scored_form(section("s", items, points=10), max=10)
    hidden = score(form, {"chemicals": "no", "exits": "yes"})
    assert items_by_id(hidden)["cards"].status is ItemStatus.not_applicable
    assert hidden.total == 10  # 5 of 5 applicable, rescaled
    shown = score(form, {"chemicals": "yes", "exits": "yes"})
    assert items_by_id(shown)["cards"].status is ItemStatus.missing
    assert shown.total == 5


def test_grade_bands_and_grade_conditions():
    rate = {"id": "satisfaction", "type": "rate", "label": "满意率", "points": 10, "target": 0}
    form = scored_form(
        section("s", [check("a", 90), rate], points=100),
        max=100,
        grades=[
            {
                "id": "model",
                "min": 90,
                "label": "模范",
                "requires": [{"item": "satisfaction", "at_least": 90}],
            },
            {"id": "advanced", "min": 85, "label": "先进"},
            {"id": "qualified", "min": 75, "label": "合格"},
        ],
    )
    assert score(form, {"a": "yes", "satisfaction": 95}).grade.id == "model"
    assert score(form, {"a": "yes", "satisfaction": 80}).grade.id == "advanced"  # condition fails
    assert score(form, {"a": "no", "satisfaction": 80}).grade is None  # 10 points


def test_missing_answers_count_zero_and_are_listed():
    form = scored_form(section("s", [check("a", 4), check("b", 6)], points=10), max=10)
    result = score(form, {"a": "yes"})
    assert result.total == 4 and result.missing == 1 and result.answered == 1
    assert items_by_id(result)["b"].status is ItemStatus.missing


def test_failed_hazard_check_carries_its_default_grade():
    form = scored_form(
        section("s", [check("exits", 2, hazard={"grade": "major"})], points=2), max=2
    )
    assert items_by_id(score(form, {"exits": "no"}))["exits"].hazard == "major"
    assert items_by_id(score(form, {"exits": "yes"}))["exits"].hazard is None


def test_bad_answers_name_the_item_and_what_was_expected():
    rate = {"id": "r", "type": "rate", "label": "率", "points": 2}
    form = scored_form(section("s", [check("a", 2), rate], points=4), max=4)
    with pytest.raises(InvalidAnswers) as caught:
        score(form, {"a": "maybe", "r": 140, "ghost": "yes"})
    found = {(e.item, e.code) for e in caught.value.errors}
    assert found == {("a", "wrong_type"), ("r", "too_large"), ("ghost", "unknown_item")}
    assert "expected yes, no or na" in next(e.message for e in caught.value.errors if e.item == "a")


def test_a_section_points_gate_is_measured_after_rescaling():
    items = [check("a", 40), check("b", 5)]
    form = scored_form(
        section("basic", items, points=45),
        section("other", [check("c", 5)], points=5),
        max=50,
        gates=[{"section": "basic", "min_points": 42}],
    )
    result = score(form, {"a": "yes", "b": "na", "c": "yes"})
    assert result.total == 50
    assert result.eligible, result.gate_failures  # 40 of an applicable 40 is 45 of 45


def test_a_section_percent_gate_skips_a_section_with_nothing_applicable():
    form = scored_form(
        section("one", [check("a", 5)], points=5),
        section("two", [check("b", 5)], points=5),
        max=10,
        gates=[{"section": "two", "min_percent": 80}],
    )
    result = score(form, {"a": "yes", "b": "na"})
    assert result.total == 10 and result.eligible


def test_an_unanswered_veto_question_keeps_the_result_ineligible():
    veto = check("accident", good="no", veto={"when": "yes", "reason": "发生事故"}, allow_na=False)
    form = scored_form(section("s", [check("a", 10), veto], points=10), max=10)
    open_question = score(form, {"a": "yes"})
    assert not open_question.eligible and not open_question.vetoed
    assert [(f.code, f.item) for f in open_question.gate_failures] == [
        ("veto_unanswered", "accident")
    ]
    assert score(form, {"a": "yes", "accident": "no"}).eligible


def test_a_rate_in_a_deduction_section_deducts_per_step():
    rate = {"id": "insurance", "type": "rate", "label": "参保率", "target": 90, "deduct": 0.5}
    form = scored_form(
        section("s", [check("a", 10)], points=10),
        section("minus", [rate], kind="deduction", cap=3),
        max=10,
    )
    assert score(form, {"a": "yes", "insurance": 95}).total == 10
    assert score(form, {"a": "yes", "insurance": 86}).total == 8  # 4 steps × 0.5
    assert score(form, {"a": "yes", "insurance": 10}).total == 7  # capped at 3


def test_statuses_say_what_a_clerk_would_call_failed():
    rate = {"id": "r", "type": "rate", "label": "率", "points": 4, "deduct": 1}
    base = section("s", [rate], points=4)
    bonus = section("plus", [check("award", 2)], kind="bonus", cap=2)
    form = scored_form(base, bonus, max=4)
    result = items_by_id(score(form, {"r": 99.5, "award": "no"}))
    assert result["r"].score == 4 and result["r"].status is ItemStatus.answered
    assert result["award"].status is ItemStatus.answered  # a missed bonus is no failure
    assert items_by_id(score(form, {"r": 98}))["r"].status is ItemStatus.failed


def chemicals_form(policy: str):
    """20 points of site checks, and 10 for chemicals asked only where they are used."""
    return scored_form(
        section(
            "site",
            [check("uses", 0, allow_na=False), check("walkway", 12), check("exits", 8)],
            points=20,
        ),
        section(
            "chemicals",
            [check("cards", 6), check("store", 4)],
            points=10,
            show_if={"item": "uses", "equals": "yes"},
        ),
        max=30,
        not_applicable=policy,
        gates=[{"min_section_percent": 50}],
    )


def test_a_hidden_section_is_not_applicable_under_rescale():
    form = chemicals_form("rescale")
    # No chemicals: 12 of the 20 applicable points, scaled to 30: 18; the chemical
    # section has nothing to reach, so the 50 % per-section gate does not look at it.
    result = score(form, {"uses": "no", "walkway": "yes", "exits": "no", "cards": "no"})
    assert result.total == 18
    assert sections_by_id(result)["chemicals"].max == 0
    assert sections_by_id(result)["chemicals"].percentage is None
    assert items_by_id(result)["cards"].status is ItemStatus.not_applicable
    assert result.eligible
    # Chemicals used: the section counts; 12 + 0 of 30, and 0 % in chemicals fails the gate.
    shown = score(form, {"uses": "yes", "walkway": "yes", "exits": "no", "cards": "no"})
    assert shown.total == 12
    assert items_by_id(shown)["cards"].status is ItemStatus.failed
    assert not shown.eligible


def test_a_hidden_section_counts_as_met_under_full_marks():
    form = chemicals_form("full_marks")
    # No chemicals: 12 earned + the chemical section's 10 as if met = 22 of 30.
    result = score(form, {"uses": "no", "walkway": "yes", "exits": "no", "cards": "no"})
    assert result.total == 22
    assert sections_by_id(result)["chemicals"].score == 10
    assert items_by_id(result)["cards"].status is ItemStatus.not_applicable
