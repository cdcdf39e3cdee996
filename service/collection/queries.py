"""All SQL about submissions: drafts, submitting, corrections, revisions, scores.

Submitting writes the submission, its revision and its section and item scores as
one atomic unit (`write_atomically`), so a crash never leaves half a submission,
and a concurrent second submit of the same id fails on a unique index instead of
storing twice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec
from piccolo.querystring import QueryString

from service.campaigns.tables import Campaign
from service.db import Statement, write_atomically
from service.forms.model import FormDefinition
from service.scoring.breakdown import Breakdown

from .reports import Reports, Submitted, no_reports
from .rules import Status
from .tables import Evidence, ItemScore, SectionScore, Submission, SubmissionRevision

UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


class Draft(msgspec.Struct, frozen=True):
    """Who fills what: the fields a submission is created with."""

    id: uuid.UUID
    form_version_id: int
    author_id: int
    role: str
    campaign_id: int | None = None
    enterprise_id: int | None = None
    team_id: int | None = None


def _columns() -> tuple:
    return (
        Submission.id,
        Submission.form_version.id.as_alias("form_version_id"),
        Submission.form_version.form_id.as_alias("form_id"),
        Submission.form_version.version.as_alias("version"),
        Submission.form_version.content_hash.as_alias("content_hash"),
        Submission.campaign.id.as_alias("campaign_id"),
        Submission.enterprise.id.as_alias("enterprise_id"),
        Submission.enterprise.name.as_alias("enterprise_name"),
        Submission.enterprise.village.town.id.as_alias("town_id"),
        Submission.team.id.as_alias("team_id"),
        Submission.team.name.as_alias("team_name"),
        Submission.author.id.as_alias("author_id"),
        Submission.author.display_name.as_alias("author_name"),
        Submission.role,
        Submission.status,
        Submission.answers,
        Submission.position,
        Submission.revision,
        Submission.corrected_by.id.as_alias("corrected_by"),
        Submission.body_hash,
        Submission.total,
        Submission.max,
        Submission.eligible,
        Submission.vetoed,
        Submission.grade,
        Submission.created_at,
        Submission.updated_at,
        Submission.submitted_at,
    )


async def find(submission_id: uuid.UUID) -> dict | None:
    row = await Submission.select(*_columns()).where(Submission.id == submission_id).first()
    if row is not None:
        row["answers_json"] = row["answers"]  # as stored: what a concurrent save compares
        row["answers"] = msgspec.json.decode(row["answers"])
    return row


async def self_assessed(campaign_ids: list[int]) -> dict[int, set[tuple[int, int, int | None]]]:
    """Of these campaigns, those that ask for a self-assessment, each with the
    participants (campaign, enterprise, team) whose self-assessment is submitted."""
    if not campaign_ids:
        return {}
    asking = await Campaign.select(Campaign.id).where(
        Campaign.id.is_in(campaign_ids) & Campaign.self_assessment.eq(True)
    )
    found: dict[int, set[tuple[int, int, int | None]]] = {row["id"]: set() for row in asking}
    if not found:
        return {}
    rows = (
        await Submission.select(Submission.campaign, Submission.enterprise, Submission.team)
        .where(
            Submission.campaign.is_in(sorted(found))
            & (Submission.role == "enterprise")
            & Submission.status.is_in([Status.submitted.value, Status.correcting.value])
        )
        .distinct()
    )
    for row in rows:
        found[row["campaign"]].add((row["campaign"], row["enterprise"], row["team"]))
    return found


async def submissions_of(
    author_id: int | None = None,
    campaign_ids: list[int] | None = None,
    enterprise_ids: list[int] | None = None,
    roles: list[str] | None = None,
    *,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    """Submissions (without answers) matching every filter given, newest first;
    `limit` and `offset` page through them."""
    columns = [c for c in _columns() if c._meta.name != "answers"]
    query = Submission.select(*columns)
    if author_id is not None:
        query = query.where(Submission.author == author_id)
    if campaign_ids is not None:
        query = query.where(Submission.campaign.is_in(campaign_ids or [-1]))
    if enterprise_ids is not None:
        query = query.where(Submission.enterprise.is_in(enterprise_ids or [-1]))
    if roles is not None:
        query = query.where(Submission.role.is_in(roles or [""]))
    if status is not None:
        query = query.where(Submission.status == status)
    query = query.order_by(Submission.updated_at, ascending=False)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return await query


async def task_submission(
    role: str, campaign_id: int, enterprise_id: int, team_id: int | None, author_id: int
) -> uuid.UUID | None:
    """The one submission of a self-assessment (per participant) or of a judge's
    evaluation (per judge and participant), if started. Supervisors inspect again and
    again: theirs is never "the one". Unique indexes keep it one."""
    if role not in ("enterprise", "judge"):
        return None
    query = Submission.select(Submission.id).where(
        (Submission.campaign == campaign_id)
        & (Submission.enterprise == enterprise_id)
        & (Submission.role == role)
    )
    query = query.where(
        Submission.team.is_null() if team_id is None else Submission.team == team_id
    )
    if role == "judge":
        query = query.where(Submission.author == author_id)
    row = await query.first()
    return row["id"] if row else None


async def start_draft(draft: Draft, now: dt.datetime | None = None) -> bool:
    """Create the draft unless a submission with this id exists; True if created.

    The id comes from the page (or the client), so a double tap on "start" or a
    retried request lands on the same draft.
    """
    now = now or dt.datetime.now(dt.UTC)
    try:
        await Submission.insert(
            Submission(
                id=draft.id,
                form_version=draft.form_version_id,
                campaign=draft.campaign_id,
                enterprise=draft.enterprise_id,
                team=draft.team_id,
                author=draft.author_id,
                role=draft.role,
                status=Status.draft.value,
                answers="{}",
                created_at=now,
                updated_at=now,
            )
        )
    except UNIQUE_VIOLATIONS:
        return False
    return True


async def save_draft(
    submission_id: uuid.UUID,
    answers: dict[str, Any],
    position: str | None = None,
    *,
    expected: str | None = None,
) -> bool:
    """Store the working answers of a draft (or of a correction being drafted).

    False when the submission is no longer editable (submitted meanwhile), or, with
    `expected` (the answers JSON the change was made on), when someone else saved in
    between: the caller merges again on the fresh answers instead of overwriting them.
    """
    values: dict = {
        Submission.answers: msgspec.json.encode(answers).decode(),
        Submission.updated_at: dt.datetime.now(dt.UTC),
    }
    if position is not None:
        values[Submission.position] = position
    query = (
        Submission.update(values)
        .where(
            (Submission.id == submission_id)
            & Submission.status.is_in([Status.draft.value, Status.correcting.value])
        )
        .returning(Submission.id)
    )
    if expected is not None:
        query = query.where(Submission.answers == expected)
    return bool(await query)


# The result columns of a submission row, in this order in every statement that
# writes them: total, max, eligible, vetoed, grade, min_section_percent.
def _results(breakdown: Breakdown) -> tuple:
    percentages = [s.percentage for s in breakdown.sections if s.percentage is not None]
    return (
        _decimal(breakdown.total),
        _decimal(breakdown.max),
        breakdown.eligible,
        breakdown.vetoed,
        breakdown.grade.id if breakdown.grade else None,
        min(percentages) if percentages else None,
    )


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _score_statements(submission_id: uuid.UUID, breakdown: Breakdown) -> list[Statement]:
    """Replace the stored section and item scores with `breakdown`'s, as few
    multi-row statements (a 250-item form is one INSERT, not 250)."""
    statements = [
        QueryString("DELETE FROM section_score WHERE submission = {}", submission_id),
        QueryString("DELETE FROM item_score WHERE submission = {}", submission_id),
    ]
    if breakdown.sections:
        values = ", ".join(["({}, {}, {}, {}, {})"] * len(breakdown.sections))
        args: list[Any] = []
        for s in breakdown.sections:
            args += [submission_id, s.id, s.score, s.max, s.percentage]
        statements.append(
            QueryString(
                "INSERT INTO section_score (submission, section, score, max, percentage) "
                "VALUES " + values,
                *args,
            )
        )
    key = _key(submission_id)  # once, not converted 250 times on the writer thread
    # Bounded statement size: SQLite allows 32766 parameters per statement.
    for start in range(0, len(breakdown.items), 1000):
        chunk = breakdown.items[start : start + 1000]
        args = []
        for i in chunk:
            args += [key, i.section, i.id, str(i.status), i.score, i.max, i.hazard]
        statements.append(
            (
                "INSERT INTO item_score (submission, section, item, status, score, max, hazard) "
                "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                args,
            )
        )
    return statements


def _revision_statement(
    submission_id: uuid.UUID,
    number: int,
    answers_json: str,
    breakdown: Breakdown,
    author_id: int | None,
    reason: str,
    now: dt.datetime,
    photos: dict[str, list[str]],
    completed_at: dt.datetime | None = None,
) -> Statement:
    return (
        "INSERT INTO submission_revision "
        "(submission, number, answers, breakdown, total, eligible, grade, author, reason, "
        "created_at, evidence, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            _key(submission_id),
            number,
            answers_json,
            msgspec.json.encode(breakdown).decode(),
            _decimal(breakdown.total),
            breakdown.eligible,
            breakdown.grade.id if breakdown.grade else None,
            author_id,
            reason,
            now,
            msgspec.json.encode(photos).decode(),
            completed_at,
        ],
    )


def _key(submission_id: uuid.UUID) -> uuid.UUID | str:
    """A submission id as a statement argument: SQLite stores UUIDs as text, so give
    it text once rather than have a Python adapter convert it in the writer thread."""
    return str(submission_id) if Submission._meta.db.engine_type == "sqlite" else submission_id


class _Stale(Exception):
    """The answers changed (or someone submitted) between reading and submitting."""


async def submit(
    submission: dict,
    answers: dict[str, Any],
    breakdown: Breakdown,
    author_id: int | None,
    *,
    body_hash: str | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
    definition: FormDefinition | None = None,
    reports: Reports = no_reports,
    completed_at: dt.datetime | None = None,
) -> bool:
    """Store a draft (or a correction) as the next revision, with its scores, the
    photos it has now and what `reports` makes of it (the hazard loop: a correction
    adds the newly failed ones; those found before stay on their own course).

    Returns False, storing nothing, if the submission changed since `submission` was
    read: another tap submitted it, or an autosave changed its answers (the caller
    re-reads and shows what is there now, so nothing saved is silently dropped).
    """
    now = now or dt.datetime.now(dt.UTC)
    number = submission["revision"] + 1
    answers_json = msgspec.json.encode(answers).decode()
    update = QueryString(
        "UPDATE submission SET status = {}, answers = {}, revision = {}, corrected_by = NULL, "
        "body_hash = COALESCE(body_hash, {}), total = {}, max = {}, eligible = {}, vetoed = {}, "
        "grade = {}, min_section_percent = {}, updated_at = {}, "
        "submitted_at = COALESCE(submitted_at, {}) "
        "WHERE id = {} AND revision = {} AND answers = {} AND status IN ({}, {}) RETURNING id",
        Status.submitted.value,
        answers_json,
        number,
        body_hash,
        *_results(breakdown),
        now,
        now,
        submission["id"],
        submission["revision"],
        submission["answers_json"],
        Status.draft.value,
        Status.correcting.value,
    )
    engine = Submission._meta.db
    try:
        async with engine.transaction():
            photos = await _photo_snapshot(submission["id"])
            if not await engine.run_querystring(update):
                raise _Stale
            await write_atomically(
                engine,
                [
                    _revision_statement(
                        submission["id"],
                        number,
                        answers_json,
                        breakdown,
                        author_id,
                        reason,
                        now,
                        photos,
                        completed_at,
                    ),
                    *_score_statements(submission["id"], breakdown),
                    *_reported(
                        reports,
                        definition,
                        submission_id=submission["id"],
                        enterprise_id=submission["enterprise_id"],
                        author_id=submission["author_id"],
                        role=submission["role"],
                        answers=answers,
                        breakdown=breakdown,
                        photos=photos,
                        now=now,
                        correction=submission["revision"] > 0,
                    ),
                ],
            )
    except (_Stale, *UNIQUE_VIOLATIONS):
        return False
    return True


def _reported(
    reports: Reports, definition: FormDefinition | None, **facts: Any
) -> Sequence[Statement]:
    if reports is no_reports:
        return ()
    assert definition is not None, "what a submission reports is read against its form"
    return reports(Submitted(definition=definition, **facts))


async def _photo_snapshot(submission_id: uuid.UUID) -> dict[str, list[str]]:
    """The photos attached now, {item: [ids]}: stored with a revision."""
    return {
        item: [str(photo["id"]) for photo in photos]
        for item, photos in (await evidence_by_item(submission_id)).items()
    }


async def insert_submitted(
    draft: Draft,
    answers: dict[str, Any],
    breakdown: Breakdown,
    body_hash: str,
    now: dt.datetime | None = None,
    photos: dict[str, list[str]] | None = None,
    definition: FormDefinition | None = None,
    reports: Reports = no_reports,
    completed_at: dt.datetime | None = None,
) -> bool:
    """Store a submission that arrives complete (the API) in one atomic unit, with
    what `reports` makes of it. False if a submission with this id already exists (a
    retry or a race)."""
    now = now or dt.datetime.now(dt.UTC)
    if photos is None:
        photos = await _photo_snapshot(draft.id)
    answers_json = msgspec.json.encode(answers).decode()
    insert = (
        "INSERT INTO submission (id, form_version, campaign, enterprise, team, author, role, "
        "status, answers, position, revision, body_hash, total, max, eligible, vetoed, grade, "
        "min_section_percent, created_at, updated_at, submitted_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            _key(draft.id),
            draft.form_version_id,
            draft.campaign_id,
            draft.enterprise_id,
            draft.team_id,
            draft.author_id,
            draft.role,
            Status.submitted.value,
            answers_json,
            body_hash,
            *_results(breakdown),
            now,
            now,
            now,
        ],
    )
    statements = [
        insert,
        _revision_statement(
            draft.id,
            1,
            answers_json,
            breakdown,
            draft.author_id,
            "",
            now,
            photos,
            completed_at,
        ),
        *_score_statements(draft.id, breakdown),
        *_reported(
            reports,
            definition,
            submission_id=draft.id,
            enterprise_id=draft.enterprise_id,
            author_id=draft.author_id,
            role=draft.role,
            answers=answers,
            breakdown=breakdown,
            photos=photos,
            now=now,
        ),
    ]
    try:
        await write_atomically(Submission._meta.db, statements)
    except UNIQUE_VIOLATIONS:
        return False
    return True


async def start_correction(submission_id: uuid.UUID, user_id: int) -> bool:
    """Open a submitted submission for a correction by `user_id` (they alone, or the
    town's admins, go on with it)."""
    updated = await (
        Submission.update(
            {
                Submission.status: Status.correcting.value,
                Submission.position: "",
                Submission.corrected_by: user_id,
            }
        )
        .where((Submission.id == submission_id) & (Submission.status == Status.submitted.value))
        .returning(Submission.id)
    )
    return bool(updated)


async def cancel_correction(submission_id: uuid.UUID) -> None:
    """Drop the drafted correction: the answers and the photos go back to the current
    revision's."""
    current = await revision(submission_id, None)
    if current is None:
        return
    kept = {photo for photos in current["evidence"].values() for photo in photos}
    async with Submission._meta.db.transaction():
        await Submission.update(
            {
                Submission.status: Status.submitted.value,
                Submission.answers: current["answers_json"],
                Submission.corrected_by: None,
                Submission.updated_at: dt.datetime.now(dt.UTC),
            }
        ).where((Submission.id == submission_id) & (Submission.status == Status.correcting.value))
        for row in await Evidence.select(Evidence.id, Evidence.removed).where(
            Evidence.submission == submission_id
        ):
            removed = str(row["id"]) not in kept
            if row["removed"] != removed:
                await Evidence.update({Evidence.removed: removed}).where(Evidence.id == row["id"])


async def photos_of(ids: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Evidence rows by item for a revision's photo snapshot (removed ones included:
    they were part of that revision)."""
    wanted = [uuid.UUID(i) for photos in ids.values() for i in photos]
    if not wanted:
        return {}
    rows = {
        str(row["id"]): row
        for row in await Evidence.select(*_photo_columns()).where(Evidence.id.is_in(wanted))
    }
    return {item: [rows[i] for i in photos if i in rows] for item, photos in ids.items()}


def _revision_columns() -> tuple:
    return (
        SubmissionRevision.number,
        SubmissionRevision.answers.as_alias("answers_json"),
        SubmissionRevision.breakdown.as_alias("breakdown_json"),
        SubmissionRevision.evidence.as_alias("evidence_json"),
        SubmissionRevision.total,
        SubmissionRevision.eligible,
        SubmissionRevision.grade,
        SubmissionRevision.reason,
        SubmissionRevision.created_at,
        SubmissionRevision.completed_at,
        SubmissionRevision.author.id.as_alias("author_id"),
        SubmissionRevision.author.display_name.as_alias("author_name"),
    )


def _decoded(row: dict) -> dict:
    row["answers"] = msgspec.json.decode(row["answers_json"])
    row["breakdown"] = msgspec.json.decode(row["breakdown_json"], type=Breakdown)
    row["evidence"] = msgspec.json.decode(row["evidence_json"])
    return row


async def revisions(submission_id: uuid.UUID) -> list[dict]:
    """Every revision (oldest first) without answers: the history list."""
    return await (
        SubmissionRevision.select(
            SubmissionRevision.number,
            SubmissionRevision.total,
            SubmissionRevision.eligible,
            SubmissionRevision.grade,
            SubmissionRevision.reason,
            SubmissionRevision.created_at,
            SubmissionRevision.author.display_name.as_alias("author_name"),
        )
        .where(SubmissionRevision.submission == submission_id)
        .order_by(SubmissionRevision.number)
    )


async def revision(submission_id: uuid.UUID, number: int | None) -> dict | None:
    """One revision with answers and breakdown; None for `number`: the latest."""
    query = SubmissionRevision.select(*_revision_columns()).where(
        SubmissionRevision.submission == submission_id
    )
    if number is not None:
        query = query.where(SubmissionRevision.number == number)
    row = await query.order_by(SubmissionRevision.number, ascending=False).first()
    return _decoded(row) if row else None


def _photo_columns() -> tuple:
    """What a page shows of a photo (its files are fetched by id)."""
    return (
        Evidence.id,
        Evidence.item,
        Evidence.width,
        Evidence.height,
        Evidence.size,
        Evidence.created_at,
    )


async def evidence_by_item(submission_id: uuid.UUID) -> dict[str, list[dict]]:
    """The photos attached to each item of a submission (not removed), oldest first."""
    rows = await (
        Evidence.select(*_photo_columns())
        .where((Evidence.submission == submission_id) & Evidence.removed.eq(False))
        .order_by(Evidence.created_at)
    )
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["item"], []).append(row)
    return found


async def stored_scores(submission_id: uuid.UUID) -> tuple[list[dict], list[dict]]:
    """The current revision's section and item score rows."""
    sections = await SectionScore.select().where(SectionScore.submission == submission_id)
    items = await ItemScore.select().where(ItemScore.submission == submission_id)
    return sections, items
