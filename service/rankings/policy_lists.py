"""The three lists of a campaign's policy as rows of an HTML form: grade bands, awards,
tie-breaks. Pure.

Rows are posted with their position in the name (`grade-0-min`, `award-2-top`,
`tie_break-1`), so that a problem is reported on the field it belongs to and every
row comes back as typed. A row left empty, or ticked "remove", is dropped: blank rows
at the end are how a row is added without JavaScript.

Ids: a row that came from the policy keeps its id (a ranking or a snapshot refers to
bands and awards by id); a new row gets one from its position (`grade2`, `award1`).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from service.forms.model import Text
from service.scoring.numbers import number_text
from service.web.forms import text_of
from service.web.i18n import _l

from .policy import (
    FEWER_OPEN_MAJOR_HAZARDS,
    JUDGES_MEAN,
    NAME,
    SECTION_PREFIX,
    AwardRule,
    GradeBand,
    GroupBy,
)

GRADE = "grade"
AWARD = "award"
TIE_BREAK = "tie_break"
GRADE_FIELDS = ("id", "zh", "en", "min", "remove")
AWARD_FIELDS = ("id", "zh", "en", "top", "min_final", "per", "order", "remove")
BLANK_ROWS = 2  # empty rows after the last one: room to add without JavaScript
MAX_ROWS = 50  # a posted index beyond this is ignored, not a list of a million rows
LABEL_MAX = 100
ID_MAX = 64


class PolicyProblem(enum.StrEnum):
    """What can be wrong with a field of the policy editor (stable codes)."""

    number = "policy.number"
    whole_number = "policy.whole_number"
    percent = "policy.percent"
    choice = "policy.choice"
    trim_from = "policy.trim_from"
    not_negative = "policy.not_negative"
    label_missing = "policy.label_missing"
    label_too_long = "policy.label_too_long"
    score_range = "policy.score_range"
    same_min = "policy.same_min"
    top_or_min = "policy.top_or_min"
    top_too_small = "policy.top_too_small"
    unknown_section = "policy.unknown_section"
    chosen_twice = "policy.chosen_twice"
    same_grade = "policy.same_grade"
    years = "policy.years"
    invalid = "policy.invalid"


MESSAGES: dict[PolicyProblem, str] = {
    PolicyProblem.number: _l("Give a number."),
    PolicyProblem.whole_number: _l("Give a whole number."),
    PolicyProblem.percent: _l("Give a percentage from 0 to 100."),
    PolicyProblem.choice: _l("Choose one of the options."),
    PolicyProblem.trim_from: _l("Dropping the highest and the lowest needs at least 3 judges."),
    PolicyProblem.not_negative: _l("Cannot be negative."),
    PolicyProblem.label_missing: _l("Give the name in Chinese."),
    PolicyProblem.label_too_long: _l("The name is too long (at most 100 characters)."),
    PolicyProblem.score_range: _l("Give a score from 0 to %(max)s."),
    PolicyProblem.same_min: _l("Another grade band has the same minimum."),
    PolicyProblem.top_or_min: _l("Give a number of winners, a minimum final score, or both."),
    PolicyProblem.top_too_small: _l("At least 1 winner."),
    PolicyProblem.unknown_section: _l("This section is not in the form."),
    PolicyProblem.chosen_twice: _l("Already chosen above."),
    PolicyProblem.same_grade: _l("A grade cannot need itself: choose a lower one."),
    PolicyProblem.years: _l("Give a whole number of years from 1 to 50."),
    PolicyProblem.invalid: _l("These values do not make a valid policy."),
}

Errors = dict[str, PolicyProblem]  # by posted field name, a row (`award-1`) or "" (all)
Row = dict[str, str]


def parse_number(text: str) -> float | None:
    """A typed number; None when empty. `float` alone takes "nan" and "inf"."""
    if not text.strip():
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


# ---------------------------------------------------------------- rows as posted


def posted_rows(fields: Mapping[str, Any], kind: str, names: tuple[str, ...]) -> list[Row] | None:
    """The rows of one list as typed, by position; None when the post has none of its
    fields (an older page or a script that edits the numbers only: the list is kept)."""
    pattern = re.compile(rf"{kind}-(\d+)-(\w+)")
    indexes = [
        int(m.group(1)) for key in fields if (m := pattern.fullmatch(key)) and m.group(2) in names
    ]
    if not indexes:
        return None
    count = min(max(indexes) + 1, MAX_ROWS)
    return [{name: typed(fields.get(f"{kind}-{i}-{name}")) for name in names} for i in range(count)]


def posted_tie_breaks(fields: Mapping[str, Any]) -> list[str] | None:
    """The tie-break chosen at each position as posted; None when none was posted."""
    pattern = re.compile(rf"{TIE_BREAK}-(\d+)")
    indexes = [int(m.group(1)) for key in fields if (m := pattern.fullmatch(key))]
    if not indexes:
        return None
    count = min(max(indexes) + 1, MAX_ROWS)
    return [typed(fields.get(f"{TIE_BREAK}-{i}")) for i in range(count)]


def typed(value: object) -> str:
    """A posted field as typed, trimmed."""
    return text_of(value).strip()


def padded(rows: list[Row], names: tuple[str, ...]) -> list[Row]:
    """The rows with blank ones added until the last BLANK_ROWS are blank."""
    rows = list(rows)
    while len(rows) < BLANK_ROWS or any(not _blank(r) for r in rows[-BLANK_ROWS:]):
        rows.append(dict.fromkeys(names, ""))
    return rows


def _blank(row: Row) -> bool:
    # `id` (hidden), `per` and `order` have values without anyone typing: not counted.
    typed = ("zh", "en", "min", "top", "min_final", "grade", "after", "award", "years")
    return not any(row.get(name) for name in typed)


def _dropped(row: Row) -> bool:
    return _blank(row) or bool(row.get("remove"))


# ---------------------------------------------------------------- grade bands


def grade_rows(bands: tuple[GradeBand, ...]) -> list[Row]:
    """The rows showing a policy's grade bands."""
    return [
        {
            "id": b.id,
            "zh": b.label.zh,
            "en": b.label.en or "",
            "min": number_text(b.min, 4),
            "remove": "",
        }
        for b in bands
    ]


