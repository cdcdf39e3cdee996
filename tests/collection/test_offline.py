"""What a phone keeps for filling without signal, and what it sends back: the task's
offline page (every section), its JSON with ETag, the device token, and the time a
submission was completed on the phone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from service.app import create_app  # noqa: F401 - tests in flight on other branches call it
from service.collection import queries
from service.collection.rules import SubmissionBody, body_hash
from tests.campaigns.factories import add_campaign
from tests.collection.factories import draft, stored_form
from tests.conftest import settings_for, shared_app
from tests.factories import csrf_token, form_data, in_database, make_user, sign_in, two_enterprises


def _form() -> dict[str, Any]:
    """Two sections; `why` shows only when `a` fails; `p` takes photos."""
    data = form_data()
    first, second = data["sections"]
    first["items"][0].update(required=True, evidence_on_fail=True)
    first["items"].append(
        {"id": "why", "type": "text", "label": "原因", "show_if": {"item": "a", "equals": "no"}}
    )
    second["items"].append({"id": "p", "type": "photo", "label": "照片", "max_count": 3})
    return data


class World(msgspec.Struct):
    url: str
    campaign: int
    own: int
    other: int
    owner_id: int
    form_version_id: int


@pytest.fixture
def world(database_url: str) -> World:
    places = in_database(database_url, two_enterprises)
    owner_id = make_user(database_url, "owner", "enterprise", enterprise_id=places["own"])
    make_user(database_url, "stranger", "enterprise", enterprise_id=places["other"])

    async def rows() -> tuple[int, int]:
        form_version_id, _ = await stored_form(_form())
        campaign = await add_campaign(
            places["town"],
            form_version_id,
            enterprises=[places["own"], places["other"]],
            self_assessment=True,
        )
        return form_version_id, campaign

    form_version_id, campaign = in_database(database_url, rows)
    return World(database_url, campaign, places["own"], places["other"], owner_id, form_version_id)


@pytest.fixture
def owner(world: World) -> Iterator[TestClient]:
    with TestClient(app=shared_app(settings_for(world.url))) as client:
        assert sign_in(client, "owner").status_code == 303
        yield client


def _device_token(client: TestClient) -> dict[str, str]:
    token = csrf_token(client, "/tasks")
    response = client.post("/offline/device", headers={"x-csrftoken": token})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_offline_page_holds_every_section_and_the_rules_as_data(
    owner: TestClient, world: World
):
    page = owner.get(f"/offline/tasks/{world.campaign}/{world.own}")
    assert page.status_code == 200
    html = page.text
    # Every item of every section is on the page, the conditional one hidden at first.
    for item in ("a", "b", "c", "d", "why", "p"):
        assert f'id="item-{item}"' in html
    assert re.search(r'<li class="item" id="item-why" hidden', html)
    assert 'data-photo-input="a"' in html and 'data-photo-input="p"' in html
    plan = re.search(r'<script type="application/json" id="offline-plan">(.*?)</script>', html)
    assert plan is not None
    rules = msgspec.json.decode(plan.group(1))
    assert rules["items"]["why"]["show_if"] == {"item": "a", "values": ["no"]}
    assert rules["items"]["a"]["evidence_on_fail"] is True
    assert rules["items"]["p"]["photos"] == {"min": 0, "max": 3}
    assert [s["id"] for s in rules["sections"]] == ["first", "second"]


def test_a_task_that_is_not_yours_is_not_kept(world: World):
    with TestClient(app=shared_app(settings_for(world.url))) as client:
        assert sign_in(client, "stranger").status_code == 303
        assert client.get(f"/offline/tasks/{world.campaign}/{world.own}").status_code == 404
        headers = _device_token(client)
        url = f"/api/v1/offline/tasks/{world.campaign}/{world.own}"
        assert client.get(url, headers=headers).status_code == 404


def test_the_task_json_carries_the_draft_and_answers_304_when_unchanged(
    owner: TestClient, world: World
):
    headers = _device_token(owner)
    url = f"/api/v1/offline/tasks/{world.campaign}/{world.own}"
    first = owner.get(url, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["submission"] is None and first.json()["repeatable"] is False
    etag = first.headers["etag"]
    again = owner.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""

    submission_id = uuid.uuid4()

    async def start() -> None:
        row = draft(
            world.form_version_id,
            world.owner_id,
            id=submission_id,
            campaign_id=world.campaign,
            enterprise_id=world.own,
        )
        await queries.start_draft(row)
        await queries.save_draft(submission_id, {"a": "no", "why": "堵塞"}, position="first")

    in_database(world.url, start)
    changed = owner.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    server = changed.json()["submission"]
    assert server["id"] == str(submission_id) and server["status"] == "draft"
    assert server["answers"] == {"a": "no", "why": "堵塞"} and server["photos"] == {}


def test_the_device_token_needs_the_page_s_csrf_token_and_ends_on_sign_out(
    owner: TestClient, world: World
):
    assert owner.post("/offline/device").status_code == 403  # no CSRF token
    headers = _device_token(owner)
    assert owner.get("/api/v1/submissions", headers=headers).status_code == 200
    listed = owner.get("/account").text
    assert "离线同步" in listed  # the person sees (and can revoke) it
    assert owner.delete("/api/v1/offline/device", headers=headers).status_code == 204
    assert owner.get("/api/v1/submissions", headers=headers).status_code == 401


def _body(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "answers": {"a": "yes", "b": "yes", "c": "yes", "d": "yes"},
        "campaign_id": world.campaign,
        "enterprise_id": world.own,
        **fields,
    }


def test_a_submission_completed_offline_keeps_both_times(owner: TestClient, world: World):
    headers = _device_token(owner)
    completed = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).replace(microsecond=0)
    body = _body(world, completed_at=completed.isoformat())
    first = owner.post("/api/v1/submissions", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert dt.datetime.fromisoformat(first.json()["completed_at"]) == completed
    # The retry after a lost answer: the same status and bytes.
    again = owner.post("/api/v1/submissions", json=body, headers=headers)
    assert again.status_code == first.status_code and again.content == first.content
    page = owner.get(f"/submissions/{body['id']}").text
    assert "手机上完成于" in page and "服务器收到于" in page


def test_a_phone_whose_clock_runs_ahead_still_sends_its_work(owner: TestClient, world: World):
    headers = _device_token(owner)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    body = _body(world, completed_at=future.isoformat())
    response = owner.post("/api/v1/submissions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result = response.json()
    # Never completed after it arrived.
    assert result["completed_at"] == result["submitted_at"]


def test_the_fingerprint_of_a_body_without_completion_time_is_as_before():
    body = SubmissionBody(id=uuid.UUID(int=1), answers={"a": "yes"}, campaign_id=1)
    # The sha256 of the canonical body from before completed_at existed.
    legacy = msgspec.json.encode(
        {
            "id": str(uuid.UUID(int=1)),
            "answers": {"a": "yes"},
            "campaign_id": 1,
            "form_id": None,
            "form_version": None,
            "enterprise_id": None,
            "team_id": None,
        },
        order="sorted",
    )
    assert body_hash(body) == hashlib.sha256(legacy).hexdigest()


def test_the_service_worker_names_its_shell_and_version(owner: TestClient):
    script = owner.get("/sw.js")
    assert script.status_code == 200
    assert script.headers["service-worker-allowed"] == "/"
    assert "__VERSION__" not in script.text and "__SHELL__" not in script.text
    version = re.search(r'var VERSION = "([0-9a-f]{16})"', script.text)
    assert version is not None
    for asset in ("/static/js/offline.js", "/static/vendor/htmx.min.js", "/static/css/app.css"):
        assert f'"{asset}"' in script.text
        assert owner.get(asset).status_code == 200  # the worker's install fetches each
    manifest = owner.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/tasks" and manifest["icons"]
