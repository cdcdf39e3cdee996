"""The hazards API: the register in the caller's scope with its filters, one hazard
with the steps one may take, steps with an uploaded after-photo, refusals by code."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image

from service.accounts import tokens
from service.app import create_app
from service.hazards import photos, queries
from service.settings import Settings
from tests.conftest import FORMS_DIR
from tests.factories import in_database

from .factories import make_hazard

IN_FIVE_DAYS = (dt.date.today() + dt.timedelta(days=5)).isoformat()  # within 一般's 7 days
ACKNOWLEDGE = {"responsible": "张主任", "deadline": IN_FIVE_DAYS, "measures": "清理通道"}
# The accounts of the hazard world, by the key of world["users"].
ACCOUNTS = ("enterprise", "colleague", "other", "judge", "supervisor", "verifier", "admin")


def jpeg(colour: tuple[int, int, int] = (30, 160, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def api(hazard_world: dict[str, Any], tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A client, each account's bearer headers, and the hazard world."""
    w = hazard_world

    async def mint() -> dict[str, str]:
        return {name: await tokens.create_token(w["users"][name], "app") for name in ACCOUNTS}

    minted = in_database(w["url"], mint)
    settings = Settings(database_url=w["url"], forms_dir=FORMS_DIR, media_dir=tmp_path / "media")
    with TestClient(create_app(settings)) as client:
        yield {
            "client": client,
            "as": {name: {"Authorization": f"Bearer {token}"} for name, token in minted.items()},
            **w,
        }


def hazard(api: dict[str, Any], **values: Any) -> int:
    """A hazard of "own" found by the watcher (another enterprise: enterprise=…)."""
    enterprise = values.pop("enterprise", api["own"])
    found_by = values.pop("found_by", api["users"]["supervisor"])
    return in_database(api["url"], lambda: make_hazard(enterprise, found_by, **values))


def get(api: dict[str, Any], who: str, path: str, **params: Any):
    return api["client"].get(path, headers=api["as"][who], params=params)


def step(api: dict[str, Any], who: str, hazard_id: int, action: str, **body: Any):
    return api["client"].post(
        f"/api/v1/hazards/{hazard_id}/transitions",
        json={"action": action, **body},
        headers=api["as"][who],
    )


