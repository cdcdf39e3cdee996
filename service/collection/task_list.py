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

PAGE_SIZE = 30  # tasks a page shows: a phone scrolls through that many comfortably
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
    """The page `query` asks for: the tasks it keeps in campaign order, `size` a page,
    each in its campaign's group; the groups' progress counts every task of theirs."""
    by_group: dict[tuple[int, Role], list[Task]] = {}
    for task in tasks:
        by_group.setdefault((task.campaign_id, task.as_role), []).append(task)
    kept = [t for t in tasks if _matches(t, query)]
    pages = max(1, math.ceil(len(kept) / size))
    page = min(query.page, pages)
    shown = kept[(page - 1) * size : page * size]
    groups = []
    for key, members in by_group.items():
        on_page = [t for t in shown if (t.campaign_id, t.as_role) == key]
        if not on_page:
            continue
        groups.append(
            Group(
                first=members[0],
                total=len(members),
                submitted=sum(1 for t in members if t.state == TaskState.submitted),
                tasks=on_page,
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
