"""Downloads of a campaign's results for union clerks: the ranking of the chosen group
(CSV, Excel) and every item-level answer and score (CSV, Excel), all streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import quote

import anyio
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Stream

from service.accounts.principal import Principal, Role
from service.campaigns.access import managed_campaign
from service.web.access import access
from service.web.templating import localize
from service.web.urls import RowId

from . import answers_export
from .answer_rows import ItemLine
from .export import ranking_csv, ranking_xlsx
from .filters import GROUP
from .groups import Group
from .rows import RankingRow, ranking_row
from .standings import standings

# Litestar adds "; charset=utf-8" to a text type itself: naming it here sent it twice.
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _export(
    principal: Principal, campaign_id: int, group: Group | None
) -> tuple[dict, list[RankingRow], dict[str, str], dict[str, str]]:
    """What a download holds: the campaign, its ranking rows (in Chinese, as union
    clerks file them) and the names of the policy's grades and awards."""
    campaign = await managed_campaign(principal, campaign_id)
    result = await standings(campaign, group)
    rows = [ranking_row(r, "zh") for r in result.ranked]
    grades = {g.id: localize(g.label) for g in result.policy.grades}
    awards = {a.id: localize(a.label) for a in result.policy.awards}
    return campaign, rows, grades, awards


def _attachment(campaign: dict, extension: str, what: str = "排名") -> dict[str, str]:
    name = quote(f"{campaign['name']}-{what}.{extension}")
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}


async def _answer_lines(principal: Principal, campaign_id: int) -> tuple[dict, dict[str, ItemLine]]:
    """The campaign (an admin's own) and the lines of its form, for the answers export."""
    campaign = await managed_campaign(principal, campaign_id)
    lines = await answers_export.form_lines(campaign)
    if lines is None:
        raise NotFoundException("No such form version")
    return campaign, lines


class RankingDownloads(Controller):
    path = "/admin/campaigns"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)
    dependencies = GROUP

    @get("/{campaign_id:int}/rankings.csv", name="campaign_rankings_csv")
    async def rankings_csv(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        group: NamedDependency[Group | None],
    ) -> Stream:
        """The ranking of the chosen group as CSV (Excel and WPS open it as is)."""
        campaign, rows, grades, awards = await _export(request.user, campaign_id, group)
        return Stream(
            ranking_csv(rows, grades, awards),
            media_type=CSV,
            headers=_attachment(campaign, "csv"),
        )

    @get("/{campaign_id:int}/rankings.xlsx", name="campaign_rankings_xlsx")
    async def rankings_xlsx(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        group: NamedDependency[Group | None],
    ) -> Stream:
        """The ranking of the chosen group as an Excel workbook."""
        campaign, rows, grades, awards = await _export(request.user, campaign_id, group)
        file = await anyio.to_thread.run_sync(ranking_xlsx, rows, grades, awards, campaign["name"])

        def chunks() -> Iterator[bytes]:
            with file:
                while chunk := file.read(64 * 1024):
                    yield chunk

        return Stream(
            chunks(),
            media_type=XLSX,
            headers=_attachment(campaign, "xlsx"),
        )

    @get("/{campaign_id:int}/answers.csv", name="campaign_answers_csv")
    async def answers_csv(self, request: Request, campaign_id: FromPath[RowId]) -> Stream:
        """Every answer and score of the campaign's counted submissions, a row per item,
        as CSV (streamed batch by batch)."""
        campaign, lines = await _answer_lines(request.user, campaign_id)
        return Stream(
            answers_export.answers_csv(campaign_id, lines),
            media_type=CSV,
            headers=_attachment(campaign, "csv", "答题明细"),
        )

    @get("/{campaign_id:int}/answers.xlsx", name="campaign_answers_xlsx")
    async def answers_xlsx(self, request: Request, campaign_id: FromPath[RowId]) -> Stream:
        """The same as an Excel workbook, sent while it is written."""
        campaign, lines = await _answer_lines(request.user, campaign_id)
        return Stream(
            answers_export.answers_xlsx(campaign_id, lines, campaign["name"]),
            media_type=XLSX,
            headers=_attachment(campaign, "xlsx", "答题明细"),
        )
