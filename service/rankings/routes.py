"""Rankings: the page for a town's admins and the same numbers through the API.

The ranking is always computed over the chosen group (area, industry, ownership, size
band); sorting the table by another column never changes the ranks.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from service.accounts.principal import Principal, Role
from service.campaigns import queries as campaigns
from service.campaigns.access import managed_campaign
from service.forms import catalog
from service.web.access import access
from service.web.i18n import _l, current_language
from service.web.i18n import gettext_ as _
from service.web.problems import problem_responses
from service.web.templating import localize
from service.web.urls import RowId, RowIdOrNone

from . import queries, statistics
from .aggregate import RankedParticipant
from .charts import campaign_charts, distribution_svg, failed_items_svg, sections_svg
from .downloads import RankingDownloads
from .drilldown import Scorer, side_by_side
from .filters import GROUP, chosen_filters
from .groups import Group, SizeBand
from .policy import Policy, describe_for
from .rows import RankingRow, full_marks, ranking_row
from .standings import standings

SORTS = ("rank", "name", "village", "final", "self", "judges", "spread")
PAGE_SIZE = 100  # rows a page shows: a county's 10,000 enterprises are not one page


def _sorted(rows: list[RankedParticipant], sort: str) -> list[RankedParticipant]:
    """The table in another order; the ranks stay as computed."""
    low = float("-inf")
    keys = {
        "name": lambda r: r.participant.name,
        "village": lambda r: (r.participant.village, r.participant.name),
        "final": lambda r: -(r.final if r.final is not None else low),
        "self": lambda r: (
            -(r.participant.self_total if r.participant.self_total is not None else low)
        ),
        "judges": lambda r: -(r.judges_score if r.judges_score is not None else low),
        "spread": lambda r: -(r.spread if r.spread is not None else low),
    }
    return sorted(rows, key=keys[sort]) if sort in keys else rows


class Ranking(msgspec.Struct):
    campaign_id: int
    policy: list[str]  # the policy in plain words
    rows: list[RankingRow]


class CampaignOut(msgspec.Struct):
    id: int
    name: str
    status: str
    town: str
    form_id: str
    form_version: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    participants: int


class RankingPages(Controller):
    path = "/admin/campaigns"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)
    dependencies = GROUP

    @get("/{campaign_id:int}/rankings", name="campaign_rankings")
    async def rankings_page(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        group: NamedDependency[Group | None],
        sort: FromQuery[str] = "rank",
        page: FromQuery[int] = 1,
    ) -> Template:
        campaign = await managed_campaign(request.user, campaign_id)
        result = await standings(campaign, group)
        everyone = (await standings(campaign)).ranked if group else result.ranked
        lang = current_language.get()
        ordered = _sorted(result.ranked, sort)
        pages = max(1, -(-len(ordered) // PAGE_SIZE))
        page = min(max(1, page), pages)
        shown_rows = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        context = {
            "campaign": campaign,
            "policy_text": describe_for(result.policy, result.definition, lang),
            "policy": result.policy,
            "full_marks": full_marks(result.definition),
            "rows": [ranking_row(r, lang) for r in shown_rows],
            "page": page,
            "pages": pages,
            "total": len(ordered),
            "choices": {
                "village": sorted({r.participant.village for r in everyone}),
                "industry": sorted({r.participant.industry or "" for r in everyone} - {""}),
                "ownership": sorted({r.participant.ownership or "" for r in everyone} - {""}),
                "size": [b.value for b in SizeBand],
            },
            "chosen": chosen_filters(group),
            "sort": sort if sort in SORTS else "rank",
        }
        return Template("rankings/rankings.html", context=context)

    @get("/{campaign_id:int}/charts", name="campaign_charts")
    async def charts_page(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        group: NamedDependency[Group | None],
    ) -> Template:
        """The charts of the group the rankings page shows: score distribution, section
        averages, the items most often failed. A page of its own: its statistics read
        every item score of the group, which the ranking never needs."""
        campaign = await managed_campaign(request.user, campaign_id)
        result = await standings(campaign, group)
        found = await statistics.campaign_statistics(campaign_id, group)
        charts = campaign_charts(
            result.ranked, result.policy, result.definition, found, current_language.get()
        )
        context = {"campaign": campaign, "charts": charts, "chosen": chosen_filters(group)}
        return Template("rankings/charts.html", context=context)

    @get("/{campaign_id:int}/rankings/{enterprise_id:int}", name="campaign_participant")
    async def participant_page(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        enterprise_id: FromPath[RowId],
        team: FromQuery[RowIdOrNone] = None,
        scorer: FromQuery[int] = 0,
    ) -> Template:
        """One participant's scores from each scorer side by side, section by section; a
        phone shows the `scorer`-th one's column (a tab per scorer, links without JS)."""
        campaign = await managed_campaign(request.user, campaign_id)
        definition = await catalog.definition_by_id(
            campaign["form_version_id"], campaign["content_hash"]
        )
        if definition is None:
            raise NotFoundException("No such form version")
        scorers = []
        for row in await queries.participant_submissions(campaign_id, enterprise_id, team):
            name = row["author_name"] or "" if row["role"] == "judge" else ""
            scorers.append(Scorer(name or _("Self-assessment"), row["role"], row["breakdown"]))
        ranked = next(
            (
                r
                for r in (await standings(campaign)).ranked
                if r.participant.enterprise_id == enterprise_id and r.participant.team_id == team
            ),
            None,
        )
        if ranked is None:
            raise NotFoundException("Not a participant of this campaign")
        context = {
            "campaign": campaign,
            "row": ranking_row(ranked, current_language.get()),
            "scorers": scorers,
            "lines": side_by_side(definition, scorers),
            "full_marks": full_marks(definition),
            "chosen": min(max(scorer, 0), max(len(scorers) - 1, 0)),
        }
        return Template("rankings/participant.html", context=context)


