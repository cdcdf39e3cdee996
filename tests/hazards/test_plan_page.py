"""The major-hazard plan on the hazard page: what is filled in for the person, what is
marked required, and an error shown beside its field with everything typed kept."""

from __future__ import annotations

import re

from tests.collection.test_pages import signed_in

from .test_pages import SOON, _found, _step


def _value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return match.group(1)


def test_the_plan_comes_with_the_deadline_and_the_person_filled_in(app, hazard_world):
    hazard_id = _found(hazard_world, grade="major")
    with signed_in(app, "chair") as client:
        page = client.get(f"/hazards/{hazard_id}").text
    step = page[page.index('id="step-acknowledge"') :]
    assert _value(step, "responsible") == "chair"  # the account's name, to change if not
    deadline = _value(step, "deadline")
    assert deadline and _value(step, "plan_deadline") == deadline
    # The three fields of the step and the seven of the plan, each marked.
    assert step[: step.index("</form>")].count('class="tag tag-required"') == 10
    assert 'capture="environment"' not in step[: step.index("</form>")]


def test_a_missing_plan_part_is_named_beside_its_field_and_nothing_typed_is_lost(app, hazard_world):
    hazard_id = _found(hazard_world, grade="major")
    typed = {
        "plan_goal": "消除液氨泄漏风险",
        "plan_measures": "更换报警仪探头",
        "plan_funds": "   ",
        "plan_people": "设备科",
        "plan_deadline": SOON,
        "plan_safety_measures": "停机挂牌",
        "plan_emergency_plan": "启动专项预案",
    }
    with signed_in(app, "chair") as client:
        refused = _step(
            client,
            hazard_id,
            "acknowledge",
            responsible="张工",
            measures="停产整改",
            deadline=SOON,
            **typed,
        )
    assert refused.status_code == 400
    page = refused.text
    assert page.count('class="field-error"') == 1
    funds = re.search(r'<textarea name="plan_funds"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in funds and 'aria-describedby="error-plan_funds"' in funds
    # The error follows its own field, before the next one.
    after = page[page.index('name="plan_funds"') :]
    assert after.index('id="error-plan_funds"') < after.index('name="plan_people"')
    assert "此项必填" in after[: after.index('name="plan_people"')]
    for name, text in typed.items():
        if name == "plan_deadline":
            assert _value(page, name) == text
        elif text.strip():
            assert _textarea(page, name) == text
    assert _value(page, "responsible") == "张工"
    assert _textarea(page, "measures") == "停产整改"


def test_the_rectification_takes_photos_through_the_camera_picker(app, hazard_world):
    hazard_id = _found(hazard_world)
    with signed_in(app, "chair") as client:
        assert _step(
            client, hazard_id, "acknowledge", responsible="张工", measures="清理", deadline=SOON
        ).is_redirect
        page = client.get(f"/hazards/{hazard_id}").text
    step = page[page.index('id="step-submit_rectification"') :]
    step = step[: step.index("</form>")]
    picker = re.search(r'<label class="photo-input">.*?</label>', step, re.S)
    assert picker and 'class="photo-icon"' in picker.group(0)
    assert 'type="file" name="photo" accept="image/*" capture="environment"' in picker.group(0)
    assert "拍照或选择照片" in picker.group(0)
