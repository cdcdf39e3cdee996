"""The long /tasks list: search, filter by where a task stands, group progress, pages."""

from __future__ import annotations

import datetime as dt
import uuid

from service.accounts.principal import Role
from service.collection.rules import TaskState
from service.collection.task_list import Stand, listing, parse_query
from service.collection.tasks import Task

CLOSES = dt.datetime(2027, 2, 5, tzinfo=dt.UTC)


def task(n: int, state: TaskState, campaign: int = 1, drafts: int = 0) -> Task:
    return Task(
        campaign_id=campaign,
        campaign_name=f"活动{campaign}",
        as_role=Role.judge,
        form_title_zh="表",
        form_title_en=None,
        kind="scored",
        closes_at=CLOSES,
        enterprise_id=n,
        enterprise_name=f"企业{n:02d}" + ("机械" if n % 10 == 0 else ""),
        team_id=None,
        team_name=None,
        submissions=[{"id": n, "status": "draft"}] * drafts,
        state=state,
        new_id=uuid.uuid4(),
        repeatable=False,
    )


# 99 participants: 12 submitted, 5 drafts, the rest not started.
TASKS = (
    [task(n, TaskState.submitted, drafts=1) for n in range(1, 13)]
    + [task(n, TaskState.draft, drafts=1) for n in range(13, 18)]
    + [task(n, TaskState.to_do) for n in range(18, 100)]
)


def test_a_long_list_is_paged_and_each_group_counts_all_its_tasks():
    first = listing(TASKS, parse_query("", "", "", "1"))
    assert (first.found, first.total, first.page, first.pages) == (99, 99, 1, 4)
    [group] = first.groups
    assert (group.submitted, group.total, len(group.tasks)) == (12, 99, 30)
    last = listing(TASKS, parse_query("", "", "", "99"))  # past the end: the last page
    assert last.page == 4 and len(last.groups[0].tasks) == 9


def test_with_several_campaigns_each_shows_its_first_tasks_and_links_the_rest():
    other = [task(n, TaskState.to_do, campaign=2) for n in range(1, 5)]
    both = listing(TASKS + other, parse_query("", "", "", "1"))
    assert [(g.campaign_id, len(g.tasks), g.found) for g in both.groups] == [(1, 10, 99), (2, 4, 4)]
    assert both.pages == 1
    chosen = listing(TASKS + other, parse_query("", "", "1", "2"))  # one campaign: paged
    assert (chosen.page, chosen.pages, len(chosen.groups[0].tasks)) == (2, 4, 30)


def test_search_and_filters_narrow_it():
    assert listing(TASKS, parse_query("机械", "", "", "1")).found == 9
    assert listing(TASKS, parse_query("", "submitted", "", "1")).found == 12
    assert listing(TASKS, parse_query("", "draft", "", "1")).found == 5
    assert listing(TASKS, parse_query("", "not_started", "", "1")).found == 82
    both = listing(TASKS, parse_query("机械", "submitted", "", "1"))
    assert [t.enterprise_name for t in both.groups[0].tasks] == ["企业10机械"]
    assert listing(TASKS, parse_query("", "", "2", "1")).found == 0  # another campaign


def test_odd_query_fields_mean_no_filter():
    query = parse_query("  x  ", "bogus", "abc", "-3")
    assert (query.q, query.stand, query.campaign, query.page) == ("x", Stand.all, None, 1)
