"""The scoring engine: definition + answers → breakdown. Pure: no I/O, no clock.

Order of work, as the tables are scored by hand:
1. each visible item earns its points (or takes its deduction);
2. standard sections add their items, kept within 0..max; deduction sections take at
   most their cap; bonus sections add at most their cap;
3. under `rescale`, not-applicable items leave the denominator and the scored sections
   are scaled up to the declared maximum; bonus and deduction lists apply after that;
4. a form may round each section (before they are added up) and the total (after an
   `out_of` conversion: a 1000-point table reported out of 100), half up;
5. vetoes, mandatory items and gates decide eligibility on those rounded values; the
   grade is the highest band reached whose own conditions hold and no cap excludes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from service.forms.answers import NA, InvalidAnswers, first_errors, visible_items
from service.forms.model import (
    Check,
    Choice,
    DefectCount,
    FormDefinition,
    ItemBase,
    MultiChoice,
    NotApplicablePolicy,
    Rate,
    Rounding,
    Section,
    SectionKind,
    as_text,
)
from service.forms.points import EPSILON, bonus_cap, deduction_cap, item_max

from .breakdown import (
    Breakdown,
    ItemResult,
    ItemStatus,
    SectionResult,
    VetoReason,
)
from .gates import gate_failures, grade_reached, has_veto, item_failures
from .numbers import round_half_up


def score(definition: FormDefinition, answers: Mapping[str, Any]) -> Breakdown:
    """Score answers against a definition; raise InvalidAnswers on bad answers (at most
    MAX_ERRORS of them, `truncated` when there were more)."""
    errors, truncated = first_errors(definition, answers)
    if errors:
        raise InvalidAnswers(errors, truncated)
    policy = (
        definition.scoring.not_applicable if definition.scoring else NotApplicablePolicy.rescale
    )
    places = _Places.of(definition)
    visible = visible_items(definition, answers)
    items: list[ItemResult] = []
    sections: list[SectionResult] = []
    vetoes: list[VetoReason] = []
    for section in definition.sections:
        # Items are stored rounded; the section adds up the unrounded points.
        earned = applicable = 0.0
        for item in section.items:
            result, points, full = _score_item(section, item, answers, visible, policy)
            items.append(result)
            earned += points
            applicable += full
            if item.id in visible and has_veto(item):
                vetoes += _vetoes(item, answers.get(item.id))
        sections.append(_section_result(section, earned, applicable, places.sections))
    base_score = sum(s.score for s in sections if _in_base(s))
    base_max = sum(s.max for s in sections if _in_base(s))
    declared = definition.scoring.max if definition.scoring else 0.0
    scaled = base_score
    if policy is NotApplicablePolicy.rescale and EPSILON < base_max < declared - EPSILON:
        scaled = base_score * declared / base_max
    bonus = sum(s.score for s in sections if s.kind == SectionKind.bonus.value)
    deductions = -sum(
        s.score for s in sections if s.kind == SectionKind.deduction.value and s.max == 0
    )
    total = max(0.0, scaled + bonus - deductions)
    reported_max = places.out_of or declared
    if places.out_of:
        total = total * places.out_of / declared
    if places.total is not None:
        total = round_half_up(total, places.total)
    percentage = total / reported_max * 100 if reported_max else 0.0
    failures = item_failures(definition, answers, visible)
    if definition.scoring:
        failures += [
            failure
            for gate in definition.scoring.gates
            for failure in gate_failures(gate, total, sections, answers, definition)
        ]
    eligible = not vetoes and not failures
    grade, limits = grade_reached(definition, total, sections, answers) if eligible else (None, [])
    counts = {status: sum(1 for i in items if i.status is status) for status in ItemStatus}
    return Breakdown(
        form_id=definition.id,
        form_version=definition.version,
        total=_round(total),
        max=reported_max,
        percentage=_round(percentage),
        bonus=_round(bonus),
        bonus_cap=bonus_cap(definition),
        deductions=_round(deductions),
        vetoed=bool(vetoes),
        veto_reasons=vetoes,
        gate_failures=failures,
        eligible=eligible,
        grade=grade,
        grade_limits=limits,
        answered=counts[ItemStatus.answered] + counts[ItemStatus.failed],
        missing=counts[ItemStatus.missing],
        failed=counts[ItemStatus.failed],
        not_applicable=counts[ItemStatus.not_applicable],
        sections=[_rounded_section(s) for s in sections],
        items=items,
    )


# ---------------------------------------------------------------- items


def _score_item(
    section: Section,
    item: ItemBase,
    answers: Mapping[str, Any],
    visible: set[str],
    policy: NotApplicablePolicy,
) -> tuple[ItemResult, float, float]:
    """The item's result (rounded, as stored), and its unrounded points and maximum."""
    full = item_max(item) if section.kind is not SectionKind.deduction else 0.0
    value = answers.get(item.id)
    if item.id not in visible or value == NA:
        if policy is NotApplicablePolicy.full_marks and section.kind is SectionKind.standard:
            rounded = _round(full)
            na = ItemResult(item.id, section.id, ItemStatus.not_applicable, rounded, rounded)
            return na, full, full
        return ItemResult(item.id, section.id, ItemStatus.not_applicable, 0.0, 0.0), 0.0, 0.0
    if value is None or value == "" or value == []:
        return ItemResult(item.id, section.id, ItemStatus.missing, 0.0, _round(full)), 0.0, full
    points, failed = _earned(section, item, value)
    failed = failed and section.kind is not SectionKind.bonus  # a missed bonus is no failure
    status = ItemStatus.failed if failed else ItemStatus.answered
    hazard = item.hazard.grade.value if failed and isinstance(item, Check) and item.hazard else None
    result = ItemResult(item.id, section.id, status, _round(points), _round(full), hazard)
    return result, points, full


