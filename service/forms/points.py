"""How many points an item or a section is worth: facts of the definition alone."""

from __future__ import annotations

import math

from .model import (
    Check,
    Choice,
    DefectCount,
    FormDefinition,
    ItemBase,
    MultiChoice,
    Rate,
    Section,
    SectionKind,
)

# Points come in steps of 0.1 or 0.5 at the finest; anything closer than this is equal.
EPSILON = 1e-6


def item_max(item: ItemBase) -> float:
    """The most an item can earn (0 for unscored items and pure deductions)."""
    if isinstance(item, Check):
        return item.points
    if isinstance(item, Choice):
        return max((option.score for option in item.options), default=0.0) if item.options else 0.0
    if isinstance(item, MultiChoice):
        positive = sum(option.score for option in item.options if option.score > 0)
        return min(positive, item.points) if item.points is not None else positive
    if isinstance(item, (Rate, DefectCount)):
        return item.points
    return 0.0


def item_max_deduction(item: ItemBase) -> float | None:
    """The most an item can take away in a deduction section (None: no limit)."""
    if isinstance(item, Check):
        return item.deduct
    if isinstance(item, Choice):
        return max((-option.score for option in item.options), default=0.0)
    if isinstance(item, MultiChoice):
        return sum(-option.score for option in item.options if option.score < 0)
    if isinstance(item, DefectCount):
        if item.max_count is None:
            return None
        return item.max_count * item.deduct_each
    if isinstance(item, Rate):
        if item.minus:
            return item.target / item.per * item.minus
        return math.ceil(item.target / item.per) * item.deduct
    return 0.0


def counts_toward_max(section: Section) -> bool:
    return section.kind in (SectionKind.standard, SectionKind.deduction)


def declared_sections_total(definition: FormDefinition) -> float:
    return sum(s.points for s in definition.sections if counts_toward_max(s))


def bonus_cap(definition: FormDefinition) -> float:
    return sum(s.cap or 0 for s in definition.sections if s.kind is SectionKind.bonus)


def deduction_cap(section: Section) -> float | None:
    """A deduction section takes at most `cap`, or at most its own points."""
    if section.cap is not None:
        return section.cap
    return section.points if section.points > 0 else None
