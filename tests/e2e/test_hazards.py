"""The hazard loop on phones, in a real browser: a supervisor scans a hazard point's
code and records a failed item with a photo; the hazard reaches the enterprise, which
acknowledges it and submits its rectification with an after-photo; another
supervisor verifies it; it is closed, and the enterprise's rectification rate rises.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import screenshot
from .test_filling import (
    FILL_PAGE,
    answer,
    answer_all_yes,
    autosave,
    next_section,
    no_horizontal_scroll,
    photo_file,
    sign_in,
    thumbnail_loaded,
)

ENTERPRISE = "安康镇东风机械有限公司"
POINT = "冲压生产线"


def enterprise_rate(page, base_url: str) -> float:
    """The enterprise's rectification rate on the admin's overview, in percent."""
    page.goto(base_url + "/hazards/overview")
    row = page.locator("#figures-enterprise tbody tr", has_text=ENTERPRISE)
    text = row.locator("td").first.inner_text()
    return float(text.rstrip("%"))


def test_a_hazard_found_at_a_point_is_rectified_verified_and_closed(
    live_server, phone_context, tmp_path
):
    admin = phone_context().new_page()
    sign_in(admin, live_server, "admin")
    rate_before = enterprise_rate(admin, live_server)

    # The supervisor scans the warning card's code at the stamping line.
    supervisor = phone_context().new_page()
    sign_in(supervisor, live_server, "supervisor")
    supervisor.goto(live_server + "/hazard-points")
    supervisor.get_by_role("link", name=POINT).first.click()
    supervisor.wait_for_url(re.compile(r"/hazard-points/\d+$"))
    inspect_url = re.sub(r"/hazard-points/(\d+).*", r"/hazard-points/\1/inspect", supervisor.url)
    supervisor.goto(inspect_url)  # what the QR code holds
    expect(supervisor.locator("h1")).to_have_text(POINT)
    supervisor.get_by_role("button", name="开始检查").click()
    supervisor.wait_for_url(FILL_PAGE)
    expect(supervisor.locator('input[name="hazard-point"]')).to_have_value(re.compile(POINT))
    expect(supervisor.locator('input[name="inspection-date"]')).not_to_have_value("")
    autosave(
        supervisor,
        lambda: (
            answer(supervisor, "uses-hazardous-chemicals", "否"),
            answer(supervisor, "has-special-equipment", "否"),
        ),
        ("uses-hazardous-chemicals", "no"),
        ("has-special-equipment", "no"),
    )
    next_section(supervisor, "worksite")
    autosave(
        supervisor, lambda: answer(supervisor, "edge-protection", "否"), ("edge-protection", "no")
    )
    upload = supervisor.locator("#photos-edge-protection input[type=file]")
    with supervisor.expect_response(lambda r: "/items/edge-protection/photos" in r.url):
        upload.set_input_files(photo_file(tmp_path, "edge.jpg"))
    thumbnail_loaded(supervisor, "edge-protection")
    answer_all_yes(supervisor)
    screenshot(supervisor, "hazards-01-failed-at-point")
    for section_id in ("equipment", "electrical", "fire-safety", "ppe"):
        next_section(supervisor, section_id)
        answer_all_yes(supervisor)
    next_section(supervisor, "occupational-hazards")
    answer_all_yes(supervisor)
    next_section(supervisor, "other")
    supervisor.get_by_role("button", name="检查并提交").click()
    supervisor.wait_for_url("**/review")
    supervisor.get_by_role("button", name="提交", exact=True).click()
    supervisor.wait_for_url("**?submitted=1")
    found = supervisor.locator(".found-hazards li", has_text="临边、洞口或高处平台防护缺失")
    expect(found).to_contain_text("较大事故隐患")
    expect(found).to_contain_text("待确认")
    screenshot(supervisor, "hazards-02-hazard-reported")
    found.get_by_role("link").click()
    supervisor.wait_for_url(re.compile(r"/hazards/\d+$"))
    hazard_url = supervisor.url
    expect(supervisor.locator(".facts")).to_contain_text(POINT)

    assert enterprise_rate(admin, live_server) < rate_before  # one more found, none closed
    rate_found = enterprise_rate(admin, live_server)

    # The enterprise sees it, acknowledges it and rectifies it with an after-photo.
    enterprise = phone_context().new_page()
    sign_in(enterprise, live_server, "enterprise")
    enterprise.goto(live_server + "/hazards")
    card = enterprise.locator(".hazard-card", has_text="临边、洞口或高处平台防护缺失")
    expect(card).to_have_count(1)
    enterprise.goto(hazard_url)
    expect(enterprise.locator(".hazard-photos img").first).to_be_visible()
    acknowledge = enterprise.locator("#step-acknowledge")
    acknowledge.get_by_label("整改责任人").fill("张建国")
    acknowledge.get_by_label("整改措施").fill("补装防护栏杆和挡脚板")
    screenshot(enterprise, "hazards-03-acknowledge")
    acknowledge.get_by_role("button", name="确认隐患并开始整改").click()
    expect(enterprise.get_by_role("status")).to_contain_text("已确认，开始整改")
    expect(enterprise.locator("header .hazard-state")).to_have_text("整改中")
    rectify = enterprise.locator("#step-submit_rectification")
    rectify.get_by_label("已采取的整改措施").fill("已补装1.2 m防护栏杆和挡脚板")
    rectify.locator("input[type=file]").set_input_files(photo_file(tmp_path, "after.jpg"))
    rectify.get_by_role("button", name="提交整改").click()
    expect(enterprise.locator("header .hazard-state")).to_have_text("待验收")
    expect(enterprise.locator("#step-verify")).to_have_count(0)  # not the enterprise's step
    assert no_horizontal_scroll(enterprise)
    screenshot(enterprise, "hazards-04-rectified")

    # Another supervisor verifies and closes it.
    verifier = phone_context().new_page()
    sign_in(verifier, live_server, "supervisor2")
    verifier.goto(hazard_url)
    after = verifier.locator(".card", has_text="整改后照片").locator("img")
    expect(after).to_have_count(1)
    verifier.wait_for_function(
        "() => [...document.querySelectorAll('.hazard-photos img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    verifier.locator("#step-verify").get_by_role("button", name="验收销号").click()
    expect(verifier.locator("header .hazard-state")).to_have_text("已验收销号")
    timeline = verifier.locator(".timeline-entry")
    expect(timeline).to_have_count(4)
    expect(timeline.last).to_contain_text("群众安全监督员 陈师傅")
    screenshot(verifier, "hazards-05-closed")

    assert enterprise_rate(admin, live_server) > rate_found
