"""The ranking on a phone: a card per participant with the rest one tap away, and the
table back on a wide screen. Seeded demo data; nothing is scored yet, so every card
says why its participant is not ranked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_filling import sign_in

pytestmark = pytest.mark.e2e

CUP = "2026年安康镇“安康杯”竞赛企业考核"


def test_the_ranking_is_a_list_of_cards_on_a_phone(live_server, phone_context):
    page = phone_context().new_page()
    sign_in(page, live_server, "admin")
    page.goto(live_server + "/admin/campaigns")
    page.get_by_role("link", name=CUP).first.click()
    page.wait_for_url("**/admin/campaigns/*")
    page.goto(page.url.split("?")[0].rstrip("/") + "/rankings")
    cards = page.locator(".rank-card")
    expect(cards.first).to_be_visible()
    expect(page.locator("table.rankings")).to_be_hidden()  # no sideways scrolling
    first = cards.first
    expect(first.locator(".rank-card-score")).to_contain_text("最终得分")
    expect(first.locator(".rank-card-flags")).to_be_visible()  # why it is not ranked
    more = first.locator("details.rank-card-more")
    expect(more.locator("dd").first).to_be_hidden()
    screenshot(page, "rankings-phone-cards")
    more.locator("summary").click()
    expect(more).to_contain_text("自评")
    expect(more).to_contain_text("评委人数")
    screenshot(page, "rankings-phone-card-open")
    first.scroll_into_view_if_needed()
    page.screenshot(
        path=str(
            screenshot(page, "rankings-phone-card-open").with_name("rankings-phone-card-view.png")
        )
    )
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The cards have no column heads to tap: the order is a field of the filter.
    page.get_by_label("排序").select_option(label="参评单位")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**sort=name**")
    names = page.locator(".rank-card-name").all_inner_texts()
    assert len(names) > 2 and names == sorted(names)
    expect(page.get_by_label("排序")).to_have_value("name")

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("table.rankings")).to_be_visible()
    expect(cards.first).to_be_hidden()
