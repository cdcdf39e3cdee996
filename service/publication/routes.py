"""Results: frozen snapshots of a campaign's ranking, published for public notice.

Admin pages (`/admin/campaigns/{id}/results…`) freeze, publish and confirm; the
public pages (`/results…`) show published snapshots to anyone, without signing in.
Handlers parse, call `results`, and render or redirect (303).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.principal import Principal, Role
from service.campaigns import queries as campaigns
from service.campaigns.access import audit_campaign, managed_campaign
from service.campaigns.rules import day
from service.rankings.policy import describe
from service.rankings.routes import award_label, grade_label
from service.rankings.standings import standings
from service.web.access import PUBLIC, access
from service.web.forms import FormBody, text_of
from service.web.i18n import _l, current_language
from service.web.i18n import gettext_ as _
from service.web.problems import problem_responses
from service.web.urls import RowId

from . import queries, results
from .listing import page_of
from .rules import MESSAGES, NOTICE_DAYS_DEFAULT, Problem, Stage, parse_notice_days, stage
from .snapshot import changes, snapshot_rows


def _stages(entries: list[queries.SnapshotEntry], now: dt.datetime) -> dict[int, Stage]:
    newest = next((e.number for e in entries if e.published_at is not None), None)
    return {e.number: stage(e.state, now, newest_published=newest) for e in entries}


async def _entry(campaign_id: int, number: int) -> queries.SnapshotEntry:
    entry = await queries.snapshot(campaign_id, number)
    if entry is None:
        raise NotFoundException("No such snapshot")
    return entry


async def _results_page(
    campaign: dict, *, refused: Problem | None = None, action: str = "", typed: dict | None = None
) -> Template:
    entries = await queries.snapshots(campaign["id"])
    live = None
    if entries:
        latest = await results.frozen(entries[0].id)
        live = changes(latest.rows, snapshot_rows((await standings(campaign)).ranked))
    context = {
        "campaign": campaign,
        "entries": entries,
        "stages": _stages(entries, dt.datetime.now(dt.UTC)),
        "live_changes": live,
        "refused": _(MESSAGES[refused]) if refused else "",
        "action": action,
        "typed": typed or {},
        "notice_days": NOTICE_DAYS_DEFAULT,
    }
    return Template(
        "publication/results.html", context=context, status_code=400 if refused else 200
    )


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
        """Freeze the current ranking as the next snapshot."""
        principal: Principal = request.user
        campaign = await managed_campaign(principal, campaign_id)
        reason = text_of(data.get("reason"))
        made = await results.freeze(campaign, principal.user_id, reason)
        if isinstance(made, Problem):
            return await _results_page(
                campaign, refused=made, action="freeze", typed={"reason": reason}
            )
        await audit_campaign(request, "result_frozen", campaign_id, number=made)
        return Redirect(f"/admin/campaigns/{campaign_id}/results/{made}", status_code=303)

    @get("/{campaign_id:int}/results/{number:int}", name="campaign_result")
    async def snapshot_page(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        number: FromPath[RowId],
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        """One snapshot whole, with what changed since the one before."""
        campaign = await managed_campaign(request.user, campaign_id)
        return await _snapshot_page(campaign, await _entry(campaign_id, number), q, page)

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
        await _entry(campaign_id, number)
        typed = {"days": text_of(data.get("days")), "contact": text_of(data.get("contact"))}
        days = parse_notice_days(typed["days"])
        if isinstance(days, Problem):
            refused: Problem | None = days
        else:
            refused = await results.publish(
                campaign_id, number, principal.user_id, days, typed["contact"]
            )
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
        await _entry(campaign_id, number)
        refused = await results.finalize(campaign_id, number, principal.user_id)
        if refused is not None:
            return await _results_page(campaign, refused=refused, action="final")
        await audit_campaign(request, "result_final", campaign_id, number=number)
        return Redirect(f"/admin/campaigns/{campaign_id}/results", status_code=303)


async def _snapshot_page(
    campaign: dict, entry: queries.SnapshotEntry, q: str, page: int, *, public: bool = False
) -> Template:
    """A snapshot's page: the admin's (every participant, every score) or the public
    notice (the ranked participants; the others counted). The comparison is with the
    snapshot before it, for the public with the one published before it."""
    entries = await queries.snapshots(campaign["id"])
    earlier = [
        e for e in entries if e.number < entry.number and (e.published_at is not None or not public)
    ]
    shown = await results.frozen(entry.id)
    before = await results.frozen(earlier[0].id) if earlier else None
    rows = [r for r in shown.rows if r.rank is not None] if public else shown.rows
    listing = page_of(rows, q, page)
    newest = next((e for e in entries if e.published_at is not None), None)
    context = {
        "campaign": campaign,
        "entry": entry,
        "stage": _stages(entries, dt.datetime.now(dt.UTC))[entry.number],
        "newest_published": newest,
        "policy": shown.policy,
        "policy_text": describe(shown.policy, current_language.get()),
        "listing": listing,
        "unranked": len(shown.rows) - entry.ranked,
        "earlier": earlier[0] if earlier else None,
        "earlier_policy": before.policy if before else None,
        "changes": changes(before.rows, shown.rows) if before else None,
        "public": public,
        "q": q,
    }
    return Template(
        "publication/notice.html" if public else "publication/snapshot.html", context=context
    )


class PublicResults(Controller):
    """Published results (公示), for anyone: no sign-in, nothing unpublished."""

    path = "/results"
    include_in_schema = False
    opt: ClassVar[dict] = access(PUBLIC)

    @get("/", name="public_results")
    async def index(self) -> Template:
        return Template(
            "publication/index.html", context={"published": await queries.published_campaigns()}
        )

    @get("/{campaign_id:int}", name="public_result")
    async def newest(
        self, campaign_id: FromPath[RowId], q: FromQuery[str] = "", page: FromQuery[int] = 1
    ) -> Template:
        """The newest published result of a campaign."""
        entries = await queries.snapshots(campaign_id)
        newest = next((e for e in entries if e.published_at is not None), None)
        if newest is None:
            raise NotFoundException("No published result")
        return await _public(campaign_id, newest, q, page)

    @get("/{campaign_id:int}/{number:int}", name="public_result_snapshot")
    async def one(
        self,
        campaign_id: FromPath[RowId],
        number: FromPath[RowId],
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        """A published snapshot, also once superseded (it says so, with a link)."""
        entry = await queries.snapshot(campaign_id, number)
        if entry is None or entry.published_at is None:
            raise NotFoundException("No published result")
        return await _public(campaign_id, entry, q, page)


async def _public(campaign_id: int, entry: queries.SnapshotEntry, q: str, page: int) -> Template:
    campaign = await campaigns.get_campaign(campaign_id)
    if campaign is None:
        raise NotFoundException("No such campaign")
    return await _snapshot_page(campaign, entry, q, page, public=True)


class PublishedRow(msgspec.Struct):
    rank: int
    name: str
    village: str
    final: float | None
    grade: str  # the grade band's name, in the request's language
    award: str


class PublishedResult(msgspec.Struct):
    campaign_id: int
    campaign: str
    town: str
    number: int  # the snapshot's number within the campaign
    stage: str  # on_notice | notice_over | final | superseded
    published_at: dt.datetime
    notice_ends: dt.datetime | None
    final_at: dt.datetime | None
    digest: str  # sha256 of what was ranked: a printed notice can be matched with it
    policy: list[str]  # the policy in plain words
    rows: list[PublishedRow]  # the ranked participants, in rank order
    unranked: int  # participants not ranked (ineligible or incomplete): counted, not named


class ResultApi(Controller):
    """Published results as JSON, for anyone: the public notice's numbers."""

    path = "/api/v1/results"
    tags: ClassVar[list[str]] = ["results"]
    opt: ClassVar[dict] = access(PUBLIC)

    @get(
        "/{campaign_id:int}",
        summary="A campaign's newest published result (public notice)",
        description=(
            "The newest snapshot of the campaign's ranking that was published for public "
            "notice; `number` picks an earlier published one. Unpublished snapshots are "
            "never shown."
        ),
        responses=problem_responses(400, 404),
    )
    async def published(
        self, campaign_id: FromPath[RowId], number: FromQuery[RowId | None] = None
    ) -> PublishedResult:
        entries = await queries.snapshots(campaign_id)
        entry = next(
            (
                e
                for e in entries
                if e.published_at is not None and (number is None or e.number == number)
            ),
            None,
        )
        campaign = await campaigns.get_campaign(campaign_id)
        if entry is None or entry.published_at is None or campaign is None:
            raise NotFoundException("No published result")
        shown = await results.frozen(entry.id)
        policy = shown.policy
        return PublishedResult(
            campaign_id=campaign_id,
            campaign=campaign["name"],
            town=campaign["town_name"],
            number=entry.number,
            stage=_stages(entries, dt.datetime.now(dt.UTC))[entry.number].value,
            published_at=entry.published_at,
            notice_ends=entry.notice_ends,
            final_at=entry.final_at,
            digest=entry.digest,
            policy=describe(policy, current_language.get()),
            rows=[
                PublishedRow(
                    rank=r.rank,
                    name=r.name,
                    village=r.village,
                    final=r.final,
                    grade=grade_label(policy, r.grade),
                    award=award_label(policy, r.award),
                )
                for r in shown.rows
                if r.rank is not None
            ],
            unranked=len(shown.rows) - entry.ranked,
        )


ROUTES = [ResultPages, PublicResults, ResultApi]


STAGE_LABELS = {
    Stage.frozen: _l("frozen, not published"),
    Stage.on_notice: _l("on public notice"),
    Stage.notice_over: _l("notice period over, to be confirmed"),
    Stage.final: _l("final"),
    Stage.superseded: _l("superseded by a later result"),
}

STANDING_LABELS = {
    "ranked": _l("ranked"),
    "ineligible": _l("ineligible"),
    "incomplete": _l("incomplete"),
}


def stage_label(value: str) -> str:
    return _(STAGE_LABELS[Stage(value)]) if value in Stage.__members__ else value


def standing_label(value: str | None) -> str:
    return _(STANDING_LABELS[value]) if value in STANDING_LABELS else ""


TEMPLATE_GLOBALS = {"stage_label": stage_label, "standing_label": standing_label, "day": day}