def bands_from_rows(rows: list[Row], *, max_score: float, errors: Errors) -> tuple[GradeBand, ...]:
    """The grade bands, highest first; problems go into `errors` by field name."""
    kept: list[tuple[int, Row, float]] = []
    seen_min: set[float] = set()
    for index, row in enumerate(rows):
        if _dropped(row):
            continue
        prefix = f"{GRADE}-{index}-"
        _check_label(row, prefix, errors)
        try:
            minimum = parse_number(row["min"])
            if minimum is None or not 0 <= minimum <= max_score:
                raise ValueError
        except ValueError:
            errors[prefix + "min"] = PolicyProblem.score_range
            continue
        if minimum in seen_min:
            errors[prefix + "min"] = PolicyProblem.same_min
        seen_min.add(minimum)
        kept.append((index, row, minimum))
    kept.sort(key=lambda entry: -entry[2])
    ids = _ids(GRADE, [row["id"] for _, row, _ in kept])
    return tuple(
        GradeBand(id=band_id, label=_label(row), min=minimum)
        for band_id, (_, row, minimum) in zip(ids, kept, strict=True)
    )


# ---------------------------------------------------------------- awards


def award_rows(awards: tuple[AwardRule, ...]) -> list[Row]:
    """The rows showing a policy's awards, numbered in the order they are given."""
    return [
        {
            "id": a.id,
            "zh": a.label.zh,
            "en": a.label.en or "",
            "top": "" if a.top is None else str(a.top),
            "min_final": "" if a.min_final is None else number_text(a.min_final, 4),
            "per": a.per.value if a.per else "",
            "order": str(position),
            "remove": "",
        }
        for position, a in enumerate(awards, start=1)
    ]


