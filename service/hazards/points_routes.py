"""Pages of hazard points (危险源点): the register, a point with its inspections and
hazards, its printable A5 warning card with a QR code, and the inspection the QR code
starts; and the safety inspection prompt card printed from its checklist.

Scanning a card's code opens `/hazard-points/{id}/inspect` (after signing in, the
login page comes back to it); one tap there starts a checklist draft for the point's
enterprise with the place and the day filled in. The draft's id comes from the page,
so a double tap lands on the same draft.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.principal import Principal, Role
from service.campaigns.rules import today
from service.collection import access as filling
from service.collection import queries as submissions
from service.collection.outside import NotYours, start_outside_campaign
from service.collection.rules import parse_submission_id
from service.forms import catalog
from service.forms.model import Check, FormKind
from service.web.access import SIGNED_IN, access
from service.web.forms import FormBody, row_id_or_none, text_of
from service.web.i18n import gettext_ as _
from service.web.urls import RowId, RowIdOrNone

from . import points
from . import queries as hazard_queries
from .access import reach
from .points import DANGER_LEVELS, INSPECTION_FORM, danger_label
from .qr import qr_inline, qr_svg

# Who keeps registers: an enterprise account, a supervisor, an admin (a judge has none).
REGISTERS = access(Role.admin, Role.enterprise, Role.supervisor)


async def _visible(principal: Principal, point_id: int) -> tuple[dict, points.Rights]:
    """The point if this person may see it; 404 otherwise (ids never leak)."""
    point = await points.point(point_id)
    if point is None:
        raise NotFoundException("No such hazard point")
    rights = await points.rights(principal, point["enterprise"], point["town_id"])
    if not rights.view:
        raise NotFoundException("No such hazard point")
    return point, rights


async def _managed(principal: Principal, point_id: int) -> dict:
    point, rights = await _visible(principal, point_id)
    if not rights.manage:
        raise NotFoundException("No such hazard point")
    return point


def _inspect_url(request: Request, point_id: int) -> str:
    """What the card's code holds: PUBLIC_URL when set, as a card printed from an
    office computer must still open on a phone in the yard."""
    base = request.app.state.settings.public_url or str(request.base_url)
    return base.rstrip("/") + f"/hazard-points/{point_id}/inspect"


def _labels() -> dict[str, Any]:
    return {"danger_levels": DANGER_LEVELS, "danger_label": danger_label}


def _edit_page(
    point: dict | None,
    values: dict,
    errors: dict[str, str],
    enterprises: list[dict] | None = None,
    status_code: int = 200,
) -> Template:
    context = {
        "point": point,
        "values": values,
        "errors": errors,
        "enterprises": enterprises or [],
        **_labels(),
    }
    return Template("hazards/point_edit.html", context=context, status_code=status_code)


# ---------------------------------------------------------------- the register


@get("/hazard-points", opt=REGISTERS, include_in_schema=False, name="hazard_points")
async def register(
    request: Request, enterprise: FromQuery[RowIdOrNone] = None, retired: FromQuery[bool] = False
) -> Template:
    principal: Principal = request.user
    scope = await reach(principal)
    enterprise_id = enterprise
    rows = await points.points_in(scope, enterprise_id=enterprise_id, retired=retired)
    context = {
        "points": rows,
        "enterprises": await points.enterprises_for(principal),
        "enterprise": enterprise_id,
        "retired": retired,
        **_labels(),
    }
    return Template("hazards/points.html", context=context)


@get("/hazard-points/new", opt=REGISTERS, include_in_schema=False)
async def new_point(request: Request, enterprise: FromQuery[RowIdOrNone] = None) -> Template:
    enterprises = await points.enterprises_for(request.user)
    values = {"danger_level": "yellow", "inspection_cycle_days": 30, "enterprise": enterprise}
    return _edit_page(None, values, {}, enterprises)


@post("/hazard-points", opt=REGISTERS, include_in_schema=False, status_code=303)
async def create_point(request: Request, data: FormBody) -> Template | Redirect:
    """Supervisors watching an enterprise may add its points, as its accounts and admins."""
    enterprises = await points.enterprises_for(request.user)
    values, errors = points.read_point(data)
    enterprise_id = row_id_or_none(text_of(data.get("enterprise")))
    values["enterprise"] = enterprise_id
    if enterprise_id not in {e["id"] for e in enterprises}:
        errors["enterprise"] = _("Choose one of your enterprises.")
    if errors:
        return _edit_page(None, values, errors, enterprises, status_code=400)
    point_id = await points.save_point(values, enterprise_id=enterprise_id)
    return Redirect(f"/hazard-points/{point_id}", status_code=303)


# ---------------------------------------------------------------- one point


@get("/hazard-points/{point_id:int}", opt=REGISTERS, include_in_schema=False)
async def point_page(request: Request, point_id: FromPath[RowId]) -> Template:
    point, rights = await _visible(request.user, point_id)
    last = await points.last_inspected([point_id])
    points.with_due(point, last.get(point_id), today())
    found = await hazard_queries.hazards(hazard_queries.Filters(point_id=point_id), limit=None)
    context = {
        "point": point,
        "rights": rights,
        "user_id": request.user.user_id,
        "inspections": await points.inspections_of(point_id),
        "hazards": found,
        **_labels(),
    }
    return Template("hazards/point.html", context=context)


@get("/hazard-points/{point_id:int}/edit", opt=REGISTERS, include_in_schema=False)
async def edit_point(request: Request, point_id: FromPath[RowId]) -> Template:
    point = await _managed(request.user, point_id)
    return _edit_page(point, dict(point), {})


@post("/hazard-points/{point_id:int}/edit", opt=REGISTERS, include_in_schema=False, status_code=303)
async def update_point(
    request: Request, point_id: FromPath[RowId], data: FormBody
) -> Template | Redirect:
    point = await _managed(request.user, point_id)
    values, errors = points.read_point(data)
    if errors:
        return _edit_page(point, values, errors, status_code=400)
    await points.save_point(values, point_id=point_id)
    return Redirect(f"/hazard-points/{point_id}", status_code=303)


@post(
    "/hazard-points/{point_id:int}/active", opt=REGISTERS, include_in_schema=False, status_code=303
)
async def retire_point(request: Request, point_id: FromPath[RowId], data: FormBody) -> Redirect:
    """Retire a point (or bring it back): it stays with its inspections and hazards."""
    await _managed(request.user, point_id)
    await points.set_active(point_id, text_of(data.get("active")) == "1")
    return Redirect(f"/hazard-points/{point_id}", status_code=303)


# ---------------------------------------------------------------- the card and its code


@get("/hazard-points/{point_id:int}/card", opt=REGISTERS, include_in_schema=False)
async def warning_card(request: Request, point_id: FromPath[RowId]) -> Template:
    point, _rights = await _visible(request.user, point_id)
    url = _inspect_url(request, point_id)
    context = {"point": point, "inspect_url": url, "qr": qr_inline(url), **_labels()}
    return Template("hazards/point_card.html", context=context)


@get("/hazard-points/{point_id:int}/qr.svg", opt=REGISTERS, include_in_schema=False)
async def qr_code(request: Request, point_id: FromPath[RowId]) -> Response[str]:
    await _visible(request.user, point_id)
    return Response(
        qr_svg(_inspect_url(request, point_id), scale=10),
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="hazard-point-{point_id}.svg"'},
    )


# ---------------------------------------------------------------- inspecting from the code


@get("/hazard-points/{point_id:int}/inspect", opt=REGISTERS, include_in_schema=False)
async def inspect_page(request: Request, point_id: FromPath[RowId]) -> Template:
    point, _rights = await _visible(request.user, point_id)
    role = None
    definition = await catalog.get_form(INSPECTION_FORM)
    if definition is not None:
        role = await filling.inspection_role(request.user, definition, point["enterprise"])
    context = {
        "point": point,
        "form": definition,
        "may_inspect": role is not None and point["active"],
        "submission_id": uuid.uuid4(),
        **_labels(),
    }
    return Template("hazards/point_inspect.html", context=context)


@post(
    "/hazard-points/{point_id:int}/inspect", opt=REGISTERS, include_in_schema=False, status_code=303
)
async def start_inspection(request: Request, point_id: FromPath[RowId], data: FormBody) -> Redirect:
    """Start the checklist at this point, with the id the page carried."""
    principal: Principal = request.user
    point, _rights = await _visible(principal, point_id)
    submission_id = parse_submission_id(text_of(data.get("submission_id")))
    if submission_id is None:  # a page from before: take a fresh one
        return Redirect(f"/hazard-points/{point_id}/inspect", status_code=303)
    if not point["active"]:
        raise NotFoundException("Nothing to inspect here")
    prefill = {"hazard-point": points.inspection_place(point), "inspection-date": str(today())}
    try:
        await start_outside_campaign(
            principal, INSPECTION_FORM, point["enterprise"], submission_id, prefill
        )
    except NotYours:
        raise NotFoundException("Nothing to inspect here") from None
    draft = await submissions.find(submission_id)
    if draft is not None and draft["enterprise_id"] == point["enterprise"]:
        # Before it can be submitted: the hazards it finds carry the point. A repeat
        # (a second tap, or a first try that stopped short) links it once.
        await points.link_inspection(submission_id, point_id)
    return Redirect(f"/submissions/{submission_id}", status_code=303)


# ---------------------------------------------------------------- the prompt card


@get("/prompt-cards/{form_id:str}", opt=access(SIGNED_IN), include_in_schema=False)
async def prompt_card(form_id: FromPath[str]) -> Template:
    """A checklist printed as the safety inspection prompt card: each item with its
    standard. Only checklists have one."""
    definition = await catalog.get_form(form_id[:64])
    if definition is None or definition.kind is not FormKind.checklist:
        raise NotFoundException("No such checklist")
    sections = [
        (section, [item for item in section.items if isinstance(item, Check)])
        for section in definition.sections
    ]
    context = {"form": definition, "sections": [(s, checks) for s, checks in sections if checks]}
    return Template("hazards/prompt_card.html", context=context)


ROUTES = [
    register,
    new_point,
    create_point,
    point_page,
    edit_point,
    update_point,
    retire_point,
    warning_card,
    qr_code,
    inspect_page,
    start_inspection,
    prompt_card,
]
