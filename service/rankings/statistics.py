"""All SQL of a campaign's charts: section averages and the items most often failed.

Both aggregate in SQL over the stored scores of the counted submissions (the current
revision of those submitted or being corrected, as the ranking counts them), narrowed
to the same group as the rankings page: the participants of the campaign whose
enterprise is in the chosen area, industry, ownership and size band. The score
distribution needs no query: it is drawn from the ranking the page already made.

Each participant counts once, however many judges scored it: a section's judges'
average is the mean, over participants, of each participant's judges' mean, so an
enterprise with five judges weighs no more than one with three.

Cost: every counted submission's section and item score rows are read. At the bench's
10,000 enterprises (60,000 submissions, 3.6 M item scores, a fifth of them failed) the
whole campaign took SQLite about 0.8 s for the sections and 2.4 s for the items
(PostgreSQL 0.6 s and 1.5 s) on a busy 2-core machine; one area of 200 enterprises
0.05-0.15 s. An index would not help much: the rows are found through the existing
(submission, …) unique indexes, and the time goes on reading and grouping them (a
partial index on the failed item scores saved under a fifth, and would cost every
submit). So the results are cached per scores version, like the standings, and they
have a page of their own: the rankings page never waits for them.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import msgspec

from service.campaigns.tables import Participant
from service.scoring.breakdown import ItemStatus

from . import queries
from .groups import HEAD_COUNTS, Group
from .queries import COUNTED, JUDGE, SELF


class SectionAverage(msgspec.Struct, frozen=True):
    section: str
    role: str  # enterprise (the self-assessments) | judge
    percent: float  # the mean, over participants, of the section's percentage
    participants: int  # how many participants have a percentage for it


class FailedItem(msgspec.Struct, frozen=True):
    section: str
    item: str
    participants: int  # participants whose self-assessment or some judge failed it


def _counted(scores: str, group: Group | None) -> tuple[str, list[Any]]:
    """FROM and WHERE of the campaign's counted scorers' submissions (`s`) in the group,
    joined with `scores`; `{}` placeholders, and their arguments after the campaign's."""
    sql = (
        " FROM submission s"
        # Only the campaign's participants, as in the ranking (an enterprise removed from
        # the campaign keeps its submissions, and they no longer count).
        " JOIN campaign_participant p ON p.campaign = s.campaign"
        " AND p.enterprise = s.enterprise AND COALESCE(p.team, 0) = COALESCE(s.team, 0)"
        " JOIN enterprise e ON e.id = s.enterprise"
        f" {scores}"
        " WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.role IN ({}, {})"
    )
    args: list[Any] = [*COUNTED, SELF, JUDGE]
    if group is None:
        return sql, args
    if group.village is not None:
        sql += " AND e.village IN (SELECT id FROM village WHERE name = {})"
        args.append(group.village)
    for column, value in (("industry", group.industry), ("ownership", group.ownership)):
        if value is not None:
            sql += f" AND e.{column} = {{}}"
            args.append(value)
    if group.size_band is not None:
        low, high = HEAD_COUNTS[group.size_band]
        # Without a lower bound still not NULL: an unknown head count is in no band.
        sql += " AND e.head_count >= {}" if low is not None else " AND e.head_count IS NOT NULL"
        args += [low] if low is not None else []
        if high is not None:
            sql += " AND e.head_count < {}"
            args.append(high)
    return sql, args


def section_averages_statement(campaign_id: int, group: Group | None) -> tuple[str, list[Any]]:
    """The statement of `section_averages` and its arguments (also for EXPLAIN)."""
    counted, args = _counted("JOIN section_score ss ON ss.submission = s.id", group)
    sql = (
        "SELECT x.section, x.role, AVG(x.percent) AS percent, COUNT(*) AS participants FROM ("
        "SELECT s.enterprise, COALESCE(s.team, 0) AS team_key, s.role, ss.section, "
        "AVG(ss.percentage) AS percent"
        + counted
        # A section with nothing applicable (or a bonus list) has no percentage.
        + " AND ss.percentage IS NOT NULL"
        " GROUP BY s.enterprise, COALESCE(s.team, 0), s.role, ss.section"
        ") x GROUP BY x.section, x.role"
    )
    return sql, [campaign_id, *args]


async def section_averages(campaign_id: int, group: Group | None = None) -> list[SectionAverage]:
    """The mean percentage of each section's points, over the participants of the group:
    one row for the self-assessments and one for the judges (each participant's judges
    averaged first), for each section anyone scored."""
    sql, args = section_averages_statement(campaign_id, group)
    return [
        SectionAverage(
            section=row["section"],
            role=row["role"],
            percent=float(row["percent"]),
            participants=row["participants"],
        )
        for row in await Participant.raw(sql, *args)
    ]


def failed_items_statement(campaign_id: int, group: Group | None) -> tuple[str, list[Any]]:
    """The statement of `failed_items` and its arguments (also for EXPLAIN)."""
    counted, args = _counted("JOIN item_score i ON i.submission = s.id", group)
    sql = (
        "SELECT f.section, f.item, COUNT(*) AS participants FROM ("
        "SELECT DISTINCT s.enterprise, COALESCE(s.team, 0) AS team_key, i.section, i.item"
        + counted
        + " AND i.status = {}"
        ") f GROUP BY f.section, f.item"
    )
    return sql, [campaign_id, *args, ItemStatus.failed.value]


async def failed_items(campaign_id: int, group: Group | None = None) -> list[FailedItem]:
    """Each item failed by some counted scorer, with how many participants of the group
    had it failed (by their self-assessment or by any judge); in no particular order."""
    sql, args = failed_items_statement(campaign_id, group)
    return [
        FailedItem(section=row["section"], item=row["item"], participants=row["participants"])
        for row in await Participant.raw(sql, *args)
    ]


class CampaignStatistics(msgspec.Struct, frozen=True):
    sections: list[SectionAverage]
    failed: list[FailedItem]


# By (campaign, group, what the scores were), as standings() caches the ranking: the
# charts are looked at after scoring closes, when the scores no longer change. The TTL
# bounds what the key cannot see (an enterprise's industry or head count edited): the
# charts are statistics, and a whole county's take seconds to make.
_CACHE: dict[tuple, tuple[float, CampaignStatistics]] = {}
_CACHE_SIZE = 16
CACHE_SECONDS = 600.0


async def campaign_statistics(campaign_id: int, group: Group | None = None) -> CampaignStatistics:
    """The section averages and failed items of the group (cached while nothing changes)."""
    key = (campaign_id, group, *await queries.scores_version(campaign_id))
    found = _CACHE.get(key)
    if found is not None and time.monotonic() - found[0] < CACHE_SECONDS:
        return found[1]
    # Side by side, each on its own pooled connection: with a core free for each, the
    # page waits for the slower only.
    sections, failed = await asyncio.gather(
        section_averages(campaign_id, group), failed_items(campaign_id, group)
    )
    result = CampaignStatistics(sections, failed)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (time.monotonic(), result)
    return result
