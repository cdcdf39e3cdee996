"""Hazard pages: the register (`/hazards`) and one hazard with its timeline and the
steps the viewer may take (`/hazards/{id}`). Handlers parse, call `actions.take`,
and redirect (303) or show the page again with every error by its field.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.principal import Principal
from service.campaigns.rules import today
from service.collection.evidence_routes import storage, too_large
from service.web.access import access
from service.web.forms import UploadBody, text_of
from service.web.i18n import current_language
from service.web.problems import HAZARD_NOT_FOUND, ApiProblem, ProblemKind
from service.web.urls import RowId, RowIdOrNone

from . import grades, notices, page_photos, photos, queries
from .access import HAZARD_ROLES, scope
from .actions import Outcome, facts_of, take, visible_hazard
from .lifecycle import OPEN_STATES, Action, State, allowed_actions, refusal
from .steps import PLAN_FIELDS, latest_deadline

# The register's views: what a person looks for first.
VIEWS: dict[str, dict[str, Any]] = {
    "open": {"states": tuple(s.value for s in OPEN_STATES)},
    "overdue": {"overdue": True},
    "verify": {"states": (State.submitted.value,)},
    "closed": {"states": (State.closed.value,)},
    "all": {},
}


@get("/hazards", opt=access(*HAZARD_ROLES), include_in_schema=False, name="hazards")
async def register(
    request: Request,
    view: FromQuery[str] = "open",
    grade: FromQuery[str] = "",
    q: FromQuery[str] = "",
    page: FromQuery[int] = 1,
    enterprise: FromQuery[RowIdOrNone] = None,
) -> Template:
    principal: Principal = request.user
    view = view if view in VIEWS else "open"
    search = q.replace("\x00", "").strip()[:50]
    narrowing: dict[str, Any] = {"search": search, "enterprise_id": enterprise}
    if VIEWS[view].get("states"):
        narrowing["states"] = VIEWS[view]["states"]
    if VIEWS[view].get("overdue"):
        narrowing["overdue_on"] = today()
    if grades.grade(grade):
        narrowing["grade"] = grade
    filters = await scope(principal, **narrowing)
    total = await queries.count(filters)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await queries.hazards(filters, offset=(page - 1) * queries.PAGE_SIZE)
    context = {
        "hazards": rows,
        "total": total,
        "view": view,
        "views": list(VIEWS),
        "grade": grade,
        "grades": grades.grades(),
        "q": q,
        "enterprise": enterprise,
        "page": page,
        "pages": pages,
        "today": today(),
    }
    return Template("hazards/register.html", context=context)


async def _hazard_page(
    request: Request,
    hazard_id: int,
    *,
    outcome: Outcome | None = None,
    step: str = "",
    typed: dict[str, Any] | None = None,
    done: str = "",
) -> Template:
    found = await visible_hazard(request.user, hazard_id)
    if found is None:
        raise NotFoundException("No such hazard")
    hazard, who = found
    problem: ProblemKind | None = outcome.problem if outcome else None
    context = {
        "hazard": hazard,
        "timeline": await queries.timeline(hazard_id),
        "notices": await notices.notices_of(hazard_id),
        "may_issue_notice": hazard["state"] in OPEN_STATES
        and await notices.may_issue(request.user, hazard["enterprise"]),
        "actions": [a.value for a in allowed_actions(who, facts_of(hazard))],
        "grades": grades.grades(),
        "needs_plan": grades.needs_plan(hazard["grade"]),
        "plan_fields": PLAN_FIELDS,
        "pending_photos": await page_photos.pending_after_photos(hazard, request.user.user_id),
        "default_deadline": hazard["deadline"] or grades.default_deadline(hazard["grade"], today()),
        "responsible_default": request.user.display_name,
        "latest_deadline": None if who.town_admin else latest_deadline(hazard, today()),
        "today": today(),
        "problem": (problem.title_zh if current_language.get() == "zh" else problem.title)
        if problem
        else "",
        "errors": outcome.errors if outcome else {},
        "step": step,
        "typed": typed or {},
        "done": done,
    }
    status = problem.status if problem else 200
    return Template("hazards/hazard.html", context=context, status_code=status)


@get("/hazards/{hazard_id:int}", opt=access(*HAZARD_ROLES), include_in_schema=False)
async def hazard_page(
    request: Request, hazard_id: FromPath[RowId], done: FromQuery[str] = ""
) -> Template:
    return await _hazard_page(request, hazard_id, done=done if done in Action.__members__ else "")


@post(
    "/hazards/{hazard_id:int}/steps/{action:str}",
    opt=access(*HAZARD_ROLES),
    include_in_schema=False,
    status_code=303,
    request_max_body_size=page_photos.STEP_BODY_CEILING,
    exception_handlers={413: too_large},  # said with our limit, as for the forms' photos
)
async def take_step(
    request: Request, hazard_id: FromPath[RowId], action: FromPath[str], data: UploadBody
) -> Response:
    """One step of the lifecycle from the hazard page. The rectification's photos come
    in the same post; they are kept even when the step is refused, so a second try
    does not need them again."""
    if action not in Action.__members__:
        raise NotFoundException("No such step")
    step = Action(action)
    fields = {k: text_of(v) for k, v in data.items() if k != "photo"}
    version = fields.get("version")
    after = None
    if step is Action.submit_rectification:
        found = await visible_hazard(request.user, hazard_id)
        if found is None:
            raise NotFoundException("No such hazard")
        refused = refusal(step, found[1], facts_of(found[0]))
        if refused is not None:  # nobody else's photos go with the rectification
            outcome = Outcome(found[0], refused)
            return await _hazard_page(request, hazard_id, outcome=outcome, step=action)
        files = data.get("photo")
        files = files if isinstance(files, list) else [files] if files is not None else []
        try:
            await page_photos.store_page_uploads(
                request, storage(request), found[0], files, request.user.user_id
            )
        except ApiProblem as exc:
            message = exc.kind.title_zh if current_language.get() == "zh" else exc.kind.title
            outcome = Outcome(found[0], exc.kind, {"photos": message})
            return await _hazard_page(
                request, hazard_id, outcome=outcome, step=action, typed=fields
            )
        pending = await page_photos.pending_after_photos(found[0], request.user.user_id)
        after = [str(p["id"]) for p in pending]
    outcome = await take(
        request.user,
        hazard_id,
        step,
        fields,
        version=int(version) if version and version.isdigit() else None,
        after_photos=after,
    )
    if outcome.problem is HAZARD_NOT_FOUND:
        raise NotFoundException("No such hazard")
    if not outcome.done:
        return await _hazard_page(request, hazard_id, outcome=outcome, step=action, typed=fields)
    return Redirect(f"/hazards/{hazard_id}?done={action}", status_code=303)


@get(
    "/hazards/{hazard_id:int}/photos/{evidence_id:uuid}",
    opt={**access(*HAZARD_ROLES), "skip_compression": True},
    include_in_schema=False,
)
async def hazard_photo(
    request: Request,
    hazard_id: FromPath[RowId],
    evidence_id: FromPath[uuid.UUID],
    thumbnail: FromQuery[bool] = False,
) -> Response[bytes]:
    found = await visible_hazard(request.user, hazard_id)
    row = await photos.hazard_photo(found[0], evidence_id) if found else None
    if row is None:
        raise NotFoundException("No such photo")
    return await page_photos.serve_photo(request, row, thumbnail=thumbnail)


ROUTES = [register, hazard_page, take_step, hazard_photo]
