"""Admin pages for series: list and create them; one series' rounds and the import of
its past results; a campaign's round (which series, which year). Handlers parse,
check, call the queries, and redirect (303) or show the page again with the errors."""

from __future__ import annotations

import enum
from typing import ClassVar

import anyio
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.accounts import audit
from service.accounts.principal import Principal, Role
from service.campaigns.access import audit_campaign, managed_campaign
from service.orgs import queries as orgs
from service.orgs.spreadsheet import MAX_FILE_BYTES
from service.web.access import access
from service.web.auth import client_ip
from service.web.forms import FormBody, UploadBody, row_id_or_none, text_of
from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.urls import RowId

from . import queries
from .past_file import MAX_YEAR, MIN_YEAR, parse_past_file

NAME_MAX = 200
LABEL_MAX = 50


class Kind(enum.StrEnum):
    ankang_cup = "ankang_cup"
    harmonious = "harmonious"
    workers_home = "workers_home"
    other = "other"


KIND_LABELS = {
    Kind.ankang_cup: _l("Ankang Cup competition"),
    Kind.harmonious: _l("Harmonious labour relations"),
    Kind.workers_home: _l("Workers' home"),
    Kind.other: _l("Other"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[Kind(kind)]) if kind in Kind.__members__ else kind


async def _managed_series(principal: Principal, series_id: int) -> dict:
    series = await queries.get_series(series_id)
    if series is None:
        raise NotFoundException("No such series")
    if not principal.manages_town(series["town_id"]):
        raise PermissionDeniedException("Not a series of your towns")
    return series


class SeriesAdmin(Controller):
    path = "/admin/series"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/", name="admin_series")
    async def list_page(self, request: Request) -> Template:
        return await _list_page(request.user)

    @post("/", status_code=303)
    async def create(self, request: Request, data: FormBody) -> Template | Redirect:
        principal: Principal = request.user
        values = {name: text_of(data.get(name)).strip() for name in ("name", "town_id", "kind")}
        towns = {t["id"] for t in await orgs.towns_for(principal)}
        errors = {}
        if not values["name"]:
            errors["name"] = _("Give the series a name.")
        elif len(values["name"]) > NAME_MAX:
            errors["name"] = _("The name is too long (at most 200 characters).")
        town_id = row_id_or_none(values["town_id"])
        if town_id not in towns:
            errors["town_id"] = _("Choose one of your towns.")
        if values["kind"] not in Kind.__members__:
            errors["kind"] = _("Choose one of the options.")
        if errors:
            return await _list_page(principal, values=values, errors=errors, status=400)
        series_id = await queries.create_series(values["name"], town_id, values["kind"])  # type: ignore[arg-type]
        await audit.record(
            "series_created",
            actor_id=principal.user_id,
            subject=f"series {series_id}",
            ip=client_ip(request.scope),
            name=values["name"],
        )
        return Redirect(f"/admin/series/{series_id}", status_code=303)

    @get("/{series_id:int}", name="admin_one_series")
    async def series_page(self, request: Request, series_id: FromPath[RowId]) -> Template:
        series = await _managed_series(request.user, series_id)
        return await _series_page(series)

    @post(
        "/{series_id:int}/history",
        status_code=200,
        request_max_body_size=MAX_FILE_BYTES + 65536,
    )
    async def import_history(
        self, request: Request, series_id: FromPath[RowId], data: UploadBody
    ) -> Template:
        """Past results from a spreadsheet: all rows or none, every problem at its
        row and column; the same file again changes nothing."""
        principal: Principal = request.user
        series = await _managed_series(principal, series_id)
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        name = upload.filename if isinstance(upload, UploadFile) else ""
        result = await anyio.to_thread.run_sync(parse_past_file, content, name)
        summary = None
        if not result.errors:
            summary = await queries.import_past(series_id, result.records, principal.user_id)
            await audit.record(
                "series_history_imported",
                actor_id=principal.user_id,
                subject=f"series {series_id}",
                ip=client_ip(request.scope),
                file=name,
                added=summary.added,
                replaced=summary.replaced,
                unchanged=summary.unchanged,
            )
        return await _series_page(
            series, result=result, summary=summary, status=400 if result.errors else 200
        )


class CampaignRound(Controller):
    """A campaign's round: its series and year (a block of the campaign's page)."""

    path = "/admin/campaigns"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @post("/{campaign_id:int}/round", status_code=303)
    async def set_round(
        self, request: Request, campaign_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        campaign = await managed_campaign(request.user, campaign_id)
        series_id = row_id_or_none(data.get("series_id"))
        year_text = text_of(data.get("round_year")).strip()
        label = text_of(data.get("round_label")).strip()[:LABEL_MAX]
        back = f"/admin/campaigns/{campaign_id}"
        if series_id is not None:
            series = await queries.get_series(series_id)
            # A round of a series of the campaign's own town only.
            if series is None or series["town_id"] != campaign["town_id"]:
                return Redirect(f"{back}?round_error=series#round", status_code=303)
        year = None
        if year_text:
            year = int(year_text) if year_text.isdigit() else None
            if year is None or not MIN_YEAR <= year <= MAX_YEAR:
                return Redirect(f"{back}?round_error=year#round", status_code=303)
        await queries.set_round(campaign_id, series_id, year, label)
        await audit_campaign(
            request, "campaign_round", campaign_id, series=series_id, year=year, label=label
        )
        return Redirect(f"{back}#round", status_code=303)


async def _list_page(
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    towns = await orgs.towns_for(principal)
    town_ids = None if principal.admin_towns is None else [t["id"] for t in towns]
    context = {
        "series": await queries.list_series(town_ids),
        "towns": towns,
        "kinds": [(k.value, kind_label(k.value)) for k in Kind],
        "kind_label": kind_label,
        "values": values or {"kind": Kind.ankang_cup.value},
        "errors": errors or {},
    }
    return Template("series/list.html", context=context, status_code=status)


async def _series_page(
    series: dict,
    *,
    result: object = None,
    summary: queries.PastImport | None = None,
    status: int = 200,
) -> Template:
    context = {
        "series": series,
        "kind_label": kind_label,
        "rounds": await queries.rounds(series["id"]),
        "imported": await queries.imported_years(series["id"]),
        "result": result,
        "summary": summary,
    }
    return Template("series/series.html", context=context, status_code=status)


ROUND_ERRORS = {
    "series": _l("Choose a series of the campaign's town."),
    "year": _l("Give the round's year, e.g. 2026."),
}


async def round_context(campaign: dict, error: str | None) -> dict:
    """The campaign page's round block: the series it may be a round of."""
    return {
        "round_series": await queries.list_series([campaign["town_id"]]),
        "round_year": queries.round_year(campaign),
        "round_error": _(ROUND_ERRORS[error]) if error in ROUND_ERRORS else None,
    }


ROUTES = [SeriesAdmin, CampaignRound]
