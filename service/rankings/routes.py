"""Rankings: the page for a town's admins and the same numbers through the API.

The ranking is always computed over the chosen group (area, industry, ownership, size
band); sorting the table by another column never changes the ranks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import quote

import anyio
import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Stream, Template

from service.accounts.principal import Principal, Role
from service.campaigns import queries as campaigns
from service.collection import queries as collection
from service.forms import catalog
from service.web.access import access
from service.web.i18n import _l, current_language
from service.web.i18n import gettext_ as _
from service.web.problems import problem_responses
from service.web.templating import localize

from . import queries
from .aggregate import RankedParticipant
from .drilldown import Scorer, side_by_side
from .export import ranking_csv, ranking_xlsx
from .groups import Group, SizeBand, size_band
from .policy import Policy, describe
from .rows import RankingRow, ranking_row
from .standings import standings

SORTS = ("rank", "name", "village", "final", "self", "judges", "spread")
PAGE_SIZE = 100  # rows a page shows: a county's 10,000 enterprises are not one page


async def _campaign(principal: Principal, campaign_id: int) -> dict:
    campaign = await campaigns.get_campaign(campaign_id)
    if campaign is None:
        raise NotFoundException("No such campaign")
    if not principal.manages_town(campaign["town_id"]):
        raise PermissionDeniedException("Not a campaign of your towns")
    return campaign


def _group(
    village: str | None, industry: str | None, ownership: str | None, band: str | None
) -> Group | None:
    sizes = {b.value: b for b in SizeBand}
    group = Group(
        village=village or None,
        industry=industry or None,
        ownership=ownership or None,
        size_band=sizes.get(band or ""),
    )
    return None if group == Group() else group


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


async def _export(
    principal: Principal, campaign_id: int, group: Group | None
) -> tuple[dict, list[RankingRow], dict[str, str], dict[str, str]]:
    """What a download holds: the campaign, its ranking rows (in Chinese, as union
    clerks file them) and the names of the policy's grades and awards."""
    campaign = await _campaign(principal, campaign_id)
    result = await standings(campaign, group)
    rows = [ranking_row(r, "zh") for r in result.ranked]
    grades = {g.id: localize(g.label) for g in result.policy.grades}
    awards = {a.id: localize(a.label) for a in result.policy.awards}
    return campaign, rows, grades, awards


def _attachment(campaign: dict, extension: str) -> dict[str, str]:
    name = quote(f"{campaign['name']}-排名.{extension}")
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}


class RankingPages(Controller):
    path = "/admin/campaigns"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/{campaign_id:int}/rankings", name="campaign_rankings")
    async def rankings_page(
        self,
        request: Request,
        campaign_id: FromPath[int],
        village: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        ownership: FromQuery[str | None] = None,
        size: FromQuery[str | None] = None,
        sort: FromQuery[str] = "rank",
        page: FromQuery[int] = 1,
    ) -> Template:
        campaign = await _campaign(request.user, campaign_id)
        group = _group(village, industry, ownership, size)
        result = await standings(campaign, group)
        everyone = (await standings(campaign)).ranked if group else result.ranked
        lang = current_language.get()
        ordered = _sorted(result.ranked, sort)
        pages = max(1, -(-len(ordered) // PAGE_SIZE))
        page = min(max(1, page), pages)
        shown_rows = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        context = {
            "campaign": campaign,
            "policy_text": describe(result.policy, lang),
            "policy": result.policy,
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
            "chosen": {
                "village": village or "",
                "industry": industry or "",
                "ownership": ownership or "",
                "size": size or "",
            },
            "sort": sort if sort in SORTS else "rank",
            "sorts": SORTS,
            "size_band": size_band,
        }
        return Template("rankings/rankings.html", context=context)

    @get("/{campaign_id:int}/rankings/{enterprise_id:int}", name="campaign_participant")
    async def participant_page(
        self,
        request: Request,
        campaign_id: FromPath[int],
        enterprise_id: FromPath[int],
        team: FromQuery[int | None] = None,
    ) -> Template:
        """One participant's scores from each scorer side by side, section by section."""
        campaign = await _campaign(request.user, campaign_id)
        definition = await catalog.definition_by_id(
            campaign["form_version_id"], campaign["content_hash"]
        )
        if definition is None:
            raise NotFoundException("No such form version")
        scorers = []
        for row in await queries.participant_submissions(campaign_id, enterprise_id, team):
            current = await collection.revision(row["id"], None)
            if current is not None:
                name = row["author_name"] or "" if row["role"] == "judge" else ""
                scorers.append(
                    Scorer(name or _("Self-assessment"), row["role"], current["breakdown"])
                )
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
        }
        return Template("rankings/participant.html", context=context)

    @get("/{campaign_id:int}/rankings.csv", name="campaign_rankings_csv")
    async def rankings_csv(
        self,
        request: Request,
        campaign_id: FromPath[int],
        village: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        ownership: FromQuery[str | None] = None,
        size: FromQuery[str | None] = None,
    ) -> Stream:
        """The ranking of the chosen group as CSV (Excel and WPS open it as is)."""
        campaign, rows, grades, awards = await _export(
            request.user, campaign_id, _group(village, industry, ownership, size)
        )
        return Stream(
            ranking_csv(rows, grades, awards),
            media_type="text/csv; charset=utf-8",
            headers=_attachment(campaign, "csv"),
        )

    @get("/{campaign_id:int}/rankings.xlsx", name="campaign_rankings_xlsx")
    async def rankings_xlsx(
        self,
        request: Request,
        campaign_id: FromPath[int],
        village: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        ownership: FromQuery[str | None] = None,
        size: FromQuery[str | None] = None,
    ) -> Stream:
        """The ranking of the chosen group as an Excel workbook."""
        campaign, rows, grades, awards = await _export(
            request.user, campaign_id, _group(village, industry, ownership, size)
        )
        file = await anyio.to_thread.run_sync(ranking_xlsx, rows, grades, awards, campaign["name"])

        def chunks() -> Iterator[bytes]:
            with file:
                while chunk := file.read(64 * 1024):
                    yield chunk

        return Stream(
            chunks(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=_attachment(campaign, "xlsx"),
        )


class CampaignApi(Controller):
    path = "/api/v1/campaigns"
    tags: ClassVar[list[str]] = ["campaigns"]
    opt: ClassVar[dict] = access(Role.admin)

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
        campaign_id: FromPath[int],
        village: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        ownership: FromQuery[str | None] = None,
        size: FromQuery[str | None] = None,
    ) -> Ranking:
        campaign = await _campaign(request.user, campaign_id)
        result = await standings(campaign, _group(village, industry, ownership, size))
        lang = current_language.get()
        return Ranking(
            campaign_id=campaign_id,
            policy=describe(result.policy, lang),
            rows=[ranking_row(r, lang) for r in result.ranked],
        )


ROUTES = [RankingPages, CampaignApi]


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
}
