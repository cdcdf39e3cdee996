"""Admin pages for campaigns: list and create; one campaign's participants, judges and
status. Handlers parse, check the rules, call the queries, and redirect (303)."""

from __future__ import annotations

import enum
from typing import ClassVar, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from msgspec.structs import replace

from service.accounts.principal import Principal, Role
from service.forms import catalog, uploads
from service.orgs import queries as orgs
from service.rankings.policy_form import PolicyForm, policy_from_fields
from service.series.routes import round_context
from service.web.access import access
from service.web.forms import FormBody, row_id_or_none, text_of
from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.urls import RowId

from . import queries
from .access import audit_campaign, managed_campaign
from .policy_page import policy_context, policy_setting
from .progress import campaign_progress
from .rules import (
    FORM_KINDS,
    MESSAGES,
    Fillers,
    Problem,
    Status,
    check_new_campaign,
    day,
    judges_change_refusal,
    participants_change_refusal,
    status_change_refusal,
)

E = TypeVar("E", bound=enum.Enum)

STATUS_LABELS = {
    Status.draft: _l("Draft"),
    Status.open: _l("Open"),
    Status.closed: _l("Closed"),
}
NEW_CAMPAIGN_FIELDS = (
    "name",
    "town_id",
    "form_id",
    "opens_on",
    "closes_on",
    "self_assessment",
    "judges",
    "supervisors",
)


def _member(kind: type[E], value: object) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None


def status_label(status: str) -> str:
    known = _member(Status, status)
    return _(STATUS_LABELS[known]) if known else status


def message(problem: Problem) -> str:
    return _(MESSAGES[problem])


PROGRESS_LABELS = {"draft": _l("draft"), "missing": "—", "none": ""}


def progress_label(state: str | None, total: float | None) -> str:
    """A cell of the progress table: the score when submitted, else where it stands."""
    if state == "done":
        return "✓" if total is None else f"✓ {float(total):g}"
    label = PROGRESS_LABELS.get(state or "none", "")
    return _(label) if label and label != "—" else label


# Helpers every campaign page uses.
PAGE_HELPERS = {"status_label": status_label, "day": day, "progress_label": progress_label}


def _ids(value: object) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [number for v in values if (number := row_id_or_none(v)) is not None]


def _back(campaign_id: int, refused: Problem | None = None) -> Redirect:
    path = f"/admin/campaigns/{campaign_id}"
    if refused is not None:
        path += "?" + urlencode({"refused": refused.value})
    return Redirect(path, status_code=303)


async def _campaign_forms(principal: Principal) -> list[catalog.FormSummary]:
    """The forms this admin may run a campaign with: the ones she sees."""
    return [f for f in await uploads.visible_summaries(principal) if f.kind in FORM_KINDS]


