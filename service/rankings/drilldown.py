"""One participant's scores side by side: each section and item, from the
self-assessment and from every judge, with the judges' mean and how far the
self-assessment is from it. Pure: stored breakdowns in, rows out."""

from __future__ import annotations

from statistics import mean

import msgspec

from service.forms.model import FormDefinition, Label
from service.scoring.breakdown import Breakdown


class Scorer(msgspec.Struct, frozen=True):
    name: str
    role: str  # enterprise | judge
    breakdown: Breakdown


class Line(msgspec.Struct, frozen=True):
    id: str
    label: Label
    is_section: bool
    max: float | None
    scores: list[float | None]  # one per scorer, in the scorers' order
    judges_mean: float | None
    self_minus_judges: float | None  # the self-assessment's score − the judges' mean
    failed_by: list[str]  # names of the scorers who found the item failed


def side_by_side(definition: FormDefinition, scorers: list[Scorer]) -> list[Line]:
    """A line per section, each followed by a line per item."""
    sections = [{s.id: s for s in scorer.breakdown.sections} for scorer in scorers]
    items = [{i.id: i for i in scorer.breakdown.items} for scorer in scorers]
    lines: list[Line] = []
    for section in definition.sections:
        scores = [found[section.id].score if section.id in found else None for found in sections]
        top = next((found[section.id].max for found in sections if section.id in found), None)
        lines.append(_line(section.id, section.title, True, top, scores, scorers, []))
        for item in section.items:
            results = [found.get(item.id) for found in items]
            lines.append(
                _line(
                    item.id,
                    item.label,
                    False,
                    next((r.max for r in results if r is not None), None),
                    [r.score if r is not None else None for r in results],
                    scorers,
                    [
                        scorer.name
                        for scorer, r in zip(scorers, results, strict=True)
                        if r is not None and r.status == "failed"
                    ],
                )
            )
    return lines


def _line(
    id: str,
    label: Label,
    is_section: bool,
    top: float | None,
    scores: list[float | None],
    scorers: list[Scorer],
    failed_by: list[str],
) -> Line:
    judged = [
        score
        for scorer, score in zip(scorers, scores, strict=True)
        if scorer.role == "judge" and score is not None
    ]
    own = next(
        (s for scorer, s in zip(scorers, scores, strict=True) if scorer.role == "enterprise"), None
    )
    judges_mean = round(mean(judged), 2) if judged else None
    difference = (
        round(own - judges_mean, 2) if own is not None and judges_mean is not None else None
    )
    return Line(id, label, is_section, top, scores, judges_mean, difference, failed_by)
