"""On a phone: filling forms from "my tasks" to the submitted result.

Three flows against the real server: a supervisor inspects an enterprise with the
safety inspection card (a "no" with a photo, the location from the phone); an
enterprise leaves its Ankang Cup self-assessment half done, signs in again and
finishes it; and the inspection once more with JavaScript off, where every step is
a full page load. Each step leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from service.seed import DEMO_PASSWORD
from tests.e2e.conftest import FILL_PHONE, screenshot

pytestmark = pytest.mark.e2e

INSPECTION = "2026年第四季度群众安全监督检查"
ANKANG_CUP = "2026年安康镇“安康杯”竞赛企业考核"
POSITION = {"latitude": 30.2741, "longitude": 120.1551, "accuracy": 12}
FILL_PAGE = re.compile(r"/submissions/[0-9a-f-]{36}(\?section=[\w-]+)?$")
DANGER_SOFT = "rgb(253, 236, 234)"  # --danger-soft in app.css: a "no" answer


# ---------------------------------------------------------------- helpers


def photo_file(folder: Path, name: str = "site.jpg") -> Path:
    """A real JPEG as a phone camera would give (landscape, a few hundred KB at most)."""
    image = Image.new("RGB", (1600, 1200), (180, 190, 200))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1600, 40):  # something for the thumbnail to show
        draw.rectangle((x, 700, x + 20, 1200), fill=(200 - x // 10, 120, 40 + x // 20))
    draw.rectangle((300, 200, 900, 650), outline=(200, 30, 30), width=12)
    path = folder / name
    image.save(path, "JPEG", quality=85)
    return path


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


def open_tasks(page, base_url: str, campaign: str, enterprise: str):
    """The task of `enterprise` in `campaign` on /tasks."""
    page.goto(base_url + "/tasks")
    expect(page.locator("h1")).to_have_text("我的任务")
    group = page.locator("section.task-group", has=page.locator("h2", has_text=campaign))
    return group.locator("li.task", has_text=enterprise)


def item(page, item_id: str):
    return page.locator(f"#item-{item_id}")


def answer(page, item_id: str, label: str) -> None:
    """Tap the option with this label (是, 否, 不适用, a choice's text)."""
    # The label starts with it: "否" is not the "是 一票否决" of a veto question.
    starts = re.compile(rf"^\s*{re.escape(label)}(\s|$)")
    item(page, item_id).locator("label.choice", has_text=starts).click()


def autosave(page, action, *answers: tuple[str, str]) -> None:
    """Do `action` and wait until an autosave carrying every (name, value) is stored
    and the page says so: a save still queued behind an older one is waited for."""

    def carries(response) -> bool:
        if not response.url.endswith("/answers"):
            return False
        sent = parse_qs(response.request.post_data or "")
        return all(value in sent.get(name, []) for name, value in answers)

    # The answer replaces #save-state (and swaps the rest out of band): a mark on the
    # old element tells the new one apart even when both say the same minute.
    page.locator("#save-state").evaluate("e => e.setAttribute('data-before', '')")
    with page.expect_response(carries) as saved:
        action()
    assert saved.value.status == 200
    expect(page.locator("#save-state:not([data-before])")).to_have_text(
        re.compile(r"^已保存 .*\d{2}:\d{2}$")
    )


def answer_all_yes(page) -> None:
    """是 on every shown check of the section not answered yet."""
    unanswered = "li.item:not([hidden]):not(:has(input[type=radio]:checked))"
    choices = page.locator(f"{unanswered} label.choice-yes")
    for _ in range(choices.count()):
        choices.first.click()


def next_section(page, section_id: str) -> None:
    page.get_by_role("button", name="下一部分").click()
    page.wait_for_url(f"**?section={section_id}")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= FILL_PHONE["width"]


def thumbnail_loaded(page, item_id: str) -> None:
    thumbnail = page.locator(f"#photos-{item_id} img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("src", re.compile(r"^/evidence/[0-9a-f-]{36}/thumbnail$"))
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "id => { const i = document.querySelector(`#photos-${id} img`);"
        " return i && i.complete && i.naturalWidth > 0; }",
        arg=item_id,
    )


# ---------------------------------------------------------------- the flows


def test_a_supervisor_inspects_with_a_photo_and_a_failed_check(
    live_server, phone_context, tmp_path
):
    context = phone_context(geolocation=POSITION, permissions=["geolocation"])
    page = context.new_page()
    sign_in(page, live_server, "supervisor")
    task = open_tasks(page, live_server, INSPECTION, "安康镇东风机械有限公司")
    expect(task.locator(".task-state")).to_have_text("待填写")
    screenshot(page, "fill-supervisor-01-tasks")

    task.get_by_role("button", name="开始填写").click()
    page.wait_for_url(FILL_PAGE)
    expect(page.locator("h1")).to_have_text("安全检查提示卡")
    expect(page.locator("#save-state")).to_have_text("填写内容自动保存", use_inner_text=True)
    expect(page.locator("#progress")).to_contain_text("已答0")
    assert no_horizontal_scroll(page)

    # Section 1: where and when; the position comes from the phone.
    page.locator('input[name="hazard-point"]').fill("二车间冲压工段")
    page.locator('input[name="inspection-date"]').fill("2026-11-20")
    autosave(
        page,
        lambda: page.get_by_role("button", name="记录当前位置").click(),
        ("hazard-point", "二车间冲压工段"),
        ("inspection-date", "2026-11-20"),
        ("gps-location.lat", "30.274100"),
    )
    expect(item(page, "gps-location").locator(".location-value")).to_have_text(
        "30.274100, 120.155100 （误差±12米）"
    )
    # The chemical section is asked only where chemicals are (its show_if): "否" keeps
    # its tab away.
    autosave(
        page,
        lambda: (
            answer(page, "uses-hazardous-chemicals", "否"),
            answer(page, "has-special-equipment", "否"),
        ),
        ("uses-hazardous-chemicals", "no"),
        ("has-special-equipment", "no"),
    )
    expect(page.locator("#progress")).to_contain_text("已答5")
    expect(page.locator("#section-tabs li", has_text="危险化学品")).to_be_hidden()
    screenshot(page, "fill-supervisor-02-info-saved")

    # Section 2: the aisle is blocked: "否" turns red, its remark opens to say what is
    # wrong, and a photo goes with it.
    next_section(page, "worksite")
    expect(item(page, "aisles-clear").locator("details.remark textarea")).to_be_hidden()
    autosave(page, lambda: answer(page, "aisles-clear", "否"), ("aisles-clear", "no"))
    expect(item(page, "aisles-clear").locator("label.choice-no")).to_have_css(
        "background-color", DANGER_SOFT
    )
    remark = item(page, "aisles-clear").locator("details.remark textarea")
    expect(remark).to_be_visible()
    autosave(
        page,
        lambda: (remark.fill("冲压机旁堆放纸箱"), remark.press("Tab")),
        ("aisles-clear.remark", "冲压机旁堆放纸箱"),
    )
    expect(page.locator("#score-preview")).to_contain_text("不合格1项")
    upload = page.locator("#photos-aisles-clear input[type=file]")
    with page.expect_response(lambda r: "/items/aisles-clear/photos" in r.url) as uploaded:
        upload.set_input_files(photo_file(tmp_path))
    assert uploaded.value.status == 200  # htmx: the photos fragment, no page load
    thumbnail_loaded(page, "aisles-clear")
    answer_all_yes(page)
    screenshot(page, "fill-supervisor-03-failed-with-photo")

    # No chemicals on site: "next" from fire safety goes past the chemical section.
    for section_id in ("equipment", "electrical", "fire-safety", "ppe", "occupational-hazards"):
        next_section(page, section_id)
        answer_all_yes(page)
        assert no_horizontal_scroll(page)
    next_section(page, "other")
    remarks = page.locator('textarea[name="other-findings"]')
    autosave(  # typing saves too, after a pause
        page,
        lambda: remarks.press_sequentially("通道堆放纸箱，已要求当班清理，复查 12-01"),
        ("other-findings", "通道堆放纸箱，已要求当班清理，复查 12-01"),
    )
    screenshot(page, "fill-supervisor-04-last-section")

    page.get_by_role("button", name="检查并提交").click()
    page.wait_for_url("**/review")
    screenshot(page, "fill-supervisor-05-review")
    expect(page.locator(".alert-error")).to_have_count(0)
    expect(page.locator(".review-failed li")).to_have_count(1)
    expect(page.locator(".review-failed")).to_contain_text("作业通道畅通")
    expect(page.locator(".review-failed")).to_contain_text("作业通道堵塞")  # its finding
    expect(page.locator(".review-hazard")).to_contain_text("冲压机旁堆放纸箱")
    expect(page.locator("#score-preview")).to_contain_text("不合格1项")

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**?submitted=1")
    expect(page.get_by_role("status").filter(has_text="已提交")).to_be_visible()
    expect(page.locator(".result-summary")).to_contain_text("不合格1项")
    failed = item(page, "aisles-clear")
    expect(failed).to_have_class(re.compile(r"\bstatus-failed\b"))
    expect(failed.locator(".tag-deduct")).to_have_text("不合格")
    expect(failed.locator(".finding")).to_have_text("作业通道堵塞")
    expect(failed.locator(".remark")).to_contain_text("冲压机旁堆放纸箱")
    expect(page.locator(".found-hazards")).to_contain_text("作业通道堵塞")  # its title
    expect(failed.locator("input[type=file]")).to_have_count(0)  # read-only now
    thumbnail_loaded(page, "aisles-clear")
    expect(item(page, "gps-location")).to_contain_text("30.274100, 120.155100 （误差±12米）")
    expect(page.get_by_role("button", name="下一部分")).to_have_count(0)
    assert no_horizontal_scroll(page)
    screenshot(page, "fill-supervisor-06-result")


def test_an_enterprise_resumes_its_self_assessment_after_signing_in_again(
    live_server, phone_context
):
    page = phone_context().new_page()
    script_errors: list[str] = []  # a script that throws stops what follows it on the page
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    sign_in(page, live_server, "enterprise")
    task = open_tasks(page, live_server, ANKANG_CUP, "安康镇东风机械有限公司")
    task.get_by_role("button", name="开始填写").click()
    page.wait_for_url(FILL_PAGE)
    expect(page.locator("h1")).to_contain_text("安康杯竞赛企业(单位)考核评分表")
    # Nothing answered: no score yet, only what the answered items give.
    expect(page.locator("#score-preview .score-total")).to_contain_text("尚未作答")
    expect(page.locator("#score-preview")).to_contain_text("全部答完后按满分100分计分")

    # Half of it: section 1, and the first answer of section 2.
    answer(page, "leading-group-set-up", "是")
    answer(page, "competition-plan-issued", "是")
    page.locator('input[name="launch-and-summary-meetings"]').fill("1")
    autosave(
        page,
        lambda: answer(page, "competition-funds", "否"),
        ("leading-group-set-up", "yes"),
        ("competition-plan-issued", "yes"),
        ("launch-and-summary-meetings", "1"),
        ("competition-funds", "no"),
    )
    expect(page.locator("#score-preview .score-total")).not_to_contain_text("0 / 0")
    next_section(page, "training-publicity")
    autosave(
        page, lambda: answer(page, "law-study", "有计划、有签到、有记录"), ("law-study", "complete")
    )
    score_so_far = page.locator("#score-preview .score-total").inner_text()
    screenshot(page, "fill-enterprise-01-half-done")

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")

    # Back another day: the draft is on the task list and opens where it was left.
    sign_in(page, live_server, "enterprise")
    task = open_tasks(page, live_server, ANKANG_CUP, "安康镇东风机械有限公司")
    expect(task.locator(".task-state")).to_have_text("草稿")
    screenshot(page, "fill-enterprise-02-tasks-draft")
    task.get_by_role("link", name="继续填写").click()
    page.wait_for_url(FILL_PAGE)
    expect(page.locator("#section-tabs a[aria-current=step]")).to_contain_text("法规学习培训宣传")
    expect(
        item(page, "law-study").get_by_role("radio", name="有计划、有签到、有记录")
    ).to_be_checked()
    page.locator("#section-tabs a", has_text="组织领导").click()
    page.wait_for_url("**?section=organisation")
    expect(item(page, "leading-group-set-up").get_by_role("radio", name="是")).to_be_checked()
    expect(item(page, "competition-funds").get_by_role("radio", name="否")).to_be_checked()
    expect(page.locator('input[name="launch-and-summary-meetings"]')).to_have_value("1")
    expect(page.locator("#score-preview .score-total")).to_have_text(score_so_far)
    screenshot(page, "fill-enterprise-03-resumed")

    # The review lists what is still required; each problem links to its item.
    page.goto(page.url.split("?")[0] + "/review")
    problems = page.locator(".alert-error li")
    expect(problems).to_have_count(3)
    expect(page.get_by_role("button", name="提交", exact=True)).to_be_disabled()
    screenshot(page, "fill-enterprise-04-review-problems")
    problems.filter(has_text="全员安全生产责任制").get_by_role("link").click()
    page.wait_for_url("**?section=safety-management&check=1#item-responsibility-system")
    expect(page.locator(".alert-error li")).to_have_count(3)
    answer(page, "responsibility-system", "建立并逐级签订，考核兑现")
    autosave(
        page,
        lambda: answer(page, "hazard-investigation-ledger", "台账完整，隐患全部整改销号"),
        ("responsibility-system", "signed-and-appraised"),
        ("hazard-investigation-ledger", "all-closed"),
    )
    expect(page.locator("#errors-responsibility-system")).to_be_empty()
    page.locator(".alert-error li", has_text="群众监督员").get_by_role("link").click()
    page.wait_for_url("**?section=mass-supervision&check=1#item-supervisor-ratio")
    autosave(
        page,
        lambda: answer(page, "supervisor-ratio", "达到比例且覆盖每道工序"),
        ("supervisor-ratio", "full"),
    )
    page.locator("#section-tabs a", has_text="否决项").click()
    page.wait_for_url("**?section=vetoes")
    page.get_by_role("button", name="检查并提交").click()
    page.wait_for_url("**/review")
    expect(page.locator(".alert-error")).to_have_count(0)
    expect(page.locator(".review-failed")).to_contain_text("竞赛活动经费")
    total = page.locator("#score-preview .score-total").inner_text()
    screenshot(page, "fill-enterprise-05-review-complete")

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**?submitted=1")
    expect(page.get_by_role("status").filter(has_text="已提交")).to_be_visible()
    expect(page.locator(".result-summary .score-total")).to_contain_text(total.split("分")[0])
    expect(item(page, "competition-funds")).to_have_class(re.compile(r"\bstatus-failed\b"))
    expect(item(page, "supervisor-ratio")).to_contain_text("达到比例且覆盖每道工序")
    screenshot(page, "fill-enterprise-06-result")

    task = open_tasks(page, live_server, ANKANG_CUP, "安康镇东风机械有限公司")
    expect(task.get_by_role("link", name=re.compile("已提交"))).to_be_visible()
    assert script_errors == []


def test_an_inspection_without_javascript(live_server, phone_context, tmp_path):
    """Every step a plain form post and a full page: no htmx, no app.js."""
    page = phone_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, "supervisor")
    task = open_tasks(page, live_server, INSPECTION, "安康东风精密铸造有限公司")
    task.get_by_role("button", name="开始填写").click()
    page.wait_for_url(FILL_PAGE)
    expect(page.get_by_role("button", name="记录当前位置")).to_be_hidden()  # needs JS
    expect(page.get_by_role("button", name="保存", exact=True)).to_be_visible()
    page.locator('input[name="hazard-point"]').fill("仓库")
    page.locator('input[name="inspection-date"]').fill("2026-11-21")
    item(page, "gps-location").get_by_text("不提供定位").click()
    answer(page, "uses-hazardous-chemicals", "否")
    answer(page, "has-special-equipment", "否")
    screenshot(page, "fill-nojs-01-info")
    next_section(page, "worksite")
    expect(page.locator("#progress")).to_contain_text("已答5")

    # A "no" (not saved yet), then its photo: "添加照片" saves the answers first and
    # opens a plain upload page; nothing typed before it is lost.
    answer(page, "floor-and-lighting", "否")
    # Not saved yet, so the photo box is still folded: open it.
    item(page, "floor-and-lighting").locator("details.evidence summary").click()
    page.locator("#photos-floor-and-lighting").get_by_role("button", name="添加照片").click()
    page.wait_for_url("**/items/floor-and-lighting/photos")
    page.locator("input[type=file]").set_input_files(photo_file(tmp_path))
    screenshot(page, "fill-nojs-02-photo-page")
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    screenshot(page, "fill-nojs-02-uploaded")
    assert "section=worksite" in page.url
    thumbnail_loaded(page, "floor-and-lighting")
    expect(item(page, "floor-and-lighting").get_by_role("radio", name="否")).to_be_checked()
    answer_all_yes(page)
    screenshot(page, "fill-nojs-03-section-answered")

    # No chemicals: without JavaScript too, "next" skips the chemical section.
    for section_id in ("equipment", "electrical", "fire-safety", "ppe", "occupational-hazards"):
        next_section(page, section_id)
        answer_all_yes(page)
    for section_id in ("other",):
        next_section(page, section_id)
        answer_all_yes(page)
    page.get_by_role("button", name="检查并提交").click()
    page.wait_for_url("**/review")
    expect(page.locator(".alert-error")).to_have_count(0)
    expect(page.locator(".review-failed")).to_contain_text("地面与照明")
    screenshot(page, "fill-nojs-04-review")

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**?submitted=1")
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    expect(item(page, "floor-and-lighting")).to_have_class(re.compile(r"\bstatus-failed\b"))
    thumbnail_loaded(page, "floor-and-lighting")
    expect(item(page, "hazard-point")).to_contain_text("仓库")
    screenshot(page, "fill-nojs-05-result")
