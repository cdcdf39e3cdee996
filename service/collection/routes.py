"""Filling forms on a phone: my tasks, the form section by section with autosave,
review, submit, the read-only result, corrections and their comparison.

Every page works as plain HTML (POST, 303, full page). With htmx the form saves on
every change and gets back only what changed: the save state, the score preview,
each item's errors and the items that show_if hid or showed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from service.accounts.principal import Principal, Role
from service.campaigns import queries as campaigns
from service.forms import catalog
from service.forms.model import FormDefinition, Section
from service.scoring.engine import score
from service.web.access import SIGNED_IN, access
from service.web.forms import FormBody, is_htmx, row_id_or_none, text_of
from service.web.urls import RowIdOrNone

from . import access as rules_of_access
from . import queries
from .filling import fill_state, review_list, shown_items, shown_sections
from .form_post import section_answers
from .presentation import photo_items
from .rules import (
    Status,
    SubmissionBody,
    body_hash,
    merge_answers,
    parse_submission_id,
    revision_changes,
)
from .task_list import listing, parse_query
from .tasks import tasks_for

MAX_REASON = 500


async def _submission(request: Request, submission_id: uuid.UUID) -> tuple[dict, FormDefinition]:
    """The submission if this person may see it; 404 otherwise (ids never leak)."""
    row = await queries.find(submission_id)
    if row is None or not await rules_of_access.may_view(request.user, row):
        raise NotFoundException("No such submission")
    definition = await catalog.definition_by_id(row["form_version_id"], row["content_hash"])
    assert definition is not None  # RESTRICT keeps a used version
    return row, definition


def _section(definition: FormDefinition, section_id: str | None) -> tuple[int, Section]:
    for index, section in enumerate(definition.sections):
        if section.id == section_id:
            return index, section
    return 0, definition.sections[0]


def _fill_url(submission_id: Any, section: str | None = None, anchor: str = "") -> str:
    url = f"/submissions/{submission_id}"
    if section:
        url += f"?section={section}"
    return url + anchor


async def _context(row: dict, definition: FormDefinition, **extra: Any) -> dict:
    campaign = await campaigns.get_campaign(row["campaign_id"]) if row["campaign_id"] else None
    return {
        "submission": row,
        "form": definition,
        "campaign": campaign,
        "answers": row["answers"],
        **extra,
    }


# ---------------------------------------------------------------- my tasks


@get("/tasks", opt=access(SIGNED_IN), include_in_schema=False, name="tasks")
async def tasks_page(
    request: Request,
    q: FromQuery[str] = "",
    stand: FromQuery[str] = "",
    campaign: FromQuery[str] = "",
    page: FromQuery[str] = "1",
) -> Template:
    """Every task of the person, grouped by campaign; a GET form searches, filters and
    pages it. htmx asks for the list alone (`HX-Target: task-list`) as one types."""
    principal: Principal = request.user
    now = dt.datetime.now(dt.UTC)
    query = parse_query(q, stand, campaign, page)
    found = listing(await tasks_for(principal, now), query)
    context = {"listing": found, "query": query, "now": now}
    # A history restore asks for the whole page, whatever the element that pushed it.
    partial = not request.headers.get("hx-history-restore-request")
    if partial and request.headers.get("hx-target") == "task-list":
        return Template("collection/_task_list.html", context=context)
    return Template("collection/tasks.html", context=context)


@post("/tasks/start", opt=access(SIGNED_IN), include_in_schema=False, status_code=303)
async def start(request: Request, data: FormBody) -> Redirect:
    """Create the draft with the id the page carried; a repeat post finds it."""
    principal: Principal = request.user
    submission_id = parse_submission_id(text_of(data.get("submission_id")))
    campaign_id = row_id_or_none(text_of(data.get("campaign_id")))
    enterprise_id = row_id_or_none(text_of(data.get("enterprise_id")))
    team_id = row_id_or_none(text_of(data.get("team_id")))
    if submission_id is None or campaign_id is None or enterprise_id is None:
        raise NotFoundException("Nothing to start")
    existing = await queries.find(submission_id)
    if existing is not None:
        if existing["author_id"] != principal.user_id:
            raise NotFoundException("No such submission")
        return Redirect(_fill_url(submission_id), status_code=303)
    task = await rules_of_access.campaign_task(principal, campaign_id, enterprise_id, team_id)
    if task is None:
        raise PermissionDeniedException("Not a task of yours")
    found = await queries.task_submission(
        task.as_role, campaign_id, enterprise_id, team_id, principal.user_id
    )
    if found is not None:  # one self-assessment / one evaluation each
        return Redirect(_fill_url(found), status_code=303)
    created = await queries.start_draft(
        queries.Draft(
            id=submission_id,
            form_version_id=task.form_version_id,
            author_id=principal.user_id,
            role=task.as_role.value,
            campaign_id=campaign_id,
            enterprise_id=enterprise_id,
            team_id=team_id,
        )
    )
    if not created:  # a colleague started it this very moment (the unique index said so)
        found = await queries.task_submission(
            task.as_role, campaign_id, enterprise_id, team_id, principal.user_id
        )
        return Redirect(_fill_url(found or submission_id), status_code=303)
    return Redirect(_fill_url(submission_id), status_code=303)


# ---------------------------------------------------------------- filling


@get("/submissions/{submission_id:uuid}", opt=access(SIGNED_IN), include_in_schema=False)
async def submission_page(
    request: Request,
    submission_id: FromPath[uuid.UUID],
    section: FromQuery[str | None] = None,
    check: FromQuery[bool] = False,
) -> Template:
    row, definition = await _submission(request, submission_id)
    evidence = await queries.evidence_by_item(row["id"])
    if not await rules_of_access.may_change(request.user, row):
        return await _result_page(request, row, definition, evidence)
    index, current = _section(definition, section or row["position"])
    state = fill_state(definition, row["answers"], evidence, final=check)
    context = await _context(
        row,
        definition,
        section=current,
        index=index,
        state=state,
        evidence=evidence,
        checked=check,
        **await _self_assessment(row),
    )
    return Template("collection/fill.html", context=context)


async def _self_assessment(row: dict) -> dict:
    """For a judge: the enterprise's submitted self-assessment, shown beside each item
    (answers and photos), so that differences stand out."""
    if row["role"] != Role.judge or row["campaign_id"] is None:
        return {}
    found = await queries.task_submission(
        Role.enterprise.value, row["campaign_id"], row["enterprise_id"], row["team_id"], 0
    )
    current = await queries.revision(found, None) if found else None
    if current is None:  # not submitted yet
        return {"self_answers": None}
    return {
        "self_answers": current["answers"],
        "self_photos": await queries.photos_of(current["evidence"]),
    }


@post("/submissions/{submission_id:uuid}/answers", opt=access(SIGNED_IN), include_in_schema=False)
async def save_answers(
    request: Request, submission_id: FromPath[uuid.UUID], data: FormBody
) -> Template | Redirect | Response:
    """Save one section's answers. htmx: the changed fragments; otherwise 303 on."""
    row, definition = await _submission(request, submission_id)
    if not await rules_of_access.may_change(request.user, row):
        return _after_submit(request, row)
    posted = text_of(data.get("_section"))
    if posted not in {section.id for section in definition.sections}:
        # A post that does not say its section must not clear another section's answers.
        return Redirect(_fill_url(row["id"]), status_code=303)
    index, current = _section(definition, posted)
    evidence = await queries.evidence_by_item(row["id"])
    before = shown_items(definition, row["answers"])
    changes, covered = section_answers(current, data)
    go = text_of(data.get("_go"))
    target = _next_section(definition, row["answers"], changes, covered, index, go)
    if go == "next" and target is current:  # the later sections are all hidden now
        go = "review"
    # The section to come back to next time: where the user is going.
    answers = await _save_section(request, row, definition, target, changes, covered)
    if answers is None:
        return _after_submit(request, row)  # submitted meanwhile (another tab, a retry)
    state = fill_state(definition, answers, evidence)
    if is_htmx(request):
        changed = {
            item.id for item in current.items if (item.id in before) != (item.id in state.visible)
        }
        context = await _context(
            {**row, "answers": answers},
            definition,
            section=current,
            index=index,
            state=state,
            evidence=evidence,
            changed=changed,
            saved_at=dt.datetime.now(dt.UTC),
            **await _self_assessment(row),
        )
        return Template("collection/_saved.html", context=context)
    if go.startswith("photos:"):  # without JavaScript: answers saved, now the photos
        return Redirect(f"/submissions/{row['id']}/items/{go[7:]}/photos", status_code=303)
    if go == "review":
        return Redirect(f"/submissions/{row['id']}/review", status_code=303)
    return Redirect(_fill_url(row["id"], target.id), status_code=303)


