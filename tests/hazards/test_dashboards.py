"""The hazard overview: the figures per enterprise and area, the trend, each role's
block; and the hazard figures in a campaign's ranking (tie-break and columns)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from service.accounts import tokens
from service.campaigns.rules import today
from service.campaigns.tables import Campaign
from service.hazards import dashboards, queries
from service.hazards.queries import Filters
from service.hazards.tables import Hazard
from service.hazards.trend import Per
from service.rankings.policy import Policy
from tests.collection.test_pages import csrf, fill_complete, signed_in
from tests.factories import in_database

from .factories import make_hazard


@contextmanager
def in_english(app, username: str) -> Iterator[Any]:
    """Signed in, the pages in English (whatever the translations say)."""
    with signed_in(app, username) as client:
        token = csrf(client.get("/account").text)
        client.post("/language", data={"language": "en", "next": "/", "_csrf_token": token})
        yield client


async def hazard(
    enterprise: int, found_by: int, state: str = "reported", days_ago: int = 0, **values: Any
) -> int:
    """A hazard in `state`, found `days_ago` (closed then too, if closed)."""
    hazard_id = await make_hazard(enterprise, found_by, **values)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    changes: dict = {Hazard.state: state, Hazard.found_at: at}
    if state == "closed":
        changes[Hazard.closed_at] = at
    await Hazard.update(changes).where(Hazard.id == hazard_id)
    return hazard_id


@pytest.fixture
def hazards(hazard_world: dict[str, Any]) -> dict[str, int]:
    """At "own": an overdue reported one, a closed one, an open major one sent back, a
    withdrawn one (never counted), one awaiting verification; at "other": one closed
    three weeks ago."""
    w = hazard_world
    watcher, chair = w["users"]["supervisor"], w["users"]["enterprise"]
    yesterday = today() - dt.timedelta(days=1)

    async def make() -> dict[str, int]:
        made = {
            "overdue": await hazard(w["own"], watcher, deadline=yesterday, location="冲压车间"),
            "closed": await hazard(w["own"], watcher, "closed"),
            "major": await hazard(w["own"], watcher, "submitted", grade="major"),
            "withdrawn": await hazard(w["own"], watcher, "withdrawn"),
            "waiting": await hazard(w["own"], chair, "submitted", location="配电房"),
            "old": await hazard(w["other"], watcher, "closed", days_ago=21),
        }
        await Hazard.update({Hazard.rectified_by: chair}).where(Hazard.id == made["waiting"])
        await queries.transition(
            made["major"], 1, "send_back", "submitted", "rectifying", {}, watcher,
            {"reason": "照片看不清"},
        )  # fmt: skip
        return made

    return in_database(w["url"], make)


def test_rate_overdue_and_open_major_per_enterprise_village_and_town(hazard_world, hazards):
    w = hazard_world

    async def read() -> dict:
        seen = Filters(town_ids=frozenset({w["town"]}))
        return {
            by: await dashboards.grouped_figures(seen, by, today()) for by in dashboards._GROUPINGS
        }

    found = in_database(w["url"], read)
    own, other = found["enterprise"]  # the one with something overdue first
    assert (own.id, own.found, own.closed, own.open, own.overdue, own.open_major) == (
        w["own"], 4, 1, 3, 1, 1
    )  # fmt: skip
    assert own.rectification_rate == 25.0 and own.area == "测试村"
    assert (other.found, other.closed, other.rectification_rate) == (1, 1, 100.0)
    [village] = found["village"]
    assert (village.name, village.area, village.found, village.closed) == ("测试村", "测试镇", 5, 2)
    assert village.rectification_rate == 40.0
    [town] = found["town"]
    assert (town.name, town.found, town.overdue, town.open_major) == ("测试镇", 5, 1, 1)
    # The same figures the rankings read.
    figures = in_database(w["url"], lambda: queries.figures(today(), [w["own"]]))
    assert figures[w["own"]].rectification_rate == own.rectification_rate


def test_the_trend_counts_found_and_closed_per_week(hazard_world, hazards):
    w = hazard_world
    weeks = in_database(w["url"], lambda: dashboards.trend(Filters(), today(), Per.week))
    assert len(weeks) == 12
    assert (weeks[-1].found, weeks[-1].closed) == (4, 1)  # the withdrawn one not counted
    three_weeks_ago = [p for p in weeks if p.start <= today() - dt.timedelta(days=21) < p.end]
    assert [(p.found, p.closed) for p in three_weeks_ago] == [(1, 1)]
    assert sum(p.found for p in weeks) == 5
    months = in_database(w["url"], lambda: dashboards.trend(Filters(), today(), Per.month))
    assert sum(p.found for p in months) == 5 and sum(p.closed for p in months) == 2


def test_the_admin_sees_the_rate_the_areas_the_major_hazards_and_the_trend(app, hazards):
    with signed_in(app, "clerk") as clerk:
        page = clerk.get("/hazards/overview")
        assert page.status_code == 200
        text = page.text
        rate = re.search(r'id="rectification-rate">([^<]+)<', text)
        assert rate and rate.group(1) == "40%"
        assert 'id="figures-enterprise"' in text and "测试企业00002" in text
        assert 'id="figures-village"' in text and 'id="figures-town"' in text
        assert f'href="/hazards/{hazards["major"]}"' in text  # in the open major hazards
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"' in text
        assert "chart-hazard-trend" in text
        months = clerk.get("/hazards/overview?per=month").text
        assert f"{today().year}-{today().month:02d}" in months


def test_the_enterprise_sees_what_to_do_next(app, hazards):
    with in_english(app, "chair") as chair:
        text = chair.get("/hazards/overview").text
        assert "Acknowledge the hazard and start rectifying" in text
        assert "Sent back: fix it again (照片看不清)" in text
        assert "Awaiting verification: nothing to do" in text
        assert f'href="/hazards/{hazards["overdue"]}"' in text
        assert f'href="/hazards/{hazards["closed"]}"' not in text  # closed: nothing to do
        # Overdue first.
        assert text.index(f'/hazards/{hazards["overdue"]}"') < text.index(
            f'/hazards/{hazards["waiting"]}"'
        )
        assert "Per enterprise" not in text  # no admin block
    with in_english(app, "rival") as rival:
        text = rival.get("/hazards/overview").text
        assert f'href="/hazards/{hazards["overdue"]}"' not in text
        assert "No open hazard" in text


def test_the_supervisor_sees_what_awaits_them_and_what_is_overdue(app, hazard_world, hazards):
    with signed_in(app, "watcher") as watcher:
        text = watcher.get("/hazards/overview").text
        waiting = text.split('id="waiting-heading"')[1].split("</section>")[0]
        assert f'href="/hazards/{hazards["waiting"]}"' in waiting
        overdue = text.split('id="watched-overdue-heading"')[1].split("</section>")[0]
        assert f'href="/hazards/{hazards["overdue"]}"' in overdue
        assert f'href="/hazards/{hazards["waiting"]}"' not in overdue
        found = text.split('id="found-heading"')[1].split("</section>")[0]
        assert "(5)" in found  # every hazard they found, the other enterprise's too
    with signed_in(app, "chair") as chair:
        # The enterprise's account, who rectified it: it never waits on them.
        assert 'id="waiting-heading"' not in chair.get("/hazards/overview").text
    with signed_in(app, "judge") as judge:
        assert judge.get("/hazards/overview").status_code == 403


# ---------------------------------------------------------------- rankings


def _submit_self_assessment(app, username: str) -> None:
    """The enterprise's one task started, filled the same as every other, submitted."""
    with signed_in(app, username) as client:
        tasks = client.get("/tasks").text
        [form] = re.findall(r'<form method="post" action="/tasks/start".*?</form>', tasks, re.S)
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        path = client.post("/tasks/start", data=fields, follow_redirects=False).headers["location"]
        fill_complete(client, path)
        token = csrf(client.get(f"{path}/review").text)
        assert client.post(f"{path}/submit", data={"_csrf_token": token}).status_code == 200


