"""All SQL of series: the series themselves, a campaign's round, the imported past
results, and a campaign's history (what its participants got in the earlier rounds:
the published snapshots of the series' earlier campaigns, and the imported rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from service.campaigns.tables import Campaign
from service.publication.snapshot import SnapshotRow
from service.publication.tables import ResultSnapshot
from service.rankings.history import PastResult, previous_year
from service.rankings.policy import Policy

from .past_file import PastRecord
from .tables import PastTitle, Series

Key = tuple[int, int | None]  # (enterprise, team)


async def list_series(town_ids: Iterable[int] | None) -> list[dict]:
    """The series of these towns (None: every town), by name."""
    query = Series.select(
        Series.id,
        Series.name,
        Series.kind,
        Series.town.id.as_alias("town_id"),
        Series.town.name.as_alias("town_name"),
        Series.town.county.as_alias("county"),
    ).order_by(Series.name)
    if town_ids is not None:
        query = query.where(Series.town.is_in(list(town_ids) or [-1]))
    return await query


async def get_series(series_id: int) -> dict | None:
    return (
        await Series.select(Series.id, Series.name, Series.kind, Series.town.id.as_alias("town_id"))
        .where(Series.id == series_id)
        .first()
    )


async def create_series(name: str, town_id: int, kind: str) -> int:
    [row] = await Series.insert(
        Series(name=name, town=town_id, kind=kind, created_at=dt.datetime.now(dt.UTC))
    )
    return row["id"]


async def rounds(series_id: int) -> list[dict]:
    """The series' campaigns and the years of its imported results, for its page."""
    campaigns = (
        await Campaign.select(
            Campaign.id, Campaign.name, Campaign.round_year, Campaign.round_label, Campaign.opens_at
        )
        .where(Campaign.series == series_id)
        .order_by(Campaign.opens_at, ascending=False)
    )
    for campaign in campaigns:
        campaign["year"] = campaign["round_year"] or campaign["opens_at"].year
    return campaigns


async def imported_years(series_id: int) -> list[dict]:
    """Per imported year: how many results."""
    rows = await PastTitle.raw(
        "SELECT year, COUNT(*) AS results FROM series_history WHERE series = {} "
        "GROUP BY year ORDER BY year DESC",
        series_id,
    )
    return rows


async def set_round(campaign_id: int, series_id: int | None, year: int | None, label: str) -> None:
    await Campaign.update(
        {Campaign.series: series_id, Campaign.round_year: year, Campaign.round_label: label}
    ).where(Campaign.id == campaign_id)


@dataclass
class PastImport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    unknown_units: list[str] = field(default_factory=list)  # not registered here (yet)


async def import_past(series_id: int, records: list[PastRecord], by: int | None) -> PastImport:
    """Store checked rows in one transaction. A row is keyed by (series, year, credit
    code): importing the same file again changes nothing, a corrected one replaces."""
    summary = PastImport()
    now = dt.datetime.now(dt.UTC)
    async with PastTitle._meta.db.transaction():
        existing = {
            (row["year"], row["credit_code"]): row
            for row in await PastTitle.select().where(PastTitle.series == series_id)
        }
        added: list[PastTitle] = []
        for record in records:
            values = {
                "round_label": record.round_label,
                "enterprise_name": record.name,
                "grade": record.grade,
                "award": record.award,
            }
            row = existing.get((record.year, record.credit_code))
            if row is None:
                added.append(
                    PastTitle(
                        series=series_id,
                        year=record.year,
                        credit_code=record.credit_code,
                        imported_at=now,
                        imported_by=by,
                        **values,
                    )
                )
            elif any(row[name] != value for name, value in values.items()):
                await PastTitle.update({**values, "imported_at": now, "imported_by": by}).where(
                    PastTitle.id == row["id"]
                )
                summary.replaced += 1
            else:
                summary.unchanged += 1
        # A county's past years are thousands of rows: a statement per 500, not one each
        # (500 rows of nine values stay under SQLite's limit of bound values).
        for start in range(0, len(added), 500):
            await PastTitle.insert(*added[start : start + 500])
        summary.added = len(added)
        codes = sorted({r.credit_code for r in records})
        known = (
            {
                row["credit_code"]
                for row in await PastTitle.raw(
                    "SELECT credit_code FROM enterprise WHERE credit_code IN ("
                    + ", ".join(["{}"] * len(codes))
                    + ")",
                    *codes,
                )
            }
            if codes
            else set()
        )
        summary.unknown_units = sorted({r.name for r in records if r.credit_code not in known})
    return summary


