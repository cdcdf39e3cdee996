"""What monitors and lost visitors meet: HEAD wherever GET answers, and error pages
that offer the way back that fits who is looking."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from tests.factories import make_user, sign_in

PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _get_paths(client: TestClient) -> list[str]:
    """Every GET route's path, its parameters filled with a plausible value."""
    paths = []
    for route in client.app.routes:
        if isinstance(route, HTTPRoute) and "GET" in route.methods:
            paths.append(
                PARAMETER.sub(
                    lambda m: "1" if m.group(2) == "int" else "x", route.path_format or route.path
                )
            )
    return sorted(set(paths))


def _heads_match_gets(client: TestClient) -> list[int]:
    statuses = []
    for path in _get_paths(client):
        got = client.get(path, follow_redirects=False)
        head = client.head(path, follow_redirects=False)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        statuses.append(got.status_code)
    return statuses


def test_every_get_route_answers_head_with_the_same_status_and_no_body(
    client: TestClient, database_url: str
):
    visitor = _heads_match_gets(client)
    assert 200 in visitor and len(visitor) > 30  # the public pages, health, static…
    make_user(database_url, "boss", "admin")
    assert sign_in(client, "boss").status_code == 303
    admin = _heads_match_gets(client)
    assert admin.count(200) > visitor.count(200)  # signed in, more pages open


def _ways_back(html: str) -> list[str]:
    block = html.split('class="error-ways"', 1)[1].split("</p>", 1)[0]
    return re.findall(r'href="([^"]+)">([^<]+)</a>', block)


def test_a_visitor_lost_on_a_missing_page_is_offered_sign_in_and_the_results(
    client: TestClient,
):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert [text for _, text in _ways_back(page.text)] == ["登录", "结果公示"]
    assert _ways_back(page.text)[0] == ("/login", "登录")


def test_a_signed_in_user_is_offered_home_and_their_tasks(client: TestClient, database_url: str):
    make_user(database_url, "boss", "admin")
    assert sign_in(client, "boss").status_code == 303
    page = client.get("/admin/campaigns/999999/rankings")
    assert page.status_code == 404
    assert [text for _, text in _ways_back(page.text)] == ["首页", "我的任务"]


def test_a_signed_in_user_on_a_path_no_route_knows_is_offered_home(
    client: TestClient, database_url: str
):
    make_user(database_url, "boss", "admin")
    assert sign_in(client, "boss").status_code == 303
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert [text for _, text in _ways_back(page.text)] == ["首页", "我的任务"]
