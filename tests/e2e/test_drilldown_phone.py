"""One enterprise's scores by scorer, on a phone: a tab per scorer, one column at a time.

The self-assessment and a judge's evaluation are sent over HTTP (the filling flows have
browser tests of their own); the admin then reads them in the browser at 390×844. A
server of its own, so the other flows' seeded tasks stay untouched."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from service.seed import DEMO_PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_filling import sign_in

pytestmark = pytest.mark.e2e

WORKERS_HOME = "2026年安康镇职工之家建设考核"
ENTERPRISE = "安康镇东风机械有限公司"
REQUIRED = {
    "venues": {"activity-venue": "yes", "venue-facilities": "complete-and-open"},
    "performance": {"culture-sports-activities": "four-or-more"},
}


def _token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def submit(base_url: str, username: str, extra: dict[str, dict[str, str]]) -> None:
    """`username`'s submission for ENTERPRISE in WORKERS_HOME: the required answers
    and `extra` ({section: {item: value}})."""
    with httpx.Client(base_url=base_url, timeout=20) as client:
        client.post(
            "/login",
            data={
                "username": username,
                "password": DEMO_PASSWORD,
                "_csrf_token": _token(client.get("/login").text),
            },
        )
        tasks = client.get("/tasks", params={"q": ENTERPRISE}).text  # long lists are paged
        groups = tasks.split('class="card task-group"')[1:]  # [0]: the page and its filters
        group = next(g for g in groups if WORKERS_HOME in g)
        task = next(t for t in group.split('<li class="task ') if ENTERPRISE in t)
        start = re.search(r'<form method="post" action="/tasks/start".*?</form>', task, re.S)
        assert start
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', start.group(0)))
        path = client.post("/tasks/start", data=fields).headers["location"]
        for section in REQUIRED.keys() | extra.keys():
            answers = {**REQUIRED.get(section, {}), **extra.get(section, {})}
            page = client.get(path).text
            saved = client.post(
                f"{path}/answers",
                data={"_csrf_token": _token(page), "_section": section, **answers},
            )
            assert saved.status_code == 303, saved.text[:300]
        review = client.get(f"{path}/review").text
        done = client.post(f"{path}/submit", data={"_csrf_token": _token(review)})
        assert done.status_code == 303 and "submitted=1" in done.headers["location"]


def test_the_drilldown_shows_one_scorer_at_a_time_on_a_phone(engine_server, phone_context):
    submit(engine_server, "enterprise", {"venues": {"workers-library": "yes"}})
    submit(engine_server, "judge", {})
    page = phone_context().new_page()
    sign_in(page, engine_server, "admin")
    page.goto(engine_server + "/admin/campaigns")
    page.get_by_role("link", name=WORKERS_HOME).first.click()
    page.wait_for_url("**/admin/campaigns/*")
    page.goto(page.url.split("?")[0].rstrip("/") + "/rankings")
    card = page.locator(".rank-card", has_text=ENTERPRISE)
    expect(card.locator(".rank-card-score")).not_to_contain_text("最终得分 —")
    card.get_by_role("link", name=ENTERPRISE).click()
    page.wait_for_url(re.compile(r"/rankings/\d+"))

    tabs = page.locator(".scorer-tabs a")
    expect(tabs).to_have_text(["企业自评", "评委 赵老师"])
    expect(tabs.first).to_have_attribute("aria-current", "true")
    header = page.locator("table.drilldown thead")
    expect(header.get_by_text("企业自评")).to_be_visible()
    expect(header.get_by_text("评委 赵老师")).to_be_hidden()
    library = page.locator("tr.item-line", has_text="职工书屋")
    expect(library.locator("td.scorer-col.is-chosen")).to_contain_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.locator("table.drilldown").bounding_box()
    assert table and table["width"] <= 390  # every shown column on screen, no sideways scroll
    screenshot(page, "drilldown-phone-self")

    tabs.get_by_text("评委 赵老师").click()
    page.wait_for_url(re.compile(r"scorer=1"))
    expect(header.get_by_text("评委 赵老师")).to_be_visible()
    expect(header.get_by_text("企业自评")).to_be_hidden()
    expect(library.locator("td.scorer-col.is-chosen")).to_contain_text("0")
    expect(library).to_contain_text("+3")  # the self-assessment claims 3 more
    screenshot(page, "drilldown-phone-judge")
