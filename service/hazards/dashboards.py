"""The hazard overview (`/hazards/overview`): one page, a block per role the viewer
holds.

- Enterprise: its open and overdue hazards, each with what to do next.
- Supervisor: the hazards they found, those awaiting verification at the enterprises
  they watch (not rectified by them), and those overdue there.
- Admin: the rectification rate and the overdue hazards per enterprise and per area
  (village, town), the open major hazards, and the found-versus-closed trend.

Every figure is one aggregate statement over the viewer's scope (access.scope), the
same on SQLite and PostgreSQL: no statement per enterprise or per hazard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from service.accounts.principal import Principal, Role
from service.campaigns.rules import LOCAL_TIME, today
from service.orgs import queries as orgs
from service.web.access import access
from service.web.i18n import gettext_ as _

from . import grades, presentation, queries
from .access import scope
from .lifecycle import OPEN_STATES, State
from .queries import COUNTS, COUNTS_SQL, Counts, Filters, counts_args, counts_of
from .tables import Hazard, HazardEvent
from .trend import Per, Period, periods, trend_svg

LISTED = 20  # hazards a list of the overview shows; the register has the rest
OPEN = tuple(s.value for s in OPEN_STATES)


class Figures(Counts, frozen=True, kw_only=True):
    """Hazard figures of one enterprise or one area."""

    id: int
    name: str
    area: str  # the village of an enterprise, the town of a village, a town's county


def _scope_sql(f: Filters) -> tuple[str, list[Any]]:
    """The viewer's scope (access.scope) as a condition on `h`, `v`, and its arguments:
    the same OR of enterprises, towns and own findings as queries._where."""
    parts: list[str] = []
    args: list[Any] = []
    for column, values in (("h.enterprise", f.enterprise_ids), ("v.town", f.town_ids)):
        if values is not None:
            listed = sorted(values) or [-1]
            parts.append(f"{column} IN ({', '.join('{}' for _ in listed)})")
            args += listed
    if f.found_by is not None:
        parts.append("h.found_by = {}")
        args.append(f.found_by)
    return ("(" + " OR ".join(parts) + ")" if parts else "1 = 1"), args


# The counts' placeholders (queries.counts_args), then the scope's; GROUP names the
# grouping columns.
_GROUPED_SQL = """
SELECT {group} AS id, {name} AS name, {area} AS area{areas}, {counts}
FROM hazard h
JOIN enterprise e ON e.id = h.enterprise
JOIN village v ON v.id = e.village
JOIN town t ON t.id = v.town
WHERE {scope}
GROUP BY {group}, {name}, {area}{area_groups}
ORDER BY {order}
"""

_GROUPINGS = {
    # An enterprise's figures, with its village; the worst rate first.
    "enterprise": ("e.id", "e.name", "v.name"),
    "village": ("v.id", "v.name", "t.name"),
    "town": ("t.id", "t.name", "t.county"),
}


async def grouped_figures(f: Filters, by: str, today: dt.date) -> list[Figures]:
    """Hazard figures per enterprise, village or town in the scope `f`, the areas in
    name order, the enterprises most overdue first (only those with hazards)."""
    return [_figures(row) for row in await _grouped_rows(f, by, today)]


# Each enterprise's village and town with its figures: the admin's overview sums the
# villages' and towns' figures from the enterprises' (one scan of the hazards, not three).
_AREAS = (
    ("v.id", "village_id"),
    ("t.id", "town_id"),
    ("t.name", "town_name"),
    ("t.county", "county"),
)


async def _grouped_rows(f: Filters, by: str, today: dt.date, areas: bool = False) -> list[dict]:
    group, name, area = _GROUPINGS[by]
    where, args = _scope_sql(f)
    order = {"enterprise": "overdue DESC, open DESC, e.name", "village": "t.name, v.name"}.get(
        by, "t.name"
    )
    sql = _GROUPED_SQL.format(
        group=group,
        name=name,
        area=area,
        counts=COUNTS_SQL,
        areas="".join(f", {c} AS {alias}" for c, alias in _AREAS) if areas else "",
        area_groups="".join(f", {c}" for c, _ in _AREAS) if areas else "",
        scope=where,
        order=order,
    )
    return await Hazard.raw(sql, *counts_args(today), *args)


def _figures(row: dict) -> Figures:
    return Figures(
        id=row["id"],
        name=row["name"],
        area=row["area"] or "",
        **counts_of(row),
    )


async def area_figures(
    f: Filters, today: dt.date
) -> tuple[list[Figures], list[Figures], list[Figures]]:
    """What grouped_figures gives per enterprise, village and town, from one statement."""
    rows = await _grouped_rows(f, "enterprise", today, areas=True)
    villages: dict[int, dict] = {}
    towns: dict[int, dict] = {}
    for row in rows:
        for sums, key, name, area in (
            (villages, row["village_id"], row["area"], row["town_name"]),
            (towns, row["town_id"], row["town_name"], row["county"]),
        ):
            total = sums.setdefault(
                key, {"id": key, "name": name, "area": area, **dict.fromkeys(COUNTS, 0)}
            )
            for k in COUNTS:
                total[k] += int(row[k] or 0)
    by_name = sorted(villages.values(), key=lambda v: (v["area"] or "", v["name"]))
    return (
        [_figures(row) for row in rows],
        [_figures(v) for v in by_name],
        [_figures(t) for t in sorted(towns.values(), key=lambda t: t["name"])],
    )


def _moment(day: dt.date) -> dt.datetime:
    """The local midnight starting `day` (stored moments are compared in UTC)."""
    return dt.datetime.combine(day, dt.time(0), LOCAL_TIME).astimezone(dt.UTC)


async def trend(f: Filters, today: dt.date, per: Per) -> list[Period]:
    """Hazards found (but not withdrawn) and closed in each of the last periods, in
    one statement: a pair of sums per period, bounded by local midnights."""
    empty = periods(today, per)
    columns, args = [], []
    for n, p in enumerate(empty):
        columns.append(
            f"SUM(CASE WHEN h.found_at >= {{}} AND h.found_at < {{}} AND h.state <> {{}} "
            f"THEN 1 ELSE 0 END) AS found_{n}, "
            f"SUM(CASE WHEN h.closed_at >= {{}} AND h.closed_at < {{}} AND h.state = {{}} "
            f"THEN 1 ELSE 0 END) AS closed_{n}"
        )
        start, end = _moment(p.start), _moment(p.end)
        args += [start, end, State.withdrawn.value, start, end, State.closed.value]
    where, scope_args = _scope_sql(f)
    first = _moment(empty[0].start)
    rows = await Hazard.raw(
        f"SELECT {', '.join(columns)} FROM hazard h "
        "JOIN enterprise e ON e.id = h.enterprise JOIN village v ON v.id = e.village "
        f"WHERE {where} AND (h.found_at >= {{}} OR h.closed_at >= {{}})",
        *args,
        *scope_args,
        first,
        first,
    )
    row = rows[0] if rows else {}
    return [
        msgspec.structs.replace(
            p, found=int(row.get(f"found_{n}") or 0), closed=int(row.get(f"closed_{n}") or 0)
        )
        for n, p in enumerate(empty)
    ]


async def sent_back(hazard_ids: list[int]) -> dict[int, str]:
    """The latest send-back reason of each of the hazards that were ever sent back:
    in state rectifying, such a hazard is being fixed again."""
    if not hazard_ids:
        return {}
    rows = await (
        HazardEvent.select(HazardEvent.hazard, HazardEvent.detail)
        .where(HazardEvent.hazard.is_in(hazard_ids) & (HazardEvent.action == "send_back"))
        .order_by(HazardEvent.id)
    )
    return {
        row["hazard"]: str(msgspec.json.decode(row["detail"] or "{}").get("reason", ""))
        for row in rows
    }


def next_step(hazard: dict, reasons: dict[int, str]) -> str:
    """What the enterprise is to do next about one of its hazards."""
    state = hazard["state"]
    if state == State.reported:
        if grades.needs_plan(hazard["grade"]):
            return _("Write the rectification plan and acknowledge the hazard")
        return _("Acknowledge the hazard and start rectifying")
    if state == State.rectifying and hazard["id"] in reasons:
        return _("Sent back: fix it again (%(reason)s)") % {"reason": reasons[hazard["id"]]}
    if state == State.rectifying:
        deadline = hazard["deadline"].isoformat() if hazard["deadline"] else "—"
        return _("Submit the rectification before %(deadline)s") % {"deadline": deadline}
    return _("Awaiting verification: nothing to do")


# ---------------------------------------------------------------- the blocks


async def enterprise_block(principal: Principal, today: dt.date) -> dict:
    own = Filters(enterprise_ids=principal.enterprises, states=OPEN)
    hazards = await queries.hazards(own, limit=None)
    reasons = await sent_back([h["id"] for h in hazards if h["state"] == State.rectifying])
    # What needs the enterprise first: overdue, then by deadline.
    hazards.sort(
        key=lambda h: (
            not presentation.is_overdue(h, today),
            h["state"] == State.submitted,
            h["deadline"] or dt.date.max,
        )
    )
    figures = await queries.figures(today, sorted(principal.enterprises))
    return {
        "hazards": [{**h, "next_step": next_step(h, reasons)} for h in hazards],
        "open": sum(f.open for f in figures.values()),
        "overdue": sum(f.overdue for f in figures.values()),
    }


async def supervisor_block(principal: Principal, today: dt.date) -> dict:
    watched = frozenset(await orgs.watched_by(principal.user_id))
    found = await queries.hazards(Filters(found_by=principal.user_id), limit=LISTED)
    waiting = await queries.hazards(
        Filters(enterprise_ids=watched, states=(State.submitted.value,)), limit=None
    )
    overdue = await queries.hazards(Filters(enterprise_ids=watched, overdue_on=today), limit=None)
    return {
        "found": found,
        "found_total": await queries.count(Filters(found_by=principal.user_id)),
        # Who submitted a rectification never verifies it.
        "waiting": [h for h in waiting if h["rectified_by"] != principal.user_id],
        "overdue": overdue,
    }


async def admin_block(principal: Principal, today: dt.date, per: Per) -> dict:
    seen = await scope(principal)
    enterprises, villages, towns = await area_figures(seen, today)
    found = sum(f.found for f in enterprises)
    closed = sum(f.closed for f in enterprises)
    trend_periods = await trend(seen, today, per)
    return {
        "rate": round(100 * closed / found, 1) if found else None,
        "found": found,
        "closed": closed,
        "overdue_total": sum(f.overdue for f in enterprises),
        "enterprises": enterprises,
        "villages": villages,
        "towns": towns,
        "major": await queries.hazards(
            msgspec.structs.replace(seen, states=OPEN, grade=grades.MAJOR), limit=None
        ),
        "overdue": await queries.hazards(
            msgspec.structs.replace(seen, overdue_on=today), limit=LISTED
        ),
        "per": per.value,
        "trend": trend_periods,
        "trend_svg": trend_svg(
            trend_periods,
            chart_id="chart-hazard-trend",
            title=_("Hazards found and closed"),
            found_label=_("Found"),
            closed_label=_("Closed hazards"),
            empty=_("No hazard found or closed in these periods."),
        ),
    }


@get(
    "/hazards/overview",
    name="hazard_overview",
    opt=access(Role.admin, Role.supervisor, Role.enterprise),
    include_in_schema=False,
)
async def overview(request: Request, per: FromQuery[str] = "week") -> Template:
    principal: Principal = request.user
    on = today()
    chosen = Per.month if per == Per.month else Per.week
    context: dict[str, Any] = {"today": on}
    if principal.has(Role.enterprise) and principal.enterprises:
        context["enterprise"] = await enterprise_block(principal, on)
    if principal.has(Role.supervisor):
        context["supervisor"] = await supervisor_block(principal, on)
    if principal.has(Role.admin):
        context["admin"] = await admin_block(principal, on, chosen)
    return Template("hazards/dashboard.html", context=context)


ROUTES = [overview]
