"""A campaign's scoring policy from the fields of its admin page, and the fields showing
a policy. Pure.

The page edits the numbers a clerk changes (weights, how judges combine, the spread
flag, the gates) and three lists (`policy_lists`: grade bands, awards, tie-breaks). A
save that fails shows the page again with everything as typed and each problem next
to its field: `PolicyForm` carries both.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from service.scoring.numbers import number_text

from .policy import NAME, Combine, FormEligibility, Policy, check_policy
from .policy_lists import (
    AWARD,
    AWARD_FIELDS,
    GRADE,
    GRADE_FIELDS,
    Errors,
    PolicyProblem,
    Row,
    award_rows,
    awards_from_rows,
    bands_from_rows,
    grade_rows,
    padded,
    parse_number,
    posted_rows,
    posted_tie_breaks,
    tie_break_choices,
    tie_break_positions,
    tie_breaks_from_positions,
    typed,
)
from .policy_rounds import (
    AWARD_GAP_FIELDS,
    GRADE_AFTER_FIELDS,
    award_gap_rows,
    award_gaps_from_rows,
    grade_after_from_rows,
    grade_after_rows,
    posted_round_rules,
)

FIELDS = (
    "self_percent",
    "combine",
    "trim_from",
    "spread_limit",
    "min_self_total",
    "min_self_section_percent",
    "require_form_eligibility",
)
DEFAULT_MAX_SCORE = 100.0  # a form without scoring says nothing of its scale


class PolicyForm(Struct, kw_only=True):
    """The policy editor's fields: as a policy shows them, or as typed."""

    values: dict[str, str]  # the numbers and choices, by name (FIELDS)
    grades: list[Row]  # one per row: id, zh, en, min, remove
    awards: list[Row]  # id, zh, en, top, min_final, per, order, remove
    tie_breaks: list[str]  # the rule chosen at each position ("" for none)
    errors: Errors = field(default_factory=dict)
    # Rules over the rounds of the series (policy_rounds): grade, after / award, years.
    grade_after: list[Row] = field(default_factory=list)
    award_gaps: list[Row] = field(default_factory=list)


def policy_form(policy: Policy, *, sections: Collection[str] = ()) -> PolicyForm:
    """The fields showing a stored policy, with blank rows to add to each list."""
    chosen = [rule for rule in policy.tie_breaks if rule != NAME]
    return PolicyForm(
        values=_values(policy),
        grades=padded(grade_rows(policy.grades), GRADE_FIELDS),
        awards=padded(award_rows(policy.awards), AWARD_FIELDS),
        tie_breaks=tie_break_positions(chosen, len(tie_break_choices(sections))),
        grade_after=grade_after_rows(policy.grade_after),
        award_gaps=award_gap_rows(policy.award_gaps),
    )


def policy_from_fields(
    current: Policy,
    fields: Mapping[str, Any],
    *,
    sections: Collection[str] = (),
    max_score: float = DEFAULT_MAX_SCORE,
) -> tuple[Policy | None, PolicyForm]:
    """The edited policy (None when anything is wrong) and the fields as typed with
    every problem at once. `sections` are the ids of the form's sections (a tie-break
    may name one), `max_score` the form's maximum (grade and award thresholds).

    A list the post carries no field of is kept as it is (a script, or an older page,
    that edits the numbers only)."""
    text = {name: typed(fields.get(name)) for name in FIELDS}
    errors: Errors = {}
    values = _scalars(text, errors)
    grades = posted_rows(fields, GRADE, GRADE_FIELDS)
    awards = posted_rows(fields, AWARD, AWARD_FIELDS)
    positions = posted_tie_breaks(fields)
    if grades is not None:
        values["grades"] = bands_from_rows(grades, max_score=max_score, errors=errors)
    if awards is not None:
        values["awards"] = awards_from_rows(awards, max_score=max_score, errors=errors)
    if positions is not None:
        values["tie_breaks"] = tie_breaks_from_positions(
            positions, sections=sections, errors=errors
        )
    grade_after, award_gaps = posted_round_rules(fields)
    if grade_after is not None:
        bands = {band.id for band in values.get("grades", current.grades)}
        values["grade_after"] = grade_after_from_rows(grade_after, bands=bands, errors=errors)
    if award_gaps is not None:
        award_ids = {award.id for award in values.get("awards", current.awards)}
        values["award_gaps"] = award_gaps_from_rows(award_gaps, awards=award_ids, errors=errors)
    if not errors:
        policy = replace(current, **values)
        if not check_policy(policy):
            return policy, policy_form(policy, sections=sections)
        errors[""] = PolicyProblem.invalid  # a rule the fields' own checks missed
    shown = policy_form(current, sections=sections)
    return None, PolicyForm(
        values=text,
        grades=shown.grades if grades is None else padded(grades, GRADE_FIELDS),
        awards=shown.awards if awards is None else padded(awards, AWARD_FIELDS),
        tie_breaks=shown.tie_breaks
        if positions is None
        else tie_break_positions(positions, len(tie_break_choices(sections))),
        errors=errors,
        grade_after=shown.grade_after
        if grade_after is None
        else padded(grade_after, GRADE_AFTER_FIELDS),
        award_gaps=shown.award_gaps if award_gaps is None else padded(award_gaps, AWARD_GAP_FIELDS),
    )


def _scalars(text: dict[str, str], errors: Errors) -> dict[str, Any]:
    values: dict[str, Any] = {}
    try:
        self_percent = parse_number(text["self_percent"]) or 0.0
        if not 0 <= self_percent <= 100:
            raise ValueError
        values["self_weight"] = round(self_percent / 100, 4)
        values["judges_weight"] = round(1 - values["self_weight"], 4)
    except ValueError:
        errors["self_percent"] = PolicyProblem.percent
    try:
        values["combine"] = Combine(text["combine"])
    except ValueError:
        errors["combine"] = PolicyProblem.choice
    try:
        values["trim_from"] = int(text["trim_from"])
        if values["trim_from"] < 3:
            errors["trim_from"] = PolicyProblem.trim_from
    except ValueError:
        errors["trim_from"] = PolicyProblem.whole_number
    for name in ("spread_limit", "min_self_total"):
        try:
            values[name] = parse_number(text[name])
            if values[name] is not None and values[name] < 0:
                errors[name] = PolicyProblem.not_negative
        except ValueError:
            errors[name] = PolicyProblem.number
    try:
        values["min_self_section_percent"] = parse_number(text["min_self_section_percent"])
        if not 0 <= (values["min_self_section_percent"] or 0) <= 100:
            raise ValueError
    except ValueError:
        errors["min_self_section_percent"] = PolicyProblem.percent
    try:
        values["require_form_eligibility"] = FormEligibility(text["require_form_eligibility"])
    except ValueError:
        errors["require_form_eligibility"] = PolicyProblem.choice
    return values


def _values(policy: Policy) -> dict[str, str]:
    def optional(value: float | None) -> str:
        return "" if value is None else number_text(value)

    return {
        "self_percent": number_text(policy.self_weight * 100),
        "combine": policy.combine.value,
        "trim_from": str(policy.trim_from),
        "spread_limit": optional(policy.spread_limit),
        "min_self_total": optional(policy.min_self_total),
        "min_self_section_percent": optional(policy.min_self_section_percent),
        "require_form_eligibility": policy.require_form_eligibility.value,
    }
