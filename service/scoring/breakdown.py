"""The result of scoring one set of answers: what a judge, a clerk and the API see."""

from __future__ import annotations

import enum

from msgspec import Struct

from service.forms.model import Text


class ItemStatus(enum.StrEnum):
    answered = "answered"
    not_applicable = "not_applicable"  # answered 不适用, or hidden by show_if
    missing = "missing"
    failed = "failed"  # answered, and short of the item's standard


class ItemResult(Struct, frozen=True):
    id: str
    section: str
    status: ItemStatus
    score: float
    max: float
    hazard: str | None = None  # the default hazard grade, when a hazard-flagged check fails


class SectionResult(Struct, frozen=True):
    id: str
    kind: str
    score: float
    max: float  # applicable maximum: not-applicable items removed under `rescale`
    percentage: float | None  # None where the section has no maximum (bonus, deduction lists)
    cap: float | None = None


class VetoReason(Struct, frozen=True):
    item: str
    reason: Text


class GateFailure(Struct, frozen=True):
    # min_total, min_section_percent, section_minimum, item_minimum, mandatory,
    # veto_unanswered
    code: str
    message: Text
    section: str | None = None
    item: str | None = None


class GradeResult(Struct, frozen=True):
    id: str
    label: Text


class GradeLimit(Struct, frozen=True):
    """Why a grade the total reaches was not given, for the result page."""

    grade: str  # the grade not given
    code: str  # grade_cap, or the code of the grade's unmet requirement (a GateFailure's)
    message: Text  # says the grade and why
    section: str | None = None
    item: str | None = None


class Breakdown(Struct, frozen=True, kw_only=True):
    form_id: str
    form_version: int
    total: float
    max: float  # the declared maximum (scoring.max)
    percentage: float
    bonus: float  # added by bonus sections, after their caps
    bonus_cap: float
    deductions: float  # taken by deduction lists (sections with no points), after caps
    vetoed: bool
    veto_reasons: list[VetoReason]
    gate_failures: list[GateFailure]
    eligible: bool
    grade: GradeResult | None
    # Higher grades the total reached but did not get (a requirement, a cap); empty
    # when the result is not eligible (gate_failures say why). Absent in results
    # stored before it existed.
    grade_limits: list[GradeLimit] = []
    answered: int
    missing: int
    failed: int
    not_applicable: int
    sections: list[SectionResult]
    items: list[ItemResult]
