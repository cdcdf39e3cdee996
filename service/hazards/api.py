"""The hazards API: the register with its filters, one hazard with its timeline and
the steps the caller may take now, taking a step, and uploading an after-photo.

The same rules as the pages: a caller sees the hazards of their scope (access.scope)
and one outside it is a 404 like a missing one; every step goes through
actions.take, so a refused step (answered with the lifecycle's problem code)
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, ClassVar

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, FromQuery, JSONBody, Parameter, QueryParameter

from service.accounts.principal import Principal
from service.campaigns.rules import local_date, today
from service.collection.evidence_routes import (
    API_BODY_CEILING,
    EvidenceOut,
    PhotoUpload,
    read_uploads,
    refuse_oversized_api,
    storage,
    too_large,
)
from service.web.access import access
from service.web.i18n import _l, translations
from service.web.problems import (
    BAD_REQUEST,
    HAZARD_CHANGED,
    HAZARD_INVALID,
    HAZARD_NOT_FOUND,
    ApiProblem,
    ProblemKind,
    problem_responses,
)
from service.web.urls import BodyRowId, RowId, RowIdOrNone

from . import actions, grades, lifecycle, photos, queries, steps
from .access import HAZARD_ROLES, scope
from .lifecycle import Action, State

MAX_LIMIT = 100
# The hazard pages' roles: a judge as such has no hazards to see.
_TEXT = 10_000  # a body's text fields are bounded here; the steps check their own limits
Text = Annotated[str, msgspec.Meta(max_length=_TEXT)]
# Stable codes for the steps' field messages (clients match on them, not on words).
_FIELD_CODES = {
    steps.REQUIRED: "required",
    steps.TOO_LONG: "too_long",
    steps.BAD_DATE: "bad_date",
    steps.PAST_DATE: "past_date",
    steps.NEED_PHOTO: "photo_required",
    steps.TOO_MANY_PHOTOS: "too_many_photos",
    steps.UNKNOWN_GRADE: "unknown_grade",
}
UNKNOWN_PHOTO = _l("A photo is not one uploaded for this hazard")


class HazardSummary(msgspec.Struct, kw_only=True):
    """A hazard as the register lists it."""

    id: int
    enterprise_id: int
    enterprise: str
    town: str | None
    village: str | None
    point_id: int | None
    point: str | None
    source: str  # inspection | report | manual
    location: str
    description: str
    grade: str  # an id of forms/hazards/grades.yaml: general, larger, major, …
    state: State
    found_by: str | None
    found_at: dt.datetime
    responsible: str
    deadline: dt.date | None
    overdue: bool  # past its deadline while the enterprise still has to act
    version: int  # give it back with a step: a step on a state that moved on is refused


class TimelineEntry(msgspec.Struct, kw_only=True):
    action: str  # "reported" or a step
    from_state: str
    to_state: str
    actor_id: int | None
    actor: str | None
    at: dt.datetime
    detail: dict[str, Any]  # the reason, the fields set, the photos added


class HazardDetail(HazardSummary, kw_only=True):
    """One hazard, its timeline, and the steps the caller may take now."""

    submission: uuid.UUID | None  # the inspection or report that found it
    item: str | None
    gps: str
    standard: str
    photos: list[str]  # evidence ids of the finding
    measures: str
    plan: dict[str, str] | None  # a major hazard's rectification plan
    rectification: str
    after_photos: list[str]  # evidence ids
    rectified_by: str | None
    rectified_at: dt.datetime | None
    closed_by: str | None
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    timeline: list[TimelineEntry]
    allowed_actions: list[Action]


class HazardPage(msgspec.Struct, kw_only=True):
    items: list[HazardSummary]
    total: int  # hazards matching the filters, on every page
    page: int
    limit: int
    next_page: int | None  # None: this is the last page


class TransitionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A step and what it carries (the same fields as the hazard page's forms)."""

    action: Action
    version: BodyRowId | None = None
    # acknowledge
    responsible: Text | None = None
    deadline: Text | None = None  # YYYY-MM-DD, not before today
    measures: Text | None = None
    # acknowledge a major hazard: its rectification plan
    plan_goal: Text | None = None
    plan_measures: Text | None = None
    plan_funds: Text | None = None
    plan_people: Text | None = None
    plan_deadline: Text | None = None  # YYYY-MM-DD
    plan_safety_measures: Text | None = None
    plan_emergency_plan: Text | None = None
    # submit_rectification: the measures taken and the after-photos uploaded for it
    rectification: Text | None = None
    after_photos: Annotated[list[uuid.UUID], msgspec.Meta(max_length=50)] | None = None
    # send_back, withdraw, regrade: why; verify: an optional note; regrade: the grade
    reason: Text | None = None
    note: Text | None = None
    grade: Text | None = None


