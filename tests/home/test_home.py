"""The home page: what each role lands on after signing in, its counts, and that each
person sees only their own (an enterprise its hazards, a town admin their towns)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from litestar.testing import TestClient

from service.campaigns.rules import today
from service.hazards.tables import Hazard
from service.home import figures
from service.orgs import queries as orgs
from service.orgs.credit_code import make_credit_code
from tests.campaigns.factories import add_campaign, assign_judge
from tests.collection.factories import stored_form
from tests.collection.test_pages import FORM, signed_in
from tests.factories import in_database, make_user, sign_in
from tests.hazards.factories import make_hazard
from tests.publication.test_results import _freeze, _publish, _status, _submit

YESTERDAY = today() - dt.timedelta(days=1)


def text(html: str) -> str:
    """What a reader sees of a page: its text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _other_town(w: dict[str, Any]) -> dict[str, int]:
    """A second town with an enterprise, an open campaign and an overdue hazard there."""

    async def make() -> dict[str, int]:
        town = await orgs.ensure_town("和平镇")
        village, _ = await orgs.ensure_village(town, "和平村")
        enterprise = await orgs.save_enterprise(
            {
                "name": "和平纺织厂",
                "credit_code": make_credit_code("91330199MA299999X"),
                "industry": "纺织",
                "ownership": "non_public",
                "head_count": 9,
            },
            village,
        )
        form_version_id, _ = await stored_form(FORM)
        campaign = await add_campaign(
            town, form_version_id, enterprises=[enterprise], name="和平镇考核"
        )
        hazard = await make_hazard(
            enterprise, w["users"]["supervisor"], deadline=YESTERDAY, location="和平织布车间"
        )
        return {"town": town, "enterprise": enterprise, "campaign": campaign, "hazard": hazard}

    return in_database(w["url"], make)


def test_sign_in_lands_on_home_and_a_visitor_sees_the_public_page(app, world):
    with TestClient(app) as visitor:
        page = visitor.get("/").text
        assert "正在公示" in page and 'href="/login"' in page
        assert "form-card" not in page  # no catalogue of form ids for the public
    with TestClient(app) as client:
        assert sign_in(client, "judge").headers["location"] == "/"


def test_a_town_admin_sees_their_towns_campaigns_progress_and_overdue_hazards(app, world):
    w = world
    elsewhere = _other_town(w)
    in_database(
        w["url"],
        lambda: make_hazard(
            w["own"], w["users"]["supervisor"], deadline=YESTERDAY, location="冲压车间"
        ),
    )
    _submit(app, "chair", w)  # one of the two self-assessments is in
    _submit(app, "judge", w)

    mine = in_database(w["url"], lambda: figures.open_campaigns(frozenset({w["town"]})))
    assert mine.total == 1
    [progress] = mine.listed
    assert (progress.participants, progress.self_done, progress.not_submitted) == (2, 1, 1)
    assert (progress.judge_owed, progress.judge_done) == (2, 1)
    county = in_database(w["url"], lambda: figures.open_campaigns(None))
    assert county.total == 2  # a county admin: every town

    with signed_in(app, "clerk") as admin:
        html = admin.get("/").text
    page = text(html)
    assert "进行中的活动" in page
    assert "自评已交 1/2" in page and "评委已评 1/2" in page
    assert "冲压车间" in page  # overdue in their town
    assert "和平镇考核" not in page and "和平织布车间" not in page  # another town's
    assert f"/admin/campaigns/{elsewhere['campaign']}/" not in html


def test_an_enterprise_sees_its_tasks_and_only_its_own_hazards_with_deadlines(app, world):
    w = world
    watcher = w["users"]["supervisor"]
    deadline = today() + dt.timedelta(days=5)

    async def make() -> None:
        await make_hazard(w["own"], watcher, deadline=deadline, location="配电房")
        await make_hazard(w["other"], watcher, location="隔壁厂锅炉房")

    in_database(w["url"], make)
    with signed_in(app, "chair") as chair:
        page = text(chair.get("/").text)
    assert "本单位自评" in page and "已提交 0/1" in page
    assert "配电房" in page and f"期限 {deadline.isoformat()}" in page
    assert "隔壁厂锅炉房" not in page
    assert "进行中的活动" not in page  # no admin block for an enterprise


def test_a_supervisor_sees_what_awaits_their_verification_and_inspections_due(app, world):
    w = world
    verifier = make_user(w["url"], "verifier", "supervisor")

    async def make() -> None:
        await orgs.assign_supervisor(w["own"], verifier)
        waiting = await make_hazard(w["own"], w["users"]["supervisor"], location="喷漆房")
        await Hazard.update({Hazard.state: "submitted"}).where(Hazard.id == waiting)

    in_database(w["url"], make)
    with signed_in(app, "verifier") as supervisor:
        page = text(supervisor.get("/").text)
    assert "待您验收 (1)" in page and "喷漆房" in page
    assert "待检查" in page and "已检查 0/1 家" in page


def test_results_to_publish_and_on_notice_reach_the_admin_and_the_public(app, world):
    w = world
    _submit(app, "chair", w)
    _submit(app, "judge", w)
    with signed_in(app, "clerk") as admin:
        _status(admin, w, "closed")
        assert _freeze(admin, w).status_code == 303
        assert "第 1 版结果已冻结，尚未公示" in admin.get("/").text
        assert _publish(admin, w, 1, days="5").status_code == 303
        home = admin.get("/").text
    assert "第 1 版结果公示中" in home
    with TestClient(app) as visitor:
        public = visitor.get("/").text
    assert f'href="/results/{w["campaign"]}/1"' in public and "异议受理至" in public


def test_the_task_list_filters_by_query_and_htmx_gets_the_list_alone(app, world):
    w = world
    _submit(app, "chair", w)  # the "own" enterprise's self-assessment is in
    with signed_in(app, "judge") as judge:
        whole = text(judge.get("/tasks").text)
        assert "已评 0/2" in whole
        assert "测试企业00001 待填写 自评已交" in whole and "测试企业00002 待填写 自评未交" in whole
        found = judge.get("/tasks", params={"q": "00002"})
        assert "测试企业00002" in found.text and "测试企业00001" not in found.text
        none = text(judge.get("/tasks", params={"stand": "submitted"}).text)
        assert "没有符合条件的任务" in none
        headers = {"HX-Request": "true", "HX-Target": "task-list"}
        fragment = judge.get("/tasks", params={"q": "00001"}, headers=headers).text
        assert "<html" not in fragment
        assert 'id="task-list"' in fragment and "测试企业00001" in fragment


def test_a_person_with_several_roles_sees_each_part(app, world):
    w = world
    both = make_user(w["url"], "both", "admin", "judge", town_id=w["town"])
    in_database(w["url"], lambda: assign_judge(w["campaign"], both))
    with signed_in(app, "both") as person:
        page = text(person.get("/").text)
    assert "进行中的活动 (1)" in page  # as an admin
    assert "您的评分任务" in page and "已评 0/2" in page  # as a judge
