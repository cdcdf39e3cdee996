"""On a phone: a judge scores two enterprises, the admin closes scoring, freezes and
publishes the result, and anyone opens the public notice.

Runs against the real server and the seeded demo data (the workers' home campaign,
which the other browser flows leave alone). Each step leaves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FILL_PHONE, screenshot
from tests.e2e.test_filling import FILL_PAGE, answer, autosave, sign_in

pytestmark = pytest.mark.e2e

WORKERS_HOME = "2026年安康镇职工之家建设考核"
FIRST, SECOND = "安康镇东风机械有限公司", "安康东风精密铸造有限公司"


def section(page, title: str) -> None:
    page.locator("#section-tabs a", has_text=title).click()
    page.wait_for_url(re.compile(r"\?section="))


def score(page, enterprise: str, *, library: bool) -> None:
    """The judge's evaluation of `enterprise`: the two required items, the venue, and
    the library only when `library` (so the two totals differ by its 3 points)."""
    task = page.locator("section.task-group", has=page.locator("h2", has_text=WORKERS_HOME))
    task.locator("li.task", has_text=enterprise).get_by_role("button", name="开始填写").click()
    page.wait_for_url(FILL_PAGE)
    section(page, "有服务职工的活动阵地")
    answer(page, "activity-venue", "是")
    if library:
        answer(page, "workers-library", "是")
    autosave(
        page,
        lambda: answer(page, "venue-facilities", "设施齐全、定期开放、使用率高"),
        ("venue-facilities", "complete-and-open"),
    )
    section(page, "有会员满意的工作绩效")
    autosave(
        page,
        lambda: answer(page, "culture-sports-activities", "4次及以上"),
        ("culture-sports-activities", "four-or-more"),
    )
    page.get_by_role("button", name="检查并提交").click()
    page.wait_for_url("**/review")
    expect(page.locator(".alert-error")).to_have_count(0)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**?submitted=1")


def test_a_judge_scores_the_admin_publishes_and_anyone_reads_the_notice(live_server, phone_context):
    judge = phone_context().new_page()
    sign_in(judge, live_server, "judge")
    judge.goto(live_server + "/tasks")
    score(judge, FIRST, library=True)  # 5 + 3 + 4 + 3 = 15
    judge.goto(live_server + "/tasks")
    score(judge, SECOND, library=False)  # 12
    screenshot(judge, "results-01-judge-submitted")

    admin = phone_context().new_page()
    sign_in(admin, live_server, "admin")
    admin.goto(live_server + "/admin/campaigns")
    admin.get_by_role("link", name=WORKERS_HOME).click()
    admin.wait_for_url(re.compile(r"/admin/campaigns/\d+$"))
    campaign_url = admin.url
    campaign_id = campaign_url.rsplit("/", 1)[1]
    # Judges only: no enterprise self-assessed in this round.
    admin.get_by_text("修改评分规则").click()
    admin.locator('input[name="self_percent"]').fill("0")
    admin.get_by_role("button", name="保存评分规则").click()
    admin.wait_for_url(re.compile(r"/admin/campaigns/\d+(\?.*)?(#policy)?$"))
    admin.get_by_role("button", name="结束活动").click()
    expect(admin.locator("h1")).to_have_text("结束活动？")
    admin.get_by_role("button", name="立即结束").click()
    admin.wait_for_url(re.compile(r"/admin/campaigns/\d+$"))
    admin.get_by_role("link", name="冻结并公示结果").click()
    admin.wait_for_url("**/results")
    screenshot(admin, "results-02-admin-results")
    admin.get_by_role("button", name=re.compile("冻结为第 1 版结果")).click()
    expect(admin.locator(".confirm")).to_contain_text("32 家参评，2 家列入排名")
    admin.get_by_role("button", name="冻结第 1 版结果").click()
    admin.wait_for_url("**/results/1?frozen=1")
    table = admin.locator("table.snapshot-table tbody")
    expect(table.locator("tr").nth(0)).to_contain_text(FIRST)
    expect(table.locator("tr").nth(0)).to_contain_text("15")
    expect(table.locator("tr").nth(1)).to_contain_text(SECOND)
    screenshot(admin, "results-03-snapshot")
    admin.locator("nav.crumbs a", has_text="结果").click()
    admin.wait_for_url("**/results")
    admin.get_by_label("公示期（天）").fill("5")
    admin.get_by_label("异议受理").fill("安康镇总工会 0571-86000000")
    admin.get_by_role("button", name="发布公示").click()
    expect(admin.locator(".confirm")).to_contain_text("公示 5 天")
    admin.get_by_role("button", name="立即发布").click()
    admin.wait_for_url("**/results")
    expect(admin.locator(".snapshot-entry").first).to_contain_text("公示中")

    public = phone_context().new_page()  # nobody signed in
    public.goto(f"{live_server}/results/{campaign_id}")
    expect(public.locator("h1")).to_contain_text(WORKERS_HOME)
    expect(public.locator(".alert")).to_contain_text("公示期至")
    rows = public.locator("table.snapshot-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(FIRST)
    expect(rows.nth(0).locator("td").first).to_have_text("1")
    expect(rows.nth(1)).to_contain_text(SECOND)
    # On the phone, the rows are cards (the table is there for wide screens and paper).
    expect(public.locator("table.snapshot-table")).to_be_hidden()
    cards = public.locator(".rank-card")
    expect(cards.nth(0).locator(".rank-badge")).to_have_text("名次 1")  # read aloud: 名次
    expect(cards.nth(0)).to_contain_text(FIRST)
    expect(cards.nth(0).locator(".rank-card-score")).to_contain_text("最终得分")
    expect(cards.nth(1)).to_contain_text(SECOND)
    expect(public.get_by_text("安康镇总工会 0571-86000000")).to_be_visible()
    expect(public.get_by_text(re.compile(r"另有 \d+ 家参评单位未列入排名"))).to_be_visible()
    assert public.evaluate("document.documentElement.scrollWidth") <= FILL_PHONE["width"]
    screenshot(public, "results-04-public-notice")
    public.get_by_label("按单位名称或村/社区查找").fill("精密铸造")
    public.get_by_role("button", name="查找").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text(SECOND)
