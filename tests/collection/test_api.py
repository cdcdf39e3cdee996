"""The submissions API: stored once with its scores, however often and however
concurrently it is posted; refused with every reason at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient, TestClient

from service.accounts import tokens
from service.app import create_app  # noqa: F401 - tests in flight on other branches call it
from service.collection import queries
from service.collection.tables import Evidence, Submission, SubmissionRevision
from tests.campaigns.factories import add_campaign
from tests.collection.factories import draft, stored_form
from tests.conftest import settings_for, shared_app
from tests.factories import form_data, in_database, make_user, two_enterprises

URL = "/api/v1/submissions"
GOOD = {"a": "yes", "b": "yes", "c": "yes", "d": "no"}


def _form() -> dict[str, Any]:
    """The small test form with required items, a check that needs a photo when it
    fails, and a photo item."""
    data = form_data()
    first, second = data["sections"]
    first["items"][0].update(required=True, evidence_on_fail=True)
    first["items"][1]["required"] = True
    second["items"].append({"id": "p", "type": "photo", "label": "照片", "max_count": 3})
    return data


class World(msgspec.Struct):
    url: str
    form_version_id: int
    campaign: int
    own: int
    other: int
    owner_id: int
    owner: dict[str, str]  # the headers of the own enterprise's account
    stranger: dict[str, str]  # another enterprise's account


def _world(database_url: str) -> World:
    places = in_database(database_url, two_enterprises)
    owner_id = make_user(database_url, "owner", "enterprise", enterprise_id=places["own"])
    stranger_id = make_user(database_url, "stranger", "enterprise", enterprise_id=places["other"])

    async def rows() -> tuple[int, int, str, str]:
        form_version_id, _ = await stored_form(_form())
        campaign = await add_campaign(
            places["town"],
            form_version_id,
            enterprises=[places["own"], places["other"]],
            self_assessment=True,
        )
        return (
            form_version_id,
            campaign,
            await tokens.create_token(owner_id, "app"),
            await tokens.create_token(stranger_id, "app"),
        )

    form_version_id, campaign, owner_token, stranger_token = in_database(database_url, rows)
    return World(
        url=database_url,
        form_version_id=form_version_id,
        campaign=campaign,
        own=places["own"],
        other=places["other"],
        owner_id=owner_id,
        owner={"Authorization": f"Bearer {owner_token}"},
        stranger={"Authorization": f"Bearer {stranger_token}"},
    )


@pytest.fixture
def world(database_url: str) -> World:
    return _world(database_url)


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    with TestClient(app=shared_app(settings_for(world.url))) as client:
        yield client


def _body(world: World, answers: dict[str, Any] = GOOD, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(fields.pop("id", None) or uuid.uuid4()),
        "answers": answers,
        "campaign_id": world.campaign,
        "enterprise_id": world.own,
        **fields,
    }


def _count(world: World, table: Any = Submission) -> int:
    return in_database(world.url, lambda: table.count())


def test_first_post_stores_the_submission_with_its_scores(api: TestClient, world: World):
    body = _body(world)
    response = api.post(URL, json=body, headers=world.owner)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["id"] == body["id"] and result["status"] == "submitted"
    assert result["revision"] == 1
    assert (result["form_id"], result["form_version"]) == ("test-form", 1)
    assert result["campaign_id"] == world.campaign and result["enterprise_id"] == world.own
    assert result["team_id"] is None and result["submitted_at"]
    breakdown = result["breakdown"]
    assert breakdown["total"] == 15 and breakdown["max"] == 20
    assert {s["id"]: s["score"] for s in breakdown["sections"]} == {"first": 10, "second": 5}
    assert {i["id"]: i["status"] for i in breakdown["items"]}["d"] == "failed"
    for key in ("vetoed", "gate_failures", "grade", "eligible"):
        assert key in breakdown

    submission_id = uuid.UUID(body["id"])

    async def stored() -> tuple[dict, list[dict], list[dict], list[dict]]:
        sections, items = await queries.stored_scores(submission_id)
        return (
            await queries.find(submission_id),
            sections,
            items,
            await queries.revisions(submission_id),
        )

    row, sections, items, revisions = in_database(world.url, stored)
    assert row["status"] == "submitted" and row["author_id"] == world.owner_id
    assert row["form_version_id"] == world.form_version_id and row["answers"] == GOOD
    assert row["role"] == "enterprise" and float(row["total"]) == 15
    assert {s["section"]: s["score"] for s in sections} == {"first": 10, "second": 5}
    assert {i["item"]: (i["status"], i["score"]) for i in items} == {
        "a": ("answered", 4),
        "b": ("answered", 6),
        "c": ("answered", 5),
        "d": ("failed", 0),
        "p": ("missing", 0),
    }
    assert [r["number"] for r in revisions] == [1]


def test_an_identical_repeat_answers_the_same_and_stores_nothing(api: TestClient, world: World):
    body = _body(world)
    first = api.post(URL, json=body, headers=world.owner)
    assert first.status_code == 201, first.text
    # The same content, keys in another order: the same body.
    shuffled = {**body, "answers": dict(reversed(list(body["answers"].items())))}
    again = api.post(URL, json=dict(reversed(list(shuffled.items()))), headers=world.owner)
    assert again.status_code == 201
    assert again.content == first.content
    assert _count(world) == 1 and _count(world, SubmissionRevision) == 1


def test_the_same_id_with_other_content_is_a_conflict(api: TestClient, world: World):
    body = _body(world)
    assert api.post(URL, json=body, headers=world.owner).status_code == 201
    changed = api.post(URL, json={**body, "answers": {**GOOD, "d": "yes"}}, headers=world.owner)
    assert changed.status_code == 409
    assert changed.headers["content-type"].startswith("application/problem+json")
    assert changed.json()["code"] == "submission.conflict"
    stored = in_database(world.url, lambda: queries.find(uuid.UUID(body["id"])))
    assert stored["answers"] == GOOD and _count(world, SubmissionRevision) == 1


async def test_concurrent_identical_posts_store_exactly_once(world: World):
    body = _body(world)
    async with AsyncTestClient(app=shared_app(settings_for(world.url))) as client:
        responses = await asyncio.gather(
            *[client.post(URL, json=body, headers=world.owner) for _ in range(50)]
        )
    assert {r.status_code for r in responses} == {201}, {r.text for r in responses}
    assert len({r.content for r in responses}) == 1
    assert _count(world) == 1 and _count(world, SubmissionRevision) == 1


def test_another_enterprise_account_is_refused_and_nothing_stored(api: TestClient, world: World):
    body = _body(world)
    response = api.post(URL, json=body, headers=world.stranger)
    assert response.status_code == 403
    assert response.json()["code"] == "campaign.not_fillable"
    assert _count(world) == 0
    # Once the owner has stored it, the stranger neither sees it nor learns its content.
    assert api.post(URL, json=body, headers=world.owner).status_code == 201
    assert api.get(f"{URL}/{body['id']}", headers=world.stranger).status_code == 404
    assert api.post(URL, json=body, headers=world.stranger).status_code == 403
    assert api.get(URL, headers=world.stranger).json()["items"] == []


def test_invalid_answers_are_all_listed(api: TestClient, world: World):
    answers = {**GOOD, "a": "perhaps", "zzz": "yes", "c": 3}
    response = api.post(URL, json=_body(world, answers), headers=world.owner)
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "answers.invalid"
    listed = {(e["item"], e["code"]) for e in problem["errors"]}
    assert ("zzz", "unknown_item") in listed
    assert {"a", "c", "zzz"} == {item for item, _ in listed}
    assert all(e["message_zh"] for e in problem["errors"])
    assert _count(world) == 0


def test_missing_required_answers_are_all_listed(api: TestClient, world: World):
    response = api.post(URL, json=_body(world, {"c": "yes"}), headers=world.owner)
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "answers.incomplete"
    assert {(e["item"], e["code"]) for e in problem["errors"]} == {
        ("a", "required"),
        ("b", "required"),
    }
    assert _count(world) == 0


def _photo(world: World, submission_id: str, item: str, uploaded_by: int) -> str:
    evidence_id = uuid.uuid4()

    async def insert() -> None:
        await Evidence.insert(
            Evidence(
                id=evidence_id,
                submission=uuid.UUID(submission_id),
                item=item,
                sha256=uuid.uuid4().hex,
                content_type="image/jpeg",
                image_key="x",
                thumbnail_key="y",
                width=1,
                height=1,
                size=1,
                uploaded_by=uploaded_by,
                created_at=dt.datetime.now(dt.UTC),
            )
        )

    in_database(world.url, insert)
    return str(evidence_id)


def test_photos_must_be_the_callers_own_uploads_for_that_item(api: TestClient, world: World):
    submission_id = str(uuid.uuid4())
    stranger_id = in_database(world.url, lambda: _user_id("stranger"))
    theirs = _photo(world, submission_id, "p", stranger_id)
    elsewhere = _photo(world, submission_id, "c", world.owner_id)
    answers = {**GOOD, "p": [theirs, elsewhere, str(uuid.uuid4())]}
    response = api.post(URL, json=_body(world, answers, id=submission_id), headers=world.owner)
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "evidence.unknown" and len(problem["errors"]) == 3
    assert _count(world) == 0

    mine = _photo(world, submission_id, "p", world.owner_id)
    answers = {**GOOD, "p": [mine]}
    response = api.post(URL, json=_body(world, answers, id=submission_id), headers=world.owner)
    assert response.status_code == 201, response.text


def test_a_failed_check_needing_a_photo_needs_the_callers_photo(api: TestClient, world: World):
    submission_id = str(uuid.uuid4())
    body = _body(world, {**GOOD, "a": "no"}, id=submission_id)
    response = api.post(URL, json=body, headers=world.owner)
    assert response.status_code == 400
    assert {(e["item"], e["code"]) for e in response.json()["errors"]} == {
        ("a", "evidence_required")
    }
    _photo(world, submission_id, "a", world.owner_id)
    assert api.post(URL, json=body, headers=world.owner).status_code == 201


async def _user_id(username: str) -> int:
    from service.accounts.tables import User

    row = await User.select(User.id).where(User.username == username).first()
    return row["id"]


def test_a_draft_started_on_the_pages_is_submitted_through_the_api(api: TestClient, world: World):
    started = draft(
        world.form_version_id, world.owner_id, campaign_id=world.campaign, enterprise_id=world.own
    )
    assert in_database(world.url, lambda: queries.start_draft(started))
    body = _body(world, id=started.id)
    first = api.post(URL, json=body, headers=world.owner)
    assert first.status_code == 201, first.text
    assert first.json()["revision"] == 1 and first.json()["breakdown"]["total"] == 15
    again = api.post(URL, json=body, headers=world.owner)
    assert again.status_code == 201 and again.content == first.content
    assert _count(world) == 1 and _count(world, SubmissionRevision) == 1
    # Another account's id is not theirs to submit, even for their own enterprise.
    other = _body(world, id=started.id, enterprise_id=world.other)
    assert api.post(URL, json=other, headers=world.stranger).status_code == 409


def test_a_filling_outside_a_campaign(api: TestClient, world: World):
    body = _body(world, campaign_id=None, form_id="test-form")
    response = api.post(URL, json=body, headers=world.owner)
    assert response.status_code == 201, response.text
    assert response.json()["campaign_id"] is None
    refused = api.post(
        URL,
        json=_body(world, campaign_id=None, form_id="test-form", enterprise_id=world.other),
        headers=world.owner,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "form.not_fillable"
    unknown = api.post(
        URL, json=_body(world, campaign_id=None, form_id="nope"), headers=world.owner
    )
    assert unknown.status_code == 404
    neither = api.post(URL, json=_body(world, campaign_id=None), headers=world.owner)
    assert neither.status_code == 400


def test_one_self_assessment_per_participant(api: TestClient, world: World):
    first = _body(world)
    assert api.post(URL, json=first, headers=world.owner).status_code == 201
    second = api.post(URL, json=_body(world), headers=world.owner)  # another id, same task
    assert second.status_code == 409
    assert second.json()["code"] == "submission.duplicate"
    assert first["id"] in second.json()["detail"]
    assert in_database(world.url, lambda: Submission.count()) == 1


def test_get_and_list_own_submissions(api: TestClient, world: World):
    body = _body(world)
    assert api.post(URL, json=body, headers=world.owner).status_code == 201
    ids = [body["id"]]
    state = api.get(f"{URL}/{ids[0]}", headers=world.owner)
    assert state.status_code == 200
    assert state.json()["answers"] == GOOD and state.json()["breakdown"]["total"] == 15
    page = api.get(URL, params={"campaign_id": world.campaign}, headers=world.owner).json()
    assert [s["id"] for s in page["items"]] == ids and page["next_offset"] is None
    assert page["items"][0]["total"] == 15
    assert api.get(URL, params={"status": "draft"}, headers=world.owner).json()["items"] == []
    assert api.get(f"{URL}/{uuid.uuid4()}", headers=world.owner).status_code == 404
    assert api.get(URL).status_code == 401


def test_a_remark_on_a_check_is_stored_with_the_answers(api: TestClient, world: World):
    answers = {**GOOD, "d.remark": "灭火器压力不足"}
    body = _body(world, answers)
    response = api.post(URL, json=body, headers=world.owner)
    assert response.status_code == 201, response.text

    async def stored() -> tuple[dict, dict | None]:
        submission_id = uuid.UUID(body["id"])
        return await queries.find(submission_id), await queries.revision(submission_id, None)

    row, revision = in_database(world.url, stored)
    assert row["answers"]["d.remark"] == "灭火器压力不足"
    assert revision is not None and revision["answers"]["d.remark"] == "灭火器压力不足"


def test_bad_remarks_are_listed_by_where_they_are(api: TestClient, world: World):
    answers = {**GOOD, "d.remark": "长" * 201, "p.remark": "照片", "zz.remark": "无此项"}
    response = api.post(URL, json=_body(world, answers), headers=world.owner)
    assert response.status_code == 400
    listed = {(e["item"], e["code"]) for e in response.json()["errors"]}
    assert listed == {
        ("d.remark", "too_long"),
        ("p.remark", "remark_not_allowed"),  # only a check takes a remark
        ("zz.remark", "remark_not_allowed"),
    }
    assert _count(world) == 0
