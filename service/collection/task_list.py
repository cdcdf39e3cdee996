"""The /tasks list, made usable when it is long (a judge with 99 participants): grouped
by campaign with each group's progress, searched by name, filtered by where a task
stands, and paged. Pure: tasks in, groups out.
"""

from __future__ import annotations

import enum
import math

import msgspec

from service.accounts.principal import Role

from .rules import TaskState
from .tasks import Task

PAGE_SIZE = 30  # tasks a page of one campaign shows: a phone scrolls through that many
GROUP_CAP = 10  # tasks each campaign shows when several are listed; a link shows the rest
SEARCH_MAX = 100


class Stand(enum.StrEnum):
    """The filter's choices: where a task stands for the person who does it."""

    all = ""
    not_started = "not_started"
    draft = "draft"
    submitted = "submitted"


class Query(msgspec.Struct, frozen=True):
    """What the list was asked for (the GET form's fields)."""

    q: str = ""
    stand: Stand = Stand.all
    campaign: int | None = None
    page: int = 1

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.stand or self.campaign)


def parse_query(q: str, stand: str, campaign: str, page: str) -> Query:
    """The form's fields as typed; anything unknown means "no filter" (a stale link
    still lists something)."""
    try:
        chosen = Stand(stand)
    except ValueError:
        chosen = Stand.all
    number = int(page) if page.isdecimal() and len(page) < 6 else 1
    campaign_id = int(campaign) if campaign.isdecimal() and len(campaign) < 12 else None
    return Query(q=q.strip()[:SEARCH_MAX], stand=chosen, campaign=campaign_id, page=max(number, 1))


def stand_of(task: Task) -> Stand:
    if task.state == TaskState.submitted:
        return Stand.submitted
    if task.submissions:
        return Stand.draft
    return Stand.not_started


class Group(msgspec.Struct, frozen=True, kw_only=True):
    """One campaign (in one capacity) of the list: its progress over all its tasks,
    and those of its tasks that the query keeps on this page."""

    first: Task  # the campaign's name, form, role and closing day
    total: int
    submitted: int
    tasks: list[Task]
    found: int  # tasks of this campaign the query keeps (more than `tasks` when capped)

    @property
    def campaign_id(self) -> int:
        return self.first.campaign_id


class Listing(msgspec.Struct, frozen=True, kw_only=True):
    groups: list[Group]
    campaigns: list[Task]  # one task per campaign and capacity: the campaign filter's choices
    found: int  # tasks the query keeps, on every page
    total: int  # tasks before filtering
    page: int
    pages: int


def _matches(task: Task, query: Query) -> bool:
    if query.campaign is not None and task.campaign_id != query.campaign:
        return False
    if query.stand and stand_of(task) != query.stand:
        return False
    if query.q:
        name = task.enterprise_name + (task.team_name or "")
        return query.q.casefold() in name.casefold()
    return True


def listing(tasks: list[Task], query: Query, size: int = PAGE_SIZE) -> Listing:
    """The page `query` asks for. Several campaigns: each shows its first `GROUP_CAP`
    kept tasks (its link lists the rest), so that every campaign is on the first page.
    One campaign (chosen, or the only one): its kept tasks, `size` a page. A group's
    progress counts every task of its campaign, whatever the query keeps."""
    by_group: dict[tuple[int, Role], list[Task]] = {}
    for task in tasks:
        by_group.setdefault((task.campaign_id, task.as_role), []).append(task)
    kept = [t for t in tasks if _matches(t, query)]
    kept_by_group: dict[tuple[int, Role], list[Task]] = {}
    for task in kept:
        kept_by_group.setdefault((task.campaign_id, task.as_role), []).append(task)
    paged = len(kept_by_group) <= 1
    pages = max(1, math.ceil(len(kept) / size)) if paged else 1
    page = min(query.page, pages)
    groups = []
    for key, members in by_group.items():
        found = kept_by_group.get(key, [])
        if not found:
            continue
        shown = found[(page - 1) * size : page * size] if paged else found[:GROUP_CAP]
        groups.append(
            Group(
                first=members[0],
                total=len(members),
                submitted=sum(1 for t in members if t.state == TaskState.submitted),
                tasks=shown,
                found=len(found),
            )
        )
    return Listing(
        groups=groups,
        campaigns=[members[0] for members in by_group.values()],
        found=len(kept),
        total=len(tasks),
        page=page,
        pages=pages,
    )
