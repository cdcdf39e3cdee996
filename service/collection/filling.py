"""Where a form being filled stands: errors per item, progress per section, the
live score. Pure: the fill page, the review page and the submit step all use it, so
a rule (show_if, a range, what is required) is evaluated in one place only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from service.forms.answers import (
    AnswerError,
    completeness_problems,
    validate_answers,
    visible_items,
    visible_sections,
)
from service.forms.model import Check, FormDefinition, Photo, Section
from service.scoring.breakdown import Breakdown, ItemStatus
from service.scoring.engine import score

_ANSWERED = (ItemStatus.answered, ItemStatus.failed)


class SectionProgress(msgspec.Struct, frozen=True):
    id: str
    answered: int
    asked: int  # visible items
    errors: int
    shown: bool = True  # False: the section's show_if does not hold, its tab is skipped

    @property
    def done(self) -> bool:
        return self.asked > 0 and self.answered == self.asked and not self.errors


class FillState(msgspec.Struct, frozen=True):
    visible: frozenset[str]
    errors: dict[str, list[AnswerError]]  # by item id; "" for the whole form
    sections: list[SectionProgress]
    answered: int
    asked: int
    breakdown: Breakdown  # of the valid answers: the live preview

    @property
    def complete(self) -> bool:
        return not self.errors

    @property
    def all_answered(self) -> bool:
        """Every item shown is answered: the live total is the score the form gets."""
        return self.answered >= self.asked

    @property
    def points_so_far(self) -> tuple[float, float]:
        """Points of the answered items, and what those items could give: what the
        fill page says while items are still open. (The total before that counts an
        untouched deduction list as kept in full and rescales the rest, which reads as
        a score nobody has earned yet.)"""
        done = [i for i in self.breakdown.items if i.status in _ANSWERED]
        return sum(i.score for i in done), sum(i.max for i in done)

    def section_of(self, section_id: str) -> SectionProgress | None:
        return next((s for s in self.sections if s.id == section_id), None)


def answered(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def fill_state(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    evidence: Mapping[str, list[Any]] | None = None,
    *,
    final: bool = False,
) -> FillState:
    """The state of `answers`: type errors always; with `final`, also what a
    submission still lacks (required items, photos), so every problem shows at once."""
    evidence = evidence or {}
    problems = validate_answers(definition, answers)
    # Only an answer of the wrong type is left out of the count and the score: a failed
    # check still missing its photo is a failed check, so the fill page (not final) and
    # the review (final) count the same draft the same way.
    valid = _valid(answers, {problem.item for problem in problems})
    if final:
        problems += completeness_problems(definition, answers, _evidence_ids(evidence))
    errors: dict[str, list[AnswerError]] = {}
    for problem in problems:
        errors.setdefault(problem.item, []).append(problem)
    visible = visible_items(definition, valid)
    shown = visible_sections(definition, valid)
    sections = [
        _progress(section, answers, evidence, visible, errors, section.id in shown)
        for section in definition.sections
    ]
    return FillState(
        visible=frozenset(visible),
        errors=errors,
        sections=sections,
        answered=sum(s.answered for s in sections),
        asked=sum(s.asked for s in sections),
        breakdown=score(definition, valid),
    )


def shown_items(definition: FormDefinition, answers: Mapping[str, Any]) -> frozenset[str]:
    """The items show_if shows for these answers (a bad answer counts as none): what
    `fill_state(...).visible` says, without scoring."""
    errors = {error.item for error in validate_answers(definition, answers)}
    return frozenset(visible_items(definition, _valid(answers, errors)))


def shown_sections(definition: FormDefinition, answers: Mapping[str, Any]) -> frozenset[str]:
    """The sections shown for these answers (a bad answer counts as none)."""
    errors = {error.item for error in validate_answers(definition, answers)}
    return frozenset(visible_sections(definition, _valid(answers, errors)))


def _valid(answers: Mapping[str, Any], errors: Mapping[str, Any] | set[str]) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if key not in errors}


def _evidence_ids(evidence: Mapping[str, list[Any]]) -> dict[str, list[str]]:
    return {
        item: [str(e["id"]) if isinstance(e, Mapping) else str(e) for e in photos]
        for item, photos in evidence.items()
    }


def _progress(
    section: Section,
    answers: Mapping[str, Any],
    evidence: Mapping[str, list[Any]],
    visible: set[str],
    errors: Mapping[str, list[AnswerError]],
    shown: bool,
) -> SectionProgress:
    asked = [item for item in section.items if item.id in visible]
    done = 0
    for item in asked:
        value = answers.get(item.id)
        if isinstance(item, Photo):
            done += bool(evidence.get(item.id) or answered(value))
        else:
            done += answered(value)
    return SectionProgress(
        id=section.id,
        answered=done,
        asked=len(asked),
        errors=sum(1 for item in section.items if item.id in errors),
        shown=shown,
    )


class ReviewList(msgspec.Struct, frozen=True):
    """What the review page lists before the final submit."""

    unanswered: list[str]  # visible items with no answer (required or not)
    failed: list[str]  # answered short of the standard (a "no" on a check, …)
    vetoed: list[str]  # items that veto the result
    hazards: list[str]  # failed checks flagged as hazards


def review_list(
    definition: FormDefinition, state: FillState, answers: Mapping[str, Any]
) -> ReviewList:
    items = state.breakdown.items
    checks = {item.id for _, item in definition.items() if isinstance(item, Check)}
    return ReviewList(
        unanswered=[
            i.id
            for i in items
            if i.id in state.visible
            and not answered(answers.get(i.id))
            and i.status is not ItemStatus.not_applicable
        ],
        failed=[i.id for i in items if i.status is ItemStatus.failed],
        vetoed=[v.item for v in state.breakdown.veto_reasons],
        hazards=[i.id for i in items if i.hazard and i.id in checks],
    )
