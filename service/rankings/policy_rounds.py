"""The policy's rules over the rounds of a series as rows of its HTML form: "grade X
only after Y in the previous round" (`grade_after-0-grade`, `grade_after-0-after`) and
"award X not again within N years" (`award_gap-0-award`, `award_gap-0-years`). Pure.

A rule names grade bands and awards by id, so only those saved before can be chosen
(a band added in the same save is offered once saved). An empty row is dropped; blank
rows at the end are how a rule is added without JavaScript.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .history import AwardGap, GradeAfter
from .policy_lists import Errors, PolicyProblem, Row, padded, posted_rows

GRADE_AFTER = "grade_after"
AWARD_GAP = "award_gap"
GRADE_AFTER_FIELDS = ("grade", "after")
AWARD_GAP_FIELDS = ("award", "years")
MAX_YEARS = 50


def grade_after_rows(rules: tuple[GradeAfter, ...]) -> list[Row]:
    return padded([{"grade": r.grade, "after": r.after} for r in rules], GRADE_AFTER_FIELDS)


def award_gap_rows(rules: tuple[AwardGap, ...]) -> list[Row]:
    return padded([{"award": r.award, "years": str(r.years)} for r in rules], AWARD_GAP_FIELDS)


def posted_round_rules(fields: Mapping[str, Any]) -> tuple[list[Row] | None, list[Row] | None]:
    """The two lists as typed; None for a list the post has no field of (kept)."""
    return (
        posted_rows(fields, GRADE_AFTER, GRADE_AFTER_FIELDS),
        posted_rows(fields, AWARD_GAP, AWARD_GAP_FIELDS),
    )


def grade_after_from_rows(
    rows: list[Row], *, bands: Collection[str], errors: Errors
) -> tuple[GradeAfter, ...]:
    """The grade rules; `bands`: the ids of the policy's bands after this save."""
    rules: list[GradeAfter] = []
    for index, row in enumerate(rows):
        if not row["grade"] and not row["after"]:
            continue
        prefix = f"{GRADE_AFTER}-{index}-"
        for name in GRADE_AFTER_FIELDS:
            if row[name] not in bands:
                errors[prefix + name] = PolicyProblem.choice
        if row["grade"] == row["after"] and row["grade"] in bands:
            errors[prefix + "after"] = PolicyProblem.same_grade
        rules.append(GradeAfter(grade=row["grade"], after=row["after"]))
    return tuple(rules)


def award_gaps_from_rows(
    rows: list[Row], *, awards: Collection[str], errors: Errors
) -> tuple[AwardGap, ...]:
    """The award rules; `awards`: the ids of the policy's awards after this save."""
    rules: list[AwardGap] = []
    for index, row in enumerate(rows):
        if not row["award"] and not row["years"]:
            continue
        prefix = f"{AWARD_GAP}-{index}-"
        if row["award"] not in awards:
            errors[prefix + "award"] = PolicyProblem.choice
        years = int(row["years"]) if row["years"].isdigit() else 0
        if not 1 <= years <= MAX_YEARS:
            errors[prefix + "years"] = PolicyProblem.years
        rules.append(AwardGap(award=row["award"], years=years))
    return tuple(rules)
