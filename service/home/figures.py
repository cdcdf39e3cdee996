"""The counts an admin's home page shows: open campaigns with how far their filling
got, and the results that wait for a step (frozen and not published, on notice,
notice over and not confirmed).

A county has thousands of enterprises and hundreds of campaigns over the years: each
figure is an aggregate statement over the admin's towns, and lists are the first few
with a total (the full lists are the campaign and result pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import msgspec

from service.campaigns.rules import Status
from service.campaigns.tables import Campaign

LISTED = 5  # entries a block of the home page lists; a link leads to the rest

DONE = ("submitted", "correcting")  # a correction in progress: its submitted version stands


class CampaignProgress(msgspec.Struct, frozen=True, kw_only=True):
    """How far one open campaign's filling got."""

    id: int
    name: str
    town_name: str
    closes_at: dt.datetime
    participants: int
    self_assessment: bool
    self_done: int  # participants whose self-assessment is submitted
    judges: bool
    judge_owed: int  # evaluations the assigned judges owe
    judge_done: int
    supervisors: bool
    inspections: int  # inspections submitted

    @property
    def not_submitted(self) -> int:
        """Participants still owing their self-assessment (when the campaign asks one)."""
        return self.participants - self.self_done if self.self_assessment else 0


class ResultStep(msgspec.Struct, frozen=True, kw_only=True):
    """A campaign's result waiting for an admin's step."""

    campaign_id: int
    campaign_name: str
    number: int
    step: str  # publish | on_notice | confirm
    notice_ends: dt.datetime | None


class OpenCampaigns(msgspec.Struct, frozen=True):
    total: int
    listed: list[CampaignProgress]


def _in(values: Iterable[Any]) -> tuple[str, list[Any]]:
    listed = list(values) or [-1]
    return ", ".join("{}" for _ in listed), listed


def _town_clause(town_ids: frozenset[int] | None, column: str) -> tuple[str, list[Any]]:
    if town_ids is None:  # a county admin: every town
        return "1 = 1", []
    marks, args = _in(sorted(town_ids))
    return f"{column} IN ({marks})", args


_OPEN_SQL = """
SELECT c.id, c.name, t.name AS town_name, c.closes_at, c.self_assessment, c.judges,
       c.supervisors,
       (SELECT COUNT(*) FROM campaign_participant p WHERE p.campaign = c.id) AS participants
FROM campaign c JOIN town t ON t.id = c.town
WHERE c.status = {} AND %s
ORDER BY c.closes_at, c.id
"""

# Distinct participants (or judge × participant) with a counted submission: a judge's
# two submissions for one participant (a repeat start) count once.
_DONE_SQL = """
SELECT campaign, role, COUNT(*) AS done FROM (
  SELECT DISTINCT s.campaign, s.role,
         CASE WHEN s.role = 'judge' THEN s.author ELSE 0 END AS author,
         s.enterprise, COALESCE(s.team, 0) AS team
  FROM submission s
  JOIN campaign_participant p ON p.campaign = s.campaign AND p.enterprise = s.enterprise
       AND COALESCE(p.team, 0) = COALESCE(s.team, 0)
  WHERE s.campaign IN (%s) AND s.status IN ({}, {})
) found GROUP BY campaign, role
"""

# What each assigned judge owes: every participant, or those of the one enterprise.
_OWED_SQL = """
SELECT a.campaign, COUNT(*) AS owed
FROM judge_assignment a
JOIN campaign_participant p ON p.campaign = a.campaign
     AND (a.enterprise IS NULL OR a.enterprise = p.enterprise)
WHERE a.campaign IN (%s)
GROUP BY a.campaign
"""


