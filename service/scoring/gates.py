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

from .breakdown import GateFailure, GradeLimit, GradeResult, SectionResult
from .conditions import answer_matches, answer_of, answer_words, wanted_answers, words_of


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
    if gate.item is not None and gate.at_least is None:
        return _answer_gate(gate, answers, definition, custom)
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


def _answer_gate(
    gate: Gate, answers: Mapping[str, Any], definition: FormDefinition, custom: Text | None
) -> list[GateFailure]:
    """`equals` / `any_of`: the answer must be one of them; `none_of`: must not be."""
    assert gate.item is not None
    value = answer_of(definition, answers, gate.item)
    item = definition.item_map()[gate.item]
    excluded = gate.none_of is not None
    wanted = list(gate.none_of or []) if excluded else wanted_answers(gate.equals, gate.any_of)
    answered = value not in (None, "", [])
    if answered and answer_matches(value, wanted) != excluded:
        return []  # an open question meets neither kind of condition
    label, shown, needed = as_text(item.label), answer_words(item, value), words_of(item, wanted)
    if not answered:
        message = Text(zh=f"“{label.zh}”未作答", en=f"{label.en or label.zh}: no answer")
    elif excluded:
        message = Text(
            zh=f"“{label.zh}”的回答为“{shown.zh}”，不得为“{needed.zh}”",
            en=f"{label.en or label.zh}: answered {shown.en}, which must not be {needed.en}",
        )
    else:
        message = Text(
            zh=f"“{label.zh}”的回答为“{shown.zh}”，须为“{needed.zh}”",
            en=f"{label.en or label.zh}: answered {shown.en}, needs {needed.en}",
        )
    return [GateFailure("item_answer", custom or message, item=gate.item)]


def grade_reached(
    definition: FormDefinition,
    total: float,
    sections: list[SectionResult],
    answers: Mapping[str, Any],
) -> tuple[GradeResult | None, list[GradeLimit]]:
    """The highest grade whose minimum the total reaches, whose requirements hold and
    which no cap excludes; and why each higher grade the total reaches was not given."""
    if definition.scoring is None:
        return None, []
    scoring = definition.scoring
    rank = {grade.id: index for index, grade in enumerate(scoring.grades)}
    caps = [
        cap
        for cap in scoring.grade_caps
        if answer_matches(
            answer_of(definition, answers, cap.item), wanted_answers(cap.equals, cap.any_of)
        )
    ]
    limits: list[GradeLimit] = []
    for index, grade in enumerate(scoring.grades):
        if total + EPSILON < grade.min:
            continue
        label = as_text(grade.label)
        before = len(limits)
        for cap in caps:
            if rank.get(cap.at_most, -1) > index:
                reason = _not_given(label, as_text(cap.reason))
                limits.append(GradeLimit(grade.id, "grade_cap", reason, item=cap.item))
        for gate in grade.requires:
            for failure in gate_failures(gate, total, sections, answers, definition):
                reason = _not_given(label, failure.message)
                limits.append(
                    GradeLimit(grade.id, failure.code, reason, failure.section, failure.item)
                )
        if len(limits) == before:
            return GradeResult(grade.id, label), limits
    return None, limits


def _not_given(grade: Text, why: Text) -> Text:
    return Text(
        zh=f"未评为“{grade.zh}”：{why.zh}",
        en=f"Not graded {grade.en or grade.zh}: {why.en or why.zh}",
    )


def _rescaled(definition: FormDefinition) -> bool:
    scoring = definition.scoring
    return scoring is not None and scoring.not_applicable is NotApplicablePolicy.rescale
