"""Rules over the rounds of a series (a county's yearly 安康杯): what a participant won
before decides what it may win now. Pure: the history is given, never read here.

Two rules, set in a campaign's policy (`Policy.grade_after`, `Policy.award_gaps`):

- `GradeAfter`: grade X only if the participant had grade Y or better in the previous
  round of the series ("AA only after A"). A participant whose score reaches X without
  it gets the best lower grade it may have (the ladder is climbed a round at a time),
  with the reason X was withheld.
- `AwardGap`: an award not given again to a unit that won it within N years ("5年内
  不再授予"): won in year Y, it may be won again from year Y + N on. Such a unit is
  not a candidate at all, so its place goes to the next one (see aggregate._awards).

Earlier rounds name grades and titles by their labels (a published snapshot's policy,
or an imported spreadsheet: "A级", "优胜单位"), so a past label is matched with the
current policy's bands and awards loosely (`label_key`), by label or id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from msgspec import Struct

from service.forms.model import Text


class PastResult(Struct, frozen=True, kw_only=True, gc=False):
    """What a participant got in an earlier round of the campaign's series."""

    year: int  # the round's year
    years_ago: int  # the current round's year minus `year` (1 and more)
    previous_round: bool  # the series' round just before the current one
    grade: str | None = None  # the grade's label as that round named it
    award: str | None = None  # the award's (title's) label


class GradeAfter(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Grade band `grade` only after band `after` (or better) in the previous round."""

    grade: str  # a GradeBand id of the policy
    after: str  # a GradeBand id of the policy


class AwardGap(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Award `award` not again within `years` years of winning it."""

    award: str  # an AwardRule id of the policy
    years: int


class Labelled(Struct, frozen=True):
    """A band or an award as the rules see it: its id and its label."""

    id: str
    label: Text


def label_key(label: str) -> str:
    """A grade or title compared loosely: half-width, lower case, no spaces or quotes,
    without a trailing 级 ("A级" is "A", "ＡＡ" is "AA")."""
    key = re.sub(r"[\s\"'“”‘’「」《》]", "", unicodedata.normalize("NFKC", label).lower())
    return key.removesuffix("级")


def _matches(label: str, entry: Labelled) -> bool:
    key = label_key(label)
    names = (entry.id, entry.label.zh, entry.label.en or "")
    return any(name and label_key(name) == key for name in names)


def grade_position(label: str | None, ladder: Sequence[Labelled]) -> int | None:
    """Where a past grade stands on the current ladder (0 the highest), None if unknown."""
    if not label:
        return None
    return next((i for i, band in enumerate(ladder) if _matches(label, band)), None)


def grade_allowed(
    grade: str,
    history: Sequence[PastResult],
    ladder: Sequence[Labelled],
    rules: Sequence[GradeAfter],
) -> GradeAfter | None:
    """The rule that withholds band `grade` from this participant, or None.

    `ladder`: the policy's bands, highest first. The previous round's grade must be
    at `after` or above it on the current ladder."""
    positions = {band.id: i for i, band in enumerate(ladder)}
    previous = [
        p
        for entry in history
        if entry.previous_round and (p := grade_position(entry.grade, ladder)) is not None
    ]
    for rule in rules:
        if rule.grade != grade or rule.after not in positions:
            continue
        if not any(p <= positions[rule.after] for p in previous):
            return rule
    return None


def allowed_grade(
    reached: str | None,
    history: Sequence[PastResult],
    ladder: Sequence[Labelled],
    rules: Sequence[GradeAfter],
) -> tuple[str | None, list[GradeAfter]]:
    """The grade given for a score reaching band `reached`: the first band from it
    down that no rule withholds; and the rules that withheld the bands above it."""
    if reached is None or not rules:
        return reached, []
    ids = [band.id for band in ladder]
    withheld: list[GradeAfter] = []
    for band in ids[ids.index(reached) :]:
        rule = grade_allowed(band, history, ladder, rules)
        if rule is None:
            return band, withheld
        withheld.append(rule)
    return None, withheld


def award_blocked(
    award: Labelled, history: Sequence[PastResult], rules: Sequence[AwardGap]
) -> tuple[AwardGap, PastResult] | None:
    """The rule and the earlier win that keep `award` from this participant, or None
    (the most recent such win)."""
    for rule in rules:
        if rule.award != award.id:
            continue
        wins = [
            entry
            for entry in history
            if entry.award and _matches(entry.award, award) and entry.years_ago < rule.years
        ]
        if wins:
            return rule, min(wins, key=lambda entry: entry.years_ago)
    return None


def previous_year(round_year: int, years: Sequence[int]) -> int | None:
    """The series' round before `round_year`: the latest earlier year with a result."""
    return max((y for y in years if y < round_year), default=None)