# ---------------------------------------------------------------- answers


def _summary_fields(hazard: dict, today: dt.date) -> dict[str, Any]:
    return {
        "id": hazard["id"],
        "enterprise_id": hazard["enterprise"],
        "enterprise": hazard["enterprise_name"],
        "town": hazard["town_name"],
        "village": hazard["village_name"],
        "point_id": hazard["hazard_point"],
        "point": hazard["point_name"],
        "source": hazard["source"],
        "location": hazard["location"],
        "description": hazard["description"],
        "grade": hazard["grade"],
        "state": State(hazard["state"]),
        "found_by": hazard["found_by_name"],
        "found_at": hazard["found_at"],
        "responsible": hazard["responsible"],
        "deadline": hazard["deadline"],
        "overdue": lifecycle.overdue(hazard["state"], hazard["deadline"], today),
        "version": hazard["version"],
    }


async def _detail(hazard: dict, who: lifecycle.Actor) -> HazardDetail:
    events = await queries.timeline(hazard["id"])
    return HazardDetail(
        **_summary_fields(hazard, today()),
        submission=hazard["submission"],
        item=hazard["item"],
        gps=hazard["gps"],
        standard=hazard["standard"],
        photos=[str(p) for p in hazard["photos"]],
        measures=hazard["measures"],
        plan=hazard["plan"],
        rectification=hazard["rectification"],
        after_photos=[str(p) for p in hazard["after_photos"]],
        rectified_by=hazard["rectified_by_name"],
        rectified_at=hazard["rectified_at"],
        closed_by=hazard["closed_by_name"],
        closed_at=hazard["closed_at"],
        updated_at=hazard["updated_at"],
        timeline=[
            TimelineEntry(
                action=e["action"],
                from_state=e["from_state"],
                to_state=e["to_state"],
                actor_id=e["actor"],
                actor=e["actor_name"],
                at=e["at"],
                detail=e["detail"],
            )
            for e in events
        ],
        allowed_actions=lifecycle.allowed_actions(who, actions.facts_of(hazard)),
    )


def _field_errors(errors: dict[str, str]) -> list[dict[str, Any]]:
    """The steps' problems by field, in English and Chinese, with stable codes."""
    chinese = translations("zh")
    return [
        {
            "field": field,
            "code": _FIELD_CODES.get(message, "invalid"),
            "message": message,
            "message_zh": chinese.gettext(message),
        }
        for field, message in errors.items()
    ]


def _refused(kind: ProblemKind, errors: dict[str, str] | None = None) -> ApiProblem:
    return ApiProblem(kind, None, _field_errors(errors) if errors else None)


def _text(value: str) -> str:
    # PostgreSQL text takes no NUL character; nobody types one.
    return value.replace("\x00", "")


async def _visible(principal: Principal, hazard_id: int) -> tuple[dict, lifecycle.Actor]:
    found = await actions.visible_hazard(principal, hazard_id)
    if found is None:  # missing or not the caller's to see: the same answer
        raise ApiProblem(HAZARD_NOT_FOUND, f"no hazard {hazard_id}")
    return found


