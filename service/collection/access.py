"""Who may fill, see and correct which submission.

- Filling in a campaign: the campaign is open (late submissions are allowed until
  an admin closes it) and the person fills it for that participant: an enterprise
  account for its own self-assessment, an assigned judge, a supervisor watching the
  enterprise (`campaigns.queries.open_campaigns_for`).
- Filling outside a campaign (an inspection, a hazard report): the form lists the
  person's role, and the enterprise is theirs to inspect.
- Seeing: the author; the admins of the enterprise's town; the enterprise's own
  accounts see its self-assessments and the inspections of it (never judges'
  scores); supervisors watching the enterprise see its inspections.
- Changing: only the author changes a draft; a submitted one is corrected by its
  author while the campaign is open, or by an admin of the town.
"""

from __future__ import annotations

import datetime as dt

from service.accounts.principal import Principal, Role
from service.campaigns import queries as campaigns
from service.campaigns.queries import OpenCampaign
from service.campaigns.tables import Participant
from service.forms.model import FormDefinition
from service.orgs import queries as orgs

from .rules import Status


async def campaign_task(
    principal: Principal,
    campaign_id: int,
    enterprise_id: int,
    team_id: int | None,
    now: dt.datetime | None = None,
) -> OpenCampaign | None:
    """The open campaign under which `principal` fills for this participant, or None."""
    for task in await campaigns.open_campaigns_for(principal, now, overdue=True):
        if task.campaign_id != campaign_id or enterprise_id not in task.enterprise_ids:
            continue
        if await _is_participant(campaign_id, enterprise_id, team_id):
            return task
    return None


async def _is_participant(campaign_id: int, enterprise_id: int, team_id: int | None) -> bool:
    query = Participant.exists().where(
        (Participant.campaign == campaign_id) & (Participant.enterprise == enterprise_id)
    )
    if team_id is None:
        query = query.where(Participant.team.is_null())
    else:
        query = query.where(Participant.team == team_id)
    return await query


async def inspection_role(
    principal: Principal, definition: FormDefinition, enterprise_id: int | None
) -> Role | None:
    """The role in which `principal` fills `definition` outside a campaign, or None."""
    allowed = {Role(role.value) for role in definition.roles if role.value in Role}
    if enterprise_id is None:
        return None
    enterprise = await orgs.get_enterprise(enterprise_id)
    if enterprise is None:
        return None
    if (
        Role.supervisor in allowed
        and principal.has(Role.supervisor)
        and enterprise_id in await orgs.watched_by(principal.user_id)
    ):
        return Role.supervisor
    if Role.enterprise in allowed and enterprise_id in principal.enterprises:
        return Role.enterprise
    if Role.admin in allowed and principal.manages_town(enterprise["town_id"]):
        return Role.admin
    return None


async def may_view(principal: Principal, submission: dict) -> bool:
    if submission["author_id"] == principal.user_id:
        return True
    town_id = submission["town_id"]
    if town_id is not None and principal.manages_town(town_id):
        return True
    if submission["status"] == Status.draft:
        return False
    enterprise_id = submission["enterprise_id"]
    if enterprise_id is None or submission["role"] == Role.judge:
        return False  # judges' scores stay with the judges and the admins
    if enterprise_id in principal.enterprises:
        return True
    if principal.has(Role.supervisor) and submission["role"] != Role.enterprise:
        return enterprise_id in await orgs.watched_by(principal.user_id)
    return False


def may_edit_draft(principal: Principal, submission: dict) -> bool:
    """Drafts (and corrections being drafted) are their author's alone."""
    return submission["author_id"] == principal.user_id and submission["status"] in (
        Status.draft,
        Status.correcting,
    )


async def may_correct(principal: Principal, submission: dict) -> bool:
    """Start (or go on with) a correction of a submitted submission."""
    if submission["status"] == Status.draft:
        return False
    town_id = submission["town_id"]
    if town_id is not None and principal.manages_town(town_id):
        return True
    if submission["author_id"] != principal.user_id:
        return False
    if submission["campaign_id"] is None:
        return True
    campaign = await campaigns.get_campaign(submission["campaign_id"])
    return campaign is not None and campaign["status"] == "open"
