"""Pages of chemical information cards (有毒有害化学物质信息卡): the register, one card,
registering and editing one, and the card printed for the workplace."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.principal import Principal
from service.web.forms import FormBody, row_id_or_none, text_of
from service.web.i18n import gettext_ as _
from service.web.urls import RowId, RowIdOrNone

from . import chemicals, points
from .access import reach
from .points_routes import REGISTERS


async def _visible(principal: Principal, card_id: int) -> tuple[dict, points.Rights]:
    """The card if this person may see it; 404 otherwise (ids never leak)."""
    card = await chemicals.card(card_id)
    if card is None:
        raise NotFoundException("No such chemical card")
    rights = await points.rights(principal, card["enterprise"], card["town_id"])
    if not rights.view:
        raise NotFoundException("No such chemical card")
    return card, rights


def _edit_page(
    card: dict | None,
    values: dict,
    errors: dict[str, str],
    enterprises: list[dict] | None = None,
    status_code: int = 200,
) -> Template:
    context = {"card": card, "values": values, "errors": errors, "enterprises": enterprises or []}
    return Template("hazards/chemical_edit.html", context=context, status_code=status_code)


@get("/chemical-cards", opt=REGISTERS, include_in_schema=False, name="chemical_cards")
async def register(request: Request, enterprise: FromQuery[RowIdOrNone] = None) -> Template:
    principal: Principal = request.user
    enterprise_id = enterprise
    cards = await chemicals.cards_in(await reach(principal), enterprise_id=enterprise_id)
    context = {
        "cards": cards,
        "enterprises": await points.enterprises_for(principal),
        "enterprise": enterprise_id,
    }
    return Template("hazards/chemicals.html", context=context)


@get("/chemical-cards/new", opt=REGISTERS, include_in_schema=False)
async def new_card(request: Request, enterprise: FromQuery[RowIdOrNone] = None) -> Template:
    enterprises = await points.enterprises_for(request.user)
    values = {"emergency_phones": chemicals.DEFAULT_PHONES, "enterprise": enterprise}
    return _edit_page(None, values, {}, enterprises)


@post("/chemical-cards", opt=REGISTERS, include_in_schema=False, status_code=303)
async def create_card(request: Request, data: FormBody) -> Template | Redirect:
    enterprises = await points.enterprises_for(request.user)
    values, errors = chemicals.read_card(data)
    enterprise_id = row_id_or_none(text_of(data.get("enterprise")))
    if enterprise_id not in {e["id"] for e in enterprises}:
        errors["enterprise"] = _("Choose one of your enterprises.")
    if errors:
        return _edit_page(None, {**values, "enterprise": enterprise_id}, errors, enterprises, 400)
    card_id = await chemicals.save_card(values, enterprise_id=enterprise_id)
    return Redirect(f"/chemical-cards/{card_id}", status_code=303)


@get("/chemical-cards/{card_id:int}", opt=REGISTERS, include_in_schema=False)
async def card_page(request: Request, card_id: FromPath[RowId]) -> Template:
    card, rights = await _visible(request.user, card_id)
    return Template("hazards/chemical.html", context={"card": card, "rights": rights})


@get("/chemical-cards/{card_id:int}/edit", opt=REGISTERS, include_in_schema=False)
async def edit_card(request: Request, card_id: FromPath[RowId]) -> Template:
    card, rights = await _visible(request.user, card_id)
    if not rights.manage:
        raise NotFoundException("No such chemical card")
    return _edit_page(card, dict(card), {})


@post("/chemical-cards/{card_id:int}/edit", opt=REGISTERS, include_in_schema=False, status_code=303)
async def update_card(
    request: Request, card_id: FromPath[RowId], data: FormBody
) -> Template | Redirect:
    card, rights = await _visible(request.user, card_id)
    if not rights.manage:
        raise NotFoundException("No such chemical card")
    values, errors = chemicals.read_card(data)
    if errors:
        return _edit_page(card, values, errors, status_code=400)
    await chemicals.save_card(values, card_id=card_id)
    return Redirect(f"/chemical-cards/{card_id}", status_code=303)


@get("/chemical-cards/{card_id:int}/print", opt=REGISTERS, include_in_schema=False)
async def print_card(request: Request, card_id: FromPath[RowId]) -> Template:
    card, _rights = await _visible(request.user, card_id)
    return Template("hazards/chemical_print.html", context={"card": card})


ROUTES = [register, new_card, create_card, card_page, edit_card, update_card, print_card]