def _states(values: list[str] | None) -> tuple[str, ...] | None:
    chosen = [s.strip() for value in values or [] for s in value.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in State.__members__]
    if unknown:
        raise ApiProblem(BAD_REQUEST, f"unknown state: {unknown[0][:40]}")
    return tuple(dict.fromkeys(chosen)) or None


async def _checked_photos(
    principal: Principal, hazard: dict, who: lifecycle.Actor, data: TransitionBody
) -> list[str] | None:
    """The after-photos of a rectification, once each, all uploaded for this hazard.

    An unknown id is refused with the step's other problems, unless the step itself is
    refused (a wrong state or person wins, as for any step)."""
    if data.action is not Action.submit_rectification or data.after_photos is None:
        return None
    given = [str(p) for p in dict.fromkeys(data.after_photos)]
    known = await photos.known_after_photos(hazard, given)
    if len(known) == len(given):
        return known
    if data.version is not None and data.version != hazard["version"]:
        raise _refused(HAZARD_CHANGED)
    problem = lifecycle.refusal(data.action, who, actions.facts_of(hazard))
    if problem is not None:
        raise _refused(problem)
    now = dt.datetime.now(dt.UTC)
    step = steps.read_step(
        data.action,
        _fields(data),
        hazard,
        local_date(now),
        user_id=principal.user_id,
        now=now,
        after_photos=known,
    )
    raise _refused(HAZARD_INVALID, {**step.errors, "photos": UNKNOWN_PHOTO})


def _fields(data: TransitionBody) -> dict[str, str]:
    skipped = {"action", "version", "after_photos"}
    return {
        name: _text(value)
        for name, value in msgspec.structs.asdict(data).items()
        if name not in skipped and isinstance(value, str)
    }


# ---------------------------------------------------------------- routes