class CampaignAdmin(Controller):
    path = "/admin/campaigns"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/", name="admin_campaigns")
    async def list_page(self, request: Request) -> Template:
        return await _list_page(request.user)

    @post("/", status_code=303)
    async def create(self, request: Request, data: FormBody) -> Template | Redirect:
        principal: Principal = request.user
        fields = {name: text_of(data.get(name)) for name in NEW_CAMPAIGN_FIELDS}
        towns = await orgs.towns_for(principal)
        forms = await _campaign_forms(principal)
        checked = check_new_campaign(
            fields,
            towns={t["id"] for t in towns},
            forms={f.id for f in forms},
            form_towns={f.id: f.owner_town for f in forms if f.owner_town is not None},
        )
        if isinstance(checked, dict):
            errors = {field: message(problem) for field, problem in checked.items()}
            return await _list_page(principal, values=fields, errors=errors, status=400)
        campaign_id = await queries.create_campaign(checked, created_by=principal.user_id)
        await audit_campaign(request, "campaign_created", campaign_id, name=fields.get("name"))
        return Redirect(f"/admin/campaigns/{campaign_id}", status_code=303)

    @get("/{campaign_id:int}", name="admin_campaign")
    async def campaign_page(
        self,
        request: Request,
        campaign_id: FromPath[RowId],
        refused: FromQuery[str | None] = None,
        round_error: FromQuery[str | None] = None,
    ) -> Template:
        campaign = await managed_campaign(request.user, campaign_id)
        return await _campaign_page(
            campaign, refused=_member(Problem, refused), round_error=round_error
        )

    @get("/{campaign_id:int}/progress", name="admin_campaign_progress")
    async def progress_page(self, request: Request, campaign_id: FromPath[RowId]) -> Template:
        """Which judge has scored which participant, and what is missing."""
        campaign = await managed_campaign(request.user, campaign_id)
        progress = campaign_progress(
            await queries.participants(campaign_id),
            await queries.judge_assignments(campaign_id),
            await queries.campaign_submissions(campaign_id),
            self_assessment=campaign["self_assessment"],
        )
        context = {"campaign": campaign, "progress": progress, **PAGE_HELPERS}
        return Template("campaigns/progress.html", context=context)

    @post("/{campaign_id:int}/policy", status_code=303)
    async def change_policy(
        self, request: Request, campaign_id: FromPath[RowId], data: FormBody
    ) -> Template | Redirect:
        """The scoring policy, while the campaign is not closed. A refused save shows
        the page again (400) with everything as typed and each problem on its field."""
        campaign = await managed_campaign(request.user, campaign_id)
        if campaign["status"] == Status.closed:
            return _back(campaign_id, Problem.transition_not_allowed)
        setting = await policy_setting(campaign)
        policy, typed = policy_from_fields(
            setting.policy, data, sections=setting.sections, max_score=setting.max_score
        )
        if policy is None:
            return await _campaign_page(campaign, editing=typed, status=400)
        await queries.set_policy(campaign_id, msgspec.json.encode(policy).decode())
        await audit_campaign(request, "campaign_policy", campaign_id)
        return Redirect(f"/admin/campaigns/{campaign_id}#policy", status_code=303)

    @post("/{campaign_id:int}/policy/grades/reset", status_code=303)
    async def reset_grades(self, request: Request, campaign_id: FromPath[RowId]) -> Redirect:
        """The grade bands back to the form's own; the rest of the policy as saved."""
        campaign = await managed_campaign(request.user, campaign_id)
        if campaign["status"] == Status.closed:
            return _back(campaign_id, Problem.transition_not_allowed)
        setting = await policy_setting(campaign)
        policy = replace(setting.policy, grades=setting.form_grades)
        await queries.set_policy(campaign_id, msgspec.json.encode(policy).decode())
        await audit_campaign(request, "campaign_policy", campaign_id, reset="grades")
        return Redirect(f"/admin/campaigns/{campaign_id}#policy", status_code=303)

    @post("/{campaign_id:int}/status", status_code=303)
    async def change_status(
        self, request: Request, campaign_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        principal: Principal = request.user
        campaign = await managed_campaign(principal, campaign_id)
        target = _member(Status, text_of(data.get("status")))
        if target is None:
            return _back(campaign_id, Problem.transition_not_allowed)
        counts = await queries.participant_counts([campaign_id])
        refusal = status_change_refusal(
            Status(campaign["status"]),
            target,
            participants=counts.get(campaign_id, 0),
            fillers=_fillers(campaign),
            by_admin=principal.has(Role.admin),
        )
        if refusal is not None:
            return _back(campaign_id, refusal)
        await queries.set_status(campaign_id, target)
        await audit_campaign(request, "campaign_status", campaign_id, status=target.value)
        return _back(campaign_id)

    @post("/{campaign_id:int}/participants", status_code=303)
    async def add_participants(
        self, request: Request, campaign_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        campaign = await managed_campaign(request.user, campaign_id)
        refusal = participants_change_refusal(Status(campaign["status"]))
        if refusal is not None:
            return _back(campaign_id, refusal)
        if text_of(data.get("all")) == "1":
            town = await queries.enterprises_of_town(campaign["town_id"])
            wanted = [e["id"] for e in town]
        else:
            wanted = _ids(data.get("enterprise_id", []))
        await queries.add_participants(campaign_id, campaign["town_id"], wanted)
        teams = _ids(data.get("team_id", []))
        await queries.add_team_participants(campaign_id, campaign["town_id"], teams)
        return _back(campaign_id)

    @post("/{campaign_id:int}/participants/{participant_id:int}/remove", status_code=303)
    async def remove_participant(
        self, request: Request, campaign_id: FromPath[RowId], participant_id: FromPath[RowId]
    ) -> Redirect:
        campaign = await managed_campaign(request.user, campaign_id)
        counts = await queries.participant_counts([campaign_id])
        refusal = participants_change_refusal(
            Status(campaign["status"]), left_after=counts.get(campaign_id, 0) - 1
        )
        if refusal is not None:
            return _back(campaign_id, refusal)
        await queries.remove_participant(campaign_id, participant_id)
        return _back(campaign_id)

    @post("/{campaign_id:int}/judges", status_code=303)
    async def assign_judge(
        self, request: Request, campaign_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        campaign = await managed_campaign(request.user, campaign_id)
        refusal = judges_change_refusal(Status(campaign["status"]), _fillers(campaign))
        if refusal is not None:
            return _back(campaign_id, refusal)
        user_id = row_id_or_none(data.get("user_id"))
        if user_id not in {j["id"] for j in await queries.judges()}:
            return _back(campaign_id, Problem.not_a_judge)
        enterprise_id = row_id_or_none(data.get("enterprise_id"))
        if enterprise_id is not None and enterprise_id not in {
            p["enterprise_id"] for p in await queries.participants(campaign_id)
        }:
            return _back(campaign_id, Problem.not_a_participant)
        await queries.assign_judge(campaign_id, user_id, enterprise_id)
        await audit_campaign(
            request, "judge_assigned", campaign_id, judge=user_id, enterprise=enterprise_id
        )
        return _back(campaign_id)

    @post("/{campaign_id:int}/judges/{assignment_id:int}/remove", status_code=303)
    async def remove_judge(
        self, request: Request, campaign_id: FromPath[RowId], assignment_id: FromPath[RowId]
    ) -> Redirect:
        campaign = await managed_campaign(request.user, campaign_id)
        if campaign["status"] == Status.closed:
            return _back(campaign_id, Problem.closed)
        await queries.remove_judge(campaign_id, assignment_id)
        await audit_campaign(request, "judge_removed", campaign_id, assignment=assignment_id)
        return _back(campaign_id)


def _fillers(campaign: dict) -> Fillers:
    return Fillers(
        self_assessment=campaign["self_assessment"],
        judges=campaign["judges"],
        supervisors=campaign["supervisors"],
    )


async def _campaign_page(
    campaign: dict,
    *,
    refused: Problem | None = None,
    editing: PolicyForm | None = None,
    status: int = 200,
    round_error: str | None = None,
) -> Template:
    """A campaign's page; `editing`: the policy as typed in a save that was refused."""
    campaign_id = campaign["id"]
    taking_part = await queries.participants(campaign_id)
    present = {p["enterprise_id"] for p in taking_part if p["team_id"] is None}
    candidates = [
        e for e in await queries.enterprises_of_town(campaign["town_id"]) if e["id"] not in present
    ]
    teams_in = {p["team_id"] for p in taking_part if p["team_id"] is not None}
    candidate_teams = [
        t for t in await queries.teams_of_town(campaign["town_id"]) if t["id"] not in teams_in
    ]
    context = {
        **policy_context(await policy_setting(campaign), editing),
        **await round_context(campaign, round_error),
        "campaign": campaign,
        "participants": taking_part,
        "candidates": candidates,
        "candidate_teams": candidate_teams,
        "assignments": await queries.judge_assignments(campaign_id),
        "judges": await queries.judges(),
        "refused": message(refused) if refused else None,
        **PAGE_HELPERS,
    }
    return Template("campaigns/campaign.html", context=context, status_code=status)


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
        "campaigns": await queries.list_campaigns(town_ids),
        "towns": towns,
        "forms": await _campaign_forms(principal),
        "values": values or {"self_assessment": "1"},
        "errors": errors or {},
        **PAGE_HELPERS,
    }
    return Template("campaigns/list.html", context=context, status_code=status)


ROUTES = [CampaignAdmin]
