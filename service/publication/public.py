"""Published results (公示) for anyone, without signing in: the notice pages under
`/results` and the same numbers as JSON under `/api/v1/results`. Only published
snapshots are ever shown; a superseded one says so and links to the current one."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import msgspec
from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from service.campaigns import queries as campaigns
from service.forms import catalog
from service.rankings.policy import describe_for
from service.rankings.routes import award_label, grade_label
from service.web.access import PUBLIC, access
from service.web.i18n import current_language
from service.web.problems import problem_responses
from service.web.templating import localize
from service.web.urls import RowId, RowIdOrNone

from . import queries, results
from .pages import snapshot_page, stages


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
        return await _public(campaign_id, entries, newest, q, page)

    @get("/{campaign_id:int}/{number:int}", name="public_result_snapshot")
    async def one(
        self,
        campaign_id: FromPath[RowId],
        number: FromPath[RowId],
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        """A published snapshot, also once superseded (it says so, with a link)."""
        entries = await queries.snapshots(campaign_id)
        entry = next((e for e in entries if e.number == number), None)
        if entry is None or entry.published_at is None:
            raise NotFoundException("No published result")
        return await _public(campaign_id, entries, entry, q, page)


async def _public(
    campaign_id: int,
    entries: list[queries.SnapshotEntry],
    entry: queries.SnapshotEntry,
    q: str,
    page: int,
) -> Template:
    campaign = await campaigns.get_campaign(campaign_id)
    if campaign is None:
        raise NotFoundException("No such campaign")
    return await snapshot_page(campaign, entries, entry, q, page, public=True)


class PublishedRow(msgspec.Struct):
    rank: int
    name: str
    village: str
    final: float | None
    grade: str  # the grade band's name, in the request's language
    award: str
    # Why a grade or award the score reached was withheld (earlier rounds of the series).
    withheld: list[str] = msgspec.field(default_factory=list)


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
        self, campaign_id: FromPath[RowId], number: FromQuery[RowIdOrNone] = None
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
        if entry is None or campaign is None:
            raise NotFoundException("No published result")
        shown = await results.frozen(entry)
        policy = shown.policy
        return PublishedResult(
            campaign_id=campaign_id,
            campaign=campaign["name"],
            town=campaign["town_name"],
            number=entry.number,
            stage=stages(entries, dt.datetime.now(dt.UTC))[entry.number].value,
            published_at=entry.published_at,
            notice_ends=entry.notice_ends,
            final_at=entry.final_at,
            digest=entry.digest,
            policy=describe_for(
                policy,
                await catalog.definition_by_id(
                    campaign["form_version_id"], campaign["content_hash"]
                ),
                current_language.get(),
            ),
            rows=[
                PublishedRow(
                    rank=r.rank,
                    name=r.name,
                    village=r.village,
                    final=r.final,
                    grade=grade_label(policy, r.grade),
                    award=award_label(policy, r.award),
                    withheld=[localize(reason) for reason in r.withheld],
                )
                for r in shown.rows
                if r.rank is not None
            ],
            unranked=len(shown.rows) - entry.ranked,
        )


ROUTES = [PublicResults, ResultApi]
