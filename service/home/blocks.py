"""What each person finds on their home page: a block per role they hold, each a few
counts and the first few things to do, with links to the full lists.

- Admin: open campaigns with their progress, hazards overdue in their towns, results
  to publish or confirm.
- Enterprise: its tasks (self-assessments) and the hazards waiting for it.
- Supervisor: inspections due and hazards awaiting their verification.
- Judge: their evaluations, per campaign.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from service.accounts.principal import Principal, Role
from service.collection.rules import TaskState
from service.collection.tasks import Task, tasks_for
from service.hazards import dashboards
from service.hazards import queries as hazards
from service.hazards.access import scope

from . import figures
from .figures import LISTED


class TaskSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One campaign's tasks of one capacity: how many, how many done, what is next."""

    campaign_id: int
    campaign_name: str
    as_role: Role
    closes_at: dt.datetime
    total: int
    submitted: int
    overdue: int
    next: list[Task]  # the first unsubmitted ones


def summarise(tasks: list[Task], role: Role) -> list[TaskSummary]:
    """Tasks of `role`, per campaign (the campaigns closing first first)."""
    groups: dict[int, list[Task]] = {}
    for task in tasks:
        if task.as_role == role:
            groups.setdefault(task.campaign_id, []).append(task)
    summaries = [
        TaskSummary(
            campaign_id=first.campaign_id,
            campaign_name=first.campaign_name,
            as_role=role,
            closes_at=first.closes_at,
            total=len(group),
            submitted=sum(1 for t in group if t.state == TaskState.submitted),
            overdue=sum(1 for t in group if t.state == TaskState.overdue),
            next=[t for t in group if t.state != TaskState.submitted][:LISTED],
        )
        for group in groups.values()
        for first in group[:1]
    ]
    return sorted(summaries, key=lambda s: (s.closes_at, s.campaign_id))


async def admin_block(principal: Principal, now: dt.datetime, today: dt.date) -> dict[str, Any]:
    towns = principal.admin_towns  # None: a county admin sees every town
    seen = await scope(principal)
    overdue = msgspec.structs.replace(seen, overdue_on=today)
    return {
        "campaigns": await figures.open_campaigns(towns),
        "overdue_total": await hazards.count(overdue),
        "overdue": await hazards.hazards(overdue, limit=LISTED),
        "results": await figures.result_steps(towns, now),
    }


async def enterprise_block(principal: Principal, tasks: list[Task], today: dt.date) -> dict:
    block = await dashboards.enterprise_block(principal, today)
    return {
        "tasks": summarise(tasks, Role.enterprise),
        "open": block["open"],
        "overdue": block["overdue"],
        "hazards": block["hazards"][:LISTED],
    }


async def supervisor_block(principal: Principal, tasks: list[Task], today: dt.date) -> dict:
    block = await dashboards.supervisor_block(principal, today)
    return {
        "tasks": summarise(tasks, Role.supervisor),
        "waiting_total": len(block["waiting"]),
        "waiting": block["waiting"][:LISTED],
        "overdue_total": len(block["overdue"]),
    }


async def home_blocks(principal: Principal, now: dt.datetime, today: dt.date) -> dict[str, Any]:
    """Every block `principal` gets, by role name; a person with several roles gets each."""
    blocks: dict[str, Any] = {}
    fills = principal.has(Role.enterprise, Role.supervisor, Role.judge)
    tasks = await tasks_for(principal, now) if fills else []
    if principal.has(Role.admin):
        blocks["admin"] = await admin_block(principal, now, today)
    if principal.has(Role.enterprise) and principal.enterprises:
        blocks["enterprise"] = await enterprise_block(principal, tasks, today)
    if principal.has(Role.supervisor):
        blocks["supervisor"] = await supervisor_block(principal, tasks, today)
    if principal.has(Role.judge):
        blocks["judge"] = {"tasks": summarise(tasks, Role.judge)}
    return blocks