def awards_from_rows(rows: list[Row], *, max_score: float, errors: Errors) -> tuple[AwardRule, ...]:
    """The awards in the order their rows are numbered (rows without a number keep
    their place after the numbered ones); problems go into `errors`."""
    kept: list[tuple[float, int, Row, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        if _dropped(row):
            continue
        prefix = f"{AWARD}-{index}-"
        _check_label(row, prefix, errors)
        values: dict[str, Any] = {}
        try:
            values["top"] = int(row["top"]) if row["top"] else None
            if values["top"] is not None and values["top"] < 1:
                errors[prefix + "top"] = PolicyProblem.top_too_small
        except ValueError:
            errors[prefix + "top"] = PolicyProblem.whole_number
        try:
            values["min_final"] = parse_number(row["min_final"])
            if values["min_final"] is not None and not 0 <= values["min_final"] <= max_score:
                raise ValueError
        except ValueError:
            errors[prefix + "min_final"] = PolicyProblem.score_range
        if not row["top"] and not row["min_final"]:
            errors[f"{AWARD}-{index}"] = PolicyProblem.top_or_min
        try:
            values["per"] = GroupBy(row["per"]) if row["per"] else None
        except ValueError:
            errors[prefix + "per"] = PolicyProblem.choice
        try:
            order = int(row["order"]) if row["order"] else math.inf
        except ValueError:
            errors[prefix + "order"] = PolicyProblem.whole_number
            order = math.inf
        kept.append((order, index, row, values))
    kept.sort(key=lambda entry: (entry[0], entry[1]))
    ids = _ids(AWARD, [row["id"] for _, _, row, _ in kept])
    return tuple(
        AwardRule(id=award_id, label=_label(row), **values)
        for award_id, (_, _, row, values) in zip(ids, kept, strict=True)
    )


# ---------------------------------------------------------------- tie-breaks


def tie_break_choices(sections: Collection[str]) -> list[str]:
    """What a tie can be broken by, in the order the page offers them; `name` is not
    one: it always comes last, by itself."""
    return [JUDGES_MEAN, *(SECTION_PREFIX + s for s in sections), FEWER_OPEN_MAJOR_HAZARDS]


def tie_break_positions(chosen: list[str], choices: int) -> list[str]:
    """The positions the page shows: those chosen and one more (at least 3), as many
    as there are choices at most."""
    wanted = min(max(3, len(chosen) + 1), max(choices, len(chosen)))
    return chosen + [""] * (wanted - len(chosen))


def tie_breaks_from_positions(
    positions: list[str], *, sections: Collection[str], errors: Errors
) -> tuple[str, ...]:
    """The tie-breaks in the order of their positions (empty ones skipped), then
    `name`; problems go into `errors` by position."""
    allowed = set(tie_break_choices(sections))
    chosen: list[str] = []
    for index, rule in enumerate(positions):
        if not rule:
            continue
        field = f"{TIE_BREAK}-{index}"
        if rule in chosen:
            errors[field] = PolicyProblem.chosen_twice
        elif rule not in allowed:
            errors[field] = (
                PolicyProblem.unknown_section
                if rule.startswith(SECTION_PREFIX)
                else PolicyProblem.choice
            )
        else:
            chosen.append(rule)
    return (*chosen, NAME)


# ---------------------------------------------------------------- shared


def _check_label(row: Row, prefix: str, errors: Errors) -> None:
    if not row["zh"]:
        errors[prefix + "zh"] = PolicyProblem.label_missing
    elif len(row["zh"]) > LABEL_MAX:
        errors[prefix + "zh"] = PolicyProblem.label_too_long
    if len(row["en"]) > LABEL_MAX:
        errors[prefix + "en"] = PolicyProblem.label_too_long


def _label(row: Row) -> Text:
    return Text(zh=row["zh"], en=row["en"] or None)


def _ids(kind: str, given: list[str]) -> list[str]:
    """An id for each row in its final place: its own when it has one (not taken by
    an earlier row), else `kind` + its position (the next free number)."""
    kept = [i if i and len(i) <= ID_MAX else "" for i in given]
    taken: set[str] = set()
    ids: list[str] = []
    for position, own in enumerate(kept, start=1):
        if own and own not in taken:
            ids.append(own)
            taken.add(own)
            continue
        n = position
        while f"{kind}{n}" in taken or f"{kind}{n}" in kept:
            n += 1
        ids.append(f"{kind}{n}")
        taken.add(f"{kind}{n}")
    return ids
