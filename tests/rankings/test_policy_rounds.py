"""The policy editor's rules over rounds: chosen in empty rows, every problem on its
field, what was typed coming back."""

from __future__ import annotations

from service.forms.model import Text
from service.rankings.history import AwardGap, GradeAfter
from service.rankings.policy import AwardRule, default_policy
from service.rankings.policy_form import policy_form, policy_from_fields
from service.rankings.policy_lists import PolicyProblem as P
from tests.rankings.test_policy_form import FORM_GRADES, SECTIONS, posted

CURRENT = default_policy(
    FORM_GRADES,
    awards=(AwardRule(id="win", label=Text(zh="优胜单位"), top=3),),
)


def test_rules_are_added_in_empty_rows_and_shown_again():
    form = policy_form(CURRENT, sections=SECTIONS)
    assert form.grade_after == [{"grade": "", "after": ""}] * 2  # room to add two
    fields = {
        **posted(form),
        "grade_after-0-grade": "excellent",
        "grade_after-0-after": "pass",
        "award_gap-1-award": "win",
        "award_gap-1-years": "5",
    }
    policy, shown = policy_from_fields(CURRENT, fields, sections=SECTIONS)
    assert shown.errors == {}
    assert policy.grade_after == (GradeAfter(grade="excellent", after="pass"),)
    assert policy.award_gaps == (AwardGap(award="win", years=5),)
    # Shown again: the saved rule, then two empty rows.
    assert shown.award_gaps == [{"award": "win", "years": "5"}] + [{"award": "", "years": ""}] * 2


def test_every_problem_of_a_rule_is_on_its_field_as_typed():
    fields = {
        **posted(policy_form(CURRENT, sections=SECTIONS)),
        "grade_after-0-grade": "pass",
        "grade_after-0-after": "pass",
        "grade_after-1-grade": "gone",
        "grade_after-1-after": "",
        "award_gap-0-award": "win",
        "award_gap-0-years": "五",
    }
    policy, shown = policy_from_fields(CURRENT, fields, sections=SECTIONS)
    assert policy is None
    assert shown.errors == {
        "grade_after-0-after": P.same_grade,
        "grade_after-1-grade": P.choice,
        "grade_after-1-after": P.choice,
        "award_gap-0-years": P.years,
    }
    assert shown.award_gaps[0] == {"award": "win", "years": "五"}


def test_a_rule_on_a_band_removed_in_the_same_save_is_refused():
    current = default_policy(
        FORM_GRADES, grade_after=(GradeAfter(grade="excellent", after="pass"),)
    )
    fields = {**posted(policy_form(current, sections=SECTIONS)), "grade-1-remove": "1"}
    fields |= {"grade_after-0-grade": "excellent", "grade_after-0-after": "pass"}
    policy, shown = policy_from_fields(current, fields, sections=SECTIONS)
    assert policy is None and shown.errors == {"grade_after-0-after": P.choice}
