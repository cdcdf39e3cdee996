"""Rectification notices: choosing the hazards of one enterprise, issuing numbered
notices, the printable page, and who may see and issue them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
import pytest

from service.campaigns.rules import today
from service.hazards import notices
from service.hazards.tables import Hazard, RectificationNotice
from tests.collection.test_pages import csrf, signed_in
from tests.factories import in_database

from .factories import make_hazard
from .test_dashboards import in_english

PHOTO = "00000000-0000-4000-8000-0000000000aa"


@pytest.fixture
def hazards(hazard_world: dict[str, Any]) -> dict[str, int]:
    """At "own": two open hazards (one due in 3 days with a photo, one in 10) and a
    closed one; at "other": an open one."""
    w = hazard_world
    watcher = w["users"]["supervisor"]
    soon = today() + dt.timedelta(days=3)

    async def make() -> dict[str, int]:
        made = {
            "soon": await make_hazard(
                w["own"], watcher, deadline=soon, location="冲压车间", photos=f'["{PHOTO}"]'
            ),
            "later": await make_hazard(
                w["own"], watcher, deadline=today() + dt.timedelta(days=10), grade="major",
                description="配电箱无防护门",
            ),
            "closed": await make_hazard(w["own"], watcher),
            "elsewhere": await make_hazard(w["other"], watcher),
        }  # fmt: skip
        await Hazard.update({Hazard.state: "closed"}).where(Hazard.id == made["closed"])
        return made

    return in_database(w["url"], make)


def issue(client, enterprise: int, *hazard_ids: int):
    page = client.get(f"/hazards/notices/new?enterprise={enterprise}")
    token = re.search(r'name="token" value="([0-9a-f-]+)"', page.text)
    data = {"_csrf_token": csrf(page.text), "enterprise": str(enterprise)}
    if token:
        data["token"] = token.group(1)
    return client.post(
        "/hazards/notices",
        data={**data, "hazard": [str(h) for h in hazard_ids]},
        follow_redirects=False,
    )


def stored(url: str) -> list[dict]:
    return in_database(url, lambda: RectificationNotice.select().order_by(RectificationNotice.id))


def test_notices_are_numbered_one_after_the_other_within_the_year(app, hazard_world, hazards):
    w = hazard_world
    with signed_in(app, "clerk") as clerk:
        first = issue(clerk, w["own"], hazards["soon"], hazards["later"])
        assert first.status_code == 303
        page = clerk.get(first.headers["location"])
        year = today().year
        assert f"安工整改〔{year}〕第0001号" in page.text
    with signed_in(app, "watcher") as watcher:  # a supervisor watching the enterprise
        second = issue(watcher, w["own"], hazards["later"])
        assert second.status_code == 303
        assert f"安工整改〔{year}〕第0002号" in watcher.get(second.headers["location"]).text
        listing = watcher.get("/hazards/notices").text
        assert "第0001号" in listing and "第0002号" in listing
    rows = stored(w["url"])
    assert [(r["year"], r["sequence"]) for r in rows] == [(year, 1), (year, 2)]
    assert rows[0]["deadline"] == today() + dt.timedelta(days=3)  # the earliest
    assert rows[0]["issuer"] == "测试镇总工会"
    listed = in_database(w["url"], lambda: notices.notices_of(hazards["later"]))
    assert [n["number"] for n in listed] == [f"安工整改〔{year}〕第{n:04d}号" for n in (1, 2)]
    assert in_database(w["url"], lambda: notices.notices_of(hazards["elsewhere"])) == []


def test_a_double_tap_issues_one_notice(app, hazard_world, hazards):
    w = hazard_world
    with signed_in(app, "clerk") as clerk:
        page = clerk.get(f"/hazards/notices/new?enterprise={w['own']}")
        [token] = re.findall(r'name="token" value="([0-9a-f-]+)"', page.text)
        data = {
            "_csrf_token": csrf(page.text),
            "enterprise": str(w["own"]),
            "token": token,
            "hazard": [str(hazards["soon"])],
        }
        first = clerk.post("/hazards/notices", data=data, follow_redirects=False)
        again = clerk.post("/hazards/notices", data=data, follow_redirects=False)
        assert first.headers["location"] == again.headers["location"]
    assert len(stored(w["url"])) == 1


def test_the_number_restarts_each_year():
    assert notices.number_label(2027, 1) == "安工整改〔2027〕第0001号"
    assert notices.number_label(2026, 12345) == "安工整改〔2026〕第12345号"


def test_hazards_of_another_enterprise_or_closed_ones_are_refused(app, hazard_world, hazards):
    w = hazard_world
    with in_english(app, "clerk") as clerk:
        mixed = issue(clerk, w["own"], hazards["soon"], hazards["elsewhere"])
        assert mixed.status_code == 400
        assert "Every hazard of a notice must be of the same enterprise." in mixed.text
        closed = issue(clerk, w["own"], hazards["soon"], hazards["closed"])
        assert closed.status_code == 400 and "Only open hazards" in closed.text
        none = issue(clerk, w["own"])
        assert none.status_code == 400 and "Choose at least one open hazard." in none.text
    assert stored(w["url"]) == []


def test_the_printable_notice_lists_the_items_photos_and_signature_lines(
    app, hazard_world, hazards
):
    w = hazard_world
    with in_english(app, "clerk") as clerk:
        form = clerk.get(f"/hazards/notices/new?enterprise={w['own']}").text
        boxes = re.findall(r'name="hazard" value="(\d+)"', form)
        assert sorted(map(int, boxes)) == sorted([hazards["soon"], hazards["later"]])  # open only
        path = issue(clerk, w["own"], hazards["soon"], hazards["later"]).headers["location"]
        page = clerk.get(path).text
    assert "测试企业00001" in page and "测试镇总工会" in page
    assert "冲压车间" in page and "配电箱无防护门" in page
    assert (today() + dt.timedelta(days=10)).isoformat() in page
    assert f"Rectify by: {(today() + dt.timedelta(days=3)).isoformat()}" in page
    assert f'/photos/{PHOTO}?thumbnail=true"' in page  # through the hazard's own access
    assert page.count('class="signature-line"') == 3
    assert 'class="notice-sheet"' in page  # printed on its own A4 page (app.css)


def test_the_print_style_puts_the_notice_on_a4():
    from service.settings import PROJECT_ROOT

    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"@page notice-a4 \{ size: A4;", css)
    assert re.search(r"\.notice-sheet \{ page: notice-a4;", css)


def test_who_sees_and_who_issues_notices(app, hazard_world, hazards):
    w = hazard_world
    with signed_in(app, "clerk") as clerk:
        path = issue(clerk, w["own"], hazards["soon"]).headers["location"]
    with signed_in(app, "chair") as chair:  # the enterprise sees its own notice
        assert chair.get(path).status_code == 200
        assert path in chair.get("/hazards/notices").text
        assert chair.get(f"/hazards/notices/new?enterprise={w['own']}").status_code == 403
    with signed_in(app, "verifier") as verifier:  # another supervisor watching it
        assert verifier.get(path).status_code == 200
    with signed_in(app, "rival") as rival:  # another enterprise: no such notice
        assert rival.get(path).status_code == 404
        assert path not in rival.get("/hazards/notices").text
    with signed_in(app, "watcher") as watcher:  # does not watch "other"
        assert watcher.get(f"/hazards/notices/new?enterprise={w['other']}").status_code == 404
        assert issue_without_form(watcher, w["other"], hazards["elsewhere"]).status_code == 404
        chooser = watcher.get("/hazards/notices/new").text
        assert f"?enterprise={w['own']}" in chooser and f"?enterprise={w['other']}" not in chooser
    with signed_in(app, "judge") as judge:
        assert judge.get(path).status_code == 403
    assert len(stored(w["url"])) == 1


def issue_without_form(client, enterprise: int, hazard_id: int):
    token = csrf(client.get("/hazards/notices").text)
    data = {"_csrf_token": token, "enterprise": str(enterprise), "hazard": str(hazard_id)}
    return client.post("/hazards/notices", data=data, follow_redirects=False)


def test_the_register_may_post_hazards_without_naming_the_enterprise(app, hazard_world, hazards):
    w = hazard_world
    with signed_in(app, "clerk") as clerk:
        token = csrf(clerk.get("/hazards/notices").text)
        data = {"_csrf_token": token, "hazard": [str(hazards["later"]), str(hazards["soon"])]}
        answer = clerk.post("/hazards/notices", data=data, follow_redirects=False)
        assert answer.status_code == 303
    [row] = stored(w["url"])
    assert row["enterprise"] == w["own"]
    assert msgspec.json.decode(row["hazards"]) == [hazards["later"], hazards["soon"]]