def _next_section(
    definition: FormDefinition,
    saved: dict,
    changes: dict,
    covered: set[str],
    index: int,
    go: str,
) -> Section:
    """Where "next" or "previous" leads: the nearest section shown for the answers
    just posted (a section whose show_if does not hold is skipped)."""
    step = {"next": 1, "previous": -1}.get(go, 0)
    if not step:
        return definition.sections[index]
    shown = shown_sections(definition, merge_answers(definition, saved, changes, covered))
    at = index + step
    while 0 <= at < len(definition.sections):
        if definition.sections[at].id in shown:
            return definition.sections[at]
        at += step
    return definition.sections[index]


async def _save_section(
    request: Request,
    row: dict,
    definition: FormDefinition,
    position: Section,
    changes: dict,
    covered: set[str],
) -> dict | None:
    """Merge one section's answers into the draft and store them. Two people (or two
    phones) saving at once never overwrite each other's sections: a save made on
    stale answers is merged again on the fresh ones. None if no longer editable."""
    for attempt in range(4):
        answers = merge_answers(definition, row["answers"], changes, covered)
        expected = row["answers_json"] if attempt < 3 else None
        if await queries.save_draft(row["id"], answers, position=position.id, expected=expected):
            return answers
        fresh = await queries.find(row["id"])
        if fresh is None or not rules_of_access.may_edit_draft(request.user, fresh):  # submitted
            return None
        row = fresh
    return None


