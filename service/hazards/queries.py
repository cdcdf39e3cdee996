"""All SQL about hazards: creating them with the submission that found them, the
register with its filters, one hazard with its timeline, and transitions.

A transition is one conditional update (`WHERE id = ? AND version = ?`) and its
timeline event, in one transaction: two people acting on the same state, only the
first changes it; the second is told the hazard changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from service.db import Statement
from service.orgs.tables import Enterprise

from . import grades
from .detection import Found
from .lifecycle import OPEN_STATES, OVERDUE_STATES, State
from .tables import Hazard, HazardEvent

PAGE_SIZE = 50


def _arg(value: uuid.UUID) -> uuid.UUID | str:
    """A UUID as a raw statement argument: SQLite stores UUIDs as text."""
    return str(value) if Hazard._meta.db.engine_type == "sqlite" else value


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def stored_description(hazard: Found) -> str:
    """One text, as a hazard entered by hand has: the title on the first line (what the
    register, the hazard page and the notice lead with), what was seen below it."""
    return "\n".join(part for part in (hazard.title, hazard.description) if part)


def creation_statements(
    submission_id: uuid.UUID,
    enterprise_id: int | None,
    found_by: int | None,
    found: Sequence[Found],
    photos: dict[str, list[str]],
    now: dt.datetime,
    today: dt.date,
    *,
    correction: bool = False,
) -> list[Statement]:
    """The statements that store the hazards a submission found, each with its
    "reported" timeline event, to run in the submission's own atomic write.

    A hazard already stored for the same submission and item (a retry, or a
    correction that keeps the failure) is left as it is. A `correction` that no
    longer fails an item withdraws its hazard if the enterprise has not acknowledged
    it yet (once acknowledged, it runs its course)."""
    if enterprise_id is None:
        return []
    statements = _withdrawn_by_correction(submission_id, found, found_by, now) if correction else []
    if not found:
        return statements
    # Two statements however many hazards (one round trip each on PostgreSQL, where a
    # statement per hazard and per event made ten hazards cost twenty round trips).
    submission, reported = _arg(submission_id), State.reported.value
    keys: list[uuid.UUID | str] = []
    args: list[Any] = []
    for hazard in found:
        keys.append(_arg(uuid.uuid4()))
        evidence = [p for item in hazard.photo_items for p in photos.get(item, [])]
        args += [
            keys[-1],
            enterprise_id,
            submission,
            submission,
            hazard.item,
            hazard.source,
            hazard.location,
            hazard.gps,
            stored_description(hazard),
            hazard.standard,
            _json(evidence),
            hazard.grade,
            reported,
            found_by,
            now,
            grades.default_deadline(hazard.grade, today),
            hazard.measures,
            now,
        ]
    values = (
        "(?, ?, (SELECT point FROM point_inspection WHERE submission = ?), ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, '', ?, ?, '', '', '[]', 1, ?)"
    )
    return [
        *statements,
        (
            "INSERT INTO hazard (key, enterprise, hazard_point, submission, item, source, "
            "location, gps, description, standard, photos, grade, state, found_by, found_at, "
            "responsible, deadline, measures, plan, rectification, after_photos, version, "
            f"updated_at) VALUES {', '.join([values] * len(found))} "
            "ON CONFLICT (submission, item) DO NOTHING",
            args,
        ),
        # Only the hazards just stored: a retry's new keys match none.
        (
            "INSERT INTO hazard_event (hazard, action, from_state, to_state, actor, at, "
            "detail) SELECT id, 'reported', '', ?, ?, ?, '{}' FROM hazard "
            f"WHERE key IN ({', '.join('?' * len(keys))}) ORDER BY id",
            [reported, found_by, now, *keys],
        ),
    ]


def _withdrawn_by_correction(
    submission_id: uuid.UUID, found: Sequence[Found], actor: int | None, now: dt.datetime
) -> list[Statement]:
    """Withdraw the unacknowledged hazards of items the correction no longer fails:
    the timeline entry first (it selects them by their state), then the state."""
    which = "submission = ? AND state = ?"
    keep = [hazard.item for hazard in found]
    if keep:
        which += f" AND item NOT IN ({', '.join('?' * len(keep))})"
    args = [_arg(submission_id), State.reported.value, *keep]
    withdrawn = State.withdrawn.value
    return [
        (
            "INSERT INTO hazard_event (hazard, action, from_state, to_state, actor, at, "
            f"detail) SELECT id, 'withdraw', state, ?, ?, ?, ? FROM hazard WHERE {which}",
            [withdrawn, actor, now, _json({"corrected": True}), *args],
        ),
        (
            f"UPDATE hazard SET state = ?, version = version + 1, updated_at = ? WHERE {which}",
            [withdrawn, now, *args],
        ),
    ]


# ---------------------------------------------------------------- reading


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """What the register is narrowed to; None: no narrowing by that."""

    enterprise_ids: frozenset[int] | None = None  # the scope of who is asking
    town_ids: frozenset[int] | None = None
    found_by: int | None = None  # a supervisor's own findings, besides the scope
    states: tuple[str, ...] | None = None
    grade: str | None = None
    overdue_on: dt.date | None = None  # only the overdue ones on this day
    point_id: int | None = None
    enterprise_id: int | None = None
    search: str = ""


def _columns() -> tuple:
    return (
        Hazard.all_columns(),
        Hazard.enterprise.name.as_alias("enterprise_name"),
        Hazard.enterprise.village.name.as_alias("village_name"),
        Hazard.enterprise.village.town.id.as_alias("town_id"),
        Hazard.enterprise.village.town.name.as_alias("town_name"),
        Hazard.hazard_point.name.as_alias("point_name"),
        Hazard.found_by.display_name.as_alias("found_by_name"),
        Hazard.rectified_by.display_name.as_alias("rectified_by_name"),
        Hazard.closed_by.display_name.as_alias("closed_by_name"),
    )


def _where(query: Any, f: Filters) -> Any:
    scope = None
    if f.enterprise_ids is not None:
        scope = Hazard.enterprise.is_in(list(f.enterprise_ids) or [-1])
    if f.town_ids is not None:
        in_towns = Hazard.enterprise.village.town.id.is_in(list(f.town_ids) or [-1])
        scope = in_towns if scope is None else scope | in_towns
    if f.found_by is not None:
        mine = Hazard.found_by == f.found_by
        scope = mine if scope is None else scope | mine
    if scope is not None:
        query = query.where(scope)
    if f.states is not None:
        query = query.where(Hazard.state.is_in(list(f.states) or [""]))
    if f.grade:
        query = query.where(Hazard.grade == f.grade)
    if f.overdue_on is not None:
        query = query.where(
            Hazard.state.is_in([s.value for s in OVERDUE_STATES]) & (Hazard.deadline < f.overdue_on)
        )
    if f.point_id is not None:
        query = query.where(Hazard.hazard_point == f.point_id)
    if f.enterprise_id is not None:
        query = query.where(Hazard.enterprise == f.enterprise_id)
    if f.search:
        like = "%" + f.search.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            Hazard.description.like(like)
            | Hazard.location.like(like)
            | Hazard.enterprise.name.like(like)
        )
    return query


def _decoded(row: dict) -> dict:
    row["photos"] = msgspec.json.decode(row["photos"] or "[]")
    row["after_photos"] = msgspec.json.decode(row["after_photos"] or "[]")
    row["plan"] = msgspec.json.decode(row["plan"]) if row["plan"] else None
    return row


async def hazards(f: Filters, *, limit: int | None = PAGE_SIZE, offset: int = 0) -> list[dict]:
    """The register: newest found first."""
    query = _where(Hazard.select(*_columns()), f).order_by(Hazard.found_at, ascending=False)
    query = query.order_by(Hazard.id, ascending=False)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_decoded(row) for row in await query]


async def count(f: Filters) -> int:
    return await _where(Hazard.count(), f)


async def hazard(hazard_id: int) -> dict | None:
    row = await Hazard.select(*_columns()).where(Hazard.id == hazard_id).first()
    return _decoded(row) if row else None


async def hazards_by_id(ids: Sequence[int]) -> list[dict]:
    rows = await Hazard.select(*_columns()).where(Hazard.id.is_in(list(ids) or [-1]))
    order = {hazard_id: n for n, hazard_id in enumerate(ids)}
    return sorted((_decoded(r) for r in rows), key=lambda r: order.get(r["id"], 0))


async def timeline(hazard_id: int) -> list[dict]:
    rows = await (
        HazardEvent.select(
            HazardEvent.all_columns(), HazardEvent.actor.display_name.as_alias("actor_name")
        )
        .where(HazardEvent.hazard == hazard_id)
        .order_by(HazardEvent.at)
        .order_by(HazardEvent.id)
    )
    for row in rows:
        row["detail"] = msgspec.json.decode(row["detail"] or "{}")
    return rows


async def of_submission(submission_id: uuid.UUID) -> list[dict]:
    """The hazards a submission found, in the form's order of failure."""
    rows = (
        await Hazard.select(*_columns())
        .where(Hazard.submission == submission_id)
        .order_by(Hazard.id)
    )
    return [_decoded(row) for row in rows]


