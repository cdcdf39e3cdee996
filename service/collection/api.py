"""The submissions API: a phone posts a filled form once, however often it retries.

The client makes the submission's id when the draft is created. The first POST with
an id stores it (submission, revision 1, section and item scores in one atomic unit)
and answers 201 with the breakdown; a repeat with the same content by the same
author answers the same status and the same bytes, built from what was stored; the
same id with other content is a 409 (cf. ODK Central's 409.1). Concurrent identical
POSTs race on the primary key: one stores, the others find its row and answer like
a repeat.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, ClassVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from service.accounts.principal import Principal
from service.forms import catalog
from service.forms.answers import AnswerError, InvalidAnswers, completeness_problems
from service.forms.model import Check, FormDefinition, Photo
from service.orgs import queries as orgs
from service.scoring.breakdown import Breakdown
from service.scoring.engine import score
from service.web.access import SIGNED_IN, access
from service.web.problems import (
    BAD_REQUEST,
    CAMPAIGN_NOT_FILLABLE,
    FORM_NOT_FILLABLE,
    FORM_NOT_FOUND,
    FORM_VERSION_NOT_FOUND,
    INCOMPLETE_ANSWERS,
    SUBMISSION_CONFLICT,
    SUBMISSION_DUPLICATE,
    SUBMISSION_NOT_FOUND,
    UNKNOWN_EVIDENCE,
    ApiProblem,
    invalid_answers,
    problem_responses,
)
from service.web.urls import RowIdOrNone

from . import access as rights
from . import queries
from .rules import Status, SubmissionBody, body_hash
from .tables import Evidence

PAGE_SIZE = 20


class SubmissionResult(msgspec.Struct, kw_only=True):
    """A stored submission and its scores, as the API gives it."""

    id: uuid.UUID
    status: Status
    revision: int  # the revision described; 0 for a draft never submitted
    form_id: str
    form_version: int
    campaign_id: int | None
    enterprise_id: int | None
    team_id: int | None
    submitted_at: dt.datetime | None
    breakdown: Breakdown | None  # None for a draft never submitted
    # When the phone completed it, for a submission filled offline and sent later.
    completed_at: dt.datetime | None = None


class SubmissionState(SubmissionResult, kw_only=True):
    """The current state of a submission: the latest revision, and the working answers."""

    answers: dict[str, Any]
    updated_at: dt.datetime


class SubmissionSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    status: Status
    revision: int
    form_id: str
    form_version: int
    campaign_id: int | None
    enterprise_id: int | None
    team_id: int | None
    total: float | None
    grade: str | None
    submitted_at: dt.datetime | None
    updated_at: dt.datetime


class SubmissionPage(msgspec.Struct, kw_only=True):
    items: list[SubmissionSummary]
    next_offset: int | None  # pass as `offset` for the next (older) page; None: no more


class Target(msgspec.Struct, frozen=True):
    """What a body is filled against, and in which capacity: checked for this caller."""

    form_version_id: int
    definition: FormDefinition
    role: str
    campaign_id: int | None
    enterprise_id: int | None
    team_id: int | None


# ---------------------------------------------------------------- the rules of a post


async def _target(principal: Principal, body: SubmissionBody) -> Target:
    """The form version and capacity of this body, or the problem why there is none."""
    if body.campaign_id is not None:
        if body.enterprise_id is None:
            raise ApiProblem(BAD_REQUEST, "a campaign submission names its enterprise_id")
        task = await rights.campaign_task(
            principal, body.campaign_id, body.enterprise_id, body.team_id
        )
        if task is None:
            raise ApiProblem(
                CAMPAIGN_NOT_FILLABLE,
                f"campaign {body.campaign_id} is not open to you for enterprise "
                f"{body.enterprise_id}" + (f", team {body.team_id}" if body.team_id else ""),
            )
        if (body.form_id is not None and body.form_id != task.form_id) or (
            body.form_version is not None and body.form_version != task.version
        ):
            raise ApiProblem(
                BAD_REQUEST,
                f"campaign {task.campaign_id} uses form {task.form_id} version {task.version}",
            )
        definition = await catalog.definition_by_id(task.form_version_id, task.content_hash)
        if definition is None:  # pragma: no cover - a campaign's version is never deleted
            raise ApiProblem(FORM_NOT_FOUND, f"no form for campaign {task.campaign_id}")
        return Target(
            task.form_version_id,
            definition,
            task.as_role.value,
            task.campaign_id,
            body.enterprise_id,
            body.team_id,
        )
    if body.form_id is None:
        raise ApiProblem(BAD_REQUEST, "give campaign_id, or form_id for a filling outside one")
    definition = await catalog.get_form(body.form_id, body.form_version)
    if definition is None:
        if body.form_version is not None and await catalog.get_form(body.form_id):
            raise ApiProblem(
                FORM_VERSION_NOT_FOUND, f"form {body.form_id} has no version {body.form_version}"
            )
        raise ApiProblem(FORM_NOT_FOUND, f"no form with id {body.form_id}")
    role = await rights.inspection_role(principal, definition, body.enterprise_id)
    if role is None:
        raise ApiProblem(
            FORM_NOT_FILLABLE,
            f"you may not fill form {definition.id} for enterprise {body.enterprise_id}",
        )
    if body.team_id is not None and body.team_id not in {
        team["id"]
        for team in await orgs.teams_of(body.enterprise_id)  # type: ignore[arg-type]
    }:
        raise ApiProblem(BAD_REQUEST, f"team {body.team_id} is not of this enterprise")
    version_id = await catalog.version_id(definition.id, definition.version)
    assert version_id is not None  # just read from the same row
    return Target(version_id, definition, role.value, None, body.enterprise_id, body.team_id)


def _takes_photos(definition: FormDefinition) -> bool:
    return any(
        isinstance(item, Photo) or (isinstance(item, Check) and item.evidence_on_fail)
        for _, item in definition.items()
    )


async def _evidence(
    principal: Principal, body: SubmissionBody, definition: FormDefinition
) -> dict[str, list[str]]:
    """The caller's photos for this submission, by item; refuse answers naming others."""
    if not _takes_photos(definition):
        return {}
    rows = await Evidence.select(Evidence.id, Evidence.item).where(
        (Evidence.submission == body.id)
        & Evidence.removed.eq(False)
        & (Evidence.uploaded_by == principal.user_id)
    )
    mine: dict[str, list[str]] = {}
    for row in rows:
        mine.setdefault(row["item"], []).append(str(row["id"]))
    errors = []
    for item_id, item in definition.item_map().items():
        answer = body.answers.get(item_id)
        if not isinstance(item, Photo) or not isinstance(answer, list):
            continue
        for photo_id in answer:
            if str(photo_id) not in mine.get(item_id, ()):
                errors.append(
                    AnswerError(
                        item=item_id,
                        code="unknown_evidence",
                        message=f"photo {photo_id} was not uploaded by you for this item",
                        message_zh=f"照片 {photo_id} 不是您为此项上传的",
                    )
                )
    if errors:
        raise ApiProblem(UNKNOWN_EVIDENCE, f"{len(errors)} unknown photo(s)", _listed(errors))
    return mine


