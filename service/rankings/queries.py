"""All SQL of rankings: the participants of a campaign with their aggregated scores.

One aggregate statement makes every `ParticipantScores` row: the participants
(narrowed by the filters) LEFT JOINed with two aggregates over the campaign's
counted submissions, one over the submission rows (totals, vetoes, eligibility;
the submission row carries its current revision's results) and one over their
section scores (the self-assessment's lowest section percentage and the
tie-break sections). The two are separate derived tables because joining the
section rows into the first would multiply each judge's total by its sections.

Veto reasons live only in the stored breakdown JSON, and reading JSON arrays in
SQL differs between SQLite (json_each) and PostgreSQL (jsonb_array_elements), so
a second small query fetches the breakdowns of the vetoed submissions only, and
only when the first found a veto.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from service.campaigns.tables import Participant
from service.collection.rules import Status
from service.collection.tables import Submission
from service.scoring.breakdown import VetoReason

from .inputs import ParticipantScores

# A correction being drafted still counts, with its current revision's stored scores
# (the submission row and the score rows change only when the correction is submitted).
COUNTED = (Status.submitted.value, Status.correcting.value)
SELF, JUDGE = "enterprise", "judge"


def _scores_sql(section_count: int, filters: Sequence[str]) -> str:
    """The aggregate statement; `{}` placeholders, in the order `participant_scores`
    passes the arguments. Section scores are read only for tie-break sections: the
    self-assessment's lowest section percentage is on its submission row."""
    counted = "s.status IN ({}, {})"
    section_columns = ", ".join(
        f"AVG(CASE WHEN s.role = {{}} AND ss.section = {{}} THEN ss.score END) AS judge_mean_{n}"
        f", MAX(CASE WHEN s.role = {{}} AND ss.section = {{}} THEN ss.score END) AS self_score_{n}"
        for n in range(section_count)
    )
    section_picks = "".join(f", sc.judge_mean_{n}, sc.self_score_{n}" for n in range(section_count))
    sections_join = (
        " LEFT JOIN ("
        f"SELECT s.enterprise, COALESCE(s.team, 0) AS team_key, {section_columns}"
        " FROM submission s JOIN section_score ss ON ss.submission = s.id "
        f"WHERE s.campaign = {{}} AND {counted} AND s.role IN ({{}}, {{}}) "
        f"AND ss.section IN ({', '.join(['{}'] * section_count)}) "
        "GROUP BY s.enterprise, COALESCE(s.team, 0)"
        ") sc ON sc.enterprise = p.enterprise AND sc.team_key = COALESCE(p.team, 0)"
        if section_count
        else ""
    )
    where = "".join(f" AND {condition}" for condition in filters)
    return (
        "SELECT p.enterprise AS enterprise_id, p.team AS team_id, e.name AS enterprise_name, "
        "t.name AS team_name, v.name AS village, e.industry, e.ownership, e.head_count, "
        "a.self_total, a.self_eligible, a.self_vetoed, a.judges, a.judges_sum, a.judges_min, "
        "a.judges_max, a.judges_vetoed, a.judges_ineligible, a.self_min_section_percent"
        + section_picks
        + " FROM campaign_participant p"
        " JOIN enterprise e ON e.id = p.enterprise"
        " JOIN village v ON v.id = e.village"
        " LEFT JOIN team t ON t.id = p.team"
        " LEFT JOIN ("
        "SELECT s.enterprise, COALESCE(s.team, 0) AS team_key, "
        "MAX(CASE WHEN s.role = {} THEN s.total END) AS self_total, "
        "MAX(CASE WHEN s.role = {} THEN (CASE WHEN s.eligible THEN 1 ELSE 0 END) END) "
        "AS self_eligible, "
        "MAX(CASE WHEN s.role = {} AND s.vetoed THEN 1 ELSE 0 END) AS self_vetoed, "
        "MIN(CASE WHEN s.role = {} THEN s.min_section_percent END) "
        "AS self_min_section_percent, "
        "SUM(CASE WHEN s.role = {} THEN 1 ELSE 0 END) AS judges, "
        "SUM(CASE WHEN s.role = {} THEN s.total END) AS judges_sum, "
        "MIN(CASE WHEN s.role = {} THEN s.total END) AS judges_min, "
        "MAX(CASE WHEN s.role = {} THEN s.total END) AS judges_max, "
        "SUM(CASE WHEN s.role = {} AND s.vetoed THEN 1 ELSE 0 END) AS judges_vetoed, "
        "SUM(CASE WHEN s.role = {} AND NOT s.eligible THEN 1 ELSE 0 END) AS judges_ineligible "
        "FROM submission s "
        f"WHERE s.campaign = {{}} AND {counted} AND s.role IN ({{}}, {{}}) "
        "GROUP BY s.enterprise, COALESCE(s.team, 0)"
        ") a ON a.enterprise = p.enterprise AND a.team_key = COALESCE(p.team, 0)"
        + sections_join
        + " WHERE p.campaign = {}"
        + where
        + " ORDER BY p.enterprise, COALESCE(p.team, 0)"
    )


_VETOES_SQL = (
    "SELECT s.enterprise, s.team, r.breakdown FROM submission s "
    "JOIN submission_revision r ON r.submission = s.id AND r.number = s.revision "
    "WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.role IN ({}, {}) AND s.vetoed "
    # The self-assessment's reasons first, then the judges' in the order they submitted.
    "ORDER BY s.enterprise, s.team, s.role, s.submitted_at"
)


class _Vetoes(msgspec.Struct):
    """The only part of a stored breakdown the ranking needs."""

    veto_reasons: list[VetoReason] = []


