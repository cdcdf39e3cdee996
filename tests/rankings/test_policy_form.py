"""Editing a campaign's policy from its page's fields: the numbers and the three lists
(grade bands, awards, tie-breaks), every problem on its field, everything as typed."""

from __future__ import annotations

from service.forms.model import Grade, Text
from service.rankings.policy import AwardRule, Combine, GradeBand, GroupBy, default_policy
from service.rankings.policy_form import PolicyForm, policy_form, policy_from_fields
from service.rankings.policy_lists import PolicyProblem as P

FIELDS = {
    "self_percent": "30",
    "combine": "mean",
    "trim_from": "5",
    "spread_limit": "",
    "min_self_total": "80",
    "min_self_section_percent": "60",
    "require_form_eligibility": "self",
}
SECTIONS = ("basics", "safety")
FORM_GRADES = [
    Grade(id="excellent", min=90, label=Text(zh="优秀", en="Excellent")),
    Grade(id="pass", min=60, label="合格"),
]


def posted(form: PolicyForm) -> dict[str, str]:
    """What the browser sends for the editor as shown (a ticked box only when ticked)."""
    fields = dict(form.values)
    for kind, rows in (("grade", form.grades), ("award", form.awards)):
        for index, row in enumerate(rows):
            for name, value in row.items():
                if name != "remove" or value:
                    fields[f"{kind}-{index}-{name}"] = value
    for index, rule in enumerate(form.tie_breaks):
        fields[f"tie_break-{index}"] = rule
    return fields


def edit(policy, **changes: str):
    fields = {**posted(policy_form(policy, sections=SECTIONS)), **changes}
    return policy_from_fields(policy, fields, sections=SECTIONS, max_score=100)


def test_fields_become_a_policy_keeping_lists_the_post_does_not_carry():
    current = default_policy(FORM_GRADES, tie_breaks=("section:s1", "judges_mean", "name"))
    policy, form = policy_from_fields(current, FIELDS)
    assert form.errors == {}
    assert (policy.self_weight, policy.judges_weight) == (0.3, 0.7)
    assert policy.combine is Combine.mean and policy.spread_limit is None
    assert (policy.min_self_total, policy.min_self_section_percent) == (80, 60)
    assert policy.tie_breaks == current.tie_breaks and policy.grades == current.grades


def test_the_page_posted_back_unchanged_saves_the_same_policy():
    current = default_policy(
        FORM_GRADES,
        awards=(AwardRule(id="first", label=Text(zh="一等奖"), top=3, per=GroupBy.village),),
        tie_breaks=("section:safety", "judges_mean", "name"),
    )
    policy, form = edit(current)
    assert form.errors == {} and policy == current


def test_every_bad_number_is_reported_at_once_on_its_field_as_typed():
    bad = {
        **FIELDS,
        "self_percent": "120",
        "combine": "median",
        "trim_from": "五",
        "spread_limit": "x",
        "min_self_total": "-1",
        "min_self_section_percent": "nan",
    }
    policy, form = policy_from_fields(default_policy(), bad)
    assert policy is None
    assert form.errors == {
        "self_percent": P.percent,
        "combine": P.choice,
        "trim_from": P.whole_number,
        "spread_limit": P.number,
        "min_self_total": P.not_negative,
        "min_self_section_percent": P.percent,
    }
    assert form.values["trim_from"] == "五" and form.values["combine"] == "median"


def test_trimming_needs_three_judges_said_on_that_field():
    policy, form = policy_from_fields(default_policy(), {**FIELDS, "trim_from": "2"})
    assert policy is None and form.errors == {"trim_from": P.trim_from}


# ---------------------------------------------------------------- grade bands


