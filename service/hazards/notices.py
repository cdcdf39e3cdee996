"""Rectification notices (隐患整改通知书): numbered, for one or several open hazards
of one enterprise, issued by an admin of its town or a supervisor watching it.

The number is per year: 安工整改〔2026〕第0001号. `NUMBER_PREFIX` is the one place
to change the prefix (安 for the county's union, 工 for 工会, 整改 for rectification);
the sequence restarts every (local) year. It is taken as the year's highest plus one
in the same statement as the insert; two notices issued at once collide on the
unique index (year, sequence), and the one refused takes the next number.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

import msgspec
from piccolo.query.functions.aggregate import Max

from service.accounts.principal import Principal, Role
from service.campaigns.rules import local_date
from service.collection.queries import UNIQUE_VIOLATIONS
from service.web.i18n import _l

from . import queries
from .access import actor
from .lifecycle import OPEN_STATES
from .tables import Hazard, RectificationNotice

NUMBER_PREFIX = "安工整改"
ISSUER_SUFFIX = "总工会"  # the town union issues it: 测试镇总工会
MOST_HAZARDS = 50  # items one notice lists: a page or two on A4
_ATTEMPTS = 5


def number_label(year: int, sequence: int) -> str:
    """安工整改〔2026〕第0001号"""
    return f"{NUMBER_PREFIX}〔{year}〕第{sequence:04d}号"


def issuer_name(town_name: str) -> str:
    return f"{town_name}{ISSUER_SUFFIX}"


class Refusal(enum.Enum):
    none_chosen = _l("Choose at least one open hazard.")
    too_many = _l("A notice lists at most 50 hazards.")
    other_enterprise = _l("Every hazard of a notice must be of the same enterprise.")
    not_open = _l("Only open hazards go on a notice (not closed or withdrawn ones).")


def refusal(enterprise_id: int, hazard_ids: Sequence[int], hazards: list[dict]) -> Refusal | None:
    """Why these hazards make no notice for this enterprise, or None. Pure."""
    if not hazard_ids:
        return Refusal.none_chosen
    if len(hazard_ids) > MOST_HAZARDS:
        return Refusal.too_many
    if len(hazards) != len(set(hazard_ids)) or any(
        h["enterprise"] != enterprise_id for h in hazards
    ):
        return Refusal.other_enterprise
    if any(h["state"] not in OPEN_STATES for h in hazards):
        return Refusal.not_open
    return None


async def may_issue(principal: Principal, enterprise_id: int) -> bool:
    """An admin of the enterprise's town, or a supervisor watching it."""
    town = await queries.enterprise_town(enterprise_id)
    if town is None:
        return False
    who = await actor(principal, {"enterprise": enterprise_id, "town_id": town})
    return who.town_admin or who.watching


def may_view(principal: Principal, notice: dict, watched: set[int]) -> bool:
    """Who may issue one for the enterprise, the enterprise itself, and its issuer."""
    return (
        principal.manages_town(notice["town_id"])
        or notice["enterprise"] in principal.enterprises
        or (principal.has(Role.supervisor) and notice["enterprise"] in watched)
        or notice["issued_by"] == principal.user_id
    )


async def issue(
    enterprise_id: int,
    hazards: list[dict],
    issued_by: int,
    now: dt.datetime | None = None,
    token: str | None = None,
) -> int:
    """Store the notice for `hazards` (checked by `refusal`) with the year's next
    number; its id. The deadline is the earliest of the hazards'. A post carrying the
    `token` of a notice already issued answers that notice's id, issuing nothing."""
    now = now or dt.datetime.now(dt.UTC)
    if token and (found := await _by_token(token)) is not None:
        return found
    year = local_date(now).year
    deadlines = [h["deadline"] for h in hazards if h["deadline"] is not None]
    values = {
        "year": year,
        "enterprise": enterprise_id,
        "hazards": msgspec.json.encode([h["id"] for h in hazards]).decode(),
        "deadline": min(deadlines) if deadlines else None,
        "issued_by": issued_by,
        "issued_at": now,
        "issuer": issuer_name(hazards[0]["town_name"]),
        "token": token,
    }
    for attempt in range(_ATTEMPTS):
        highest = await RectificationNotice.select(
            Max(RectificationNotice.sequence, alias="highest")
        ).where(RectificationNotice.year == year)
        sequence = (highest[0]["highest"] or 0) + 1 if highest else 1
        try:
            rows = await RectificationNotice.insert(
                RectificationNotice(sequence=sequence, **values)
            ).returning(RectificationNotice.id)
            return rows[0]["id"]
        except UNIQUE_VIOLATIONS:
            if token and (found := await _by_token(token)) is not None:
                return found  # the same post, a moment earlier
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _by_token(token: str) -> int | None:
    row = (
        await RectificationNotice.select(RectificationNotice.id)
        .where(RectificationNotice.token == token)
        .first()
    )
    return row["id"] if row else None


def _columns() -> tuple:
    return (
        RectificationNotice.all_columns(),
        RectificationNotice.enterprise.name.as_alias("enterprise_name"),
        RectificationNotice.enterprise.village.town.id.as_alias("town_id"),
        RectificationNotice.issued_by.display_name.as_alias("issued_by_name"),
    )


def _decoded(row: dict) -> dict:
    row["hazards"] = msgspec.json.decode(row["hazards"] or "[]", type=list[int])
    row["number"] = number_label(row["year"], row["sequence"])
    return row


async def notice(notice_id: int) -> dict | None:
    row = await (
        RectificationNotice.select(*_columns()).where(RectificationNotice.id == notice_id).first()
    )
    return _decoded(row) if row else None


async def notices(principal: Principal, watched: set[int], limit: int = 200) -> list[dict]:
    """The notices `principal` may see, newest first."""
    query = RectificationNotice.select(*_columns())
    if not (principal.has(Role.admin) and principal.admin_towns is None):
        seen = RectificationNotice.issued_by == principal.user_id
        enterprises = set(principal.enterprises)
        if principal.has(Role.supervisor):
            enterprises |= watched
        if enterprises:
            seen = seen | RectificationNotice.enterprise.is_in(sorted(enterprises))
        if principal.has(Role.admin) and principal.admin_towns:
            towns = sorted(principal.admin_towns)
            seen = seen | RectificationNotice.enterprise.village.town.id.is_in(towns)
        query = query.where(seen)
    rows = await query.order_by(RectificationNotice.issued_at, ascending=False).limit(limit)
    return [_decoded(row) for row in rows]


async def notices_of(hazard_id: int) -> list[dict]:
    """The notices listing this hazard, oldest first: those of its enterprise whose
    hazard list (JSON) holds its id."""
    enterprise = await Hazard.select(Hazard.enterprise).where(Hazard.id == hazard_id).first()
    if enterprise is None:
        return []
    rows = await (
        RectificationNotice.select(*_columns())
        .where(RectificationNotice.enterprise == enterprise["enterprise"])
        .order_by(RectificationNotice.issued_at)
    )
    return [row for row in map(_decoded, rows) if hazard_id in row["hazards"]]