def _listed(errors: list[AnswerError]) -> list[dict[str, Any]]:
    return [msgspec.to_builtins(error) for error in errors]


async def _scored(
    principal: Principal, body: SubmissionBody, target: Target
) -> tuple[Breakdown, dict[str, list[str]]]:
    """Validate, check photos and completeness, and score: every error at once. The
    breakdown, and the caller's photos by item (stored with the revision)."""
    try:
        breakdown = score(target.definition, body.answers)
    except InvalidAnswers as exc:
        raise invalid_answers(exc) from None
    evidence = await _evidence(principal, body, target.definition)
    missing = completeness_problems(target.definition, body.answers, evidence)
    if missing:
        raise ApiProblem(INCOMPLETE_ANSWERS, f"{len(missing)} answer(s) missing", _listed(missing))
    return breakdown, evidence


async def _stored_result(submission: dict) -> SubmissionResult:
    """What the first successful POST of this submission answered, from stored rows."""
    first = await queries.revision(submission["id"], 1)
    assert first is not None  # a body hash is only ever stored with revision 1
    return SubmissionResult(
        id=submission["id"],
        status=Status.submitted,
        revision=1,
        form_id=submission["form_id"],
        form_version=submission["version"],
        campaign_id=submission["campaign_id"],
        enterprise_id=submission["enterprise_id"],
        team_id=submission["team_id"],
        submitted_at=first["created_at"],
        breakdown=first["breakdown"],
        completed_at=first["completed_at"],
    )