def upload(api: dict[str, Any], who: str, hazard_id: int, content: bytes):
    return api["client"].post(
        f"/api/v1/hazards/{hazard_id}/photos",
        files={"photo": ("IMG_0001.JPG", content, "image/jpeg")},
        headers=api["as"][who],
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_register_keeps_to_the_callers_scope_and_filters(api: dict[str, Any]):
    today = dt.date.today()
    general = hazard(api, description="叉车通道堆放物料")
    major = hazard(api, grade="major", description="液氨储罐无泄漏报警")
    late = hazard(api, deadline=today - dt.timedelta(days=3), description="配电箱门缺失")
    theirs = hazard(api, enterprise=api["other"], found_by=api["users"]["admin"])
    step(api, "enterprise", general, "acknowledge", **ACKNOWLEDGE)

    own = ids(get(api, "enterprise", "/api/v1/hazards"))
    assert sorted(own) == sorted([general, major, late])
    assert ids(get(api, "other", "/api/v1/hazards")) == [theirs]
    assert sorted(ids(get(api, "admin", "/api/v1/hazards"))) == sorted(
        [general, major, late, theirs]
    )
    assert sorted(ids(get(api, "supervisor", "/api/v1/hazards"))) == sorted([general, major, late])
    # Another enterprise's hazards do not appear when asked for by name either.
    assert ids(get(api, "enterprise", "/api/v1/hazards", enterprise=api["other"])) == []

    assert ids(get(api, "enterprise", "/api/v1/hazards", grade="major")) == [major]
    assert ids(get(api, "enterprise", "/api/v1/hazards", state="rectifying")) == [general]
    both = get(api, "enterprise", "/api/v1/hazards", state="rectifying,reported")
    assert sorted(ids(both)) == sorted([general, major, late])
    repeated = api["client"].get(
        "/api/v1/hazards?state=closed&state=rectifying", headers=api["as"]["enterprise"]
    )
    assert ids(repeated) == [general]
    assert ids(get(api, "enterprise", "/api/v1/hazards", overdue="true")) == [late]
    assert ids(get(api, "enterprise", "/api/v1/hazards", q="液氨")) == [major]

    first = get(api, "enterprise", "/api/v1/hazards", limit=2).json()
    assert (first["total"], len(first["items"]), first["next_page"]) == (3, 2, 2)
    last = get(api, "enterprise", "/api/v1/hazards", limit=2, page=2).json()
    assert (len(last["items"]), last["next_page"]) == (1, None)
    overdue = get(api, "enterprise", "/api/v1/hazards", overdue="true").json()["items"][0]
    assert overdue["overdue"] is True and overdue["enterprise"]

    assert get(api, "enterprise", "/api/v1/hazards", limit=1000).status_code == 400
    unknown = get(api, "enterprise", "/api/v1/hazards", state="fixed")
    assert unknown.status_code == 400 and unknown.json()["code"] == "request.invalid"
    assert get(api, "enterprise", "/api/v1/hazards", grade="tiny").status_code == 400
    # A judge as such has no hazards (the pages' rule too).
    assert get(api, "judge", "/api/v1/hazards").status_code == 403
    assert api["client"].get("/api/v1/hazards").status_code == 401


def test_one_hazard_with_the_steps_the_caller_may_take(api: dict[str, Any]):
    hazard_id = hazard(api)
    path = f"/api/v1/hazards/{hazard_id}"
    mine = get(api, "enterprise", path).json()
    assert mine["state"] == "reported" and mine["allowed_actions"] == ["acknowledge"]
    assert [e["action"] for e in mine["timeline"]] == ["reported"]
    assert mine["timeline"][0]["actor_id"] == api["users"]["supervisor"]
    # The watcher found it: they may withdraw it, or change its grade.
    assert get(api, "supervisor", path).json()["allowed_actions"] == ["withdraw", "regrade"]
    assert get(api, "verifier", path).json()["allowed_actions"] == ["regrade"]
    assert get(api, "admin", path).json()["allowed_actions"] == [
        "acknowledge",
        "withdraw",
        "regrade",
    ]
    for who in ("other",):
        hidden = get(api, who, path)
        assert hidden.status_code == 404 and hidden.json()["code"] == "hazard.not_found"
    assert get(api, "enterprise", "/api/v1/hazards/99999").json()["code"] == "hazard.not_found"
    assert get(api, "enterprise", f"/api/v1/hazards/{2**40}").status_code == 400


def test_the_whole_loop_with_an_uploaded_after_photo(api: dict[str, Any]):
    hazard_id = hazard(api)
    acknowledged = step(api, "enterprise", hazard_id, "acknowledge", version=1, **ACKNOWLEDGE)
    assert acknowledged.status_code == 200, acknowledged.text
    body = acknowledged.json()
    assert body["state"] == "rectifying" and body["responsible"] == "张主任"
    assert body["allowed_actions"] == ["submit_rectification"]

    # Only who may submit the rectification uploads its photos.
    refused = upload(api, "supervisor", hazard_id, jpeg())
    assert refused.status_code == 403 and refused.json()["code"] == "hazard.not_allowed"
    first = upload(api, "colleague", hazard_id, jpeg())
    assert first.status_code == 201, first.text
    photo = first.json()["id"]
    again = upload(api, "colleague", hazard_id, jpeg())
    assert (again.status_code, again.json()["id"]) == (200, photo)
    not_a_photo = upload(api, "colleague", hazard_id, b"not a photo at all")
    assert not_a_photo.json()["code"] == "evidence.unsupported_type"

    submitted = step(
        api,
        "colleague",
        hazard_id,
        "submit_rectification",
        version=2,
        rectification="通道已清理并划线",
        after_photos=[photo],
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["after_photos"] == [photo]
    # The after-photo is uploaded for the hazard: no upload once it awaits verification.
    assert upload(api, "colleague", hazard_id, jpeg((1, 2, 3))).json()["code"] == (
        "hazard.wrong_state"
    )

    assert get(api, "verifier", f"/api/v1/hazards/{hazard_id}").json()["allowed_actions"] == [
        "verify",
        "send_back",
        "regrade",
    ]
    closed = step(api, "verifier", hazard_id, "verify", note="现场复核合格")
    assert closed.status_code == 200
    done = closed.json()
    assert done["state"] == "closed" and done["allowed_actions"] == []
    assert done["closed_by"] and done["rectified_by"]
    assert [e["action"] for e in done["timeline"]] == [
        "reported",
        "acknowledge",
        "submit_rectification",
        "verify",
    ]
    assert done["timeline"][2]["detail"] == {"photos": [photo]}
    assert done["timeline"][3]["actor_id"] == api["users"]["verifier"]


def test_refusals_answer_with_the_lifecycles_codes_and_change_nothing(api: dict[str, Any]):
    general = hazard(api)
    major = hazard(api, grade="major")
    elsewhere = hazard(api)

    def stored(hazard_id: int) -> tuple:
        found = in_database(api["url"], lambda: queries.hazard(hazard_id))
        return found["state"], found["version"], found["responsible"], found["after_photos"]

    before = stored(general), stored(major)

    def refused(response, status: int, code: str) -> dict:
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        return response.json()

    refused(step(api, "verifier", general, "verify"), 409, "hazard.wrong_state")
    refused(
        step(api, "supervisor", general, "acknowledge", **ACKNOWLEDGE), 403, "hazard.not_allowed"
    )
    refused(step(api, "other", general, "acknowledge", **ACKNOWLEDGE), 404, "hazard.not_found")
    invalid = refused(
        step(api, "enterprise", general, "acknowledge", deadline="2020-01-01"),
        400,
        "hazard.invalid",
    )
    errors = {e["field"]: e["code"] for e in invalid["errors"]}
    assert errors == {"responsible": "required", "deadline": "past_date", "measures": "required"}
    plan = refused(
        step(api, "enterprise", major, "acknowledge", **ACKNOWLEDGE), 400, "hazard.plan_required"
    )
    assert {e["field"] for e in plan["errors"]} >= {
        "plan_goal",
        "plan_funds",
        "plan_emergency_plan",
    }
    refused(
        step(api, "enterprise", general, "acknowledge", version=7, **ACKNOWLEDGE),
        409,
        "hazard.changed",
    )
    unknown = refused(step(api, "enterprise", general, "dance"), 400, "request.invalid")
    assert unknown["status"] == 400
    assert before == (stored(general), stored(major))

    # After-photos must be uploaded for this very hazard.
    for hazard_id in (general, elsewhere):
        step(api, "enterprise", hazard_id, "acknowledge", **ACKNOWLEDGE)
    theirs = upload(api, "enterprise", elsewhere, jpeg()).json()["id"]
    before = stored(general)
    for named in ([str(uuid.uuid4())], [theirs]):
        bad = refused(
            step(
                api,
                "enterprise",
                general,
                "submit_rectification",
                rectification="已整改",
                after_photos=named,
            ),
            400,
            "hazard.invalid",
        )
        assert [e["field"] for e in bad["errors"]] == ["photos"]
    missing = refused(
        step(api, "enterprise", general, "submit_rectification"), 400, "hazard.invalid"
    )
    assert {e["field"] for e in missing["errors"]} == {"rectification", "photos"}
    # Who may not submit hears that first, whatever photos they name.
    refused(
        step(api, "supervisor", general, "submit_rectification", after_photos=[str(uuid.uuid4())]),
        403,
        "hazard.not_allowed",
    )
    assert stored(general) == before


def test_the_schema_documents_the_hazard_api(api: dict[str, Any]):
    paths = api["client"].get("/schema/openapi.json").json()["paths"]
    assert set(paths["/api/v1/hazards"]) == {"get"}
    assert set(paths["/api/v1/hazards/{hazard_id}"]) == {"get"}
    transitions = paths["/api/v1/hazards/{hazard_id}/transitions"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(transitions["responses"])
    assert (
        "multipart/form-data"
        in paths["/api/v1/hazards/{hazard_id}/photos"]["post"]["requestBody"]["content"]
    )
    assert transitions["tags"] == ["hazards"]


def test_a_hazards_photos_are_its_findings_and_its_own_uploads(api: dict[str, Any]):
    """What the hazard page serves (service/hazards/photos.hazard_photo): never another
    hazard's or submission's photo through this hazard."""
    mine, elsewhere = hazard(api), hazard(api)
    for hazard_id in (mine, elsewhere):
        step(api, "enterprise", hazard_id, "acknowledge", **ACKNOWLEDGE)
    own = upload(api, "enterprise", mine, jpeg()).json()["id"]
    theirs = upload(api, "enterprise", elsewhere, jpeg((200, 0, 0))).json()["id"]
    found_with = hazard(api, photos=f'["{theirs}"]')  # the finding's photo, listed

    async def belongs() -> list[bool]:
        rows = {h: await queries.hazard(h) for h in (mine, elsewhere, found_with)}
        pairs = [(mine, own), (mine, theirs), (elsewhere, theirs), (found_with, theirs)]
        found = [await photos.hazard_photo(rows[h], p) for h, p in pairs]
        found.append(await photos.hazard_photo(rows[mine], "not-a-uuid"))
        return [row is not None for row in found]

    assert in_database(api["url"], belongs) == [True, False, True, True, False]

    async def known() -> list[str]:
        return await photos.known_after_photos(
            await queries.hazard(mine), [own, theirs, own, str(uuid.uuid4()), "x"]
        )

    assert in_database(api["url"], known) == [own]


def test_a_step_with_a_nul_or_a_string_for_a_number_is_refused_and_changes_nothing(
    api: dict[str, Any],
):
    """PostgreSQL cannot store a NUL: refused at the boundary on both engines alike."""
    hazard_id = hazard(api)
    nul = step(
        api, "enterprise", hazard_id, "acknowledge", **{**ACKNOWLEDGE, "measures": "清\x00理"}
    )
    assert nul.status_code == 400 and nul.json()["code"] == "request.nul_character"
    assert [e["key"] for e in nul.json()["errors"]] == ["measures"]
    loose = step(api, "enterprise", hazard_id, "acknowledge", version="1", **ACKNOWLEDGE)
    assert loose.status_code == 400 and loose.json()["code"] == "request.invalid"
    assert get(api, "enterprise", f"/api/v1/hazards/{hazard_id}").json()["state"] == "reported"
