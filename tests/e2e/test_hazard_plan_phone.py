"""A major hazard on a phone (390×844, zh-CN): the enterprise's safety officer
acknowledges it with the seven-part plan, forgets a field, sees the error beside it
with everything typed still there, then reports the rectification with a photo taken
through the same camera picker as the inspection page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import screenshot
from .test_filling import no_horizontal_scroll, photo_file, sign_in

MAJOR = "液氨储罐区气体检测报警仪失效"  # the demo's major hazard, reported to the enterprise


def test_a_major_hazard_is_acknowledged_with_its_plan_and_rectified_on_a_phone(
    live_server, phone_context, tmp_path
):
    page = phone_context().new_page()
    sign_in(page, live_server, "enterprise")
    page.goto(live_server + "/hazards")
    page.locator(".hazard-card", has_text=MAJOR).get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/hazards/\d+$"))
    step = page.locator("#step-acknowledge")
    screenshot(page, "hazard-plan-01-open")

    # Defaults: the person signed in, the grade's time limit for both deadlines.
    responsible = step.get_by_label("整改责任人")
    expect(responsible).not_to_have_value("")
    deadline = step.locator('input[name="deadline"]').input_value()
    assert deadline
    expect(step.locator('input[name="plan_deadline"]')).to_have_value(deadline)
    expect(step.locator(".tag-required").first).to_be_visible()

    step.locator("[name=measures]").fill("更换报警仪探头，联动排风")
    plan = {
        "plan_goal": "恢复储罐区气体检测报警",
        "plan_measures": "更换失效探头并校验",
        "plan_funds": "2万元，企业自筹",
        "plan_people": "设备科负责，安全员监督",
        "plan_safety_measures": "  ",  # spaces only: the browser lets it through
        "plan_emergency_plan": "启用液氨泄漏专项应急预案",
    }
    for name, text in plan.items():
        step.locator(f'[name="{name}"]').fill(text)
    step.get_by_role("button", name="确认隐患并开始整改").click()
    page.wait_for_load_state()

    step = page.locator("#step-acknowledge")
    error = step.locator("#error-plan_safety_measures")
    expect(error).to_have_text("此项必填")
    expect(step.locator('[name="plan_safety_measures"]')).to_have_attribute("aria-invalid", "true")
    for name, text in plan.items():
        if text.strip():  # nothing typed is lost
            expect(step.locator(f'[name="{name}"]')).to_have_value(text)
    expect(step.locator("[name=measures]")).to_have_value("更换报警仪探头，联动排风")
    assert no_horizontal_scroll(page)
    screenshot(page, "hazard-plan-02-error-beside-field")

    step.locator('[name="plan_safety_measures"]').fill("作业时停用储罐，设警戒区")
    step.get_by_role("button", name="确认隐患并开始整改").click()
    expect(page.get_by_role("status")).to_contain_text("已确认，开始整改")
    expect(page.locator(".card", has_text="治理方案")).to_contain_text("作业时停用储罐，设警戒区")

    # The rectification, with a photo from the same picker as the inspection page.
    rectify = page.locator("#step-submit_rectification")
    picker = rectify.locator("label.photo-input")
    expect(picker).to_be_visible()
    expect(picker.locator(".photo-icon")).to_be_visible()
    photo = rectify.locator('input[type=file][capture="environment"]')
    rectify.get_by_label("已采取的整改措施").fill("已更换探头，报警联动测试正常")
    photo.set_input_files(photo_file(tmp_path, "after.jpg"))
    expect(picker).to_contain_text("已选1张照片")
    screenshot(page, "hazard-plan-03-rectify-photo-chosen")
    rectify.get_by_role("button", name="提交整改").click()
    expect(page.locator("header .hazard-state")).to_have_text("待验收")
    expect(page.locator(".card", has_text="整改后照片").locator("img")).to_have_count(1)
    assert no_horizontal_scroll(page)
    screenshot(page, "hazard-plan-04-submitted")
