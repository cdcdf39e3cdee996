"""Reporting a hazard directly (事故隐患报告单): a supervisor or an admin picks the
enterprise and fills the hazard report on the phone; submitting it creates the
hazard (`detection.found_hazards`)."""

from __future__ import annotations

import uuid

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from service.accounts.principal import Role
from service.campaigns.rules import today
from service.collection.outside import NotYours, start_outside_campaign
from service.collection.rules import parse_submission_id
from service.web.access import access
from service.web.forms import FormBody, row_id_or_none, text_of

from .points import enterprises_for

REPORT_FORM = "hazard-report"
REPORTERS = access(Role.admin, Role.supervisor)


@get("/hazards/report", opt=REPORTERS, include_in_schema=False)
async def report_page(request: Request) -> Template:
    context = {
        "enterprises": await enterprises_for(request.user),
        "submission_id": uuid.uuid4(),  # a double tap lands on one draft
    }
    return Template("hazards/report.html", context=context)


@post("/hazards/report", opt=REPORTERS, include_in_schema=False, status_code=303)
async def start_report(request: Request, data: FormBody) -> Redirect:
    submission_id = parse_submission_id(text_of(data.get("submission_id")))
    enterprise_id = row_id_or_none(text_of(data.get("enterprise_id")))
    if submission_id is None or enterprise_id is None:
        return Redirect("/hazards/report", status_code=303)
    try:
        await start_outside_campaign(
            request.user,
            REPORT_FORM,
            enterprise_id,
            submission_id,
            {"discovered-date": str(today())},
        )
    except NotYours:
        raise NotFoundException("Nothing to report here") from None
    return Redirect(f"/submissions/{submission_id}", status_code=303)


ROUTES = [report_page, start_report]