class CampaignApi(Controller):
    path = "/api/v1/campaigns"
    tags: ClassVar[list[str]] = ["campaigns"]
    opt: ClassVar[dict] = access(Role.admin)
    dependencies = GROUP

    @get("/", summary="The campaigns of your towns", responses=problem_responses(401, 403))
    async def list_campaigns(self, request: Request) -> list[CampaignOut]:
        principal: Principal = request.user
        rows = await campaigns.list_campaigns(principal.admin_towns)
        return [
            CampaignOut(
                id=c["id"],
                name=c["name"],
                status=c["status"],
                town=c["town_name"],
                form_id=c["form_id"],
                form_version=c["version"],
                opens_at=c["opens_at"],
                closes_at=c["closes_at"],
                participants=c["participant_count"],
            )
            for c in rows
        ]

    @get(
        "/{campaign_id:int}/rankings",
        summary="A campaign's ranking, over a group of participants",
        description=(
            "Ranked by the campaign's policy (in plain words in `policy`). Filters choose "
            "the group the ranking is computed over: `village` (area name), `industry`, "
            "`ownership`, `size` (micro, small, medium, large). Ineligible and incomplete "
            "participants follow, unranked, with their reasons."
        ),
        responses=problem_responses(401, 403, 404),
    )
    async def rankings(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        group: NamedDependency[Group | None],
    ) -> Ranking:
        campaign = await managed_campaign(request.user, campaign_id)
        result = await standings(campaign, group)
        lang = current_language.get()
        return Ranking(
            campaign_id=campaign_id,
            policy=describe_for(result.policy, result.definition, lang),
            rows=[ranking_row(r, lang) for r in result.ranked],
        )


ROUTES = [RankingPages, RankingDownloads, CampaignApi]


SIZE_LABELS = {
    "micro": _l("micro (< 20)"),
    "small": _l("small (20–299)"),
    "medium": _l("medium (300–999)"),
    "large": _l("large (≥ 1000)"),
}


def size_label(size: str) -> str:
    return _(SIZE_LABELS[size]) if size in SIZE_LABELS else size


def grade_label(policy: Policy, grade_id: str | None) -> str:
    band = next((g for g in policy.grades if g.id == grade_id), None)
    return localize(band.label) if band else ""


def award_label(policy: Policy, award_id: str | None) -> str:
    rule = next((a for a in policy.awards if a.id == award_id), None)
    return localize(rule.label) if rule else ""


TEMPLATE_GLOBALS = {
    "size_label": size_label,
    "grade_label": grade_label,
    "award_label": award_label,
    "distribution_svg": distribution_svg,
    "sections_svg": sections_svg,
    "failed_items_svg": failed_items_svg,
}