# ---------------------------------------------------------------- changing


async def transition(
    hazard_id: int,
    version: int,
    action: str,
    from_state: str,
    to_state: str,
    values: dict[str, Any],
    actor_id: int,
    detail: dict[str, Any],
    now: dt.datetime | None = None,
) -> bool:
    """Apply a permitted step: set `values` and the state if the hazard is still at
    `version`, and record the step. False, changing nothing, if it moved on."""
    now = now or dt.datetime.now(dt.UTC)
    columns = {getattr(Hazard, name): value for name, value in values.items()}
    columns[Hazard.state] = to_state
    columns[Hazard.version] = version + 1
    columns[Hazard.updated_at] = now
    async with Hazard._meta.db.transaction():
        updated = (
            await Hazard.update(columns)
            .where((Hazard.id == hazard_id) & (Hazard.version == version))
            .returning(Hazard.id)
        )
        if not updated:
            return False
        await HazardEvent.insert(
            HazardEvent(
                hazard=hazard_id,
                action=action,
                from_state=from_state,
                to_state=to_state,
                actor=actor_id,
                at=now,
                detail=_json(detail),
            )
        )
    return True


async def create(values: dict[str, Any], actor_id: int, now: dt.datetime | None = None) -> int:
    """A hazard entered directly (not through a form), reported now."""
    now = now or dt.datetime.now(dt.UTC)
    async with Hazard._meta.db.transaction():
        rows = await Hazard.insert(
            Hazard(
                key=uuid.uuid4(),
                state=State.reported.value,
                found_by=actor_id,
                found_at=now,
                updated_at=now,
                source="manual",
                **values,
            )
        ).returning(Hazard.id)
        hazard_id = rows[0]["id"]
        await HazardEvent.insert(
            HazardEvent(
                hazard=hazard_id,
                action="reported",
                from_state="",
                to_state=State.reported.value,
                actor=actor_id,
                at=now,
                detail="{}",
            )
        )
    return hazard_id


