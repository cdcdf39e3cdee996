"""Chemical information cards: registered with the CAS number checked, seen only by
the enterprise, its supervisors and its admins, and printed."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from tests.collection.test_pages import csrf, signed_in

AMMONIA = {
    "name_zh": "氨",
    "name_en": "Ammonia",
    "cas": "7664-41-7",
    "location": "制冷机房",
    "properties": "无色有刺激性恶臭的气体",
    "health_hazards": "吸入引起呼吸道刺激",
    "exposure_limits": "PC-TWA 20 mg/m³，PC-STEL 30 mg/m³",
    "protection": "佩戴过滤式防毒面具",
    "first_aid": "皮肤接触：立即用大量流动清水冲洗",
    "emergency_handling": "迅速撤离泄漏污染区人员至上风处",
    "emergency_phones": "急救 120 火警 119",
}


def register_card(client: TestClient, enterprise_id: int, **changes: Any) -> Any:
    page = client.get("/chemical-cards/new")
    assert page.status_code == 200
    data = {"_csrf_token": csrf(page.text), "enterprise": str(enterprise_id), **AMMONIA, **changes}
    return client.post("/chemical-cards", data=data, follow_redirects=False)


def test_a_card_is_refused_with_a_wrong_cas_check_digit_and_kept_as_typed(app, hazard_world):
    with signed_in(app, "chair") as chair:
        new = chair.get("/chemical-cards/new").text
        assert "120" in new and "119" in new  # the emergency phones offered
        wrong = register_card(chair, hazard_world["own"], cas="7664-41-8", health_hazards="")
        assert wrong.status_code == 400
        assert len(re.findall(r'class="field-error"', wrong.text)) == 2
        assert 'value="7664-41-8"' in wrong.text and "无色有刺激性恶臭的气体" in wrong.text
        created = register_card(chair, hazard_world["own"], cas="７６６４－４１－７")
        assert created.status_code == 303
        card = chair.get(created.headers["location"]).text
        assert "7664-41-7" in card and "Ammonia" in card and "PC-TWA 20" in card
        assert "氨" in chair.get("/chemical-cards").text
        card_id = created.headers["location"].rsplit("/", 1)[1]
        printed = chair.get(f"/chemical-cards/{card_id}/print")
        assert printed.status_code == 200
        assert "print-a4" in printed.text and "急救 120 火警 119" in printed.text

        edit = chair.get(f"/chemical-cards/{card_id}/edit")
        data = {**AMMONIA, "_csrf_token": csrf(edit.text), "name_zh": "液氨", "cas": "64-17-5"}
        bad = chair.post(f"/chemical-cards/{card_id}/edit", data={**data, "cas": "64-17-4"})
        assert bad.status_code == 400
        saved = chair.post(f"/chemical-cards/{card_id}/edit", data=data, follow_redirects=False)
        assert saved.status_code == 303
        assert "液氨" in chair.get(f"/chemical-cards/{card_id}").text


def test_another_enterprise_never_sees_a_card(app, hazard_world):
    with signed_in(app, "chair") as chair:
        created = register_card(chair, hazard_world["own"])
        path = created.headers["location"]
    with signed_in(app, "rival") as rival:
        for tail in ("", "/edit", "/print"):
            assert rival.get(path + tail).status_code == 404
        assert "Ammonia" not in rival.get("/chemical-cards").text
        assert register_card(rival, hazard_world["own"]).status_code == 400
    with signed_in(app, "watcher") as watcher:
        assert watcher.get(path).status_code == 200
        assert watcher.get(path + "/edit").status_code == 404
    with signed_in(app, "clerk") as clerk:
        assert clerk.get(path + "/edit").status_code == 200
        assert "Ammonia" in clerk.get("/chemical-cards").text
