"""On a phone: a union clerk downloads the template, fills in her own 20-item scoring
table (two mistakes), reads each mistake at its row, fixes it, previews the section sums,
publishes, creates a campaign with it and opens it; the enterprise then fills the table
on its phone, submits, and reads the score she would have worked out by hand.
Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from service.seed import DEMO_PASSWORD
from tests.e2e.conftest import FILL_PHONE, screenshot
from tests.e2e.test_filling import (
    FILL_PAGE,
    answer,
    answer_all_yes,
    item,
    next_section,
    no_horizontal_scroll,
    open_tasks,
    sign_in,
)

pytestmark = pytest.mark.e2e

HEADER = ["部分", "序号", "考核内容", "分值", "评分标准", "扣分", "否决", "部分类型", "封顶"]
SETTINGS = [
    ["设置项", "值"],
    ["表编号", "clerk-table-2026"],
    ["表名", "某镇2026年安康杯考核表"],
    ["版本", "1"],
    ["类型", "评分表"],
    ["填表角色", "企业"],
    ["依据", "某镇总工会2026年安康杯竞赛考核细则"],
    ["总分", "70分"],
]


def _table(points_cell: str, show_if: str | None) -> list[list[object]]:
    rows: list[list[object]] = [[*HEADER, "显示条件"]]
    rows.append(["一、组织领导（30分）"])
    for n in range(1, 7):
        rows.append([None, n, f"组织领导第{n}项", 5, f"未落实扣5分（第{n}项）"])
    rows[3][3] = points_cell  # row 4: her typo
    rows.append(["二、安全管理（30分）"])
    for n in range(1, 7):
        rows.append([None, n, f"安全管理第{n}项", 5, "未落实不得分"])
    rows[-1].extend([None, None, None, None, show_if])  # row 15: the condition
    rows.append(["三、扣分项", None, None, 10, None, None, None, "扣分"])
    for n in range(1, 4):
        rows.append([None, n, f"违规第{n}项", None, None, 2])
    rows.append(["四、加分项", None, None, None, None, None, None, "加分", 5])
    for n in range(1, 4):
        rows.append([None, n, f"创新第{n}项", 2])
    rows.append(["五、否决项"])
    rows.append([None, 1, "本年度发生重伤及以上事故", None, None, None, "发生重伤及以上事故"])
    rows.append([None, 2, "发生职业病危害事件", None, None, None, "发生职业病危害事件"])
    return rows


def _workbook(template: bytes, rows: list[list[object]]) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(template))
    for name in ("评分表", "设置", "选项"):
        if name in book.sheetnames:
            del book[name]
    items = book.create_sheet("评分表", 0)
    for row in rows:
        items.append(row)
    settings = book.create_sheet("设置")
    for row in SETTINGS:
        settings.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return {
        "name": "2026年考核表.xlsx",
        "mimeType": "application/octet-stream",
        "buffer": buffer.getvalue(),
    }


def test_a_clerk_brings_her_own_table_in(engine_server, phone_context):
    page = phone_context(accept_downloads=True).new_page()
    page.goto(engine_server + "/login?target=/admin/forms")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/forms")
    screenshot(page, "clerk-01-forms")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板工作簿").click()
    template = download.value.path().read_bytes()

    rows = _table("5分x", "s9-1=是")
    page.set_input_files("input[name=file]", _workbook(template, rows))
    page.get_by_role("button", name="检查文件").click()
    errors = page.locator("table.upload-errors tbody tr")
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    assert any("4" in t and "组织领导第2项" in t and "5分x" in t for t in texts), texts
    assert any("15" in t and "安全管理第6项" in t and "s9-1" in t for t in texts), texts
    assert page.evaluate("document.documentElement.scrollWidth") <= FILL_PHONE["width"]
    screenshot(page, "clerk-02-errors")

    page.set_input_files("input[name=file]", _workbook(template, _table("5", "s2-1=是")))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/admin/forms/uploads/*")
    assert page.locator("[data-section-sum=s1]").inner_text() == "条目合计 30 分 / 本部分 30 分"
    screenshot(page, "clerk-03-preview")

    # Read to the end, she publishes from the bottom of the preview.
    page.locator("#publish-bottom").get_by_role("button", name="发布为第1版").click()
    page.get_by_text("已发布为 clerk-table-2026 的第1版。").wait_for()
    screenshot(page, "clerk-04-published")

    page.get_by_role("link", name="用它创建活动").click()
    page.wait_for_url("**/admin/campaigns*")
    option = page.locator("select[name=form_id] option[value=clerk-table-2026]")
    assert "某镇2026年安康杯考核表" in option.inner_text()
    expect(page.locator("select[name=form_id]")).to_have_value("clerk-table-2026")
    screenshot(page, "clerk-05-campaign")

    _clerk_opens_a_campaign(page)
    enterprise = phone_context().new_page()
    _the_enterprise_fills_it_in(enterprise, engine_server)


CAMPAIGN = "2026年某镇安康杯企业自评"
ENTERPRISE = "安康镇东风机械有限公司"  # the demo enterprise account's own


def _clerk_opens_a_campaign(page) -> None:
    """Name, window and self-assessment on the new-campaign form; the enterprise added;
    opened. The form is the one she just published, already chosen."""
    today = dt.date.today()
    page.get_by_label("活动名称").fill(CAMPAIGN)
    page.get_by_label("开始日期").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("截止日期（含当天）").fill((today + dt.timedelta(days=30)).isoformat())
    expect(page.get_by_role("checkbox", name="企业自评")).to_be_checked()
    page.get_by_role("button", name="创建活动").click()
    page.wait_for_url(re.compile(r"/admin/campaigns/\d+$"))
    expect(page.locator("h1")).to_contain_text(CAMPAIGN)
    expect(page.locator("dl.facts")).to_contain_text("某镇2026年安康杯考核表")
    screenshot(page, "clerk-06-campaign-created")

    page.get_by_role("group", name="添加安康镇的企业").get_by_text(ENTERPRISE).click()
    page.get_by_role("button", name="添加所选企业").click()
    expect(page.locator("#participants ul.rows")).to_contain_text(ENTERPRISE)
    page.get_by_role("button", name="开启活动").click()
    expect(page.locator("h1 .tag")).to_have_text("进行中")
    assert no_horizontal_scroll(page)
    screenshot(page, "clerk-07-campaign-open")


def _the_enterprise_fills_it_in(page, base_url: str) -> None:
    """Answers chosen so the score is worked out by hand:
    一、组织领导 第1项 否, the rest 是: 5 × 5 = 25 of 30
    二、安全管理 all 是 (第1项 是 shows 第6项): 30 of 30
    三、扣分项 违规第1项 否 (not met): 10 − 2 = 8 of 10
    四、加分项 all three (2 each = 6), capped at 5: +5
    五、否决项 none happened
    A deduction section starts at its 10 points, so the most is 30 + 30 + 10 = 70:
    total 25 + 30 + 8 + 5 = 68 of 70, no veto; the sheet gives no grades."""
    sign_in(page, base_url, "enterprise")
    task = open_tasks(page, base_url, CAMPAIGN, ENTERPRISE)
    expect(task.locator(".task-state")).to_have_text("待填写")
    screenshot(page, "clerk-08-enterprise-tasks")
    task.get_by_role("button", name="开始填写").click()
    page.wait_for_url(FILL_PAGE)
    expect(page.locator("h1")).to_have_text("某镇2026年安康杯考核表")
    assert no_horizontal_scroll(page)
    screenshot(page, "clerk-09-fill")

    answer(page, "s1-1", "否")
    answer_all_yes(page)
    next_section(page, "s2")
    answer(page, "s2-1", "是")
    expect(item(page, "s2-6")).to_be_visible()  # 第6项 is asked once 第1项 is 是
    answer_all_yes(page)
    next_section(page, "s3")
    screenshot(page, "clerk-10-deductions")
    answer(page, "s3-1", "否")
    answer_all_yes(page)
    next_section(page, "s4")
    answer_all_yes(page)
    next_section(page, "s5")
    screenshot(page, "clerk-11-vetoes")
    answer(page, "s5-1", "否")
    answer(page, "s5-2", "否")
    page.get_by_role("button", name="检查并提交").click()
    page.wait_for_url("**/review")
    expect(page.locator(".alert-error")).to_have_count(0)
    expect(page.locator("#score-preview .score-total")).to_contain_text("68 / 70")
    screenshot(page, "clerk-12-review")

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**?submitted=1")
    expect(page.get_by_role("status").filter(has_text="已提交")).to_be_visible()
    expect(page.locator(".result-summary .score-total")).to_have_text("68 / 70 分")
    points = page.locator(".result-section .section-points")
    expect(points).to_have_text(["25 / 30", "30 / 30", "8 / 10", "5 （最多5分）", "0"])
    expect(item(page, "s3-1").locator(".item-score")).to_have_text("扣2分")
    expect(item(page, "s4-1").locator(".item-score")).to_have_text("2 / 2")
    # The score sits on the answer's line, not below it on the item's border.
    answer_box = item(page, "s2-1").locator(".answer").bounding_box()
    score_box = item(page, "s2-1").locator(".item-score").bounding_box()
    assert score_box["y"] + score_box["height"] <= answer_box["y"] + answer_box["height"] + 1
    # The question reads lighter than the answer: the eye finds the answers first.
    weight = "el => parseInt(getComputedStyle(el).fontWeight)"
    label_weight = item(page, "s2-1").locator(".item-label").evaluate(weight)
    assert label_weight < item(page, "s2-1").locator(".answer").evaluate(weight)
    assert no_horizontal_scroll(page)
    screenshot(page, "clerk-13-result")
