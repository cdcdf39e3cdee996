"""Bad input at the boundary: every one a clear 4xx with a stable code, never a 500, on
every engine (ids beyond the database's integers, deep or broken JSON, NUL characters,
huge error lists, loose types and content types)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from service.accounts import tokens
from tests.campaigns.factories import add_campaign
from tests.collection.factories import stored_form
from tests.conftest import settings_for, shared_app
from tests.factories import (
    csrf_token,
    form_data,
    in_database,
    make_user,
    sign_in,
    two_enterprises,
)

URL = "/api/v1/submissions"
GOOD = {"a": "yes", "b": "yes", "c": "yes", "d": "no"}
HUGE = [2**31, 2**63, 2**64 + 1]  # beyond PostgreSQL's int4, SQLite's integer, any int64


class World(msgspec.Struct):
    campaign: int
    own: int
    auth: dict[str, str]


def _form() -> dict[str, Any]:
    data = form_data()
    data["sections"][1]["items"].append({"id": "note", "type": "text", "label": "备注"})
    return data


@pytest.fixture
def world(database_url: str) -> World:
    places = in_database(database_url, two_enterprises)
    owner = make_user(database_url, "owner", "enterprise", enterprise_id=places["own"])
    make_user(database_url, "county", "admin")

    async def rows() -> tuple[int, str]:
        form_version_id, _ = await stored_form(_form())
        campaign = await add_campaign(
            places["town"], form_version_id, enterprises=[places["own"]], self_assessment=True
        )
        return campaign, await tokens.create_token(owner, "app")

    campaign, token = in_database(database_url, rows)
    return World(campaign, places["own"], {"Authorization": f"Bearer {token}"})


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    with TestClient(app=shared_app(settings_for(database_url))) as client:
        yield client


def _body(world: World, answers: dict[str, Any] = GOOD, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "answers": answers,
        "campaign_id": world.campaign,
        "enterprise_id": world.own,
        **fields,
    }


def _raw(api: TestClient, world: World, content: bytes, **headers: str) -> Any:
    return api.post(
        URL,
        content=content,
        headers={"Content-Type": "application/json", **world.auth, **headers},
    )


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


# ---------------------------------------------------------------- integers beyond any row


@pytest.mark.parametrize("field", ["campaign_id", "enterprise_id", "form_version", "team_id"])
@pytest.mark.parametrize("number", HUGE)
def test_ids_beyond_the_database_in_a_body_are_refused(
    api: TestClient, world: World, field: str, number: int
):
    response = api.post(URL, json=_body(world, **{field: number}), headers=world.auth)
    body = _problem(response, 400, "request.invalid")
    assert field in response.text and body["errors"]


@pytest.mark.parametrize("field", ["campaign_id", "enterprise_id", "team_id"])
def test_ids_below_one_in_a_body_are_refused(api: TestClient, world: World, field: str):
    response = api.post(URL, json=_body(world, **{field: 0}), headers=world.auth)
    _problem(response, 400, "request.invalid")


@pytest.mark.parametrize("query", ["campaign_id", "offset"])
@pytest.mark.parametrize("number", HUGE)
def test_ids_beyond_the_database_in_an_api_query_are_refused(
    api: TestClient, world: World, query: str, number: int
):
    response = api.get(f"{URL}?{query}={number}", headers=world.auth)
    _problem(response, 400, "request.invalid")


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises/{n}",
        "/admin/enterprises/{n}",
        "/admin/enterprises?village={n}",
        "/hazard-points?enterprise={n}",
        "/chemical-cards?enterprise={n}",
        "/admin/campaigns/{campaign}/rankings/{own}?team={n}",
        "/admin/users/{n}/password",
    ],
)
@pytest.mark.parametrize("number", [2**63, 2**31])
def test_ids_beyond_the_database_in_a_page_url_are_a_bad_request(
    api: TestClient, world: World, path: str, number: int
):
    assert sign_in(api, "county").status_code == 303
    url = path.format(n=number, campaign=world.campaign, own=world.own)
    if url.endswith("/password"):
        response = api.post(url, data={"_csrf_token": csrf_token(api, "/admin/users")})
    else:
        response = api.get(url)
    assert response.status_code == 400, (url, response.status_code)


@pytest.mark.parametrize("query", ["old", "new"])
def test_revision_numbers_beyond_the_database_are_a_bad_request(
    api: TestClient, world: World, query: str
):
    body = _body(world)
    assert api.post(URL, json=body, headers=world.auth).status_code == 201
    assert sign_in(api, "owner").status_code == 303
    response = api.get(f"/submissions/{body['id']}/revisions?{query}={2**63}")
    assert response.status_code == 400


def _start(api: TestClient, world: World, **fields: str) -> Any:
    token = csrf_token(api, "/tasks")
    data = {
        "_csrf_token": token,
        "submission_id": str(uuid.uuid4()),
        "campaign_id": str(world.campaign),
        "enterprise_id": str(world.own),
        **fields,
    }
    return api.post("/tasks/start", data=data, follow_redirects=False)


@pytest.mark.parametrize("field", ["campaign_id", "enterprise_id", "team_id"])
def test_posted_ids_beyond_the_database_on_a_page_are_no_ids(
    api: TestClient, world: World, field: str
):
    """A page's form post with an id beyond any row names no row (404), not a 500."""
    assert sign_in(api, "owner").status_code == 303
    # No campaign or enterprise: nothing to start (404); no team: the task without one.
    expected = 303 if field == "team_id" else 404
    assert _start(api, world, **{field: str(2**63)}).status_code == expected


