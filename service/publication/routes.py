"""Results for a town's admins: freeze a campaign's ranking as a snapshot, publish it
for public notice, confirm it final (`/admin/campaigns/{id}/results…`). Handlers parse,
call `results`, and render or redirect (303); the public side is in public.py.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.principal import Principal, Role
from service.campaigns.access import audit_campaign, managed_campaign
from service.rankings.standings import standings
from service.web.access import access
from service.web.forms import FormBody, text_of
from service.web.i18n import gettext_ as _
from service.web.urls import RowId

from . import queries, results
from .pages import TEMPLATE_GLOBALS, entry_of, snapshot_page, stages
from .public import ROUTES as PUBLIC_ROUTES
from .rules import (
    MESSAGES,
    NOTICE_DAYS_DEFAULT,
    Problem,
    notice_end,
    parse_notice_days,
    publish_refusal,
)
from .snapshot import changes, snapshot_rows

__all__ = ["ROUTES", "TEMPLATE_GLOBALS"]

# What a second click finds: the first one did what was asked, so the page it asked
# for is shown rather than an error.
ALREADY_DONE = (Problem.just_frozen, Problem.already_published, Problem.already_final)


async def _results_page(
    campaign: dict, *, refused: Problem | None = None, action: str = "", typed: dict | None = None
) -> Template:
    entries = await queries.snapshots(campaign["id"])
    live = None
    if entries:
        latest = await results.frozen(entries[0])
        current = await standings(campaign)
        live = changes(latest.rows, snapshot_rows(current.ranked), (latest.policy, current.policy))
    context = {
        "campaign": campaign,
        "entries": entries,
        "stages": stages(entries, dt.datetime.now(dt.UTC)),
        "live_changes": live,
        "refused": _(MESSAGES[refused]) if refused else "",
        "action": action,
        "typed": typed or {},
        "notice_days": NOTICE_DAYS_DEFAULT,
    }
    return Template(
        "publication/results.html", context=context, status_code=400 if refused else 200
    )


def _confirm_page(campaign: dict, action: str, **numbers: object) -> Template:
    """What freezing or publishing would do, in numbers, with the button that does it."""
    context = {"campaign": campaign, "action": action, **numbers}
    return Template("publication/confirm.html", context=context, status_code=200)


class ResultPages(Controller):
    path = "/admin/campaigns"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/{campaign_id:int}/results", name="campaign_results")
    async def results_page(self, request: Request, campaign_id: FromPath[RowId]) -> Template:
        """The campaign's snapshots, what changed since the latest, and what to do next."""
        return await _results_page(await managed_campaign(request.user, campaign_id))

    @post("/{campaign_id:int}/results", status_code=303)
    async def freeze(
        self, request: Request, campaign_id: FromPath[RowId], data: FormBody
    ) -> Redirect | Template:
        """Freeze the current ranking as the next snapshot: a first post shows what
        would be frozen (how many ranked); the confirmed post freezes. Nobody ranked
        asks a second time."""
        principal: Principal = request.user
        campaign = await managed_campaign(principal, campaign_id)
        reason = text_of(data.get("reason"))
        confirmed = text_of(data.get("confirmed")) == "1"
        nobody_ranked_ok = text_of(data.get("nobody_ranked")) == "1"
        made: int | Problem | results.Prepared = await results.prepare(campaign, reason)
        if isinstance(made, results.Prepared):
            if not confirmed or (made.ranked == 0 and not nobody_ranked_ok):
                return _confirm_page(
                    campaign, "freeze", prepared=made, reason=reason, again=confirmed
                )
            made = await results.freeze(campaign, principal.user_id, reason, made)
        base = f"/admin/campaigns/{campaign_id}/results"
        if made is Problem.nothing_changed:  # e.g. a second click: the snapshot stands
            latest = (await queries.snapshots(campaign_id))[0].number
            return Redirect(f"{base}/{latest}?unchanged=1", status_code=303)
        if made in ALREADY_DONE:
            return Redirect(base, status_code=303)
        if isinstance(made, Problem):
            return await _results_page(
                campaign, refused=made, action="freeze", typed={"reason": reason}
            )
        await audit_campaign(request, "result_frozen", campaign_id, number=made)
        return Redirect(f"{base}/{made}?frozen=1", status_code=303)

    @get("/{campaign_id:int}/results/{number:int}", name="campaign_result")
    async def snapshot_view(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        number: FromPath[RowId],
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        """One snapshot whole, with what changed since the one before."""
        campaign = await managed_campaign(request.user, campaign_id)
        entries = await queries.snapshots(campaign_id)
        return await snapshot_page(campaign, entries, entry_of(entries, number), q, page)

    @post("/{campaign_id:int}/results/{number:int}/publish", status_code=303)
    async def publish(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        number: FromPath[RowId],
        data: FormBody,
    ) -> Redirect | Template:
        """Publish a snapshot for public notice, for a number of days."""
        principal: Principal = request.user
        campaign = await managed_campaign(principal, campaign_id)
        entries = await queries.snapshots(campaign_id)
        entry = entry_of(entries, number)
        typed = {"days": text_of(data.get("days")), "contact": text_of(data.get("contact"))}
        days = parse_notice_days(typed["days"])
        if isinstance(days, Problem):
            refused: Problem | None = days
        else:
            refused = publish_refusal(entry.state, entries[0].number, typed["contact"])
            if refused is None and text_of(data.get("confirmed")) != "1":
                ends = notice_end(dt.datetime.now(dt.UTC), days)
                return _confirm_page(
                    campaign, "publish", entry=entry, days=days, ends=ends, contact=typed["contact"]
                )
            if refused is None:
                refused = await results.publish(
                    entries, entry, principal.user_id, days, typed["contact"]
                )
        if refused in ALREADY_DONE:
            return Redirect(f"/admin/campaigns/{campaign_id}/results", status_code=303)
        if refused is not None:
            return await _results_page(campaign, refused=refused, action="publish", typed=typed)
        await audit_campaign(request, "result_published", campaign_id, number=number, days=days)
        return Redirect(f"/admin/campaigns/{campaign_id}/results", status_code=303)

    @post("/{campaign_id:int}/results/{number:int}/final", status_code=303)
    async def finalize(
        self, request: Request, campaign_id: FromPath[RowId], number: FromPath[RowId]
    ) -> Redirect | Template:
        """Confirm a published result as final once its notice period is over."""
        principal: Principal = request.user
        campaign = await managed_campaign(principal, campaign_id)
        entries = await queries.snapshots(campaign_id)
        refused = await results.finalize(entries, entry_of(entries, number), principal.user_id)
        if refused in ALREADY_DONE:
            return Redirect(f"/admin/campaigns/{campaign_id}/results", status_code=303)
        if refused is not None:
            return await _results_page(campaign, refused=refused, action="final")
        await audit_campaign(request, "result_final", campaign_id, number=number)
        return Redirect(f"/admin/campaigns/{campaign_id}/results", status_code=303)


ROUTES = [ResultPages, *PUBLIC_ROUTES]