# ---------------------------------------------------------------- a campaign's history


def round_year(campaign: dict) -> int:
    """The year a campaign's round counts as: as set, else the year it opens."""
    return campaign.get("round_year") or campaign["opens_at"].year


async def history_version(campaign: dict) -> tuple[Any, ...]:
    """What changes whenever the campaign's history may: its round, the series'
    imported rows and the publications of the series' campaigns."""
    series_id = campaign.get("series_id")
    if series_id is None:
        return (None,)
    [row] = await PastTitle.raw(
        "SELECT (SELECT MAX(imported_at) FROM series_history WHERE series = {}) AS imported, "
        "(SELECT COUNT(*) FROM series_history WHERE series = {}) AS rows, "
        "(SELECT MAX(published_at) FROM result_snapshot WHERE campaign IN "
        "(SELECT id FROM campaign WHERE series = {})) AS published",
        series_id,
        series_id,
        series_id,
    )
    return (series_id, round_year(campaign), row["imported"], row["rows"], row["published"])


async def campaign_history(campaign: dict) -> dict[Key, tuple[PastResult, ...]]:
    """What each unit got in the rounds of the campaign's series before its own:
    the newest published snapshot of each earlier campaign (grades and awards named by
    that snapshot's policy), and the imported results (enterprises, by credit code).
    Empty for a campaign outside a series."""
    series_id = campaign.get("series_id")
    if series_id is None:
        return {}
    year = round_year(campaign)
    earlier = {
        c["id"]: c["year"]
        for c in await rounds(series_id)
        if c["id"] != campaign["id"] and c["year"] < year
    }
    found: list[tuple[Key, int, str | None, str | None]] = []
    years: set[int] = set()
    if earlier:
        published = (
            await ResultSnapshot.select(
                ResultSnapshot.campaign, ResultSnapshot.policy, ResultSnapshot.result
            )
            .where(
                ResultSnapshot.campaign.is_in(list(earlier)),
                ResultSnapshot.published_at.is_not_null(),
            )
            .order_by(ResultSnapshot.number, ascending=False)
        )
        newest: dict[int, dict] = {}
        for snapshot in published:
            newest.setdefault(snapshot["campaign"], snapshot)
        for campaign_id, snapshot in newest.items():
            years.add(earlier[campaign_id])
            policy = msgspec.json.decode(snapshot["policy"], type=Policy)
            grades = {band.id: band.label.zh for band in policy.grades}
            awards = {award.id: award.label.zh for award in policy.awards}
            for row in msgspec.json.decode(snapshot["result"], type=list[SnapshotRow]):
                if row.grade or row.award:
                    found.append(
                        (
                            row.key,
                            earlier[campaign_id],
                            grades.get(row.grade, row.grade) if row.grade else None,
                            awards.get(row.award, row.award) if row.award else None,
                        )
                    )
    imported = await PastTitle.raw(
        "SELECT h.year, h.grade, h.award, e.id AS enterprise_id FROM series_history h "
        "LEFT JOIN enterprise e ON e.credit_code = h.credit_code "
        "WHERE h.series = {} AND h.year < {}",
        series_id,
        year,
    )
    for row in imported:
        years.add(row["year"])
        if row["enterprise_id"] is not None:
            key = (row["enterprise_id"], None)
            found.append((key, row["year"], row["grade"] or None, row["award"] or None))
    previous = previous_year(year, sorted(years))
    history: dict[Key, list[PastResult]] = {}
    for key, past_year, grade, award in found:
        history.setdefault(key, []).append(
            PastResult(
                year=past_year,
                years_ago=year - past_year,
                previous_round=past_year == previous,
                grade=grade,
                award=award,
            )
        )
    return {key: tuple(sorted(v, key=lambda p: -p.year)) for key, v in history.items()}
