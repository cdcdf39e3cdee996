"""What each step of the lifecycle carries, checked. Pure.

`read_step(action, fields, …)` turns a posted form (or an API body, as the same
flat fields) into the hazard columns the step sets and the detail its timeline
entry keeps, or the problems by field, all at once, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from service.campaigns.rules import local_date
from service.web.i18n import _l

from . import grades
from .lifecycle import Action, State

MAX_TEXT = 2000
MAX_NAME = 50
MAX_AFTER_PHOTOS = 6

# A major hazard's rectification plan (重大事故隐患治理方案), field by field.
PLAN_FIELDS = (
    ("goal", _l("Goal and tasks")),
    ("measures", _l("Methods and measures")),
    ("funds", _l("Funds and materials")),
    ("people", _l("People and duties")),
    ("deadline", _l("Time limit")),
    ("safety_measures", _l("Safety measures during rectification")),
    ("emergency_plan", _l("Emergency plan")),
)

REQUIRED = _l("This field is required")
TOO_LONG = _l("Too long")
BAD_DATE = _l("Enter a date as YYYY-MM-DD")
PAST_DATE = _l("The deadline cannot be before today")
LATE_DATE = _l("Later than this grade's time limit: only the union can set a later deadline")
NEED_PHOTO = _l("Add at least one photo of the rectified site")
TOO_MANY_PHOTOS = _l("At most 6 photos")
UNKNOWN_GRADE = _l("Choose a grade from the list")


class Step(msgspec.Struct, frozen=True):
    values: dict[str, Any]  # hazard columns to set
    detail: dict[str, Any]  # kept in the timeline entry
    errors: dict[str, str]  # field -> message (lazy: translated when shown)


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    # NUL cannot be stored in PostgreSQL text; nobody types it.
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def _required(fields: dict, name: str, errors: dict, limit: int = MAX_TEXT) -> str:
    value = _text(fields, name)
    if not value:
        errors[name] = REQUIRED
    elif len(value) > limit:
        errors[name] = TOO_LONG
    return value


def _date(
    fields: dict, name: str, errors: dict, today: dt.date, latest: dt.date | None = None
) -> dt.date | None:
    text = _text(fields, name)
    if not text:
        errors[name] = REQUIRED
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = BAD_DATE
        return None
    if value < today:
        errors[name] = PAST_DATE
    elif latest is not None and value > latest:
        errors[name] = LATE_DATE
    return value


def latest_deadline(hazard: dict, today: dt.date) -> dt.date:
    """The latest deadline an enterprise may set: the grade's time limit from the day
    the hazard was found (today, if that has passed already)."""
    return max(grades.default_deadline(hazard["grade"], local_date(hazard["found_at"])), today)


def read_step(
    action: Action,
    fields: dict[str, Any],
    hazard: dict,
    today: dt.date,
    *,
    user_id: int,
    now: dt.datetime,
    after_photos: list[str] | None = None,
    latest_deadline: dt.date | None = None,
) -> Step:
    """The step's changes and detail, or its problems (every one at once).

    `latest_deadline`: the latest deadline this person may set when acknowledging
    (the grade's time limit for the enterprise; None for the union's admins)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    if action is Action.acknowledge:
        values["responsible"] = _required(fields, "responsible", errors, MAX_NAME)
        values["deadline"] = _date(fields, "deadline", errors, today, latest_deadline)
        values["measures"] = _required(fields, "measures", errors)
        if grades.needs_plan(hazard["grade"]):
            plan = {}
            for name, _label in PLAN_FIELDS:
                key = f"plan_{name}"
                if name == "deadline":
                    value = _date(fields, key, errors, today)
                    plan[name] = value.isoformat() if value else ""
                else:
                    plan[name] = _required(fields, key, errors)
            values["plan"] = msgspec.json.encode(plan).decode()
        detail = {
            "responsible": values["responsible"],
            "deadline": values["deadline"].isoformat() if values["deadline"] else "",
        }
    elif action is Action.submit_rectification:
        values["rectification"] = _required(fields, "rectification", errors)
        photos = list(after_photos or [])
        if not photos:
            errors["photos"] = NEED_PHOTO
        elif len(photos) > MAX_AFTER_PHOTOS:
            errors["photos"] = TOO_MANY_PHOTOS
        values["after_photos"] = msgspec.json.encode(photos).decode()
        values["rectified_by"] = user_id
        values["rectified_at"] = now
        detail = {"photos": photos}
    elif action is Action.verify:
        note = _text(fields, "note")
        if len(note) > MAX_TEXT:
            errors["note"] = TOO_LONG
        values["closed_by"] = user_id
        values["closed_at"] = now
        detail = {"note": note} if note else {}
    elif action in (Action.send_back, Action.withdraw):
        detail = {"reason": _required(fields, "reason", errors)}
    elif action is Action.regrade:
        grade = _text(fields, "grade")
        if grades.grade(grade) is None:
            errors["grade"] = UNKNOWN_GRADE
        reason = _required(fields, "reason", errors)
        values["grade"] = grade
        if hazard["state"] == State.reported:
            # Not acknowledged yet: the deadline follows the grade.
            values["deadline"] = grades.default_deadline(grade, local_date(hazard["found_at"]))
        detail = {"from": hazard["grade"], "to": grade, "reason": reason}
    return Step(values=values, detail=detail, errors=errors)