def test_a_grade_band_is_added_in_an_empty_row_and_saved_highest_first():
    form = policy_form(default_policy(FORM_GRADES))
    assert [r["zh"] for r in form.grades] == ["优秀", "合格", "", ""]  # two rows to add
    policy, result = edit(
        default_policy(FORM_GRADES), **{"grade-2-zh": "良好", "grade-2-min": "75"}
    )
    assert result.errors == {}
    assert [(g.id, g.label.zh, g.min) for g in policy.grades] == [
        ("excellent", "优秀", 90),  # ids kept: rankings refer to them
        ("grade2", "良好", 75),  # a new one numbered by its place
        ("pass", "合格", 60),
    ]
    assert [r["zh"] for r in result.grades] == ["优秀", "良好", "合格", "", ""]


def test_a_grade_band_is_removed_by_its_box_or_by_emptying_it():
    current = default_policy(FORM_GRADES)
    ticked, _ = edit(current, **{"grade-0-remove": "1"})
    assert [g.id for g in ticked.grades] == ["pass"]
    emptied, _ = edit(current, **{"grade-1-zh": "", "grade-1-en": "", "grade-1-min": ""})
    assert [g.id for g in emptied.grades] == ["excellent"]


def test_grade_bands_typed_in_any_order_are_sorted_and_renamed_in_english():
    policy, _ = edit(
        default_policy(),
        **{"grade-0-zh": "合格", "grade-0-min": "60", "grade-1-zh": "优秀", "grade-1-min": "90.5"},
        **{"grade-1-en": "Excellent"},
    )
    assert [(g.label.zh, g.label.en, g.min) for g in policy.grades] == [
        ("优秀", "Excellent", 90.5),
        ("合格", None, 60),
    ]
    assert [g.id for g in policy.grades] == ["grade1", "grade2"]


def test_every_grade_band_problem_is_shown_on_its_row_with_everything_kept():
    policy, form = edit(
        default_policy(FORM_GRADES),
        **{"grade-0-zh": "", "grade-0-en": "Top"},  # no Chinese name
        **{"grade-1-min": "120"},  # above the form's maximum
        **{"grade-2-zh": "良好", "grade-2-min": "九十"},  # not a number
        **{"grade-3-zh": "也优秀", "grade-3-min": "90"},  # the same minimum as row 0
    )
    assert policy is None
    assert form.errors == {
        "grade-0-zh": P.label_missing,
        "grade-1-min": P.score_range,
        "grade-2-min": P.score_range,
        "grade-3-min": P.same_min,
    }
    assert [(r["zh"], r["min"]) for r in form.grades[:4]] == [
        ("", "90"),
        ("合格", "120"),
        ("良好", "九十"),
        ("也优秀", "90"),
    ]
    assert (
        form.grades[0]["en"] == "Top"
        and form.grades[-2:] == [dict.fromkeys(form.grades[0], "")] * 2
    )


def test_a_removed_row_is_not_checked_and_stays_ticked_when_the_save_is_refused():
    policy, form = edit(
        default_policy(FORM_GRADES),
        **{"grade-0-min": "abc", "grade-0-remove": "1", "self_percent": "x"},
    )
    assert policy is None and form.errors == {"self_percent": P.percent}
    assert form.grades[0]["remove"] == "1"


# ---------------------------------------------------------------- awards


AWARDS = (
    AwardRule(id="first", label=Text(zh="一等奖"), top=1),
    AwardRule(id="second", label=Text(zh="二等奖", en="Second prize"), top=2, min_final=60),
)


def test_an_award_is_added_with_a_threshold_and_a_group():
    current = default_policy(awards=AWARDS)
    policy, form = edit(
        current,
        **{"award-2-zh": "优秀奖", "award-2-min_final": "80", "award-2-per": "industry"},
    )
    assert form.errors == {}
    assert policy.awards[:2] == AWARDS
    assert policy.awards[2] == AwardRule(
        id="award3", label=Text(zh="优秀奖"), min_final=80, per=GroupBy.industry
    )


def test_awards_are_reordered_by_their_numbers_and_removed_by_their_box():
    current = default_policy(
        awards=(*AWARDS, AwardRule(id="third", label=Text(zh="三等奖"), top=3))
    )
    swapped, form = edit(current, **{"award-0-order": "2", "award-1-order": "1"})
    assert form.errors == {}
    assert [a.id for a in swapped.awards] == ["second", "first", "third"]
    assert [r["order"] for r in form.awards[:3]] == ["1", "2", "3"]  # renumbered
    removed, _ = edit(current, **{"award-1-remove": "1"})
    assert [a.id for a in removed.awards] == ["first", "third"]