def _after_submit(request: Request, row: dict) -> Response:
    """A save that arrives after the submission was submitted: show the result."""
    url = f"/submissions/{row['id']}"
    if is_htmx(request):
        return Response(content="", status_code=200, headers={"HX-Redirect": url})
    return Redirect(url, status_code=303)


@get(
    "/submissions/{submission_id:uuid}/items/{item_id:str}/photos",
    opt=access(SIGNED_IN),
    include_in_schema=False,
)
async def photos_page(
    request: Request, submission_id: FromPath[uuid.UUID], item_id: FromPath[str]
) -> Template | Redirect:
    """Adding photos without JavaScript: one item's photos and a plain upload form."""
    row, definition = await _submission(request, submission_id)
    if not await rules_of_access.may_change(request.user, row):
        return Redirect(f"/submissions/{row['id']}", status_code=303)
    taking = [i for section in definition.sections for i in photo_items(section)]
    item = next((i for i in taking if i.id == item_id), None)
    if item is None:
        raise NotFoundException("No such item")
    section = next(s for s, i in definition.items() if i.id == item_id)
    evidence = await queries.evidence_by_item(row["id"])
    context = await _context(
        row, definition, item=item, section=section, photos=evidence.get(item_id, [])
    )
    return Template("collection/photos.html", context=context)


# ---------------------------------------------------------------- review and submit


@get("/submissions/{submission_id:uuid}/review", opt=access(SIGNED_IN), include_in_schema=False)
async def review_page(request: Request, submission_id: FromPath[uuid.UUID]) -> Template | Redirect:
    row, definition = await _submission(request, submission_id)
    if not await rules_of_access.may_change(request.user, row):
        return Redirect(f"/submissions/{row['id']}", status_code=303)
    return await _review(row, definition)


async def _review(
    row: dict, definition: FormDefinition, status_code: int = 200, reason: str = "", **extra: Any
) -> Template:
    evidence = await queries.evidence_by_item(row["id"])
    state = fill_state(definition, row["answers"], evidence, final=True)
    context = await _context(
        row,
        definition,
        state=state,
        review=review_list(definition, state, row["answers"]),
        evidence=evidence,
        reason=reason,
        **extra,
    )
    return Template("collection/review.html", context=context, status_code=status_code)


@post("/submissions/{submission_id:uuid}/submit", opt=access(SIGNED_IN), include_in_schema=False)
async def submit(request: Request, submission_id: FromPath[uuid.UUID], data: FormBody) -> Response:
    """Final submit. A repeat (double tap, retry after a lost answer) finds the
    submission already submitted and shows it: never a second revision."""
    row, definition = await _submission(request, submission_id)
    if not await rules_of_access.may_change(request.user, row):
        return Redirect(f"/submissions/{row['id']}", status_code=303)
    correcting = row["status"] == Status.correcting
    reason = text_of(data.get("reason")).strip()[:MAX_REASON]
    evidence = await queries.evidence_by_item(row["id"])
    state = fill_state(definition, row["answers"], evidence, final=True)
    if not state.complete or (correcting and not reason):
        return await _review(row, definition, 422, reason=reason, reason_missing=not reason)
    body = SubmissionBody(
        id=row["id"],
        answers=row["answers"],
        campaign_id=row["campaign_id"],
        form_id=row["form_id"],
        form_version=row["version"],
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
    )
    breakdown = score(definition, row["answers"])
    stored = await queries.submit(
        row,
        row["answers"],
        breakdown,
        request.user.user_id,
        body_hash=body_hash(body),
        reason=reason if correcting else "",
        definition=definition,
        reports=request.app.state.submission_reports,
    )
    if not stored:
        fresh = await queries.find(row["id"])
        if fresh is not None and fresh["status"] in (Status.draft, Status.correcting):
            # An autosave (another phone, a colleague) changed the answers meanwhile:
            # review again what is there now, rather than drop their change.
            return await _review(fresh, definition, 409, reason=reason, changed_meanwhile=True)
        return Redirect(f"/submissions/{row['id']}", status_code=303)  # submitted already
    return Redirect(f"/submissions/{row['id']}?submitted=1", status_code=303)


