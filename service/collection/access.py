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
from service.campaigns.queries import OpenCampaign
from service.campaigns.tables import Campaign, JudgeAssignment
from service.db import inline_reads
from service.forms import catalog
from service.forms.model import FormDefinition
from service.orgs import queries as orgs

from .rules import Status

# Form roles that are account roles too (a str `in` a StrEnum raises on Python 3.11).
_ROLE_VALUES = frozenset(role.value for role in Role)


# One round trip instead of one per rule: every API submission asks this.
_TASK_SQL = """
SELECT c.id, c.name, c.status, c.opens_at, c.closes_at,
       c.self_assessment, c.judges, c.supervisors,
       fv.id AS form_version_id, fv.form_id, fv.version, fv.kind, fv.title_zh, fv.title_en,
       fv.content_hash,
       EXISTS (SELECT 1 FROM campaign_participant p
               WHERE p.campaign = c.id AND p.enterprise = {} AND COALESCE(p.team, 0) = {})
         AS participates,
       EXISTS (SELECT 1 FROM judge_assignment j
               WHERE j.campaign = c.id AND j."user" = {}
                 AND (j.enterprise IS NULL OR j.enterprise = {})) AS judging,
       EXISTS (SELECT 1 FROM supervisor_assignment s
               WHERE s."user" = {} AND s.enterprise = {}) AS watching
FROM campaign c JOIN form_version fv ON fv.id = c.form_version
WHERE c.id = {}
"""


async def campaign_task(
    principal: Principal,
    campaign_id: int,
    enterprise_id: int,
    team_id: int | None,
    now: dt.datetime | None = None,
) -> OpenCampaign | None:
    """The open campaign under which `principal` fills for this participant, or None.

    The rules of `campaigns.queries.open_campaigns_for`, for one participant: the
    campaign is open and has begun (late submissions are taken until it is closed),
    the participant takes part, and the person fills in one of the capacities the
    campaign asks for (its own enterprise's self-assessment, an assigned judge, a
    supervisor watching the enterprise).
    """
    now = now or dt.datetime.now(dt.UTC)
    user = principal.user_id
    with inline_reads():  # one indexed lookup, on every submission
        rows = await Campaign.raw(
            _TASK_SQL,
            enterprise_id,
            team_id or 0,
            user,
            enterprise_id,
            user,
            enterprise_id,
            campaign_id,
        )
    if not rows:
        return None
    c = rows[0]
    if c["status"] != "open" or c["opens_at"] > now or not c["participates"]:
        return None
    if (
        c["self_assessment"]
        and principal.has(Role.enterprise)
        and enterprise_id in principal.enterprises
    ):
        role = Role.enterprise
    elif c["judges"] and principal.has(Role.judge) and c["judging"]:
        role = Role.judge
    elif c["supervisors"] and principal.has(Role.supervisor) and c["watching"]:
        role = Role.supervisor
    else:
        return None
    return OpenCampaign.of(c, role, (enterprise_id,))


async def inspection_role(
    principal: Principal, definition: FormDefinition, enterprise_id: int | None
) -> Role | None:
    """The role in which `principal` fills `definition` outside a campaign, or None."""
    allowed = {Role(role.value) for role in definition.roles if role.value in _ROLE_VALUES}
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
    if submission["author_id"] == principal.user_id or may_edit_draft(principal, submission):
        return True
    town_id = submission["town_id"]
    if town_id is not None and principal.manages_town(town_id):
        return True
    if submission["status"] == Status.draft:
        return False
    enterprise_id = submission["enterprise_id"]
    if enterprise_id is None:
        return False
    if submission["role"] == Role.judge:
        # Blind scoring: a judge sees the other judges' scores only once the admin has
        # closed the campaign; nobody else but the admins ever does.
        return (
            principal.has(Role.judge)
            and await judges(principal.user_id, submission["campaign_id"], enterprise_id)
            and await _closed(submission["campaign_id"])
        )
    if enterprise_id in principal.enterprises:
        return True
    if principal.has(Role.supervisor) and submission["role"] != Role.enterprise:
        return enterprise_id in await orgs.watched_by(principal.user_id)
    if principal.has(Role.judge) and submission["role"] == Role.enterprise:
        # A judge scores beside the enterprise's own self-assessment and its photos.
        return await judges(principal.user_id, submission["campaign_id"], enterprise_id)
    return False


async def _closed(campaign_id: int | None) -> bool:
    return campaign_id is not None and await Campaign.exists().where(
        (Campaign.id == campaign_id) & (Campaign.status == "closed")
    )


async def judges(user_id: int, campaign_id: int | None, enterprise_id: int) -> bool:
    """Is this user on the campaign's panel for this enterprise?"""
    if campaign_id is None:
        return False
    return await JudgeAssignment.exists().where(
        (JudgeAssignment.campaign == campaign_id)
        & (JudgeAssignment.user == user_id)
        & (JudgeAssignment.enterprise.is_null() | (JudgeAssignment.enterprise == enterprise_id))
    )


def may_edit_draft(principal: Principal, submission: dict) -> bool:
    """Whose working answers these are. A draft is its author's; a self-assessment is
    shared by the enterprise's accounts (the union chair and the safety officer fill
    it together). A correction belongs to whoever started it, and to the admins of
    the town. `may_change` also checks that the right to fill still holds."""
    status, town_id = submission["status"], submission["town_id"]
    if status == Status.correcting:
        return submission["corrected_by"] == principal.user_id or bool(
            town_id and principal.manages_town(town_id)
        )
    if status != Status.draft:
        return False
    if submission["author_id"] == principal.user_id:
        return True
    return (
        submission["role"] == Role.enterprise
        and submission["enterprise_id"] in principal.enterprises
        and principal.has(Role.enterprise)
    )


async def may_change(principal: Principal, submission: dict) -> bool:
    """May `principal` change (and submit) these working answers now? Theirs to edit,
    and the right to fill still holds: the campaign is still open to them for this
    participant (not closed, still assigned, still watching), or, outside a campaign,
    the form and the enterprise are still theirs. A town's admins correct any time."""
    if not may_edit_draft(principal, submission):
        return False
    town_id = submission["town_id"]
    if town_id is not None and principal.manages_town(town_id):
        return True
    return await _may_still_fill(principal, submission)


async def _may_still_fill(principal: Principal, submission: dict) -> bool:
    if submission["enterprise_id"] is None:
        return submission["author_id"] == principal.user_id
    if submission["campaign_id"] is not None:
        task = await campaign_task(
            principal, submission["campaign_id"], submission["enterprise_id"], submission["team_id"]
        )
        return task is not None and task.as_role == submission["role"]
    definition = await catalog.definition_by_id(
        submission["form_version_id"], submission["content_hash"]
    )
    return definition is not None and (
        await inspection_role(principal, definition, submission["enterprise_id"]) is not None
    )


async def may_correct(principal: Principal, submission: dict) -> bool:
    """Start a correction of a submitted submission: the town's admins any time; its
    author while they may still fill it (the campaign open, still assigned)."""
    if submission["status"] != Status.submitted:
        return False
    town_id = submission["town_id"]
    if town_id is not None and principal.manages_town(town_id):
        return True
    if submission["author_id"] != principal.user_id:
        return False
    return await _may_still_fill(principal, submission)
