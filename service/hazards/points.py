"""Hazard points (危险源点): who may see and manage them, reading a posted warning card,
when the next inspection is due, and their SQL.

- An enterprise account manages its own enterprise's points.
- An admin manages the points of the enterprises in their towns (a county admin: all).
- A supervisor sees, adds and inspects the points of the enterprises they watch.
- Nobody else sees them (404: ids never leak).

Chemical information cards follow the same rules (`access.Reach`, `Rights`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from piccolo.query.methods.select import Count

from service.accounts.principal import Principal
from service.campaigns.rules import local_date, today
from service.collection.queries import UNIQUE_VIOLATIONS
from service.collection.tables import ItemScore, Submission
from service.forms.answers import is_phone_number
from service.orgs.tables import Enterprise
from service.web.forms import int_or_none, text_of
from service.web.i18n import _l
from service.web.i18n import gettext_ as _

from .access import Reach, actor, reach, within
from .tables import HazardPoint, PointInspection

# The four-colour risk levels (四色分级), most dangerous first.
DANGER_LEVELS = {
    "red": _l("Red – major risk"),
    "orange": _l("Orange – larger risk"),
    "yellow": _l("Yellow – general risk"),
    "blue": _l("Blue – low risk"),
}
TEXT_LIMITS = {
    "name": 100,
    "location": 200,
    "accident_types": 2000,
    "protective_measures": 2000,
    "monitoring": 2000,
    "emergency_plan": 2000,
    "responsible": 50,
    "responsible_phone": 30,
}
REQUIRED = ("name", "responsible")
CYCLE_DAYS = (1, 366)
# The checklist a point's QR code starts (the safety inspection prompt card).
INSPECTION_FORM = "safety-inspection-card"


def danger_label(level: str) -> str:
    return _(DANGER_LEVELS.get(level, level))  # type: ignore[call-overload]


# ---------------------------------------------------------------- who


class Rights(msgspec.Struct, frozen=True):
    view: bool = False
    manage: bool = False  # edit and retire


async def rights(principal: Principal, enterprise_id: int, town_id: int) -> Rights:
    """The enterprise's own accounts and its town's admins keep its registers; the
    supervisors watching it see them (and add points)."""
    who = await actor(principal, {"enterprise": enterprise_id, "town_id": town_id})
    manage = who.town_admin or who.enterprise_account
    return Rights(view=manage or who.watching, manage=manage)


async def enterprises_for(principal: Principal) -> list[dict]:
    """The enterprises a person may register points (and cards) for, by name."""
    seen = await reach(principal)
    query = Enterprise.select(
        Enterprise.id, Enterprise.name, Enterprise.village.town.id.as_alias("town_id")
    ).order_by(Enterprise.name)
    where = within(seen, Enterprise.id, Enterprise.village.town.id)
    return await (query if where is None else query.where(where))


# ---------------------------------------------------------------- pure


def read_point(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A posted warning card: its values (as typed, kept for the form) and every
    error by field at once."""
    values: dict[str, Any] = {name: text_of(data.get(name)).strip() for name in TEXT_LIMITS}
    values["danger_level"] = text_of(data.get("danger_level")).strip()
    cycle_text = text_of(data.get("inspection_cycle_days")).strip()
    errors = read_texts(values, TEXT_LIMITS, REQUIRED)
    if values["danger_level"] not in DANGER_LEVELS:
        errors["danger_level"] = _("Choose the danger level.")
    phone = values["responsible_phone"]
    if phone and "responsible_phone" not in errors and not is_phone_number(phone):
        errors["responsible_phone"] = _("Not a phone number.")
    cycle = int_or_none(cycle_text)
    low, high = CYCLE_DAYS
    if cycle is None or not low <= cycle <= high:
        errors["inspection_cycle_days"] = _("A whole number of days from %(low)s to %(high)s.") % {
            "low": low,
            "high": high,
        }
        values["inspection_cycle_days"] = cycle_text
    else:
        values["inspection_cycle_days"] = cycle
    return values, errors


def read_texts(
    values: Mapping[str, str], limits: Mapping[str, int], required: Sequence[str]
) -> dict[str, str]:
    """Errors of text fields: required ones left empty, any over its length."""
    errors: dict[str, str] = {}
    for name, limit in limits.items():
        if name in required and not values[name]:
            errors[name] = _("Required.")
        elif len(values[name]) > limit:
            errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    return errors


def next_due(last_inspected: dt.date | None, cycle_days: int) -> dt.date | None:
    """The day the next inspection is due by the point's cycle; None: never inspected
    (due now)."""
    return None if last_inspected is None else last_inspected + dt.timedelta(days=cycle_days)


def due_state(due: dt.date | None, today: dt.date) -> str:
    """never | overdue | due (today) | ok."""
    if due is None:
        return "never"
    if due < today:
        return "overdue"
    return "due" if due == today else "ok"


def inspection_place(point: Mapping[str, Any]) -> str:
    """The checklist's "place inspected" answer for a point (at most 100 characters)."""
    place = point["name"] + (f"（{point['location']}）" if point["location"] else "")
    return place[:100]


# ---------------------------------------------------------------- SQL


