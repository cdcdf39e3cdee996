""" "My tasks": what each person has to fill now, by campaign, with its state."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from service.accounts.principal import Principal, Role
from service.campaigns import queries as campaigns
from service.campaigns.tables import Participant

from . import queries
from .rules import TaskState, new_submission_id, task_state


class Task(msgspec.Struct, kw_only=True):
    campaign_id: int
    campaign_name: str
    as_role: Role
    form_title_zh: str
    form_title_en: str | None
    kind: str
    closes_at: dt.datetime
    enterprise_id: int
    enterprise_name: str
    team_id: int | None
    team_name: str | None
    submissions: list[dict]  # this task's submissions, newest first
    state: TaskState
    # A fresh id for the "start" button: a double tap or a retried post creates one draft.
    new_id: uuid.UUID
    repeatable: bool  # supervisors inspect again and again; the others fill once
    # For a judge: whether the enterprise's self-assessment is in (None: the campaign
    # asks for none, or this is no judge's task).
    self_submitted: bool | None = None

    @property
    def may_start(self) -> bool:
        return self.repeatable or not self.submissions


async def tasks_for(principal: Principal, now: dt.datetime | None = None) -> list[Task]:
    """Every open campaign task of `principal`, overdue ones included, in campaign order."""
    now = now or dt.datetime.now(dt.UTC)
    open_campaigns = await campaigns.open_campaigns_for(principal, now, overdue=True)
    if not open_campaigns:
        return []
    campaign_ids = sorted({c.campaign_id for c in open_campaigns})
    participants = await Participant.select(
        Participant.campaign,
        Participant.enterprise.id.as_alias("enterprise_id"),
        Participant.enterprise.name.as_alias("enterprise_name"),
        Participant.team.id.as_alias("team_id"),
        Participant.team.name.as_alias("team_name"),
    ).where(Participant.campaign.is_in(campaign_ids))
    mine = await queries.submissions_of(author_id=principal.user_id, campaign_ids=campaign_ids)
    if principal.enterprises:  # self-assessments are shared by the enterprise's accounts
        shared = await queries.submissions_of(
            campaign_ids=campaign_ids,
            enterprise_ids=sorted(principal.enterprises),
            roles=[Role.enterprise.value],
        )
        seen = {row["id"] for row in mine}
        mine += [row for row in shared if row["id"] not in seen]

    judged = sorted({c.campaign_id for c in open_campaigns if c.as_role == Role.judge})
    self_assessed = await queries.self_assessed(judged)

    tasks = []
    for campaign in open_campaigns:
        for p in participants:
            if p["campaign"] != campaign.campaign_id:
                continue
            if p["enterprise_id"] not in campaign.enterprise_ids:
                continue
            found = [
                s
                for s in mine
                if s["campaign_id"] == campaign.campaign_id
                and s["enterprise_id"] == p["enterprise_id"]
                and s["team_id"] == p["team_id"]
                and s["role"] == campaign.as_role.value
            ]
            latest = found[0]["status"] if found else None
            if any(s["status"] != "draft" for s in found) and campaign.as_role != Role.supervisor:
                latest = "submitted"
            tasks.append(
                Task(
                    campaign_id=campaign.campaign_id,
                    campaign_name=campaign.name,
                    as_role=campaign.as_role,
                    form_title_zh=campaign.title_zh,
                    form_title_en=campaign.title_en,
                    kind=campaign.kind,
                    closes_at=campaign.closes_at,
                    enterprise_id=p["enterprise_id"],
                    enterprise_name=p["enterprise_name"],
                    team_id=p["team_id"],
                    team_name=p["team_name"],
                    submissions=found,
                    state=task_state(latest, campaign.closes_at, now),
                    new_id=new_submission_id(),
                    repeatable=campaign.as_role == Role.supervisor,
                    self_submitted=(
                        (campaign.campaign_id, p["enterprise_id"], p["team_id"])
                        in self_assessed[campaign.campaign_id]
                        if campaign.campaign_id in self_assessed and campaign.as_role == Role.judge
                        else None
                    ),
                )
            )
    return tasks
