"""The campaign admin pages through the real app, on every engine."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from litestar.testing import TestClient

from service.campaigns.tables import Campaign, JudgeAssignment, Participant
from service.forms.tables import FormVersion
from tests.campaigns.factories import add_campaign, add_form_version, add_town
from tests.factories import csrf_token, in_database, make_user, sign_in

NEW_CAMPAIGN = {
    "name": "2026年度安康杯竞赛",
    "form_id": "ankang-cup-enterprise",
    "opens_on": "2026-03-01",
    "closes_on": "2026-03-31",
    "self_assessment": "1",
    "judges": "1",
}


def post(client: TestClient, path: str, **form: object):
    form["_csrf_token"] = csrf_token(client, "/admin/campaigns")
    return client.post(path, data=form, follow_redirects=False)


def create(client: TestClient, town_id: int, **overrides: object) -> int:
    response = post(client, "/admin/campaigns", **{**NEW_CAMPAIGN, "town_id": town_id, **overrides})
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/campaigns/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def rows(database_url: str, table, *columns):
    return in_database(database_url, lambda: table.select(*columns))


@pytest.fixture
def towns(database_url: str) -> tuple[dict[str, int], dict[str, int]]:
    ankang = in_database(
        database_url,
        lambda: add_town(
            "安康镇", {"东风村": ["东风机械厂", "东风纺织厂"], "红旗社区": ["红旗化工厂"]}
        ),
    )
    heping = in_database(database_url, lambda: add_town("和平镇", {"新村": ["新村五金厂"]}))
    return ankang, heping


def test_an_admin_creates_a_campaign_on_a_chinese_page(client: TestClient, database_url, towns):
    ankang, _ = towns
    make_user(database_url, "anadmin", "admin", town_id=ankang["town"])
    sign_in(client, "anadmin")
    page = client.get("/admin/campaigns")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert '<h1 class="page-title">评比检查活动</h1>' in page.text
    assert "新建活动" in page.text and "企业自评" in page.text
    # Only the admin's own town, and only forms a campaign can be run with.
    assert "安康镇" in page.text and "和平镇" not in page.text
    assert 'value="ankang-cup-enterprise"' in page.text
    assert 'value="safety-inspection-card"' in page.text
    assert 'value="hazard-report"' not in page.text
    assert 'value="chemical-info-card"' not in page.text

    campaign_id = create(client, ankang["town"])
    details = client.get(f"/admin/campaigns/{campaign_id}")
    assert details.status_code == 200
    assert "2026年度安康杯竞赛" in details.text and "草稿" in details.text
    assert "2026-03-01 – 2026-03-31" in details.text and "第1版" in details.text

    [row] = rows(database_url, Campaign)
    [form] = in_database(
        database_url,
        lambda: FormVersion.select(FormVersion.id).where(
            FormVersion.form_id == "ankang-cup-enterprise"
        ),
    )
    assert row["form_version"] == form["id"] and row["status"] == "draft"
    assert row["opens_at"] == dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC)
    assert row["closes_at"] == dt.datetime(2026, 3, 31, 15, 59, 59, tzinfo=dt.UTC)
    assert (row["self_assessment"], row["judges"], row["supervisors"]) == (True, True, False)
    listing = client.get("/admin/campaigns").text
    assert f'href="/admin/campaigns/{campaign_id}"' in listing and "参加单位：0" in listing


def test_every_error_is_shown_next_to_its_field_with_the_form_refilled(
    client: TestClient, database_url, towns
):
    ankang, heping = towns
    make_user(database_url, "anadmin", "admin", town_id=ankang["town"])
    sign_in(client, "anadmin")
    response = post(
        client,
        "/admin/campaigns",
        name="春季检查",
        town_id=heping["town"],  # not one of this admin's towns
        form_id="hazard-report",  # a report form: not for campaigns
        opens_on="2026-03-31",
        closes_on="2026-03-01",
        supervisors="1",
    )
    assert response.status_code == 400
    html = response.text
    assert "请修改下面标出的项目" in html
    for field, words in [
        ("town_id", "请选择您所管辖的镇"),
        ("form_id", "请选择考核评分表或检查表"),
        ("closes_on", "截止日期不能早于开始日期"),
    ]:
        assert re.search(rf'id="err-{field}">{words}', html), field
    assert 'value="春季检查"' in html and 'value="2026-03-31"' in html
    assert 'value="2026-03-01"' in html
    assert re.search(r'name="supervisors" value="1"\s+checked', html)
    assert not re.search(r'name="self_assessment" value="1"\s+checked', html)
    assert rows(database_url, Campaign) == []

    nameless = post(client, "/admin/campaigns", town_id=ankang["town"], form_id="workers-home")
    assert nameless.status_code == 400
    for field in ("name", "opens_on", "closes_on", "fillers"):
        assert f'id="err-{field}"' in nameless.text, field


def test_participants_judges_and_the_status_of_a_campaign(client: TestClient, database_url, towns):
    ankang, heping = towns
    make_user(database_url, "anadmin", "admin", town_id=ankang["town"])
    judge = make_user(database_url, "pingwei", "judge")
    supervisor = make_user(database_url, "jianduyuan", "supervisor")
    sign_in(client, "anadmin")
    campaign_id = create(client, ankang["town"])
    path = f"/admin/campaigns/{campaign_id}"

    # Opening without participants is refused, with the rule's message.
    refused = post(client, f"{path}/status", status="open")
    assert refused.status_code == 303
    assert refused.headers["location"] == f"{path}?refused=campaign.no_participants"
    assert "开启前请至少添加一家参加企业" in client.get(refused.headers["location"]).text
    assert rows(database_url, Campaign, Campaign.status) == [{"status": "draft"}]

    # The chosen enterprises; one of another town is ignored.
    page = client.get(path).text
    for name in ("东风机械厂", "东风纺织厂", "红旗化工厂"):
        assert name in page
    assert "新村五金厂" not in page
    added = post(
        client,
        f"{path}/participants",
        enterprise_id=[ankang["东风机械厂"], heping["新村五金厂"]],
    )
    assert added.status_code == 303 and added.headers["location"] == path
    taking_part = rows(database_url, Participant, Participant.enterprise)
    assert taking_part == [{"enterprise": ankang["东风机械厂"]}]

    # Every enterprise of the town, once each.
    post(client, f"{path}/participants", all="1")
    taking_part = rows(database_url, Participant, Participant.id, Participant.enterprise)
    assert sorted(p["enterprise"] for p in taking_part) == sorted(
        [ankang["东风机械厂"], ankang["东风纺织厂"], ankang["红旗化工厂"]]
    )
    dyeing = next(p["id"] for p in taking_part if p["enterprise"] == ankang["东风纺织厂"])
    assert post(client, f"{path}/participants/{dyeing}/remove").status_code == 303
    assert len(rows(database_url, Participant)) == 2

    # Judges: anyone with the judge role, for all participants or one of them.
    assert "pingwei" in client.get(path).text
    post(client, f"{path}/judges", user_id=judge, enterprise_id="")
    post(client, f"{path}/judges", user_id=judge, enterprise_id=ankang["红旗化工厂"])
    not_a_judge = post(client, f"{path}/judges", user_id=supervisor, enterprise_id="")
    assert not_a_judge.headers["location"].endswith("refused=campaign.not_a_judge")
    not_taking_part = post(
        client, f"{path}/judges", user_id=judge, enterprise_id=ankang["东风纺织厂"]
    )
    assert not_taking_part.headers["location"].endswith("refused=campaign.not_a_participant")
    assignments = rows(
        database_url, JudgeAssignment, JudgeAssignment.id, JudgeAssignment.enterprise
    )
    assert sorted(a["enterprise"] or 0 for a in assignments) == [0, ankang["红旗化工厂"]]
    page = client.get(path).text
    assert "全部参加单位" in page
    one = next(a["id"] for a in assignments if a["enterprise"])
    post(client, f"{path}/judges/{one}/remove")
    assert len(rows(database_url, JudgeAssignment)) == 1

    # Open, close (changes refused while closed), reopen.
    assert post(client, f"{path}/status", status="open").headers["location"] == path
    assert "进行中" in client.get(path).text
    asking = post(client, f"{path}/status", status="closed")  # asks first, with numbers
    assert asking.status_code == 200 and "结束活动？" in asking.text
    assert rows(database_url, Campaign, Campaign.status) == [{"status": "open"}]
    closing = post(client, f"{path}/status", status="closed", confirmed="1")
    assert closing.headers["location"] == path
    closed = post(client, f"{path}/participants", all="1")
    assert closed.headers["location"].endswith("refused=campaign.closed")
    assert "活动已结束" in client.get(closed.headers["location"]).text
    assert rows(database_url, Campaign, Campaign.status) == [{"status": "closed"}]
    assert post(client, f"{path}/status", status="open").headers["location"] == path
    assert rows(database_url, Campaign, Campaign.status) == [{"status": "open"}]
    again = post(client, f"{path}/status", status="open")
    assert again.headers["location"].endswith("refused=campaign.status_unchanged")


def test_an_open_campaign_keeps_its_last_participant(client: TestClient, database_url, towns):
    ankang, _ = towns
    make_user(database_url, "anadmin", "admin", town_id=ankang["town"])
    sign_in(client, "anadmin")
    campaign_id = create(client, ankang["town"])
    path = f"/admin/campaigns/{campaign_id}"
    post(client, f"{path}/participants", enterprise_id=ankang["东风机械厂"])
    post(client, f"{path}/status", status="open")
    [participant] = rows(database_url, Participant, Participant.id)
    refused = post(client, f"{path}/participants/{participant['id']}/remove")
    assert refused.headers["location"].endswith("refused=campaign.last_participant")
    assert len(rows(database_url, Participant)) == 1


def test_an_admin_of_another_town_is_refused_everywhere(client: TestClient, database_url, towns):
    ankang, heping = towns
    form = in_database(database_url, add_form_version)
    campaign_id = in_database(
        database_url,
        lambda: add_campaign(
            ankang["town"],
            form,
            name="安康镇自评",
            status="draft",
            self_assessment=True,
            judges=True,
            enterprises=[ankang["东风机械厂"]],
        ),
    )
    judge = make_user(database_url, "pingwei", "judge")
    make_user(database_url, "hpadmin", "admin", town_id=heping["town"])
    sign_in(client, "hpadmin")
    path = f"/admin/campaigns/{campaign_id}"
    assert client.get(path).status_code == 403
    assert "安康镇自评" not in client.get("/admin/campaigns").text
    [participant] = rows(database_url, Participant, Participant.id)
    for action, form_fields in [
        ("status", {"status": "open"}),
        ("participants", {"all": "1"}),
        (f"participants/{participant['id']}/remove", {}),
        ("judges", {"user_id": judge}),
        ("judges/1/remove", {}),
    ]:
        assert post(client, f"{path}/{action}", **form_fields).status_code == 403, action
    # Nor may they create a campaign in a town they do not manage.
    response = post(client, "/admin/campaigns", **{**NEW_CAMPAIGN, "town_id": ankang["town"]})
    assert response.status_code == 400
    assert rows(database_url, Campaign, Campaign.status) == [{"status": "draft"}]
    assert len(rows(database_url, Participant)) == 1
    assert rows(database_url, JudgeAssignment) == []
    assert client.get("/admin/campaigns/999999").status_code == 404


def test_a_county_admin_manages_the_campaigns_of_every_town(
    client: TestClient, database_url, towns
):
    _, heping = towns
    form = in_database(database_url, add_form_version)
    campaign_id = in_database(
        database_url, lambda: add_campaign(heping["town"], form, name="和平镇检查", status="draft")
    )
    make_user(database_url, "county", "admin")  # no town: the whole county
    sign_in(client, "county")
    assert "和平镇检查" in client.get("/admin/campaigns").text
    assert client.get(f"/admin/campaigns/{campaign_id}").status_code == 200


def test_other_roles_do_not_see_the_admin_pages(client: TestClient, database_url):
    make_user(database_url, "pingwei", "judge")
    assert client.get("/admin/campaigns", follow_redirects=False).status_code == 303
    sign_in(client, "pingwei")
    assert client.get("/admin/campaigns").status_code == 403


def test_work_teams_take_part_in_a_team_campaign(client, database_url):
    """Campaigns that rank teams (优胜班组) take work teams as participants."""
    from service.campaigns.tables import Participant
    from service.orgs import queries as orgs
    from tests.factories import csrf_token, in_database, make_user, sign_in, two_enterprises

    places = in_database(database_url, two_enterprises)
    in_database(database_url, lambda: orgs.add_team(places["own"], "装配班"))
    make_user(database_url, "county", "admin")
    sign_in(client, "county")
    page = client.get("/admin/campaigns")
    form_id = re.search(r'<option value="(ankang-cup-team)"', page.text).group(1)
    created = client.post(
        "/admin/campaigns",
        data={
            "name": "优胜班组评选",
            "town_id": str(places["town"]),
            "form_id": form_id,
            "opens_on": "2026-12-01",
            "closes_on": "2026-12-31",
            "self_assessment": "1",
            "judges": "1",
            "_csrf_token": csrf_token(client, "/admin/campaigns"),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    team = re.search(r'name="team_id" value="(\d+)"', client.get(path).text).group(1)
    client.post(
        f"{path}/participants", data={"team_id": team, "_csrf_token": csrf_token(client, path)}
    )
    rows = in_database(database_url, lambda: Participant.select(Participant.team))
    assert [r["team"] for r in rows] == [int(team)]
    assert "装配班" in client.get(path).text
