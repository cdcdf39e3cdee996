"""On a phone: a union clerk brings this year's table in herself (a YAML file), reads
the mistakes at their lines, fixes them, previews and publishes, and runs a campaign
with it."""

from __future__ import annotations

import pytest

from service.seed import DEMO_PASSWORD
from tests.e2e.conftest import FILL_PHONE, screenshot
from tests.factories import form_data, form_yaml

pytestmark = pytest.mark.e2e


def _file(text: str) -> dict:
    return {
        "name": "2026年度检查表.yaml",
        "mimeType": "application/x-yaml",
        "buffer": text.encode(),
    }


def test_a_clerk_uploads_previews_and_publishes_a_form(engine_server, phone_context):
    # A server of its own: the published form would change what other modules count.
    live_server = engine_server
    page = phone_context().new_page()
    page.goto(live_server + "/login?target=/admin/forms")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/forms")
    assert page.locator("h1").inner_text() == "表单"

    broken = form_data(id="county-check-2026", version=3, title={"zh": "2026年度检查表"})
    broken["sections"][0]["items"][1]["points"] = -6
    broken["sections"][1]["items"][1]["type"] = "chek"
    page.set_input_files("input[name=file]", _file(form_yaml(broken)))
    page.get_by_role("button", name="检查文件").click()
    errors = page.locator("table.upload-errors tbody tr")
    assert errors.count() == 2
    assert errors.nth(0).locator("td").first.inner_text() == "24"
    assert errors.nth(1).locator("td").first.inner_text() == "34"
    assert page.evaluate("document.documentElement.scrollWidth") <= FILL_PHONE["width"]
    screenshot(page, "forms-admin-01-errors")

    fixed = form_data(id="county-check-2026", version=3, title={"zh": "2026年度检查表"})
    page.set_input_files("input[name=file]", _file(form_yaml(fixed)))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/admin/forms/uploads/*")
    assert "文件写的是第3版；将发布为第1版" in page.locator("#version-note").inner_text()
    assert page.locator("[data-section-sum=first]").inner_text() == "条目合计 10 分 / 本部分 10 分"
    assert page.evaluate("document.documentElement.scrollWidth") <= FILL_PHONE["width"]
    screenshot(page, "forms-admin-02-preview")

    page.locator("#publish").get_by_role("button", name="发布为第1版").click()
    page.get_by_text("已发布为 county-check-2026 的第1版。").wait_for()
    screenshot(page, "forms-admin-03-published")

    page.get_by_role("link", name="用它创建活动").click()
    page.wait_for_url("**/admin/campaigns*")
    option = page.locator("select[name=form_id] option[value=county-check-2026]")
    assert "2026年度检查表" in option.inner_text() and "第1版" in option.inner_text()
