"""All SQL of rankings: the participants of a campaign with their aggregated scores.

`participant_scores` sends statements 1 to 3 (on PostgreSQL at once, each on a pooled
connection of its own; on SQLite one after the other), then 4 if needed, and puts
their rows together per participant, (enterprise, team or 0):

1. the participants (narrowed by the filters), with their names and groups;
2. the aggregates of their counted submissions: totals, vetoes, eligibility (the
   submission row carries its current revision's results, and the lowest section
   percentage). The index `submission_standing` (campaign, enterprise, team, role,
   status, then every column read) covers it: SQLite groups as it reads the index,
   never visiting the table, and PostgreSQL aggregates narrow rows before any join;
3. only for tie-break sections: their scores, averaged per participant over the
   judges (the self score where no judge scored it). A statement of its own, because
   joining the section rows into the totals would multiply each judge's total by its
   sections; `section_score_standing` covers the section scores it reads;
4. after them, only when the totals show a veto: the veto reasons. They live only in
   the stored breakdown JSON, and reading JSON arrays in SQL differs between SQLite
   (json_each) and PostgreSQL (jsonb_array_elements), so the breakdowns of the
   vetoed submissions are read and decoded here;
5. for a ranking (`with_hazards`), alongside 1 to 3: each participating enterprise's
   hazard figures (service/hazards/queries.figures), for the tie-break on open major
   hazards and the rectification rate the page shows.

The rows are converted by msgspec straight into `ParticipantScores` (the column
names are its field names), several times faster than building them one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

import msgspec

from service.campaigns.rules import today
from service.campaigns.tables import Participant
from service.collection.rules import Status
from service.collection.tables import Submission
from service.db import SQLiteWALEngine
from service.hazards.queries import figures as hazard_figures
from service.scoring.breakdown import Breakdown, VetoReason

from .inputs import ParticipantScores

# A correction being drafted still counts, with its current revision's stored scores
# (the submission row and the score rows change only when the correction is submitted).
COUNTED = (Status.submitted.value, Status.correcting.value)
SELF, JUDGE = "enterprise", "judge"

# `+ 0` makes a bare INTEGER column an expression: on SQLite, Piccolo's converter of
# INTEGER columns (a Python call per value) then leaves it alone: 10,000 rows, ~15 ms.
_PARTICIPANTS_SQL = (
    "SELECT p.enterprise + 0 AS enterprise_id, p.team + 0 AS team_id, e.name AS name, "
    "t.name AS team_name, v.name AS village, e.industry, e.ownership, "
    "e.head_count + 0 AS head_count "
    "FROM campaign_participant p "
    "JOIN enterprise e ON e.id = p.enterprise "
    "JOIN village v ON v.id = e.village "
    "LEFT JOIN team t ON t.id = p.team "
    "WHERE p.campaign = {}{filters} "
    "ORDER BY p.enterprise, COALESCE(p.team, 0)"
)

# Per participant: (enterprise, team or 0). `{}` placeholders in the order of
# `totals_statement`'s arguments. The numeric totals leave as floats: as Decimals,
# PostgreSQL's driver and then msgspec spent ~40 ms on 10,000 rows converting them.
_TOTALS_SQL = (
    "SELECT s.enterprise + 0 AS enterprise, COALESCE(s.team, 0) AS team_key, "
    "CAST(MAX(CASE WHEN s.role = {} THEN s.total END) AS DOUBLE PRECISION) AS self_total, "
    "MAX(CASE WHEN s.role = {} THEN (CASE WHEN s.eligible THEN 1 ELSE 0 END) END) "
    "AS self_eligible, "
    "MAX(CASE WHEN s.role = {} AND s.vetoed THEN 1 ELSE 0 END) AS self_vetoed, "
    "MIN(CASE WHEN s.role = {} THEN s.min_section_percent END) AS self_min_section_percent, "
    "SUM(CASE WHEN s.role = {} THEN 1 ELSE 0 END) AS judges, "
    "CAST(COALESCE(SUM(CASE WHEN s.role = {} THEN s.total END), 0) AS DOUBLE PRECISION) "
    "AS judges_sum, "
    "CAST(MIN(CASE WHEN s.role = {} THEN s.total END) AS DOUBLE PRECISION) AS judges_min, "
    "CAST(MAX(CASE WHEN s.role = {} THEN s.total END) AS DOUBLE PRECISION) AS judges_max, "
    "SUM(CASE WHEN s.role = {} AND s.vetoed THEN 1 ELSE 0 END) AS judges_vetoed, "
    "SUM(CASE WHEN s.role = {} AND NOT s.eligible THEN 1 ELSE 0 END) AS judges_ineligible "
    "FROM submission s "
    "WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.role IN ({}, {}){within} "
    # s.team rather than the key: the grouping then follows the index, no sorting.
    "GROUP BY s.enterprise, s.team"
)

_VETOES_SQL = (
    "SELECT s.enterprise + 0 AS enterprise, s.team + 0 AS team, r.breakdown FROM submission s "
    "JOIN submission_revision r ON r.submission = s.id AND r.number = s.revision "
    "WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.role IN ({}, {}) AND s.vetoed "
    # The self-assessment's reasons first, then the judges' in the order they submitted.
    "ORDER BY s.enterprise, s.team, s.role, s.submitted_at"
)


class _Vetoes(msgspec.Struct):
    """The only part of a stored breakdown the ranking needs."""

    veto_reasons: list[VetoReason] = []


_decode_vetoes = msgspec.json.Decoder(_Vetoes).decode


def _filters(
    village_id: int | None, industry: str | None, ownership: str | None
) -> tuple[list[str], list[Any]]:
    """The conditions on the enterprise (`e`) and their arguments."""
    conditions: list[str] = []
    values: list[Any] = []
    for condition, value in (
        ("e.village = {}", village_id),
        ("e.industry = {}", industry),
        ("e.ownership = {}", ownership),
    ):
        if value is not None:
            conditions.append(condition)
            values.append(value)
    return conditions, values


def _within(conditions: list[str]) -> str:
    """The submissions (`s`) of the enterprises meeting the filters, if any."""
    if not conditions:
        return ""
    return f" AND s.enterprise IN (SELECT e.id FROM enterprise e WHERE {' AND '.join(conditions)})"


def participants_statement(
    campaign_id: int,
    village_id: int | None = None,
    industry: str | None = None,
    ownership: str | None = None,
) -> tuple[str, list[Any]]:
    """The participants with their names and groups, and the arguments."""
    conditions, values = _filters(village_id, industry, ownership)
    sql = _PARTICIPANTS_SQL.replace("{filters}", "".join(f" AND {c}" for c in conditions))
    return sql, [campaign_id, *values]


def totals_statement(
    campaign_id: int,
    village_id: int | None = None,
    industry: str | None = None,
    ownership: str | None = None,
) -> tuple[str, list[Any]]:
    """Each participant's aggregates of its counted submissions, and the arguments
    (also for EXPLAIN in bench/)."""
    conditions, values = _filters(village_id, industry, ownership)
    sql = _TOTALS_SQL.replace("{within}", _within(conditions))
    args = [*[SELF] * 4, *[JUDGE] * 6, campaign_id, *COUNTED, SELF, JUDGE, *values]
    return sql, args


def sections_statement(
    campaign_id: int,
    sections: Sequence[str],
    village_id: int | None = None,
    industry: str | None = None,
    ownership: str | None = None,
) -> tuple[str, list[Any]]:
    """Each participant's tie-break section scores: the judges' mean, else the self
    score; columns `section_0`, `section_1`, … in the order of `sections`."""
    columns = "".join(
        f", COALESCE(AVG(CASE WHEN s.role = {{}} AND ss.section = {{}} THEN ss.score END), "
        f"MAX(CASE WHEN s.role = {{}} AND ss.section = {{}} THEN ss.score END)) AS section_{n}"
        for n in range(len(sections))
    )
    conditions, values = _filters(village_id, industry, ownership)
    sql = (
        f"SELECT s.enterprise + 0 AS enterprise, COALESCE(s.team, 0) AS team_key{columns} "
        "FROM submission s JOIN section_score ss ON ss.submission = s.id "
        "WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.role IN ({}, {}) "
        f"AND ss.section IN ({', '.join(['{}'] * len(sections))}){_within(conditions)} "
        "GROUP BY s.enterprise, s.team"
    )
    args: list[Any] = []
    for section in sections:
        args += [JUDGE, section, SELF, section]
    args += [campaign_id, *COUNTED, SELF, JUDGE, *sections, *values]
    return sql, args


async def scores_version(campaign_id: int) -> tuple[Any, ...]:
    """What changes whenever a campaign's ranking may: the newest change to any of its
    submissions (an index on (campaign, updated_at) answers it) and its participants,
    and the newest change to, and the number of, its participants' hazards (every
    hazard transition sets updated_at)."""
    rows = await Participant.raw(
        "SELECT (SELECT MAX(updated_at) FROM submission WHERE campaign = {}) AS changed, "
        "(SELECT COUNT(*) FROM campaign_participant WHERE campaign = {}) AS participants, "
        "h.hazards_changed, h.hazards FROM (SELECT MAX(updated_at) AS hazards_changed, "
        "COUNT(*) AS hazards FROM hazard WHERE enterprise IN "
        "(SELECT enterprise FROM campaign_participant WHERE campaign = {})) h",
        campaign_id,
        campaign_id,
        campaign_id,
    )
    row = rows[0]
    return row["changed"], row["participants"], row["hazards_changed"], row["hazards"]


async def participant_scores(
    campaign_id: int,
    *,
    section_ids: Sequence[str] = (),
    village_id: int | None = None,
    industry: str | None = None,
    ownership: str | None = None,
    with_hazards: bool = False,
) -> list[ParticipantScores]:
    """Every participant of the campaign (narrowed by the filters given) with the
    aggregates of its counted submissions: the self-assessment, the judges'
    evaluations, the mean judges' score of each of `section_ids` (the self score
    where no judge scored it) and the veto reasons; ordered by enterprise, each
    enterprise before its teams. `with_hazards`: also each enterprise's open major
    hazards and rectification rate (one more aggregate statement, side by side).

    Only the current revision of submitted (or being corrected) submissions counts.
    """
    sections = list(dict.fromkeys(section_ids))
    group = (village_id, industry, ownership)
    statements = [
        participants_statement(campaign_id, *group),
        totals_statement(campaign_id, *group),
    ]
    if sections:
        statements.append(sections_statement(campaign_id, sections, *group))
    calls: list[Awaitable[Any]] = [Participant.raw(sql, *args).run() for sql, args in statements]
    if with_hazards:
        calls.append(hazard_figures(today(), campaign_id=campaign_id))
    results = await _side_by_side(calls)
    found_hazards = results.pop() if with_hazards else None
    rows, totals, *by_section = results
    reasons: dict[tuple[int, int], tuple[str, ...]] = {}
    if any(total["self_vetoed"] or total["judges_vetoed"] for total in totals):
        reasons = _veto_reasons(await Participant.raw(_VETOES_SQL, *_vetoes_args(campaign_id)))

    found = {(total["enterprise"], total["team_key"]): total for total in totals}
    means = _section_means(by_section[0], sections) if sections else {}
    for row in rows:
        key = (row["enterprise_id"], row["team_id"] or 0)
        total = found.get(key)
        if total is not None:
            row.update(total)
        if row["team_name"] is not None:
            row["name"] = f"{row['name']} · {row['team_name']}"
        if reasons:
            row["veto_reasons"] = reasons.get(key, ())
        if sections:
            row["section_means"] = means.get(key, {})
        if found_hazards is not None:
            # No hazard found: none open; the rate is unknown, not 100 %.
            figures = found_hazards.get(row["enterprise_id"])
            row["open_major_hazards"] = figures.open_major if figures else 0
            row["rectification_rate"] = figures.rectification_rate if figures else None
    # Lax: SQLite answers 0/1 for booleans.
    return msgspec.convert(rows, list[ParticipantScores], strict=False)


async def _side_by_side(calls: list[Awaitable[Any]]) -> list[Any]:
    """The statements' rows. On PostgreSQL they run at the same time, each on its own
    connection, unless inside a transaction, whose one connection takes one statement
    at a time. On SQLite they run one after the other: the sqlite3 module lets go of
    the GIL at every row, and reader threads taking turns row by row cost more than
    they save (measured: a third more time, half more CPU)."""
    engine = Participant._meta.db
    if isinstance(engine, SQLiteWALEngine) or engine.current_transaction.get() is not None:
        return [await call for call in calls]
    return list(await asyncio.gather(*calls))


def _vetoes_args(campaign_id: int) -> list[Any]:
    return [campaign_id, *COUNTED, SELF, JUDGE]


def _veto_reasons(rows: list[dict]) -> dict[tuple[int, int], tuple[str, ...]]:
    """The veto reasons (Chinese) of each participant's vetoed submissions by
    (enterprise, team or 0), each reason once, the self-assessment's first."""
    found: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        listed = found.setdefault((row["enterprise"], row["team"] or 0), [])
        for veto in _decode_vetoes(row["breakdown"]).veto_reasons:
            if veto.reason.zh not in listed:
                listed.append(veto.reason.zh)
    return {key: tuple(reasons) for key, reasons in found.items()}


