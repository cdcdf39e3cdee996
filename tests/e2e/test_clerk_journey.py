"""On a phone: a union clerk downloads the template, fills in her own 20-item scoring
table (two mistakes), reads each mistake at its row, fixes it, previews the section sums,
publishes, and picks the table on the campaign page. Screenshots in test-artifacts/."""

from __future__ import annotations

import io

import openpyxl
import pytest

from service.seed import DEMO_PASSWORD
from tests.e2e.conftest import FILL_PHONE, screenshot

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
    screenshot(page, "clerk-05-campaign")