# ---------------------------------------------------------------- figures


class Counts(msgspec.Struct, frozen=True, kw_only=True):
    """Hazards in figures, of an enterprise or an area: what rankings and dashboards show."""

    found: int  # every hazard but the withdrawn
    closed: int
    open: int
    overdue: int
    open_major: int

    @property
    def rectification_rate(self) -> float | None:
        """Closed over found, in percent; None with nothing found."""
        return round(100 * self.closed / self.found, 1) if self.found else None


COUNTS = ("found", "closed", "open", "overdue", "open_major")

# The Counts of the hazards `h` grouped by a query; their arguments: `counts_args`.
COUNTS_SQL = """
       SUM(CASE WHEN h.state <> {} THEN 1 ELSE 0 END) AS found,
       SUM(CASE WHEN h.state = {} THEN 1 ELSE 0 END) AS closed,
       SUM(CASE WHEN h.state IN ({}, {}, {}) THEN 1 ELSE 0 END) AS open,
       SUM(CASE WHEN h.state IN ({}, {}) AND h.deadline < {} THEN 1 ELSE 0 END) AS overdue,
       SUM(CASE WHEN h.state IN ({}, {}, {}) AND h.grade = {} THEN 1 ELSE 0 END) AS open_major
"""


def counts_args(today: dt.date) -> list[Any]:
    open_ = [s.value for s in OPEN_STATES]
    overdue = [s.value for s in OVERDUE_STATES]
    return [
        State.withdrawn.value,
        State.closed.value,
        *open_,
        *overdue,
        today,
        *open_,
        grades.MAJOR,
    ]


def counts_of(row: dict) -> dict[str, int]:
    """A row's Counts fields (a sum over no row is NULL on some engines)."""
    return {k: int(row[k] or 0) for k in COUNTS}


class EnterpriseFigures(Counts, frozen=True, kw_only=True):
    enterprise_id: int


# SCOPE narrows to enterprises.
_FIGURES_SQL = f"""
SELECT h.enterprise AS enterprise_id, {COUNTS_SQL}
FROM hazard h
WHERE SCOPE
GROUP BY h.enterprise
"""


async def figures(
    today: dt.date,
    enterprise_ids: Sequence[int] | None = None,
    *,
    campaign_id: int | None = None,
) -> dict[int, EnterpriseFigures]:
    """Each enterprise's hazard figures (only enterprises with hazards appear); of
    the participants of `campaign_id` when given (a ranking: one statement, however
    many participants)."""
    scope, args = "1 = 1", []
    if enterprise_ids is not None:
        args = [int(i) for i in enterprise_ids] or [-1]
        scope = "h.enterprise IN (" + ", ".join("{}" for _ in args) + ")"
    if campaign_id is not None:
        args = [campaign_id]
        scope = "h.enterprise IN (SELECT enterprise FROM campaign_participant WHERE campaign = {})"
    rows = await Hazard.raw(_FIGURES_SQL.replace("SCOPE", scope), *counts_args(today), *args)
    return {
        row["enterprise_id"]: EnterpriseFigures(
            enterprise_id=row["enterprise_id"], **counts_of(row)
        )
        for row in rows
    }


async def enterprise_town(enterprise_id: int) -> int | None:
    row = (
        await Enterprise.select(Enterprise.village.town.id.as_alias("town_id"))
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    return row["town_id"] if row else None
