"""On a phone (390×844, zh-CN), with the demo data: where each person lands after
signing in, a judge's list of 99 participants, and the admin's confirmations (closing,
freezing with nobody ranked, publishing with a contact), also without JavaScript.

A server of its own (this module closes and publishes a campaign, which the other
browser flows must not find). Each step leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from service.campaigns.tables import Campaign, Participant
from service.orgs import queries as orgs
from service.orgs.credit_code import make_credit_code
from service.orgs.tables import Enterprise
from tests.e2e.conftest import FILL_PHONE, screenshot, serving
from tests.e2e.test_filling import sign_in
from tests.factories import in_database

pytestmark = pytest.mark.e2e

HARMONIOUS = "2026年安康镇和谐劳动关系企业评价"
WORKERS_HOME = "2026年安康镇职工之家建设考核"
JUDGED = 99  # participants of the judge's long list
SMALL_PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("e2e-landing")
    url = f"sqlite:///{folder / 'ankang.sqlite3'}"
    with serving(url, folder) as base_url:
        yield base_url, url


def _grow_to_99(database_url: str) -> None:
    """Enough enterprises in the harmonious-enterprise campaign for 99 participants."""

    async def grow() -> None:
        campaign = await Campaign.select(Campaign.id).where(Campaign.name == HARMONIOUS).first()
        some = await Enterprise.select(Enterprise.village).first()
        taking_part = await Participant.count().where(Participant.campaign == campaign["id"])
        for n in range(JUDGED - taking_part):
            enterprise = await orgs.save_enterprise(
                {
                    "name": f"安康镇新增测试企业{n + 1:02d}号",
                    "credit_code": make_credit_code(f"91330199MA3{n:05d}X"),
                    "industry": "机械制造",
                    "ownership": "non_public",
                    "head_count": 20,
                },
                some["village"],
            )
            await Participant.insert(Participant(campaign=campaign["id"], enterprise=enterprise))

    in_database(database_url, grow)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= FILL_PHONE["width"]


def test_a_visitor_sees_the_public_side_not_a_form_catalogue(server, phone_context):
    base_url, _ = server
    page = phone_context().new_page()
    page.goto(base_url + "/")
    expect(page.locator("h1")).to_have_text("工会评比检查与结果公示")
    expect(page.get_by_role("heading", name="正在公示")).to_be_visible()
    expect(page.locator("main").get_by_role("link", name="登录")).to_be_visible()
    expect(page.locator(".form-card")).to_have_count(0)
    expect(page.get_by_text("ankang-cup-enterprise")).to_have_count(0)
    no_sideways_scroll(page)
    screenshot(page, "landing-01-visitor")


def test_each_role_lands_where_their_work_is(server, phone_context):
    base_url, _ = server
    admin = phone_context().new_page()
    sign_in(admin, base_url, "admin")
    assert admin.url == base_url + "/"
    block = admin.locator("section", has=admin.get_by_role("heading", name="进行中的活动"))
    expect(block.locator("h2")).to_contain_text("(5)")
    expect(block.locator("li", has_text=WORKERS_HOME)).to_contain_text("自评已交 0/32")
    expect(block.locator("li", has_text=WORKERS_HOME)).to_contain_text("评委已评 0/32")
    expect(admin.get_by_role("heading", name="待公示的结果")).to_be_visible()
    expect(admin.get_by_role("heading", name="超期隐患")).to_be_visible()
    no_sideways_scroll(admin)
    screenshot(admin, "landing-02-admin")
    admin.set_viewport_size(SMALL_PHONE)  # the smaller phone the journeys were tried on
    assert admin.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    # The admin's seven links and the language switch stay on one line of the top bar.
    assert admin.locator(".topbar").bounding_box()["height"] <= 60
    expect(admin.get_by_role("button", name="English")).to_be_visible()
    screenshot(admin, "landing-02-admin-360")

    enterprise = phone_context().new_page()
    sign_in(enterprise, base_url, "enterprise")
    assert enterprise.url == base_url + "/"
    expect(enterprise.get_by_role("heading", name="本单位自评")).to_be_visible()
    hazards = enterprise.locator(
        "section", has=enterprise.get_by_role("heading", name="待本单位处理的隐患")
    )
    expect(hazards.locator("li").first).to_contain_text("期限 ")
    expect(hazards).to_contain_text("液氨储罐区气体检测报警仪失效")
    no_sideways_scroll(enterprise)
    screenshot(enterprise, "landing-03-enterprise")

    verifier = phone_context().new_page()
    sign_in(verifier, base_url, "supervisor2")
    waiting = verifier.locator(
        "section", has=verifier.get_by_role("heading", name=re.compile("待您验收"))
    )
    expect(waiting.locator("h2")).to_contain_text("(1)")
    expect(waiting).to_contain_text("砂轮机防护罩缺失")
    expect(verifier.get_by_role("heading", name="待检查")).to_be_visible()
    expect(verifier.get_by_text("已检查 0/6 家")).to_be_visible()
    no_sideways_scroll(verifier)
    screenshot(verifier, "landing-04-supervisor")


def test_a_judge_with_99_participants_finds_one_and_filters(server, phone_context):
    base_url, database_url = server
    _grow_to_99(database_url)
    judge = phone_context().new_page()
    sign_in(judge, base_url, "judge")
    expect(judge.get_by_text("已评 0/99")).to_be_visible()  # on the landing page
    screenshot(judge, "landing-05-judge-home")

    judge.goto(base_url + "/tasks")
    harmonious = judge.locator("section.task-group", has=judge.locator("h2", has_text=HARMONIOUS))
    judge.get_by_label("活动").select_option(label=HARMONIOUS)
    expect(harmonious.locator(".task-progress")).to_have_text("已评 0/99")
    expect(harmonious.locator("li.task")).to_have_count(30)  # a page, not all 99
    expect(judge.locator(".pager")).to_contain_text("第 1 页，共 4 页")
    expect(harmonious.locator("li.task").first).to_contain_text("自评未交")
    no_sideways_scroll(judge)
    screenshot(judge, "landing-06-judge-99")

    # Live filtering: typing narrows the list without a button press.
    judge.get_by_label("按单位或班组名称查找").fill("新增测试企业42")
    expect(harmonious.locator("li.task")).to_have_count(1)
    expect(harmonious.locator("li.task")).to_contain_text("安康镇新增测试企业42号")
    expect(judge.get_by_role("status")).to_contain_text("找到 1 项")
    assert "q=" in judge.url  # the filtered list can be bookmarked or shared
    screenshot(judge, "landing-07-judge-search")

    # Start one, come back: the draft filter finds it.
    harmonious.get_by_role("button", name="开始填写").click()
    judge.wait_for_url(re.compile(r"/submissions/"))
    judge.goto(base_url + "/tasks?stand=draft")
    expect(judge.locator("li.task")).to_have_count(1)
    expect(judge.locator("li.task")).to_contain_text("安康镇新增测试企业42号")


def test_the_list_filters_without_javascript(server, phone_context):
    base_url, _ = server
    page = phone_context(java_script_enabled=False).new_page()
    sign_in(page, base_url, "judge")
    page.goto(base_url + "/tasks")
    page.get_by_label("按单位或班组名称查找").fill("东风机械")
    page.get_by_label("状态").select_option(label="未开始")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"q=%E4%B8%9C"))
    names = page.locator("li.task .task-what strong")
    expect(names.first).to_contain_text("东风机械")
    for text in names.all_inner_texts():
        assert "东风机械" in text


def test_closing_freezing_and_publishing_ask_first_with_the_numbers(server, phone_context):
    """Without JavaScript: each confirmation is a page of its own, then a POST."""
    base_url, _ = server
    admin = phone_context(java_script_enabled=False).new_page()
    sign_in(admin, base_url, "admin")
    admin.goto(base_url + "/admin/campaigns")
    admin.get_by_role("link", name=WORKERS_HOME).click()
    campaign_url = admin.url
    admin.get_by_role("button", name="结束活动").click()
    expect(admin.locator("h1")).to_have_text("结束活动？")
    facts = admin.locator(".confirm-facts")
    expect(facts).to_contain_text(
        re.compile(r"32 家参评单位中 32 家尚未提交自评，截止日期 \d{4}-\d\d-\d\d")
    )
    expect(facts).to_contain_text("评委尚有 32 份评分未提交")
    screenshot(admin, "landing-08-confirm-close")
    admin.get_by_role("link", name="暂不结束").click()
    expect(admin.locator("h1")).to_contain_text("进行中")  # nothing changed
    admin.get_by_role("button", name="结束活动").click()
    admin.get_by_role("button", name="立即结束").click()
    assert admin.url == campaign_url
    expect(admin.locator("h1")).to_contain_text("已结束")

    # Nobody scored anything: freezing says so, and asks twice.
    admin.goto(campaign_url + "/results")
    admin.get_by_role("button", name=re.compile("冻结为第 1 版结果")).click()
    expect(admin.get_by_role("alert")).to_contain_text("无人列入排名")
    expect(admin.locator(".confirm-facts")).to_contain_text("32 家参评，0 家列入排名")
    admin.get_by_role("button", name="冻结第 1 版结果").click()
    expect(admin.get_by_role("alert")).to_contain_text("再次确认")
    screenshot(admin, "landing-09-confirm-nobody-ranked")
    admin.get_by_role("button", name="确认冻结（无人列入排名）").click()
    assert "/results/1" in admin.url

    # The next step is offered; the notice needs a contact for objections.
    expect(admin.get_by_role("heading", name="下一步：发布公示")).to_be_visible()
    screenshot(admin, "landing-10-next-step")
    admin.locator(".next-step").get_by_role("link", name="发布公示").click()
    admin.get_by_label("异议受理").fill("安康镇总工会 0571-86000000")
    admin.get_by_role("button", name="发布公示").click()
    expect(admin.locator("h1")).to_have_text("发布公示？")
    expect(admin.locator(".confirm-facts")).to_contain_text(
        re.compile(r"异议受理至 \d{4}-\d\d-\d\d（公示 7 天）")
    )
    screenshot(admin, "landing-11-confirm-publish")
    admin.get_by_role("button", name="立即发布").click()
    expect(admin.locator(".snapshot-entry").first).to_contain_text("公示中")

    visitor = phone_context().new_page()
    visitor.goto(base_url + "/")
    notice = visitor.locator(".notice-entry", has_text=WORKERS_HOME)
    expect(notice).to_contain_text("异议受理至")
    notice.get_by_role("link").click()
    expect(visitor.get_by_text("安康镇总工会 0571-86000000")).to_be_visible()