async def open_campaigns(town_ids: frozenset[int] | None, limit: int = LISTED) -> OpenCampaigns:
    """The open campaigns of these towns (None: all), closing soonest first: how many,
    and the first `limit` with their progress."""
    where, args = _town_clause(town_ids, "c.town")
    rows = await Campaign.raw(_OPEN_SQL % where, Status.open.value, *args)
    listed = rows[:limit]
    if not listed:
        return OpenCampaigns(len(rows), [])
    marks, ids = _in(c["id"] for c in listed)
    done: dict[tuple[int, str], int] = {
        (r["campaign"], r["role"]): int(r["done"])
        for r in await Campaign.raw(_DONE_SQL % marks, *ids, *DONE)
    }
    owed = {r["campaign"]: int(r["owed"]) for r in await Campaign.raw(_OWED_SQL % marks, *ids)}
    return OpenCampaigns(
        len(rows),
        [
            CampaignProgress(
                id=c["id"],
                name=c["name"],
                town_name=c["town_name"],
                closes_at=_moment(c["closes_at"]),
                participants=int(c["participants"]),
                self_assessment=bool(c["self_assessment"]),
                self_done=done.get((c["id"], "enterprise"), 0),
                judges=bool(c["judges"]),
                judge_owed=owed.get(c["id"], 0),
                judge_done=done.get((c["id"], "judge"), 0),
                supervisors=bool(c["supervisors"]),
                inspections=done.get((c["id"], "supervisor"), 0),
            )
            for c in listed
        ],
    )


def _moment(value: Any) -> dt.datetime:
    """A timestamp from a raw row: SQLite hands back text, PostgreSQL a datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# Per campaign of the towns, its newest snapshot and its newest published one: what
# decides the step (rules.stage). Campaigns whose newest published result is final and
# that froze nothing since wait for nothing, and are left out in SQL.
_RESULTS_SQL = """
SELECT c.id AS campaign_id, c.name AS campaign_name, r.number, r.published_at,
       r.notice_ends, r.final_at
FROM result_snapshot r
JOIN campaign c ON c.id = r.campaign
WHERE %s AND r.final_at IS NULL
  AND r.number = (SELECT MAX(x.number) FROM result_snapshot x WHERE x.campaign = r.campaign)
ORDER BY r.id
"""


async def result_steps(town_ids: frozenset[int] | None, now: dt.datetime) -> list[ResultStep]:
    """The campaigns of these towns whose newest result waits for a step: frozen and
    not published (publish it), on notice (objections may come), or notice over (confirm
    it final). The one statement reads one row per such campaign."""
    where, args = _town_clause(town_ids, "c.town")
    steps = []
    for row in await Campaign.raw(_RESULTS_SQL % where, *args):
        ends = _moment(row["notice_ends"]) if row["notice_ends"] else None
        if row["published_at"] is None:
            step = "publish"
        elif ends is not None and now <= ends:
            step = "on_notice"
        else:
            step = "confirm"
        steps.append(
            ResultStep(
                campaign_id=row["campaign_id"],
                campaign_name=row["campaign_name"],
                number=row["number"],
                step=step,
                notice_ends=ends,
            )
        )
    return steps


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """A result on public notice now."""

    campaign_id: int
    campaign_name: str
    town_name: str
    number: int
    notice_ends: dt.datetime


# Published snapshots whose notice runs now and that no later publication superseded.
_NOTICES_SQL = """
SELECT c.id AS campaign_id, c.name AS campaign_name, t.name AS town_name, r.number,
       r.notice_ends
FROM result_snapshot r
JOIN campaign c ON c.id = r.campaign
JOIN town t ON t.id = c.town
WHERE r.published_at IS NOT NULL AND r.final_at IS NULL AND r.notice_ends >= {}
  AND NOT EXISTS (SELECT 1 FROM result_snapshot x WHERE x.campaign = r.campaign
                  AND x.published_at IS NOT NULL AND x.number > r.number)
ORDER BY r.notice_ends, r.id
LIMIT {}
"""


async def notices_running(now: dt.datetime, limit: int = 2 * LISTED) -> list[Notice]:
    """Results on public notice now (objections may be raised), ending soonest first."""
    return [
        Notice(
            campaign_id=row["campaign_id"],
            campaign_name=row["campaign_name"],
            town_name=row["town_name"],
            number=row["number"],
            notice_ends=_moment(row["notice_ends"]),
        )
        for row in await Campaign.raw(_NOTICES_SQL, now, limit)
    ]
