"""The hazard loop on its pages: the register, a hazard with its timeline, and each
step taken by the person it belongs to, with errors by field and nothing lost."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from PIL import Image

from service.hazards import queries
from tests.collection.test_pages import csrf, signed_in
from tests.factories import in_database

from .factories import inspect, make_hazard


def jpeg(colour: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


SOON = (dt.date.today() + dt.timedelta(days=5)).isoformat()  # within a general hazard's 7 days


def _found(w: dict[str, Any], **values: Any) -> int:
    async def work():
        return await make_hazard(w["own"], w["users"]["supervisor"], **values)

    return in_database(w["url"], work)


def _step(client, hazard_id: int, action: str, files=None, **fields: Any):
    page = client.get(f"/hazards/{hazard_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    data = {
        "_csrf_token": csrf(page.text),
        "version": version.group(1) if version else "",
        **fields,
    }
    return client.post(
        f"/hazards/{hazard_id}/steps/{action}", data=data, files=files, follow_redirects=False
    )


def test_the_whole_loop_from_inspection_to_closure(app, hazard_world):
    w = hazard_world

    async def inspected():
        submission = await inspect(
            w["inspection_form"], w["inspection"], w["users"]["supervisor"], w["own"]
        )
        return (await queries.of_submission(submission))[0]["id"]

    hazard_id = in_database(w["url"], inspected)
    with signed_in(app, "chair") as client:
        register = client.get("/hazards")
        assert register.status_code == 200
        assert "二车间冲压工段" in register.text and "待确认" in register.text
        refused = _step(client, hazard_id, "acknowledge", responsible="", measures="", deadline="")
        assert refused.status_code == 400
        assert refused.text.count('class="field-error"') == 3  # every error at once
        assert (
            _step(
                client,
                hazard_id,
                "acknowledge",
                responsible="张工",
                measures="清理通道",
                deadline=SOON,
            ).status_code
            == 303
        )
        without_photo = _step(client, hazard_id, "submit_rectification", rectification="已清理")
        assert without_photo.status_code == 400
        assert "已清理" in without_photo.text  # what was typed is kept
        done = _step(
            client,
            hazard_id,
            "submit_rectification",
            files={"photo": ("after.jpg", jpeg(), "image/jpeg")},
            rectification="已清理，划线标识",
        )
        assert done.status_code == 303
        page = client.get(f"/hazards/{hazard_id}")
        assert "待验收" in page.text and "已清理，划线标识" in page.text
        [photo] = re.findall(rf"/hazards/{hazard_id}/photos/([0-9a-f-]+)\?thumbnail", page.text)
        assert client.get(f"/hazards/{hazard_id}/photos/{photo}").content[:2] == b"\xff\xd8"
        assert 'steps/verify"' not in page.text  # the enterprise does not verify
    with signed_in(app, "verifier") as client:
        assert _step(client, hazard_id, "verify").status_code == 303
        page = client.get(f"/hazards/{hazard_id}")
        assert "已验收销号" in page.text
        assert page.text.count('class="timeline-entry') == 4
    with signed_in(app, "rival") as client:
        assert client.get(f"/hazards/{hazard_id}").status_code == 404
        assert client.get(f"/hazards/{hazard_id}/photos/{photo}").status_code == 404
        assert "二车间冲压工段" not in client.get("/hazards?view=all").text


def test_a_major_hazard_cannot_be_acknowledged_without_its_plan(app, hazard_world):
    w = hazard_world
    hazard_id = _found(w, grade="major")
    with signed_in(app, "chair") as client:
        page = client.get(f"/hazards/{hazard_id}")
        assert 'name="plan_goal"' in page.text
        refused = _step(
            client,
            hazard_id,
            "acknowledge",
            responsible="张工",
            measures="停产整改",
            deadline=SOON,
        )
        assert refused.status_code == 400
        assert "重大事故隐患须先制定治理方案" in refused.text
        assert refused.text.count('class="field-error"') == 7  # every plan field
        plan = {
            "plan_goal": "消除隐患",
            "plan_measures": "更换设备",
            "plan_funds": "20万元",
            "plan_people": "设备科",
            "plan_deadline": SOON,
            "plan_safety_measures": "停机挂牌",
            "plan_emergency_plan": "启动专项预案",
        }
        assert (
            _step(
                client,
                hazard_id,
                "acknowledge",
                responsible="张工",
                measures="停产整改",
                deadline=SOON,
                **plan,
            ).status_code
            == 303
        )
        assert "更换设备" in client.get(f"/hazards/{hazard_id}").text


def test_who_rectified_cannot_verify_and_a_stale_page_changes_nothing(app, hazard_world):
    w = hazard_world
    hazard_id = _found(w)
    with signed_in(app, "clerk") as client:  # the town's admin does every step
        page = client.get(f"/hazards/{hazard_id}")
        stale = {"_csrf_token": csrf(page.text), "version": "1", "reason": "误报"}
        assert (
            _step(
                client,
                hazard_id,
                "acknowledge",
                responsible="李",
                measures="修",
                deadline="2099-01-01",
            ).status_code
            == 303
        )
        assert (
            _step(
                client,
                hazard_id,
                "submit_rectification",
                files={"photo": ("a.jpg", jpeg("blue"), "image/jpeg")},
                rectification="修好",
            ).status_code
            == 303
        )
        refused = _step(client, hazard_id, "verify")
        assert refused.status_code == 403  # the verify step is not offered, and refused
        withdrawn = client.post(f"/hazards/{hazard_id}/steps/withdraw", data=stale)
        assert withdrawn.status_code == 409
        assert "其他人刚刚处理了这条隐患" in withdrawn.text

    async def state():
        return (await queries.hazard(hazard_id))["state"]

    assert in_database(w["url"], state) == "submitted"


def test_the_enterprise_sets_a_deadline_within_the_grade_limit_and_the_union_any(app, hazard_world):
    w = hazard_world
    first, second = _found(w), _found(w)
    with signed_in(app, "chair") as client:
        late = _step(
            client, first, "acknowledge", responsible="张工", measures="清理", deadline="2099-01-01"
        )
        assert late.status_code == 400
        assert "只有工会可以设定更晚的期限" in late.text
    with signed_in(app, "clerk") as client:
        extended = _step(
            client,
            second,
            "acknowledge",
            responsible="张工",
            measures="清理",
            deadline="2099-01-01",
        )
        assert extended.status_code == 303