async def _replay(principal: Principal, digest: str, submission: dict | None) -> SubmissionResult:
    """The answer to a post whose id is taken: the stored result, or a conflict."""
    if (
        submission is None
        or submission["author_id"] != principal.user_id
        or submission["body_hash"] != digest
    ):
        raise ApiProblem(SUBMISSION_CONFLICT, "a submission with this id exists")
    return await _stored_result(submission)


def _as_stored(breakdown: Breakdown) -> Breakdown:
    """The breakdown as it reads back from the database (the engine's whole-number
    floats may be ints; stored ones are floats), so first and repeat answers are
    the same bytes."""
    return msgspec.json.decode(msgspec.json.encode(breakdown), type=Breakdown)


def _completed_at(body: SubmissionBody, now: dt.datetime) -> dt.datetime | None:
    """The phone's completion time, never later than its arrival: a phone whose clock
    runs ahead must still be able to send what it holds (refused, it never could)."""
    completed = body.completed_at
    if completed is None:
        return None
    if completed.tzinfo is None:
        raise ApiProblem(BAD_REQUEST, "completed_at needs a time zone (e.g. …Z)")
    return min(completed, now)


def _matches(draft: dict, target: Target) -> bool:
    return (
        draft["form_version_id"] == target.form_version_id
        and draft["campaign_id"] == target.campaign_id
        and draft["enterprise_id"] == target.enterprise_id
        and draft["team_id"] == target.team_id
    )


# ---------------------------------------------------------------- routes