_decode_vetoes = msgspec.json.Decoder(_Vetoes).decode


def scores_statement(
    campaign_id: int,
    sections: Sequence[str],
    village_id: int | None = None,
    industry: str | None = None,
    ownership: str | None = None,
) -> tuple[str, list[Any]]:
    """The aggregate statement and its arguments (also for EXPLAIN in bench/)."""
    filters: list[str] = []
    filter_args: list[Any] = []
    for condition, value in (
        ("e.village = {}", village_id),
        ("e.industry = {}", industry),
        ("e.ownership = {}", ownership),
    ):
        if value is not None:
            filters.append(condition)
            filter_args.append(value)
    args: list[Any] = [*[SELF] * 4, *[JUDGE] * 6, campaign_id, *COUNTED, SELF, JUDGE]
    if sections:
        for section in sections:
            args += [JUDGE, section, SELF, section]
        args += [campaign_id, *COUNTED, SELF, JUDGE, *sections]
    args += [campaign_id, *filter_args]
    return _scores_sql(len(sections), filters), args


async def scores_version(campaign_id: int) -> tuple[Any, ...]:
    """What changes whenever a campaign's ranking may: the newest change to any of its
    submissions (an index on (campaign, updated_at) answers it) and its participants."""
    rows = await Participant.raw(
        "SELECT (SELECT MAX(updated_at) FROM submission WHERE campaign = {}) AS changed, "
        "(SELECT COUNT(*) FROM campaign_participant WHERE campaign = {}) AS participants",
        campaign_id,
        campaign_id,
    )
    return rows[0]["changed"], rows[0]["participants"]


async def participant_scores(
    campaign_id: int,
    *,
    section_ids: Sequence[str] = (),
    village_id: int | None = None,
    industry: str | None = None,
    ownership: str | None = None,
) -> list[ParticipantScores]:
    """Every participant of the campaign (narrowed by the filters given) with the
    aggregates of its counted submissions: the self-assessment, the judges'
    evaluations, the mean judges' score of each of `section_ids` (the self score
    where no judge scored it) and the veto reasons; ordered by enterprise, each
    enterprise before its teams.

    Only the current revision of submitted (or being corrected) submissions counts.
    """
    sections = list(dict.fromkeys(section_ids))
    sql, args = scores_statement(campaign_id, sections, village_id, industry, ownership)
    rows = await Participant.raw(sql, *args)

    reasons: dict[tuple[int, int | None], list[str]] = {}
    if any(row["self_vetoed"] or row["judges_vetoed"] for row in rows):
        reasons = await _veto_reasons(campaign_id)
    return [_participant(row, sections, reasons) for row in rows]


async def _veto_reasons(campaign_id: int) -> dict[tuple[int, int | None], list[str]]:
    """The veto reasons (Chinese) of each participant's vetoed submissions, each
    reason once, the self-assessment's first."""
    found: dict[tuple[int, int | None], list[str]] = {}
    for row in await Participant.raw(_VETOES_SQL, campaign_id, *COUNTED, SELF, JUDGE):
        listed = found.setdefault((row["enterprise"], row["team"]), [])
        for veto in _decode_vetoes(row["breakdown"]).veto_reasons:
            if veto.reason.zh not in listed:
                listed.append(veto.reason.zh)
    return found


def _number(value: Any) -> float | None:
    """SQLite answers ints or floats, PostgreSQL Decimals for the numeric totals."""
    return None if value is None else float(value)


def _participant(
    row: dict[str, Any], sections: list[str], reasons: dict[tuple[int, int | None], list[str]]
) -> ParticipantScores:
    means: dict[str, float] = {}
    for n, section in enumerate(sections):
        value = row[f"judge_mean_{n}"]
        if value is None:
            value = row[f"self_score_{n}"]
        if value is not None:
            means[section] = float(value)
    name = row["enterprise_name"]
    if row["team_name"] is not None:
        name = f"{name} · {row['team_name']}"
    self_eligible = row["self_eligible"]
    return ParticipantScores(
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
        name=name,
        village=row["village"],
        industry=row["industry"],
        ownership=row["ownership"],
        head_count=row["head_count"],
        self_total=_number(row["self_total"]),
        self_eligible=None if self_eligible is None else bool(self_eligible),
        self_vetoed=bool(row["self_vetoed"]),
        self_min_section_percent=_number(row["self_min_section_percent"]),
        judges=row["judges"] or 0,
        judges_sum=_number(row["judges_sum"]) or 0.0,
        judges_min=_number(row["judges_min"]),
        judges_max=_number(row["judges_max"]),
        judges_vetoed=row["judges_vetoed"] or 0,
        judges_ineligible=row["judges_ineligible"] or 0,
        veto_reasons=tuple(reasons.get((row["enterprise_id"], row["team_id"]), ())),
        section_means=means,
    )


async def participant_submissions(
    campaign_id: int, enterprise_id: int, team_id: int | None
) -> list[dict]:
    """The counted submissions of one participant (its self-assessment first, then the
    judges' by name), for the drill-down."""
    query = Submission.select(
        Submission.id,
        Submission.role,
        Submission.author.display_name.as_alias("author_name"),
    ).where(
        (Submission.campaign == campaign_id)
        & (Submission.enterprise == enterprise_id)
        & Submission.status.is_in(list(COUNTED))
        & Submission.role.is_in([SELF, JUDGE])
    )
    query = query.where(
        Submission.team.is_null() if team_id is None else Submission.team == team_id
    )
    rows = await query
    return sorted(rows, key=lambda r: (r["role"] != SELF, r["author_name"] or ""))