def _ranking(app, token: str, campaign: int) -> list[dict]:
    with TestClient(app) as api:
        answer = api.get(
            f"/api/v1/campaigns/{campaign}/rankings", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200
        return answer.json()["rows"]


def test_an_open_major_hazard_breaks_a_tie_in_the_other_enterprise_s_favour(app, hazard_world):
    """Both enterprises' self-assessments score the same (the policy counts them
    alone); an open major hazard of one ranks the other first, and closing it ties
    them again and shows the new rate (no stale ranking from the cache)."""
    w = hazard_world
    watcher = w["users"]["supervisor"]
    policy = Policy(self_weight=1.0, judges_weight=0.0, tie_breaks=("fewer_open_major_hazards",))

    async def set_policy() -> None:
        encoded = msgspec.json.encode(policy).decode()
        await Campaign.update({Campaign.policy: encoded}).where(Campaign.id == w["campaign"])

    in_database(w["url"], set_policy)
    for user in ("chair", "rival"):
        _submit_self_assessment(app, user)
    token = in_database(w["url"], lambda: tokens.create_token(w["users"]["admin"], "t"))
    rows = _ranking(app, token, w["campaign"])
    assert [r["rank"] for r in rows] == [1, 1]  # tied: the same score, no hazards
    assert all(r["open_major_hazards"] == 0 and r["rectification_rate"] is None for r in rows)

    major = in_database(w["url"], lambda: hazard(w["own"], watcher, grade="major"))
    in_database(w["url"], lambda: hazard(w["own"], watcher, "closed"))
    rows = _ranking(app, token, w["campaign"])
    assert [(r["name"], r["rank"]) for r in rows] == [("测试企业00002", 1), ("测试企业00001", 2)]
    assert rows[1]["open_major_hazards"] == 1 and rows[1]["rectification_rate"] == 50.0

    async def close() -> None:
        now = dt.datetime.now(dt.UTC)
        await Hazard.update({Hazard.state: "closed", Hazard.updated_at: now}).where(
            Hazard.id == major
        )

    in_database(w["url"], close)
    rows = _ranking(app, token, w["campaign"])
    assert [r["rank"] for r in rows] == [1, 1]
    own = next(r for r in rows if r["name"] == "测试企业00001")
    assert own["rectification_rate"] == 100.0 and own["open_major_hazards"] == 0
    with signed_in(app, "clerk") as clerk:
        page = clerk.get(f"/admin/campaigns/{w['campaign']}/rankings").text
        assert '<td class="hazard-rate">100%</td>' in page
        assert '<td class="hazard-rate">—</td>' in page  # the other: nothing found yet
