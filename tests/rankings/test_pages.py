"""The rankings page and API over real stored submissions."""

from __future__ import annotations

from service.accounts import tokens
from tests.collection.test_pages import csrf, fill_complete, signed_in, start_own
from tests.factories import in_database


def _submit(app, username: str, world) -> None:
    with signed_in(app, username) as client:
        path = start_own(client, world)
        fill_complete(client, path)
        client.post(f"{path}/submit", data={"_csrf_token": csrf(client.get(f"{path}/review").text)})


def test_the_rankings_page_and_api_show_the_same_ranking(app, world):
    _submit(app, "chair", world)  # self-assessment of 测试企业00001: 20 of 20
    _submit(app, "judge", world)  # one judge: 20
    with signed_in(app, "clerk") as admin:
        page = admin.get(f"/admin/campaigns/{world['campaign']}/rankings")
        assert page.status_code == 200
        text = page.text
        assert "测试企业00001" in text and "测试企业00002" in text
        assert "20%" in text or "20 %" in text or "自评" in text  # the policy in words
        first = text.index("测试企业00001")
        assert text.index("测试企业00002") > first  # incomplete ones follow
        token = in_database(world["url"], lambda: tokens.create_token(world["users"]["admin"], "t"))
    from litestar.testing import TestClient

    with TestClient(app) as api:
        headers = {"Authorization": f"Bearer {token}"}
        ranking = api.get(f"/api/v1/campaigns/{world['campaign']}/rankings", headers=headers)
        assert ranking.status_code == 200
        rows = ranking.json()["rows"]
        assert rows[0]["name"] == "测试企业00001" and rows[0]["rank"] == 1
        assert rows[0]["final"] == 20 and rows[0]["self_total"] == 20 and rows[0]["judges"] == 1
        assert (
            rows[1]["standing"] == "incomplete" and rows[1]["rank"] is None and rows[1]["reasons"]
        )
        listed = api.get("/api/v1/campaigns", headers=headers).json()
        assert [c["id"] for c in listed] == [world["campaign"]]
        nobody = api.get(
            f"/api/v1/campaigns/{world['campaign']}/rankings",
            params={"industry": "不存在的行业"},
            headers=headers,
        ).json()
        assert nobody["rows"] == []


def test_the_rankings_page_pages_and_sorts_without_changing_ranks(app, world, monkeypatch):
    from service.rankings import routes

    monkeypatch.setattr(routes, "PAGE_SIZE", 1)
    _submit(app, "chair", world)
    _submit(app, "judge", world)
    with signed_in(app, "clerk") as admin:
        url = f"/admin/campaigns/{world['campaign']}/rankings"
        first = admin.get(url).text
        assert "测试企业00001" in first and "测试企业00002" not in first
        assert "第1页，共2页" in first
        second = admin.get(url, params={"page": 2}).text
        assert "测试企业00002" in second and "测试企业00001" not in second
        by_name = admin.get(url, params={"sort": "name", "page": 9}).text  # clamped: page 2
        assert "第2页，共2页" in by_name


def test_an_admin_changes_the_scoring_policy_on_the_campaign_page(app, world):
    from service.campaigns.queries import get_campaign

    with signed_in(app, "clerk") as admin:
        url = f"/admin/campaigns/{world['campaign']}"
        page = admin.get(url).text
        assert "评分规则" in page and "去掉一个最高分" in page  # the defaults, in words
        fields = {
            "_csrf_token": csrf(page),
            "self_percent": "0",
            "combine": "mean",
            "trim_from": "5",
            "spread_limit": "",
            "min_self_total": "",
            "min_self_section_percent": "",
            "require_form_eligibility": "self",
        }
        saved = admin.post(f"{url}/policy", data=fields, follow_redirects=False)
        assert saved.status_code == 303
        stored = in_database(world["url"], lambda: get_campaign(world["campaign"]))
        assert '"self_weight":0.0' in stored["policy"]
        refused = admin.post(
            f"{url}/policy", data={**fields, "self_percent": "二十", "trim_from": "x"}
        )
        assert refused.status_code == 400 and "未保存" in refused.text
        assert 'value="二十"' in refused.text  # what was typed comes back
    with signed_in(app, "judge") as judge:
        assert judge.post(f"{url}/policy", data=fields).status_code == 403


def test_the_ranking_downloads_as_csv_that_excel_reads(app, world):
    import csv
    import io

    _submit(app, "chair", world)
    _submit(app, "judge", world)
    with signed_in(app, "clerk") as admin:
        response = admin.get(f"/admin/campaigns/{world['campaign']}/rankings.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())  # the BOM: Excel and WPS read UTF-8 Chinese
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["名次", "参评单位", "片区"]
    assert rows[1][0] == "1" and rows[1][1] == "测试企业00001" and rows[1][6] == "20"
    assert rows[2][1] == "测试企业00002" and rows[2][15] == "尚未完整"


def test_a_participant_drill_down_puts_every_scorer_side_by_side(app, world):
    _submit(app, "chair", world)  # 20 of 20, every item met
    with signed_in(app, "judge") as judge:  # the judge finds 乙 (b) failed
        from tests.collection.test_pages import save

        path = start_own(judge, world)
        save(judge, path, "basics", place="二车间", chemicals="no", workers="120")
        save(judge, path, "safety", accident="yes")  # the veto: 0 points in safety
        judge.post(f"{path}/submit", data={"_csrf_token": csrf(judge.get(f"{path}/review").text)})
    with signed_in(app, "clerk") as admin:
        url = f"/admin/campaigns/{world['campaign']}/rankings/{world['own']}"
        page = admin.get(url)
        assert page.status_code == 200
        text = page.text
        assert "企业自评" in text and "judge" in text  # both scorers, by name
        assert "安全管理" in text and "+10" in text  # self 10 − judges 0 in that section
        assert "不合格：judge" in text or "failed: judge" in text
        assert admin.get(f"/admin/campaigns/{world['campaign']}/rankings/999999").status_code == 404


def test_the_ranking_downloads_as_an_excel_workbook(app, world):
    import io

    import openpyxl

    _submit(app, "chair", world)
    _submit(app, "judge", world)
    with signed_in(app, "clerk") as admin:
        response = admin.get(f"/admin/campaigns/{world['campaign']}/rankings.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["名次", "参评单位"]
    assert rows[1][:2] == [1, "测试企业00001"] and rows[1][6] == 20
    assert rows[2][1] == "测试企业00002" and rows[2][0] is None