class SubmissionApi(Controller):
    """Filling with a bearer token: what a phone app uses."""

    path = "/api/v1/submissions"
    tags: ClassVar[list[str]] = ["submissions"]
    opt: ClassVar[dict] = access(SIGNED_IN)

    @post(
        "/",
        summary="Submit a filled form (idempotent by the client-made id)",
        description=(
            "Stores the submission with its scores and answers 201 with the breakdown. "
            "Posting the same id with the same content again answers the same (201, same "
            "body) and stores nothing; the same id with other content answers 409 "
            "`submission.conflict`. A draft started on the web pages by the same account "
            "may be submitted this way too."
        ),
        status_code=201,
        responses=problem_responses(400, 401, 403, 404, 409, 415, 503),
    )
    async def submit(self, request: Request, data: JSONBody[SubmissionBody]) -> SubmissionResult:
        principal: Principal = request.user
        digest = body_hash(data)
        now = dt.datetime.now(dt.UTC)
        try:
            completed_at = _completed_at(data, now)
            target = await _target(principal, data)
            breakdown, photos = await _scored(principal, data, target)
        except ApiProblem:
            # A retry of a stored post answers as before, even if the campaign has
            # closed or a photo was removed since.
            existing = await queries.find(data.id)
            if (
                existing is not None
                and existing["status"] != Status.draft
                and existing["author_id"] == principal.user_id
                and existing["body_hash"] == digest
            ):
                return await _stored_result(existing)
            raise
        draft = queries.Draft(
            id=data.id,
            form_version_id=target.form_version_id,
            author_id=principal.user_id,
            role=target.role,
            campaign_id=target.campaign_id,
            enterprise_id=target.enterprise_id,
            team_id=target.team_id,
        )
        reports = request.app.state.submission_reports
        if await queries.insert_submitted(
            draft,
            data.answers,
            breakdown,
            digest,
            now,
            photos,
            definition=target.definition,
            reports=reports,
            completed_at=completed_at,
        ):
            return SubmissionResult(
                id=data.id,
                status=Status.submitted,
                revision=1,
                form_id=target.definition.id,
                form_version=target.definition.version,
                campaign_id=target.campaign_id,
                enterprise_id=target.enterprise_id,
                team_id=target.team_id,
                submitted_at=now,
                breakdown=_as_stored(breakdown),
                completed_at=completed_at,
            )
        existing = await queries.find(data.id)
        for _attempt in range(3):
            if not (
                existing is not None
                and existing["status"] == Status.draft
                and existing["author_id"] == principal.user_id
                and _matches(existing, target)
            ):
                break
            # A draft started on the pages, submitted from the app (an autosave of the
            # draft at the same moment makes this try again on the fresh row).
            if await queries.submit(
                existing,
                data.answers,
                breakdown,
                principal.user_id,
                body_hash=digest,
                now=now,
                definition=target.definition,
                reports=reports,
                completed_at=completed_at,
            ):
                return await _stored_result(await queries.find(data.id))  # type: ignore[arg-type]
            existing = await queries.find(data.id)
        if existing is None and target.campaign_id is not None:
            # Not this id: the participant's one self-assessment (or this judge's one
            # evaluation) exists under another id.
            other = await queries.task_submission(
                target.role,
                target.campaign_id,
                target.enterprise_id,  # type: ignore[arg-type]
                target.team_id,
                principal.user_id,
            )
            raise ApiProblem(SUBMISSION_DUPLICATE, f"submission {other} is this task's")
        return await _replay(principal, digest, existing)

    @get(
        "/{submission_id:uuid}",
        summary="A submission's current state and scores",
        responses=problem_responses(400, 401, 404),
    )
    async def get_submission(
        self, request: Request, submission_id: FromPath[uuid.UUID]
    ) -> SubmissionState:
        submission = await queries.find(submission_id)
        # 404 for submissions the caller may not see: ids do not leak.
        if submission is None or not await rights.may_view(request.user, submission):
            raise ApiProblem(SUBMISSION_NOT_FOUND, f"no submission {submission_id}")
        current = await queries.revision(submission_id, None) if submission["revision"] else None
        # The working answers are their editors'; everyone else sees the submitted ones.
        own = rights.may_edit_draft(request.user, submission)
        answers = submission["answers"] if own or current is None else current["answers"]
        return SubmissionState(
            id=submission["id"],
            status=submission["status"],
            revision=submission["revision"],
            form_id=submission["form_id"],
            form_version=submission["version"],
            campaign_id=submission["campaign_id"],
            enterprise_id=submission["enterprise_id"],
            team_id=submission["team_id"],
            submitted_at=submission["submitted_at"],
            breakdown=current["breakdown"] if current else None,
            answers=answers,
            updated_at=submission["updated_at"],
        )

    @get(
        "/",
        summary="Your own submissions and drafts, newest first",
        responses=problem_responses(400, 401),
    )
    async def list_submissions(
        self,
        request: Request,
        campaign_id: FromQuery[RowIdOrNone] = None,
        status: FromQuery[Status | None] = None,
        offset: FromQuery[Annotated[int, Parameter(ge=0, le=1_000_000)]] = 0,
    ) -> SubmissionPage:
        rows = await queries.submissions_of(
            author_id=request.user.user_id,
            campaign_ids=None if campaign_id is None else [campaign_id],
            status=None if status is None else status.value,
            limit=PAGE_SIZE + 1,
            offset=offset,
        )
        return SubmissionPage(
            items=[
                SubmissionSummary(
                    id=row["id"],
                    status=row["status"],
                    revision=row["revision"],
                    form_id=row["form_id"],
                    form_version=row["version"],
                    campaign_id=row["campaign_id"],
                    enterprise_id=row["enterprise_id"],
                    team_id=row["team_id"],
                    total=None if row["total"] is None else float(row["total"]),
                    grade=row["grade"],
                    submitted_at=row["submitted_at"],
                    updated_at=row["updated_at"],
                )
                for row in rows[:PAGE_SIZE]
            ],
            next_offset=offset + PAGE_SIZE if len(rows) > PAGE_SIZE else None,
        )


ROUTES: list = [SubmissionApi]
