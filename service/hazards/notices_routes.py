"""Rectification notice pages: the list, choosing the hazards of one enterprise,
issuing (POST, then 303 to the notice), and the notice printable on A4.

Issuing: an admin of the enterprise's town or a supervisor watching it. Reading: the
same, the enterprise's own accounts, and whoever issued it. Anyone else is told the
notice does not exist (404), as for an enterprise they may not see."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.principal import Principal, Role
from service.campaigns.rules import today
from service.collection.rules import parse_submission_id
from service.orgs import queries as orgs
from service.web.access import access
from service.web.forms import FormBody, row_id_or_none, text_of
from service.web.i18n import gettext_ as _
from service.web.urls import RowId

from . import notices, queries
from .access import reach, reach_filters
from .dashboards import OPEN, grouped_figures
from .notices import Refusal
from .queries import Filters

ISSUERS = access(Role.admin, Role.supervisor)
READERS = access(Role.admin, Role.supervisor, Role.enterprise)


def _ids(value: object) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(n for v in values if (n := row_id_or_none(v)) is not None))


async def _watched(principal: Principal) -> set[int]:
    return await orgs.watched_by(principal.user_id) if principal.has(Role.supervisor) else set()


async def _issuing_scope(principal: Principal) -> Filters:
    """The enterprises `principal` may issue notices to (an admin's towns, a
    supervisor's watched ones), as register filters."""
    return reach_filters(await reach(principal, (Role.admin, Role.supervisor)))


async def _new_page(
    principal: Principal,
    enterprise_id: int | None,
    *,
    chosen: list[int] | None = None,
    refused: Refusal | None = None,
    status: int = 200,
) -> Template:
    context: dict[str, Any] = {
        "today": today(),
        "chosen": set(chosen or []),
        "error": _(refused.value) if refused else "",
        "token": uuid.uuid4(),  # one notice however often the form is posted
    }
    if enterprise_id is None:
        # Choose the enterprise first: those in reach with open hazards.
        found = await grouped_figures(await _issuing_scope(principal), "enterprise", today())
        context["enterprises"] = [f for f in found if f.open]
        return Template("hazards/notice_new.html", context=context, status_code=status)
    if not await notices.may_issue(principal, enterprise_id):
        raise NotFoundException("No such enterprise")
    context["enterprise"] = await orgs.get_enterprise(enterprise_id)
    context["hazards"] = await queries.hazards(
        Filters(enterprise_id=enterprise_id, states=OPEN), limit=None
    )
    return Template("hazards/notice_new.html", context=context, status_code=status)


class NoticePages(Controller):
    path = "/hazards/notices"
    include_in_schema = False

    @get("/", name="hazard_notices", opt=READERS)
    async def list_page(self, request: Request) -> Template:
        principal: Principal = request.user
        rows = await notices.notices(principal, await _watched(principal))
        context = {"notices": rows, "may_issue": principal.has(Role.admin, Role.supervisor)}
        return Template("hazards/notices.html", context=context)

    @get("/new", name="hazard_notice_new", opt=ISSUERS)
    async def new_page(self, request: Request, enterprise: FromQuery[str] = "") -> Template:
        return await _new_page(request.user, row_id_or_none(enterprise))

    @post("/", opt=ISSUERS, status_code=303)
    async def issue(self, request: Request, data: FormBody) -> Template | Redirect:
        """Issue a notice for the posted hazards (`hazard`, repeated) of one enterprise
        (`enterprise`; from the lead's register it may be left out: the first hazard's)."""
        principal: Principal = request.user
        ids = _ids(data.get("hazard"))
        hazards = await queries.hazards_by_id(ids)
        enterprise_id = row_id_or_none(data.get("enterprise"))
        if enterprise_id is None and hazards:
            enterprise_id = hazards[0]["enterprise"]
        if enterprise_id is None:
            return await _new_page(principal, None, refused=Refusal.none_chosen, status=400)
        if not await notices.may_issue(principal, enterprise_id):
            raise NotFoundException("No such enterprise")
        refused = notices.refusal(enterprise_id, ids, hazards)
        if refused is not None:
            return await _new_page(
                principal, enterprise_id, chosen=ids, refused=refused, status=400
            )
        token = parse_submission_id(text_of(data.get("token")))
        notice_id = await notices.issue(
            enterprise_id, hazards, principal.user_id, token=str(token) if token else None
        )
        return Redirect(f"/hazards/notices/{notice_id}", status_code=303)

    @get("/{notice_id:int}", name="hazard_notice", opt=READERS)
    async def notice_page(self, request: Request, notice_id: FromPath[RowId]) -> Template:
        principal: Principal = request.user
        notice = await notices.notice(notice_id)
        if notice is None or not notices.may_view(principal, notice, await _watched(principal)):
            raise NotFoundException("No such notice")
        context = {
            "notice": notice,
            "enterprise": await orgs.get_enterprise(notice["enterprise"]),
            "hazards": await queries.hazards_by_id(notice["hazards"]),
        }
        return Template("hazards/notice.html", context=context)


ROUTES = [NoticePages]