class HazardApi(Controller):
    """Hazards with a bearer token: the same rules as the hazard pages."""

    path = "/api/v1/hazards"
    tags: ClassVar[list[str]] = ["hazards"]
    opt: ClassVar[dict] = access(*HAZARD_ROLES)

    @get(
        "/",
        summary="The hazards you may see, newest found first",
        description=(
            "Your scope: an admin, the hazards of their towns' enterprises; an enterprise "
            "account, its enterprise's; a supervisor, those of the enterprises they watch "
            "and those they found. `state` may repeat or be a comma list (reported, "
            "rectifying, submitted, closed, withdrawn); `overdue=true`: past the deadline "
            "while the enterprise still has to act; `q` searches the description, the "
            "location and the enterprise's name."
        ),
        responses=problem_responses(400, 401),
    )
    async def list_hazards(
        self,
        request: Request,
        # `state` is a name Litestar keeps for the app's state: read under another name.
        states: Annotated[
            list[str] | None, QueryParameter(name="state", max_items=20, max_length=100)
        ] = None,
        grade: FromQuery[Annotated[str, Parameter(max_length=16)] | None] = None,
        enterprise: FromQuery[RowIdOrNone] = None,
        overdue: FromQuery[bool] = False,
        point: FromQuery[RowIdOrNone] = None,
        q: FromQuery[Annotated[str, Parameter(max_length=100)]] = "",
        page: FromQuery[Annotated[int, Parameter(ge=1, le=100_000)]] = 1,
        limit: FromQuery[Annotated[int, Parameter(ge=1, le=MAX_LIMIT)]] = queries.PAGE_SIZE,
    ) -> HazardPage:
        if grade and grades.grade(grade) is None:
            raise ApiProblem(BAD_REQUEST, f"unknown grade: {grade}")
        on = today()
        filters = await scope(
            request.user,
            states=_states(states),
            grade=grade or None,
            enterprise_id=enterprise,
            overdue_on=on if overdue else None,
            point_id=point,
            search=_text(q).strip(),
        )
        total = await queries.count(filters)
        rows = await queries.hazards(filters, limit=limit, offset=(page - 1) * limit)
        return HazardPage(
            items=[HazardSummary(**_summary_fields(row, on)) for row in rows],
            total=total,
            page=page,
            limit=limit,
            next_page=page + 1 if page * limit < total else None,
        )

    @get(
        "/{hazard_id:int}",
        summary="One hazard, its timeline and the steps you may take now",
        responses=problem_responses(400, 401, 404),
    )
    async def get_hazard(self, request: Request, hazard_id: FromPath[RowId]) -> HazardDetail:
        hazard, who = await _visible(request.user, hazard_id)
        return await _detail(hazard, who)

    @post(
        "/{hazard_id:int}/transitions",
        summary="Take a step on a hazard (acknowledge, submit_rectification, verify, …)",
        description=(
            "The step and the fields it carries: acknowledge — responsible, deadline, "
            "measures (and for a major hazard the plan_* fields); submit_rectification — "
            "rectification and after_photos (ids answered by the photos upload); verify — "
            "an optional note; send_back and withdraw — reason; regrade — grade and "
            "reason. Give `version` (from the hazard) so a step on a state someone else "
            "changed meanwhile is refused (409 `hazard.changed`) instead of applied. "
            "Refusals: 409 `hazard.wrong_state`, 403 `hazard.not_allowed`, 403 "
            "`hazard.own_rectification`, 400 `hazard.plan_required` and 400 "
            "`hazard.invalid` (both with `errors` by field), 404 `hazard.not_found`. A "
            "refused step changes nothing."
        ),
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 415, 503),
    )
    async def take_step(
        self, request: Request, hazard_id: FromPath[RowId], data: JSONBody[TransitionBody]
    ) -> HazardDetail:
        principal: Principal = request.user
        hazard, who = await _visible(principal, hazard_id)
        after_photos = await _checked_photos(principal, hazard, who, data)
        outcome = await actions.take(
            principal,
            hazard_id,
            data.action,
            _fields(data),
            version=data.version,
            after_photos=after_photos,
        )
        if not outcome.done:
            raise _refused(outcome.problem, outcome.errors)  # type: ignore[arg-type]
        hazard, who = await _visible(principal, hazard_id)
        return await _detail(hazard, who)

    @post(
        "/{hazard_id:int}/photos",
        summary="Upload one after-photo of a hazard's rectification",
        description=(
            "Multipart, one file in the field `photo` (JPEG, PNG, WebP or HEIC, at most "
            "PHOTO_MAX_BYTES), before submitting the rectification: list the returned "
            "`id` in the step's `after_photos`. Only who may submit the rectification now "
            "uploads. 201 the first time; 200 with the same body when the same photo is "
            "sent again (safe to retry)."
        ),
        status_code=201,
        request_max_body_size=API_BODY_CEILING,
        before_request=refuse_oversized_api,
        exception_handlers={413: too_large},
        responses={
            200: ResponseSpec(EvidenceOut, description="This photo was already uploaded"),
            **problem_responses(400, 401, 403, 404, 409, 413, 415),
        },
    )
    async def upload_photo(
        self,
        request: Request,
        hazard_id: FromPath[RowId],
        data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[EvidenceOut]:
        principal: Principal = request.user
        hazard, who = await _visible(principal, hazard_id)
        problem = lifecycle.refusal(Action.submit_rectification, who, actions.facts_of(hazard))
        if problem is not None:
            raise _refused(problem)
        uploads = await read_uploads(request, [data.photo])
        [(row, created)] = await photos.attach_after_photos(
            storage(request), hazard, uploads, principal.user_id
        )
        body = EvidenceOut(
            id=row["id"],
            item=row["item"],
            width=row["width"],
            height=row["height"],
            size=row["size"],
            sha256=row["sha256"],
        )
        return Response(body, status_code=201 if created else 200)


ROUTES: list = [HazardApi]