# ---------------------------------------------------------------- the result and corrections


async def _result_page(
    request: Request, row: dict, definition: FormDefinition, evidence: dict
) -> Template:
    current = await queries.revision(row["id"], None) if row["revision"] else None
    if current is not None:  # the photos of the revision shown, not of a correction
        evidence = await queries.photos_of(current["evidence"])
    context = await _context(
        row,
        definition,
        evidence=evidence,
        breakdown=current["breakdown"] if current else None,
        answers=current["answers"] if current else row["answers"],
        # Filled offline: when the phone completed it, beside when the server received it.
        completed_at=current["completed_at"] if current else None,
        received_at=current["created_at"] if current else None,
        history=await queries.revisions(row["id"]),
        may_correct=await rules_of_access.may_correct(request.user, row),
        may_cancel=rules_of_access.may_edit_draft(request.user, row),
        just_submitted=request.query_params.get("submitted") == "1",
        # What the submission found goes on in the hazard loop: link to it.
        hazards=await request.app.state.reported_hazards(row["id"])
        if request.user.has(Role.admin, Role.supervisor, Role.enterprise)
        else [],
    )
    return Template("collection/result.html", context=context)


@post(
    "/submissions/{submission_id:uuid}/correction", opt=access(SIGNED_IN), include_in_schema=False
)
async def start_correction(request: Request, submission_id: FromPath[uuid.UUID]) -> Redirect:
    row, _definition = await _submission(request, submission_id)
    if not await rules_of_access.may_correct(request.user, row):
        raise PermissionDeniedException("This submission cannot be corrected by you")
    if row["status"] == Status.submitted:
        await queries.start_correction(row["id"], request.user.user_id)
    return Redirect(f"/submissions/{row['id']}", status_code=303)


@post(
    "/submissions/{submission_id:uuid}/correction/cancel",
    opt=access(SIGNED_IN),
    include_in_schema=False,
)
async def cancel_correction(request: Request, submission_id: FromPath[uuid.UUID]) -> Redirect:
    row, _definition = await _submission(request, submission_id)
    if row["status"] == Status.correcting and rules_of_access.may_edit_draft(request.user, row):
        await queries.cancel_correction(row["id"])
    return Redirect(f"/submissions/{row['id']}", status_code=303)


@get("/submissions/{submission_id:uuid}/revisions", opt=access(SIGNED_IN), include_in_schema=False)
async def compare_revisions(
    request: Request,
    submission_id: FromPath[uuid.UUID],
    old: FromQuery[RowIdOrNone] = None,
    new: FromQuery[RowIdOrNone] = None,
) -> Template:
    """Two revisions side by side: which answers and scores changed, by whom and why."""
    row, definition = await _submission(request, submission_id)
    history = await queries.revisions(row["id"])
    if not history:
        raise NotFoundException("Not submitted yet")
    new_number = new if new is not None else history[-1]["number"]
    old_number = old if old is not None else max(1, new_number - 1)
    before = await queries.revision(row["id"], old_number)
    after = await queries.revision(row["id"], new_number)
    if before is None or after is None:
        raise NotFoundException("No such revision")
    changes = revision_changes(
        definition, before["answers"], after["answers"], before["breakdown"], after["breakdown"]
    )
    context = await _context(
        row, definition, history=history, before=before, after=after, changes=changes
    )
    return Template("collection/revisions.html", context=context)


ROUTES = [
    tasks_page,
    start,
    submission_page,
    save_answers,
    photos_page,
    review_page,
    submit,
    start_correction,
    cancel_correction,
    compare_revisions,
]
