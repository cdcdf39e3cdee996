"""The first pages: the form list and the read-only preview, in Chinese first."""

from __future__ import annotations

import re
from pathlib import Path

from litestar.testing import TestClient

from service.app import create_app
from tests.conftest import settings_for
from tests.factories import form_data, form_yaml


def test_the_catalogue_lists_every_form_in_chinese_by_default(client: TestClient):
    response = client.get("/forms")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert '<h1 class="page-title">表单</h1>' in html
    assert "安康杯竞赛企业(单位)考核评分表" in html
    assert "职工之家建设考核表" in html
    assert "考核评分表" in html and "检查表" in html  # kinds, translated
    assert html.count('class="form-card"') == 8


def test_english_with_lang_query_and_links_keep_it(client: TestClient):
    html = client.get("/forms?lang=en").text
    assert '<html lang="en">' in html
    assert '<h1 class="page-title">Forms</h1>' in html
    assert "Ankang Cup competition" in html
    assert 'href="/forms/workers-home?lang=en"' in html
    assert 'name="language" value="zh"' in html  # the switch back to Chinese


def test_language_follows_accept_language(client: TestClient):
    english = client.get("/forms", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    chinese = client.get("/forms", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert '<h1 class="page-title">Forms</h1>' in english
    assert '<h1 class="page-title">表单</h1>' in chinese
    assert "?lang=" not in chinese


def test_preview_shows_items_with_their_scoring_standard_folded(client: TestClient):
    html = client.get("/forms/ankang-cup-enterprise").text
    assert '<details class="standard">' in html
    assert "<summary>评分标准</summary>" in html
    assert "总分须达到80分方可参评" in html  # the gate, as the form words it
    assert "优胜单位" in html
    assert 'name="viewport"' in html
    assert re.search(r'<span class="section-number">1</span>组织领导', html)
    assert "disabled" in html  # a preview cannot be filled in


def test_preview_of_an_older_version_and_of_a_checklist(client: TestClient):
    assert client.get("/forms/workers-home?version=1").status_code == 200
    html = client.get("/forms/safety-inspection-card").text
    assert "<summary>检查标准</summary>" in html
    assert "不合格即隐患" in html


def test_conditions_and_veto_reasons_are_spelled_out(client: TestClient):
    checklist = client.get("/forms/safety-inspection-card").text
    equipment = "检查部位有特种设备（锅炉、压力容器、起重机械、场（厂）内机动车辆等）"
    assert f"当“{equipment}”为“是”时填写" in checklist
    # A whole section asked under a condition says so once, under its title.
    chemicals = checklist[checklist.index('id="s-chemicals"') :]
    chemicals = chemicals[: chemicals.index("</header>") + 200]
    assert "当“检查部位使用或储存危险化学品”为“是”时填写" in chemicals
    evaluation = client.get("/forms/ankang-cup-enterprise").text
    assert re.search(r"答“[是否]”即否决：[^<]{4,}", evaluation)


def test_gates_without_a_label_are_put_in_words(tmp_path: Path, database_url: str):
    data = form_data(
        scoring={
            "max": 20,
            "gates": [
                {"min_total": 16},
                {"min_section_percent": 80},
                {"section": "first", "min_points": 8},
            ],
        }
    )
    (tmp_path / "test-form.yaml").write_text(form_yaml(data), encoding="utf-8")
    with TestClient(create_app(settings_for(database_url, forms_dir=tmp_path))) as client:
        html = client.get("/forms/test-form").text
    assert "总分不低于16分" in html
    assert "各部分得分率均不低于80%" in html
    assert "“第一部分”不低于8分" in html


def test_the_language_switch_never_leads_off_site(client: TestClient):
    html = client.get("//evil.example/x", headers={"Accept-Language": "zh-CN"}).text
    assert "evil.example" not in html  # the switch comes back to "/" instead


def test_unknown_form_is_a_chinese_404_page(client: TestClient):
    response = client.get("/forms/no-such-form")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "没有这个表单" in response.text


def test_security_headers_on_pages(client: TestClient):
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # no inline script at all


def test_stylesheet_is_served(client: TestClient):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "--tap: 44px" in response.text


def test_labels_are_escaped(tmp_path: Path, database_url: str):
    data = form_data(title={"zh": "<script>alert(1)</script>{{ 7*7 }}"})
    data["sections"][0]["items"][0]["standard"] = "<img src=x onerror=alert(1)>"
    (tmp_path / "test-form.yaml").write_text(form_yaml(data), encoding="utf-8")
    with TestClient(create_app(settings_for(database_url, forms_dir=tmp_path))) as client:
        for path in ("/forms", "/forms/test-form"):
            html = client.get(path).text
            assert "<script>alert(1)</script>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in client.get("/forms/test-form").text