def _earned(section: Section, item: ItemBase, value: Any) -> tuple[float, bool]:
    """Points earned (negative for a deduction) and whether the item failed."""
    deduction_section = section.kind is SectionKind.deduction
    if isinstance(item, Check):
        if item.info:  # asked to know, not to judge: "no" is as good as "yes"
            return 0.0, False
        good = value == item.good  # a StrEnum equals its value
        if deduction_section:
            return (0.0 if good else -item.deduct), not good
        return (item.points if good else 0.0), not good
    if isinstance(item, Choice):
        option_score = next(o.score for o in item.options if o.id == value)
        return option_score, option_score < item_max(item) - EPSILON or option_score < 0
    if isinstance(item, MultiChoice):
        chosen = sum(o.score for o in item.options if o.id in value)
        if item.points is not None:
            chosen = min(chosen, item.points)
        return chosen, chosen < item_max(item) - EPSILON or chosen < 0
    if isinstance(item, Rate):
        if value >= item.target - EPSILON:
            return (0.0 if deduction_section else item.points), False
        below = (item.target - value) / item.per
        if item.minus:  # pro rata: every part of a step counts for its part
            return _deducted(item.points, below * item.minus, deduction_section)
        steps = math.ceil(below - EPSILON) if item.part_step_counts else math.floor(below + EPSILON)
        if deduction_section:
            return -steps * item.deduct, steps > 0
        if not item.deduct:
            return 0.0, True
        earned = max(0.0, item.points - steps * item.deduct)
        return earned, earned < item.points - EPSILON
    if isinstance(item, DefectCount):
        taken = value * item.deduct_each
        if deduction_section:
            return -taken, value > 0
        return max(0.0, item.points - taken), value > 0
    return 0.0, False


def _deducted(points: float, taken: float, deduction_section: bool) -> tuple[float, bool]:
    if deduction_section:
        return -taken, taken > EPSILON
    earned = max(0.0, points - taken)
    return earned, earned < points - EPSILON


def _vetoes(item: ItemBase, value: Any) -> list[VetoReason]:
    if isinstance(item, Check) and item.veto and value == item.veto.when:
        return [VetoReason(item.id, as_text(item.veto.reason))]
    if isinstance(item, (Choice, MultiChoice)) and value not in (None, NA):
        chosen = value if isinstance(value, list) else [value]
        return [
            VetoReason(item.id, as_text(option.veto))
            for option in item.options
            if option.veto is not None and option.id in chosen
        ]
    return []


# ---------------------------------------------------------------- sections


def _section_result(
    section: Section, earned: float, applicable: float, places: int | None
) -> SectionResult:
    result = _unrounded_section(section, earned, applicable)
    if places is None:
        return result
    score = round_half_up(result.score, places)
    percentage = None
    if result.percentage is not None:
        percentage = score / result.max * 100 if result.max > EPSILON else 0.0
    return SectionResult(result.id, result.kind, score, result.max, percentage, result.cap)


def _unrounded_section(section: Section, earned: float, applicable: float) -> SectionResult:
    if section.kind is SectionKind.bonus:
        score = min(section.cap or 0.0, max(0.0, earned))
        return SectionResult(section.id, section.kind.value, score, 0.0, None, section.cap)
    if section.kind is SectionKind.deduction:
        cap = deduction_cap(section)
        taken = max(0.0, -earned)
        if cap is not None:
            taken = min(taken, cap)
        score = max(0.0, section.points - taken) if section.points else -taken
        percentage = score / section.points * 100 if section.points else None
        return SectionResult(section.id, section.kind.value, score, section.points, percentage, cap)
    score = min(max(0.0, earned), applicable)
    percentage = score / applicable * 100 if applicable > EPSILON else None
    return SectionResult(section.id, section.kind.value, score, applicable, percentage)


def _in_base(section: SectionResult) -> bool:
    """Sections that make up the declared maximum (and so are rescaled)."""
    if section.kind == SectionKind.standard.value:
        return True
    return section.kind == SectionKind.deduction.value and section.max > 0


# ---------------------------------------------------------------- rounding


class _Places(NamedTuple):
    """What the form says about rounding: decimals for sections and the total (None:
    not rounded by the form), and the scale the total is reported on."""

    sections: int | None
    total: int | None
    out_of: float | None

    @classmethod
    def of(cls, definition: FormDefinition) -> _Places:
        scoring = definition.scoring
        if scoring is None:
            return cls(None, None, None)
        return cls(
            _PLACES.get(scoring.round_sections), _PLACES.get(scoring.round_total), scoring.out_of
        )


_PLACES: dict[Rounding | None, int] = {Rounding.whole: 0, Rounding.one_decimal: 1}


def _round(value: float) -> float:
    # round(x, 2) takes its slow, exact decimal path for most fractions (~1.5 µs), and
    # a 250-item table rounds 500 values per score; the same few values recur.
    rounded = _ROUNDED.get(value)
    if rounded is None:
        if len(_ROUNDED) > 10_000:
            _ROUNDED.clear()
        rounded = _ROUNDED[value] = round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return rounded


_ROUNDED: dict[float, float] = {}


def _rounded_section(s: SectionResult) -> SectionResult:
    percentage = None if s.percentage is None else _round(s.percentage)
    return SectionResult(s.id, s.kind, _round(s.score), _round(s.max), percentage, s.cap)
