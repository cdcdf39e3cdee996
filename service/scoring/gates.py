"""Eligibility: mandatory items, gates, and the grade a result reaches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.forms.model import (
    Check,
    Choice,
    FormDefinition,
    Gate,
    ItemBase,
    MultiChoice,
    NotApplicablePolicy,
    Text,
    as_text,
)
from service.forms.points import EPSILON
from service.scoring.numbers import number_text

from .breakdown import GateFailure, GradeResult, SectionResult


def item_failures(
    definition: FormDefinition, answers: Mapping[str, Any], visible: set[str]
) -> list[GateFailure]:
    """Mandatory (必备) items not met, and veto questions left unanswered: a result
    cannot be eligible while a veto question is open."""
    failures = []
    for _, item in definition.items():
        mandatory = isinstance(item, Check) and item.mandatory
        if not (mandatory or has_veto(item)) or item.id not in visible:
            continue
        label = as_text(item.label)
        answer = answers.get(item.id)
        if mandatory and answer != item.good:  # type: ignore[union-attr]
            failures.append(
                GateFailure(
                    "mandatory",
                    Text(
                        zh=f"必备项未达标：{label.zh}",
                        en=f"Mandatory item not met: {label.en or label.zh}",
                    ),
                    item=item.id,
                )
            )
        elif not mandatory and answer in (None, "", []):
            failures.append(
                GateFailure(
                    "veto_unanswered",
                    Text(
                        zh=f"否决项未作答：{label.zh}",
                        en=f"Veto question not answered: {label.en or label.zh}",
                    ),
                    item=item.id,
                )
            )
    return failures


def has_veto(item: ItemBase) -> bool:
    if isinstance(item, Check):
        return item.veto is not None
    if isinstance(item, (Choice, MultiChoice)):
        return any(option.veto is not None for option in item.options)
    return False


def gate_failures(
    gate: Gate,
    total: float,
    sections: list[SectionResult],
    answers: Mapping[str, Any],
    definition: FormDefinition,
) -> list[GateFailure]:
    # A gate's label states the requirement; failing it reads "not met: …".
    custom = None
    if gate.label:
        label = as_text(gate.label)
        custom = Text(zh=f"未达到：{label.zh}", en=f"Not met: {label.en or label.zh}")
    if gate.min_total is not None:
        if total + EPSILON < gate.min_total:
            message = custom or Text(
                zh=f"总分{number_text(total)}分，未达到{number_text(gate.min_total)}分",
                en=f"Total {number_text(total)} is below {number_text(gate.min_total)}",
            )
            return [GateFailure("min_total", message)]
        return []
    if gate.min_section_percent is not None:
        failures = []
        for section, result in zip(definition.sections, sections, strict=True):
            if result.percentage is None or result.max <= EPSILON:
                continue
            if result.percentage + EPSILON < gate.min_section_percent:
                title = as_text(section.title)
                failures.append(
                    GateFailure(
                        "min_section_percent",
                        custom
                        or Text(
                            zh=f"“{title.zh}”得分率{number_text(result.percentage)}%，"
                            f"未达到{number_text(gate.min_section_percent)}%",
                            en=f"{title.en or title.zh}: "
                            f"{number_text(result.percentage)}% is below "
                            f"{number_text(gate.min_section_percent)}%",
                        ),
                        section=section.id,
                    )
                )
        return failures
    if gate.section is not None:
        index = [s.id for s in definition.sections].index(gate.section)
        result = sections[index]
        title = as_text(definition.sections[index].title)
        if result.percentage is None:
            return []  # nothing in the section applies: nothing to fall short of
        if gate.min_points is not None:
            # Measured like the total: under `rescale`, on the section's declared points.
            declared = definition.sections[index].points
            actual = result.score
            if _rescaled(definition) and EPSILON < result.max < declared:
                actual = result.score * declared / result.max
            needed, unit = gate.min_points, "分"
        else:
            actual, needed, unit = result.percentage, gate.min_percent or 0.0, "%"
        if actual + EPSILON < needed:
            message = custom or Text(
                zh=f"“{title.zh}”{number_text(actual)}{unit}，未达到{number_text(needed)}{unit}",
                en=f"{title.en or title.zh}: {number_text(actual)}{'%' if unit == '%' else ''} "
                f"is below {number_text(needed)}{'%' if unit == '%' else ''}",
            )
            return [GateFailure("section_minimum", message, section=gate.section)]
        return []
    if gate.item is not None and gate.at_least is not None:
        value = answers.get(gate.item)
        if not isinstance(value, (int, float)) or value + EPSILON < gate.at_least:
            item = definition.item_map()[gate.item]
            label = as_text(item.label)
            shown = number_text(value) if isinstance(value, (int, float)) else "未填"
            message = custom or Text(
                zh=f"“{label.zh}”为{shown}，未达到{number_text(gate.at_least)}",
                en=f"{label.en or label.zh}: {shown if shown != '未填' else 'no answer'} "
                f"is below {number_text(gate.at_least)}",
            )
            return [GateFailure("item_minimum", message, item=gate.item)]
    return []


def grade_reached(
    definition: FormDefinition,
    total: float,
    sections: list[SectionResult],
    answers: Mapping[str, Any],
) -> GradeResult | None:
    if definition.scoring is None:
        return None
    for grade in definition.scoring.grades:
        if total + EPSILON < grade.min:
            continue
        if any(gate_failures(g, total, sections, answers, definition) for g in grade.requires):
            continue
        return GradeResult(grade.id, as_text(grade.label))
    return None


def _rescaled(definition: FormDefinition) -> bool:
    scoring = definition.scoring
    return scoring is not None and scoring.not_applicable is NotApplicablePolicy.rescale
