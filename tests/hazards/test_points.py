"""Hazard points: the register with its validation, who sees what, the A5 warning card
with its QR code, and the inspection the code starts, down to the hazards it finds."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from urllib.parse import quote

from litestar.testing import TestClient

from service.campaigns.rules import local_date
from service.collection import queries as submissions
from service.hazards import queries as hazards
from service.hazards.qr import qr_svg
from service.hazards.reporting import hazard_reports
from service.hazards.tables import PointInspection
from service.scoring.engine import score
from tests.campaigns.factories import add_campaign
from tests.collection.test_offline import _device_token
from tests.collection.test_pages import csrf, signed_in
from tests.factories import in_database

from .factories import inspection_answers

CARD = {
    "name": "液氨储罐区",
    "location": "二车间东侧",
    "danger_level": "red",
    "accident_types": "中毒和窒息、容器爆炸",
    "protective_measures": "佩戴防毒面具",
    "monitoring": "氨气浓度报警",
    "emergency_plan": "关阀、撤离、报警",
    "responsible": "王安全",
    "responsible_phone": "13800138000",
    "inspection_cycle_days": "1",
}


def register_point(client: TestClient, enterprise_id: int, **changes: Any) -> Any:
    page = client.get("/hazard-points/new")
    assert page.status_code == 200
    data = {"_csrf_token": csrf(page.text), "enterprise": str(enterprise_id), **CARD, **changes}
    return client.post("/hazard-points", data=data, follow_redirects=False)


def new_point(app: Any, world: dict[str, Any], username: str = "chair") -> int:
    with signed_in(app, username) as client:
        response = register_point(client, world["own"])
        assert response.status_code == 303, response.text
        return int(response.headers["location"].rsplit("/", 1)[1])


def today() -> dt.date:
    return local_date(dt.datetime.now(dt.UTC))


def test_a_point_is_registered_with_every_error_shown_at_once(app, hazard_world):
    with signed_in(app, "chair") as chair:
        response = register_point(
            chair,
            hazard_world["own"],
            name="",
            danger_level="purple",
            responsible_phone="not a phone",
            inspection_cycle_days="400",
            location="<b>东侧</b>",
        )
        assert response.status_code == 400
        page = response.text
        assert len(re.findall(r'class="field-error"', page)) == 4
        assert 'value="&lt;b&gt;东侧&lt;/b&gt;"' in page  # kept, and escaped
        assert 'value="400"' in page and "王安全" in page
        created = register_point(chair, hazard_world["own"])
        assert created.status_code == 303
        point = chair.get(created.headers["location"])
        assert point.status_code == 200
        for text in ("液氨储罐区", "二车间东侧", "佩戴防毒面具", "13800138000"):
            assert text in point.text
        assert 'class="due-never"' in point.text  # never inspected: due now
        listing = chair.get("/hazard-points").text
        assert "液氨储罐区" in listing and created.headers["location"] in listing

        point_id = created.headers["location"].rsplit("/", 1)[1]
        edit = chair.get(f"/hazard-points/{point_id}/edit")
        data = {**CARD, "_csrf_token": csrf(edit.text), "name": "液氨罐区", "danger_level": "blue"}
        assert "液氨储罐区" in edit.text
        bad = chair.post(f"/hazard-points/{point_id}/edit", data={**data, "name": ""})
        assert bad.status_code == 400
        saved = chair.post(f"/hazard-points/{point_id}/edit", data=data, follow_redirects=False)
        assert saved.status_code == 303
        assert "液氨罐区" in chair.get(f"/hazard-points/{point_id}").text

        retire = {"_csrf_token": csrf(edit.text), "active": "0"}
        chair.post(f"/hazard-points/{point_id}/active", data=retire)
        assert "液氨罐区" not in chair.get("/hazard-points").text
        assert "液氨罐区" in chair.get("/hazard-points?retired=true").text


def test_only_the_enterprise_its_supervisors_and_its_admins_see_a_point(app, hazard_world):
    point_id = new_point(app, hazard_world)
    paths = [f"/hazard-points/{point_id}{tail}" for tail in ("", "/card", "/qr.svg", "/inspect")]
    with signed_in(app, "rival") as rival:
        for path in [*paths, f"/hazard-points/{point_id}/edit"]:
            assert rival.get(path).status_code == 404, path
        assert "液氨储罐区" not in rival.get("/hazard-points").text
        # nor may it register one for another enterprise
        assert register_point(rival, hazard_world["own"]).status_code == 400
    with signed_in(app, "judge") as judge:
        assert judge.get(paths[0]).status_code == 403
    with signed_in(app, "watcher") as watcher:
        for path in paths:
            assert watcher.get(path).status_code == 200, path
        assert watcher.get(f"/hazard-points/{point_id}/edit").status_code == 404
        assert register_point(watcher, hazard_world["own"], name="冲压机").status_code == 303
    with signed_in(app, "clerk") as clerk:
        assert "冲压机" in clerk.get("/hazard-points").text
        assert clerk.get(f"/hazard-points/{point_id}/edit").status_code == 200


def test_the_warning_card_carries_a_qr_code_of_the_inspection_url(app, hazard_world):
    point_id = new_point(app, hazard_world)
    with signed_in(app, "chair") as chair:
        card = chair.get(f"/hazard-points/{point_id}/card")
        assert card.status_code == 200
        url = f"http://testserver.local/hazard-points/{point_id}/inspect"
        assert url in card.text
        assert qr_svg(url) in card.text  # the same symbol segno draws for that URL
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in card.text
        assert "danger-red" in card.text and "print-a5" in card.text
        download = chair.get(f"/hazard-points/{point_id}/qr.svg")
        assert download.headers["content-type"].startswith("image/svg+xml")
        assert download.text.startswith("<svg")


def test_scanning_the_code_signs_in_and_comes_back_to_the_point(app, hazard_world):
    point_id = new_point(app, hazard_world)
    path = f"/hazard-points/{point_id}/inspect"
    with TestClient(app) as phone:
        first = phone.get(path, follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == f"/login?target={quote(path, safe='')}"
        login = phone.get(first.headers["location"])
        assert f'value="{path}"' in login.text
        signed = phone.post(
            "/login",
            data={
                "username": "watcher",
                "password": "correct-horse-42",
                "next": path,
                "_csrf_token": csrf(login.text),
            },
            follow_redirects=False,
        )
        assert signed.headers["location"] == path
        assert "液氨储罐区" in phone.get(path).text


def test_one_tap_starts_one_prefilled_inspection_whose_hazards_carry_the_point(app, hazard_world):
    point_id = new_point(app, hazard_world)
    with signed_in(app, "watcher") as watcher:
        page = watcher.get(f"/hazard-points/{point_id}/inspect").text
        [submission_id] = re.findall(r'name="submission_id" value="([^"]+)"', page)
        data = {"_csrf_token": csrf(page), "submission_id": submission_id}
        inspect = f"/hazard-points/{point_id}/inspect"
        first = watcher.post(inspect, data=data, follow_redirects=False)
        again = watcher.post(inspect, data=data, follow_redirects=False)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        assert first.headers["location"] == f"/submissions/{submission_id}"
        filling = watcher.get(first.headers["location"]).text
        assert "液氨储罐区（二车间东侧）" in filling
        point_page = watcher.get(f"/hazard-points/{point_id}").text
        assert f"/submissions/{submission_id}" in point_page

    with signed_in(app, "chair") as chair:  # another's draft is theirs alone
        assert f"/submissions/{submission_id}" not in chair.get(f"/hazard-points/{point_id}").text

    sid = uuid.UUID(submission_id)

    async def submit_with_a_failure() -> tuple[dict, int, list[dict]]:
        draft = await submissions.find(sid)
        assert draft is not None
        links = await PointInspection.count().where(PointInspection.point == point_id)
        definition = hazard_world["inspection"]
        answers = {**inspection_answers(definition, ("aisles-clear",)), **draft["answers"]}
        breakdown = score(definition, answers)
        stored = await submissions.submit(
            draft,
            answers,
            breakdown,
            hazard_world["users"]["supervisor"],
            definition=definition,
            reports=hazard_reports,
        )
        assert stored
        return draft, links, await hazards.of_submission(sid)

    draft, links, found = in_database(hazard_world["url"], submit_with_a_failure)
    assert links == 1  # the second tap made no second draft
    assert draft["enterprise_id"] == hazard_world["own"] and draft["role"] == "supervisor"
    assert draft["answers"]["hazard-point"] == "液氨储罐区（二车间东侧）"
    assert draft["answers"]["inspection-date"] == today().isoformat()
    [hazard] = found
    assert hazard["hazard_point"] == point_id

    with signed_in(app, "chair") as chair:
        page = chair.get(f"/hazard-points/{point_id}").text
        assert f"/hazards/{hazard['id']}" in page
        assert "1 failed" in page or "1 项不合格" in page
        due = (today() + dt.timedelta(days=1)).isoformat()
        assert due in page  # next inspection by the one-day cycle
        assert due in chair.get("/hazard-points").text


def test_the_prompt_card_prints_a_checklist_with_its_standards(app, hazard_world):
    with signed_in(app, "judge") as judge:
        card = judge.get("/prompt-cards/safety-inspection-card")
        assert card.status_code == 200
        assert "作业通道畅通" in card.text and "通道宽度符合要求" in card.text
        assert "不合格即：作业通道堵塞" in card.text  # the check's finding
        # The chemical section is checked only where chemicals are used or stored.
        assert "当“检查部位使用或储存危险化学品”为“是”时填写" in card.text
        assert "print-a4" in card.text
        assert judge.get("/prompt-cards/fill-test").status_code == 404  # a scored form
        assert judge.get("/prompt-cards/no-such-form").status_code == 404


def test_the_registers_link_each_other(app, hazard_world):
    point_id = new_point(app, hazard_world)
    with signed_in(app, "chair") as chair:
        page = chair.get(f"/hazard-points/{point_id}").text
        for link in ("/card", "/inspect", "/qr.svg", "/edit"):
            assert f"/hazard-points/{point_id}{link}" in page
        listing = chair.get("/hazard-points").text
        assert 'href="/hazard-points/new' in listing and 'href="/chemical-cards"' in listing


def test_a_supervisors_offline_task_carries_the_enterprises_points(app, hazard_world):
    point_id = new_point(app, hazard_world)

    async def campaign() -> int:
        return await add_campaign(
            hazard_world["town"],
            hazard_world["inspection_form"],
            name="巡查",
            enterprises=[hazard_world["own"]],
            supervisors=True,
        )

    campaign_id = in_database(hazard_world["url"], campaign)
    with signed_in(app, "watcher") as supervisor:
        headers = _device_token(supervisor)
        url = f"/api/v1/offline/tasks/{campaign_id}/{hazard_world['own']}"
        task = supervisor.get(url, headers=headers)
        assert task.status_code == 200, task.text
        assert task.json()["points"] == [{"id": point_id, "place": "液氨储罐区（二车间东侧）"}]
