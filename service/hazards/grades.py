"""Hazard grades (隐患等级) from `forms/hazards/grades.yaml`: the list, each grade's
default deadline and whether it needs a rectification plan.

The file is read once at start-up; a broken file stops the service with a message
naming the file and the path inside it, like a broken form file.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Annotated

import msgspec

from service.forms.model import HazardGrade, Label
from service.forms.yaml_source import YamlSyntaxError, parse_yaml
from service.settings import PROJECT_ROOT
from service.web.templating import localize

GRADES_FILE = PROJECT_ROOT / "forms" / "hazards" / "grades.yaml"
MAJOR = HazardGrade.major.value


class Grade(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{0,15}$")]
    label: Label
    deadline_days: Annotated[int, msgspec.Meta(ge=0, le=3650)]
    colour: str = "blue"
    needs_plan: bool = False


class _GradesFile(msgspec.Struct, forbid_unknown_fields=True):
    grades: list[Grade]


class GradesFileInvalid(Exception):
    pass


def parse_grades(text: str, file: str = "<text>") -> tuple[Grade, ...]:
    """The grades of a grades file, or GradesFileInvalid naming the file and the path."""
    try:
        document = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise GradesFileInvalid(f"{file}: line {exc.line}: {exc.message}") from None
    try:
        grades = msgspec.convert(document.data, _GradesFile).grades
    except msgspec.ValidationError as exc:
        path = str(exc).rpartition(" - at `$.")[2].rstrip("`")
        line = document.line_of(path) if "at `$." in str(exc) else None
        where = f" (line {line})" if line else ""
        raise GradesFileInvalid(f"{file}: {exc}{where}") from None
    ids = [g.id for g in grades]
    problems = [
        f"grade `{g}` is listed twice" for g in sorted({i for i in ids if ids.count(i) > 1})
    ]
    problems += [
        f"grade `{g.value}` is missing (the forms' hazard grades must all be listed)"
        for g in HazardGrade
        if g.value not in ids
    ]
    problems += [
        f"grades[{i}].needs_plan: the major grade always needs a plan"
        for i, g in enumerate(grades)
        if g.id == MAJOR and not g.needs_plan
    ]
    if problems:
        raise GradesFileInvalid(f"{file}: " + "; ".join(problems))
    return tuple(grades)


@functools.cache
def grades(path: Path = GRADES_FILE) -> tuple[Grade, ...]:
    return parse_grades(path.read_text(encoding="utf-8"), str(path.relative_to(PROJECT_ROOT)))


def grade(grade_id: str) -> Grade | None:
    return next((g for g in grades() if g.id == grade_id), None)


def needs_plan(grade_id: str) -> bool:
    g = grade(grade_id)
    return g.needs_plan if g else False


def default_deadline(grade_id: str, found: dt.date) -> dt.date:
    g = grade(grade_id)
    return found + dt.timedelta(days=g.deadline_days if g else 7)


def grade_label(grade_id: str) -> str:
    """The grade's name in the current language (its id if the file dropped it)."""
    g = grade(grade_id)
    return localize(g.label) if g else grade_id
