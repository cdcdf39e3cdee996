"""On a phone: the form list and a form's preview read well and work."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, screenshot

pytestmark = pytest.mark.e2e


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_supervisor_finds_a_form_and_reads_its_scoring_standard(live_server, phone):
    phone.goto(live_server + "/forms")
    assert phone.locator("h1").inner_text() == "表单"
    assert phone.locator(".form-card").count() == 8
    assert no_horizontal_scroll(phone)
    screenshot(phone, "01-form-list")

    phone.get_by_text("安康杯竞赛企业(单位)考核评分表").click()
    phone.wait_for_url("**/forms/ankang-cup-enterprise")
    assert "安康杯竞赛企业(单位)考核评分表" in phone.locator("h1").inner_text()
    standard = phone.locator("details.standard").first
    assert not standard.evaluate("d => d.open")
    standard.locator("summary").click()
    assert standard.evaluate("d => d.open")
    assert standard.locator("p").is_visible()
    assert no_horizontal_scroll(phone)
    screenshot(phone, "02-preview-standard-open")

    # Tap targets are big enough for a thumb.
    box = phone.locator(".choice").first.bounding_box()
    assert box is not None and box["height"] >= 44


def test_english_switch_and_back(live_server, phone):
    """The switch is a small form (it changes what the session remembers), so it works
    without JavaScript too, and brings the reader back to the same page."""
    phone.goto(live_server + "/forms/workers-home")
    phone.get_by_role("button", name="English").click()
    phone.wait_for_url("**/forms/workers-home")
    phone.wait_for_selector("text=Scoring standard")
    phone.goto(live_server + "/forms")  # remembered, not carried in the URL
    assert phone.locator("h1").inner_text() == "Forms"
    phone.get_by_role("button", name="中文").click()
    phone.wait_for_selector("h1:has-text('表单')")


def test_the_page_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/forms")
        page.get_by_text("职工之家建设考核表").click()
        page.wait_for_url("**/forms/workers-home")
        standard = page.locator("details.standard").first
        assert not standard.locator("p").is_visible()
        standard.locator("summary").click()  # <details> needs no script
        assert standard.locator("p").is_visible()
        assert "职工之家" in page.locator("h1").inner_text()
    finally:
        context.close()