# ---------------------------------------------------------------- JSON that is no JSON we take


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_json_is_refused(api: TestClient, world: World, depth: int):
    nested = b"[" * depth + b"]" * depth
    content = b'{"id": "%s", "answers": {"note": %s}, "campaign_id": %d, "enterprise_id": %d}' % (
        str(uuid.uuid4()).encode(),
        nested,
        world.campaign,
        world.own,
    )
    _problem(_raw(api, world, content), 400, "request.too_deep")


def test_deeply_nested_json_is_refused_by_the_scoring_too(api: TestClient, world: World):
    nested = b"[" * 1_000 + b"]" * 1_000
    response = api.post(
        "/api/v1/forms/workers-home/score",
        content=b'{"x": ' + nested + b"}",
        headers={"Content-Type": "application/json", **world.auth},
    )
    _problem(response, 400, "request.too_deep")


@pytest.mark.parametrize(
    "text", [b"\xff\xfe", b"\xed\xa0\x80", b"caf\xc3", b"\\ud800", b"\\udfff tail"]
)
def test_invalid_utf8_in_a_json_string_is_refused(api: TestClient, world: World, text: bytes):
    content = msgspec.json.encode(_body(world, {**GOOD, "note": "PLACEHOLDER"}))
    response = _raw(api, world, content.replace(b"PLACEHOLDER", text))
    _problem(response, 400, "request.malformed_json")


def test_json_that_is_not_json_is_refused(api: TestClient, world: World):
    _problem(_raw(api, world, b'{"id": '), 400, "request.malformed_json")


@pytest.mark.parametrize(
    "answers, where",
    [
        ({**GOOD, "note": "漏\u0000水"}, "answers.note"),
        ({**GOOD, "no\u0000te": "x"}, "answers"),
    ],
)
def test_nul_characters_are_refused_naming_the_field(
    api: TestClient, world: World, answers: dict[str, Any], where: str
):
    response = api.post(URL, json=_body(world, answers), headers=world.auth)
    body = _problem(response, 400, "request.nul_character")
    assert [e["key"] for e in body["errors"]] == [where]
    # Nothing was stored, so the same post fails the same way on every engine.
    assert api.get(URL, headers=world.auth).json()["items"] == []


def test_nul_characters_in_a_page_post_are_dropped(api: TestClient, world: World):
    """A page's form post keeps the text without the NUL (browsers never send one)."""
    assert sign_in(api, "owner").status_code == 303
    started = _start(api, world)
    assert started.status_code == 303, started.text[:300]
    submission_id = started.headers["location"].split("?")[0].rstrip("/").split("/")[-1]
    saved = api.post(
        f"/submissions/{submission_id}/answers",
        data={
            "_csrf_token": csrf_token(api, "/tasks"),
            "_section": "second",
            "note": "漏\x00水",
            "c": "yes",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    state = api.get(f"{URL}/{submission_id}", headers=world.auth).json()
    assert state["answers"]["note"] == "漏水"


# ---------------------------------------------------------------- answers that echo the input


def test_error_lists_are_capped_with_a_note_of_the_rest(api: TestClient, world: World):
    answers = {**GOOD, **{f"unknown-{n}": "yes" for n in range(5_000)}}
    response = api.post(URL, json=_body(world, answers), headers=world.auth)
    body = _problem(response, 400, "answers.invalid")
    # Checking stops at the hundredth error, and the answer says so.
    assert len(body["errors"]) == 100 and body["truncated"] is True
    assert len(response.content) < 50_000


def test_the_scoring_error_list_is_capped_too(api: TestClient, world: World):
    answers = {f"unknown-{n}": "yes" for n in range(1_000)}
    response = api.post("/api/v1/forms/workers-home/score", json=answers, headers=world.auth)
    body = _problem(response, 400, "answers.invalid")
    assert len(body["errors"]) == 100 and body["truncated"] is True


# ---------------------------------------------------------------- strict types and media types


@pytest.mark.parametrize(
    "field, value",
    [("campaign_id", "6"), ("enterprise_id", "1"), ("form_version", "1"), ("campaign_id", 6.0)],
)
def test_strings_for_numbers_are_refused(api: TestClient, world: World, field: str, value: Any):
    response = api.post(URL, json=_body(world, **{field: value}), headers=world.auth)
    body = _problem(response, 400, "request.invalid")
    assert body["errors"][0]["key"] == field


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_body_must_say_it_is_json(api: TestClient, world: World, content_type: str | None):
    headers = {**world.auth}
    if content_type:
        headers["Content-Type"] = content_type
    response = api.post(URL, content=msgspec.json.encode(_body(world)), headers=headers)
    _problem(response, 415, "request.unsupported_media_type")


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]
)
def test_json_content_types_are_accepted(api: TestClient, world: World, content_type: str):
    response = api.post(
        URL,
        content=msgspec.json.encode(_body(world)),
        headers={**world.auth, "Content-Type": content_type},
    )
    assert response.status_code == 201, response.text[:300]


def test_an_encoded_nul_split_across_body_chunks_is_dropped():
    from service.web.page_posts import without_nul

    first, held = without_nul(b"note=a%0")
    second, rest = without_nul(held + b"0b%00c%")
    assert (first, held) == (b"note=a", b"%0")
    assert second + rest == b"bc%" and rest == b"%"