def test_every_award_problem_is_shown_on_its_row():
    policy, form = edit(
        default_policy(awards=AWARDS),
        **{"award-0-top": "", "award-0-min_final": ""},  # neither: who wins?
        **{"award-1-top": "0", "award-1-per": "province", "award-1-order": "一"},
        **{"award-2-en": "Honour", "award-2-top": "2.5", "award-2-min_final": "101"},
    )
    assert policy is None
    assert form.errors == {
        "award-0": P.top_or_min,
        "award-1-top": P.top_too_small,
        "award-1-per": P.choice,
        "award-1-order": P.whole_number,
        "award-2-zh": P.label_missing,
        "award-2-top": P.whole_number,
        "award-2-min_final": P.score_range,
    }
    assert form.awards[2]["top"] == "2.5" and form.awards[1]["per"] == "province"


# ---------------------------------------------------------------- tie-breaks


def test_tie_breaks_follow_their_numbered_positions_then_the_name():
    current = default_policy()
    assert policy_form(current, sections=SECTIONS).tie_breaks == ["judges_mean", "", ""]
    policy, form = edit(
        current,
        **{"tie_break-0": "section:safety", "tie_break-1": "", "tie_break-2": "judges_mean"},
    )
    assert form.errors == {}
    assert policy.tie_breaks == ("section:safety", "judges_mean", "name")
    assert form.tie_breaks == ["section:safety", "judges_mean", ""]
    hazards, _ = edit(current, **{"tie_break-1": "fewer_open_major_hazards"})
    assert hazards.tie_breaks == ("judges_mean", "fewer_open_major_hazards", "name")
    none, _ = edit(current, **{"tie_break-0": ""})
    assert none.tie_breaks == ("name",)


def test_a_section_not_in_the_form_and_a_rule_chosen_twice_are_refused():
    policy, form = edit(
        default_policy(),
        **{"tie_break-0": "section:nowhere", "tie_break-1": "judges_mean"},
        **{"tie_break-2": "judges_mean", "tie_break-3": "loudest"},
    )
    assert policy is None
    assert form.errors == {
        "tie_break-0": P.unknown_section,
        "tie_break-2": P.chosen_twice,
        "tie_break-3": P.choice,
    }
    assert form.tie_breaks[:4] == ["section:nowhere", "judges_mean", "judges_mean", "loudest"]


def test_the_editor_offers_a_position_for_each_rule_at_most():
    many = default_policy(
        tie_breaks=("section:basics", "section:safety", "judges_mean", "fewer_open_major_hazards")
    )
    assert len(policy_form(many, sections=SECTIONS).tie_breaks) == 4
    assert len(policy_form(default_policy(), sections=()).tie_breaks) == 2


def test_lists_and_numbers_are_all_checked_in_one_save():
    policy, form = edit(
        default_policy(FORM_GRADES, awards=AWARDS),
        **{"self_percent": "-5", "grade-0-zh": "", "award-1-top": "x", "tie_break-0": "x"},
    )
    assert policy is None
    assert set(form.errors) == {"self_percent", "grade-0-zh", "award-1-top", "tie_break-0"}


def test_ids_typed_twice_or_too_long_are_replaced():
    policy, _ = edit(
        default_policy(),
        **{"grade-0-id": "a", "grade-0-zh": "甲", "grade-0-min": "90"},
        **{"grade-1-id": "a", "grade-1-zh": "乙", "grade-1-min": "80"},
        **{"grade-2-id": "x" * 65, "grade-2-zh": "丙", "grade-2-min": "70"},
    )
    assert [g.id for g in policy.grades] == ["a", "grade2", "grade3"]
    assert all(isinstance(g, GradeBand) for g in policy.grades)