def _point_columns() -> tuple:
    return (
        HazardPoint.all_columns(),
        HazardPoint.enterprise.name.as_alias("enterprise_name"),
        HazardPoint.enterprise.village.town.id.as_alias("town_id"),
    )


async def point(point_id: int) -> dict | None:
    return await HazardPoint.select(*_point_columns()).where(HazardPoint.id == point_id).first()


async def inspection_points(enterprise_id: int) -> list[tuple[int, str]]:
    """The enterprise's active points as (id, place inspected): what a supervisor's
    offline task carries, so that a point's QR code opens the task there."""
    return [
        (row["id"], inspection_place(row))
        for row in await points_in(Reach(None), enterprise_id=enterprise_id)
    ]


async def points_in(
    scope: Reach, *, enterprise_id: int | None = None, retired: bool = False
) -> list[dict]:
    """The points one person sees (active ones, or the retired), each with its last
    inspection day, next due day and due state, most dangerous first."""
    query = HazardPoint.select(*_point_columns()).where(HazardPoint.active == (not retired))
    where = within(scope, HazardPoint.enterprise, HazardPoint.enterprise.village.town.id)
    if where is not None:
        query = query.where(where)
    if enterprise_id is not None:
        query = query.where(HazardPoint.enterprise == enterprise_id)
    rows = await query.order_by(HazardPoint.enterprise.name).order_by(HazardPoint.name)
    last = await last_inspected([row["id"] for row in rows])
    on = today()
    order = list(DANGER_LEVELS)
    for row in rows:
        with_due(row, last.get(row["id"]), on)
    return sorted(
        rows,
        key=lambda r: order.index(r["danger_level"]) if r["danger_level"] in order else 9,
    )


def with_due(row: dict, last: dt.date | None, today: dt.date) -> dict:
    row["last_inspected"] = last
    row["next_due"] = next_due(last, row["inspection_cycle_days"])
    row["due_state"] = due_state(row["next_due"], today)
    return row


async def last_inspected(point_ids: Sequence[int]) -> dict[int, dt.date]:
    """The local day of each point's latest submitted inspection."""
    if not point_ids:
        return {}
    links = await PointInspection.select(PointInspection.submission, PointInspection.point).where(
        PointInspection.point.is_in(list(point_ids))
    )
    point_of = {str(link["submission"]): link["point"] for link in links}
    latest: dict[int, dt.date] = {}
    ids = list(point_of)
    for start in range(0, len(ids), 500):  # bounded statements (SQLite's parameter limit)
        rows = await Submission.select(Submission.id, Submission.submitted_at).where(
            Submission.id.is_in(ids[start : start + 500]) & Submission.submitted_at.is_not_null()
        )
        for row in rows:
            point_id, day = point_of[str(row["id"])], local_date(row["submitted_at"])
            if point_id not in latest or latest[point_id] < day:
                latest[point_id] = day
    return latest


async def inspections_of(point_id: int) -> list[dict]:
    """The submissions filled at a point, newest first, with their failed checks
    (drafts too: the page shows a person only their own)."""
    links = await PointInspection.select(PointInspection.submission).where(
        PointInspection.point == point_id
    )
    ids = [link["submission"] for link in links]
    if not ids:
        return []
    rows = await Submission.select(
        Submission.id,
        Submission.status,
        Submission.created_at,
        Submission.submitted_at,
        Submission.author.id.as_alias("author_id"),
        Submission.author.display_name.as_alias("author_name"),
    ).where(Submission.id.is_in(ids))
    failed = await (
        ItemScore.select(ItemScore.submission, Count(ItemScore.id, alias="failed"))
        .where(ItemScore.submission.is_in(ids) & (ItemScore.status == "failed"))
        .group_by(ItemScore.submission)
    )
    failures = {str(row["submission"]): row["failed"] for row in failed}
    for row in rows:
        row["failed"] = failures.get(str(row["id"]), 0)
        row["day"] = local_date(row["submitted_at"] or row["created_at"])
    return sorted(rows, key=lambda r: r["submitted_at"] or r["created_at"], reverse=True)


async def save_point(
    values: Mapping[str, Any], *, enterprise_id: int | None = None, point_id: int | None = None
) -> int:
    """Register a point for `enterprise_id`, or change point `point_id`'s card."""
    now = dt.datetime.now(dt.UTC)
    fields = {name: values[name] for name in (*TEXT_LIMITS, "danger_level")}
    fields["inspection_cycle_days"] = values["inspection_cycle_days"]
    if point_id is None:
        [row] = await HazardPoint.insert(
            HazardPoint(**fields, enterprise=enterprise_id, created_at=now, updated_at=now)
        )
        return row["id"]
    await HazardPoint.update(**fields, updated_at=now).where(HazardPoint.id == point_id)
    return point_id


async def set_active(point_id: int, active: bool) -> None:
    now = dt.datetime.now(dt.UTC)
    await HazardPoint.update(active=active, updated_at=now).where(HazardPoint.id == point_id)


async def link_inspection(submission_id: uuid.UUID, point_id: int) -> None:
    """Record that a submission was filled at a point; a repeat changes nothing."""
    with contextlib.suppress(*UNIQUE_VIOLATIONS):
        await PointInspection.insert(PointInspection(submission=submission_id, point=point_id))