def _section_means(
    rows: list[dict], sections: list[str]
) -> dict[tuple[int, int], dict[str, float]]:
    """Tie-break section scores by (enterprise, team or 0); a section nobody scored
    is left out."""
    found = {}
    for row in rows:
        values = ((section, row[f"section_{n}"]) for n, section in enumerate(sections))
        found[(row["enterprise"], row["team_key"])] = {
            section: float(value) for section, value in values if value is not None
        }
    return found


_PARTICIPANT_SQL = (
    "SELECT s.role, u.display_name AS author_name, r.breakdown FROM submission s "
    "JOIN submission_revision r ON r.submission = s.id AND r.number = s.revision "
    "LEFT JOIN app_user u ON u.id = s.author "
    "WHERE s.campaign = {} AND s.enterprise = {} AND COALESCE(s.team, 0) = {} "
    "AND s.status IN ({}, {}) AND s.role IN ({}, {})"
)


async def participant_submissions(
    campaign_id: int, enterprise_id: int, team_id: int | None
) -> list[dict]:
    """The counted submissions of one participant with their current revision's
    breakdown (its self-assessment first, then the judges' by name), for the drill-down:
    one statement, whatever the number of judges."""
    rows = await Submission.raw(
        _PARTICIPANT_SQL, campaign_id, enterprise_id, team_id or 0, *COUNTED, SELF, JUDGE
    )
    for row in rows:
        row["breakdown"] = msgspec.json.decode(row["breakdown"], type=Breakdown)
    return sorted(rows, key=lambda r: (r["role"] != SELF, r["author_name"] or ""))
