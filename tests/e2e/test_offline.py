"""Inspection without signal, in a real browser with a real service worker, on a phone
(390×844, zh-CN), on SQLite and PostgreSQL: keep a task while online, lose the signal,
fill every section with a failed item and its photo, close the page, open it again
(everything still there), submit, get the signal back, and the outbox sends it: one
submission with its photo and its hazard. Then with the connection dropped after the
server took a photo or the submission, and with the same submission stored from
another device meanwhile (the phone keeps its copy and says so).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import screenshot
from .test_filling import INSPECTION, open_tasks, photo_file, sign_in

OUTBOX_DRAFTS = "() => AnkangOutbox.store.all('drafts')"
# The journey and the lost answers run on both engines; what only the phone decides
# (conflicts, a point's code) on SQLite, to keep the suite's time.
SQLITE_ONLY = pytest.mark.parametrize("engine_server", ["sqlite"], indirect=True)


def keep_task(page, base_url: str, enterprise: str) -> str:
    """Press 离线备用 on the enterprise's inspection task; the offline page's path."""
    task = open_tasks(page, base_url, INSPECTION, enterprise)
    path = task.get_attribute("data-offline-page")
    assert path and path.startswith("/offline/tasks/")
    task.get_by_role("button", name="离线备用").click()
    expect(task.locator("[data-kept]")).to_be_visible()
    expect(task.locator("[data-kept-size]")).to_have_text(re.compile(r"\d+(\.\d)? KB"))
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return path


def shown_sections(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('[data-tab]'))"
        ".filter(t => !t.parentNode.hidden).map(t => t.dataset.tab)"
    )


REMARK = "浇注区通道堆放砂箱"


def fill_every_section(page, photo: Path, place: str) -> None:
    """The first section by hand, then every shown item of every section: 是 on the
    checks but the first (否, with a photo and a remark), a word in the texts."""
    page.locator('input[name="hazard-point"]').fill(place)
    page.locator('input[name="inspection-date"]').fill("2026-12-07")
    page.locator('input[name="gps-location.refused"]').check()
    page.locator('#item-uses-hazardous-chemicals input[value="no"]').check()
    page.locator('#item-has-special-equipment input[value="yes"]').check()
    sections = shown_sections(page)
    assert "equipment" in sections and sections[-1] == "_review"
    failed = False
    for section in sections[1:-1]:
        page.get_by_role("button", name="下一部分").click()
        expect(page.locator(f'[data-section="{section}"]')).to_be_visible()
        for item in page.locator(f'[data-section="{section}"] li.item:not([hidden])').all():
            if item.locator('input[value="no"]').count() and not failed:
                item.locator('input[value="no"]').check()
                remark = item.locator("details.remark textarea")  # opens on a failure
                expect(remark).to_be_visible()
                remark.fill(REMARK)
                item.locator("[data-photo-input]").first.set_input_files(str(photo))
                expect(item.locator(".thumbs img")).to_have_count(1)
                failed = True
            elif item.locator('input[value="yes"]').count():
                item.locator('input[value="yes"]').check()
            elif item.locator("textarea").count():
                item.locator("textarea").fill("无")
    assert failed


def submit_offline(page) -> None:
    page.locator('[data-tab="_review"]').click()
    expect(page.locator("#offline-review")).to_contain_text("已全部填写")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator('[data-section="_done"]')).to_be_visible()


def send_when_online(context, page, base_url: str) -> None:
    context.set_offline(False)
    page.goto(base_url + "/outbox")
    page.locator("#outbox [data-sync-now]").click()


def sent_submission(page) -> dict:
    drafts = [d for d in page.evaluate(OUTBOX_DRAFTS) if d["status"] == "sent"]
    assert len(drafts) == 1, drafts
    return drafts[0]


def stored_for(page, base_url: str, path: str) -> list[dict]:
    """The supervisor's submissions for the task's enterprise, as the server has them."""
    campaign, enterprise = map(int, re.findall(r"\d+", path)[:2])
    token = page.evaluate(
        "() => AnkangOutbox.store.all('meta').then(m => m.find(x => x.token).token)"
    )
    answer = page.request.get(
        f"{base_url}/api/v1/submissions?campaign_id={campaign}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.ok
    return [s for s in answer.json()["items"] if s["enterprise_id"] == enterprise]


def test_an_inspection_filled_without_signal_is_sent_once_with_its_photo_and_hazard(
    engine_server, phone_context, tmp_path
):
    base_url = engine_server
    context = phone_context()
    page = context.new_page()
    sign_in(page, base_url, "supervisor")
    path = keep_task(page, base_url, "安康东风精密铸造有限公司")
    screenshot(page, "offline-1-kept")

    context.set_offline(True)
    page.reload()  # /tasks from the phone
    expect(page.locator("#net-status")).to_contain_text("离线")
    page.locator(f'li[data-offline-page="{path}"] [data-kept] a').click()
    expect(page.locator("#offline-fill")).to_be_visible()
    fill_every_section(page, photo_file(tmp_path), "铸造车间")
    screenshot(page, "offline-2-filled")

    # The tab closed, opened again without signal: every answer and the photo are there.
    page.close()
    page = context.new_page()
    page.goto(base_url + path)
    expect(page.locator('input[name="hazard-point"]')).to_have_value("铸造车间")
    expect(page.locator("#offline-fill .thumbs img")).to_have_count(1)
    submit_offline(page)
    expect(page.locator("#net-status")).to_contain_text("1 条待上传")
    screenshot(page, "offline-3-waiting")

    send_when_online(context, page, base_url)
    expect(page.locator(".outbox-sent")).to_have_count(1, timeout=20_000)
    expect(page.locator("#net-status [data-net-pending]")).to_be_hidden()
    screenshot(page, "offline-4-sent")
    sent = sent_submission(page)
    assert [s["id"] for s in stored_for(page, base_url, path)] == [sent["id"]]

    page.goto(f"{base_url}/submissions/{sent['id']}")
    expect(page.get_by_text(re.compile("手机上完成于 .*服务器收到于"))).to_be_visible()
    expect(page.locator(".found-hazards li")).to_have_count(1)
    expect(page.locator("img[src$='/thumbnail']")).to_have_count(1)
    expect(page.locator(".result-item .remark")).to_contain_text(REMARK)  # kept offline

    # Signing out with nothing waiting: the phone's token ends, and the kept pages go.
    page.get_by_role("button", name="退出").click()
    expect(page.locator(".topnav").get_by_role("link", name="登录")).to_be_visible()
    page.wait_for_load_state()
    assert page.evaluate("() => AnkangOutbox.store.all('meta')") == []
    assert not page.evaluate("() => caches.has('ankang-pages')")


def test_a_connection_lost_after_the_server_took_a_photo_or_the_submission_stores_once(
    engine_server, phone_context, tmp_path
):
    base_url = engine_server
    context = phone_context()
    page = context.new_page()
    sign_in(page, base_url, "supervisor")
    path = keep_task(page, base_url, "安康镇东风粮油食品厂")
    context.set_offline(True)
    page.goto(base_url + path)
    fill_every_section(page, photo_file(tmp_path), "仓库")
    submit_offline(page)

    # The server gets the photo, then the submission, but the phone hears nothing back
    # (the signal goes at that very moment): each is sent again on the next try.
    lost = {"photo": 0, "submission": 0}

    def answer_lost(kind):
        def handle(route):
            if route.request.method == "POST" and not lost[kind]:
                lost[kind] += 1
                route.fetch()  # the server stores it…
                route.abort("connectionreset")  # …and the phone never hears back
            else:
                route.continue_()

        return handle

    context.route(re.compile(r"/api/v1/submissions/[0-9a-f-]+/evidence"), answer_lost("photo"))
    context.route(re.compile(r"/api/v1/submissions$"), answer_lost("submission"))

    def until(done) -> None:
        for _ in range(200):
            if done():
                return
            page.wait_for_timeout(100)
        raise AssertionError("waited 20 s in vain")

    send_when_online(context, page, base_url)  # the photo's answer is lost
    until(lambda: lost["photo"] == 1)
    # Sent again (立即上传): the photo is known by its content; then the submission's
    # answer is lost too, and the next try is answered as the first was.
    send_now = page.locator("#outbox [data-sync-now]")
    until(lambda: lost["submission"] == 1 or send_now.click())
    until(lambda: page.locator(".outbox-sent").count() == 1 or send_now.click())
    assert lost == {"photo": 1, "submission": 1}

    sent = sent_submission(page)
    assert [s["id"] for s in stored_for(page, base_url, path)] == [sent["id"]]
    page.goto(f"{base_url}/submissions/{sent['id']}")
    expect(page.locator(".found-hazards li")).to_have_count(1)
    expect(page.locator("img[src$='/thumbnail']")).to_have_count(1)
    expect(page.locator(".result-item .remark")).to_contain_text(REMARK)  # kept offline


@SQLITE_ONLY
def test_a_draft_submitted_from_another_device_meanwhile_is_a_conflict_the_phone_keeps(
    engine_server, phone_context, tmp_path
):
    base_url = engine_server
    enterprise = "安康东风建设工程有限公司"
    context = phone_context()
    page = context.new_page()
    sign_in(page, base_url, "supervisor")
    # A draft started online, then kept: the phone goes on with the server's draft.
    open_tasks(page, base_url, INSPECTION, enterprise).get_by_role(
        "button", name="开始填写"
    ).click()
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}"))
    draft_id = re.search(r"/submissions/([0-9a-f-]{36})", page.url).group(1)
    path = keep_task(page, base_url, enterprise)
    context.set_offline(True)
    page.goto(base_url + path)
    fill_every_section(page, photo_file(tmp_path), "塔吊")
    submit_offline(page)
    assert page.evaluate(OUTBOX_DRAFTS)[0]["id"] == draft_id

    # Meanwhile the same draft is filled and submitted on another phone, online.
    other = phone_context().new_page()
    sign_in(other, base_url, "supervisor")
    other.goto(f"{base_url}/submissions/{draft_id}")
    other.locator('input[name="hazard-point"]').fill("另一台手机")
    other.locator('input[name="inspection-date"]').fill("2026-12-07")
    other.locator("#item-uses-hazardous-chemicals label.choice", has_text="否").click()
    other.locator("#item-has-special-equipment label.choice", has_text="否").click()
    other.get_by_role("button", name="下一部分").click()
    while other.get_by_role("button", name="下一部分").count():
        for choice in other.locator("li.item:not([hidden]) label.choice-yes").all():
            choice.click()
        other.get_by_role("button", name="下一部分").click()
    other.get_by_role("button", name="检查并提交").click()
    other.get_by_role("button", name="提交").click()
    other.wait_for_url(re.compile(r"submitted=1"))

    send_when_online(context, page, base_url)
    conflict = page.locator(".outbox-conflict")
    expect(conflict).to_contain_text("此表已用其他答案提交过")
    screenshot(page, "offline-5-conflict")
    kept = page.evaluate(OUTBOX_DRAFTS)[0]
    assert kept["status"] == "conflict" and kept["answers"]["hazard-point"] == "塔吊"
    # The phone's copy stands as an inspection of its own: sent under a new id.
    conflict.get_by_role("button", name="提交手机上的版本").click()
    expect(page.locator(".outbox-sent")).to_have_count(1, timeout=20_000)
    ids = {s["id"] for s in stored_for(page, base_url, path)}
    assert draft_id in ids and len(ids) == 2


@SQLITE_ONLY
def test_a_hazard_point_s_code_scanned_without_signal_opens_the_kept_task_there(
    engine_server, phone_context
):
    base_url = engine_server
    context = phone_context()
    page = context.new_page()
    sign_in(page, base_url, "supervisor")
    page.goto(base_url + "/hazard-points")
    page.get_by_role("link", name="冲压生产线").first.click()
    page.wait_for_url(re.compile(r"/hazard-points/\d+$"))
    code = page.url + "/inspect"  # what the QR code holds
    path = keep_task(page, base_url, "安康镇东风机械有限公司")

    context.set_offline(True)
    page.goto(code)
    page.wait_for_url(re.compile(re.escape(path) + "#draft="))
    expect(page.locator('input[name="hazard-point"]')).to_have_value(re.compile("冲压生产线"))
    expect(page.locator('input[name="inspection-date"]')).not_to_have_value("")
    page.reload()  # the same draft, not another new one
    expect(page.locator('input[name="hazard-point"]')).to_have_value(re.compile("冲压生产线"))
    drafts = page.evaluate(OUTBOX_DRAFTS)
    assert len(drafts) == 1 and drafts[0]["status"] == "editing"


@SQLITE_ONLY
def test_a_draft_changed_on_another_device_waits_for_the_person_to_choose(
    engine_server, phone_context, tmp_path
):
    base_url = engine_server
    enterprise = "安康镇东风木业有限公司"
    context = phone_context()
    page = context.new_page()
    sign_in(page, base_url, "supervisor")
    task = open_tasks(page, base_url, INSPECTION, enterprise)
    task.get_by_role("button", name="开始填写").click()
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}"))
    draft_id = re.search(r"/submissions/([0-9a-f-]{36})", page.url).group(1)
    path = keep_task(page, base_url, enterprise)
    context.set_offline(True)
    page.goto(base_url + path)
    fill_every_section(page, photo_file(tmp_path), "木工车间")
    submit_offline(page)

    # Another phone changes the same draft online meanwhile (an autosave).
    other = phone_context().new_page()
    sign_in(other, base_url, "supervisor")
    other.goto(f"{base_url}/submissions/{draft_id}")
    with other.expect_response(lambda r: r.url.endswith("/answers")):
        other.locator('input[name="hazard-point"]').fill("另一台手机写的")
        other.locator('input[name="hazard-point"]').press("Tab")

    send_when_online(context, page, base_url)
    conflict = page.locator(".outbox-conflict")
    expect(conflict).to_contain_text("已在其他设备上修改过")
    assert page.evaluate(OUTBOX_DRAFTS)[0]["answers"]["hazard-point"] == "木工车间"
    conflict.get_by_role("button", name="提交手机上的版本").click()
    expect(page.locator(".outbox-sent")).to_have_count(1, timeout=20_000)
    assert [s["id"] for s in stored_for(page, base_url, path)] == [draft_id]
    page.goto(f"{base_url}/submissions/{draft_id}")
    expect(page.get_by_text("木工车间")).to_be_visible()


@SQLITE_ONLY
def test_the_signal_lost_in_the_middle_of_a_section_goes_on_offline_with_what_was_typed(
    engine_server, phone_context
):
    base_url = engine_server
    context = phone_context()
    page = context.new_page()
    sign_in(page, base_url, "supervisor")
    task = open_tasks(page, base_url, INSPECTION, "安康青石化工有限公司")
    task.get_by_role("button", name="开始填写").click()
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}"))
    # The page keeps its task by itself (opened recently).
    for _ in range(100):
        kept = page.evaluate("() => AnkangOutbox.store.all('kept')")
        if kept and kept[0].get("task"):
            break
        page.wait_for_timeout(100)
    assert kept and kept[0]["task"]["submission"]["status"] == "draft"
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.locator('input[name="hazard-point"]').fill("储罐区")
    page.locator('#item-uses-hazardous-chemicals input[value="yes"]').check()
    lost = page.locator("[data-offline-lost]")
    expect(lost).to_be_visible()
    screenshot(page, "offline-6-signal-lost")
    lost.get_by_role("link", name="继续离线填写").click()
    expect(page.locator("#offline-fill")).to_be_visible()
    expect(page.locator('input[name="hazard-point"]')).to_have_value("储罐区")
    expect(page.locator('#item-uses-hazardous-chemicals input[value="yes"]')).to_be_checked()
    draft = page.evaluate(OUTBOX_DRAFTS)[0]
    assert draft["answers"]["hazard-point"] == "储罐区"
    assert draft["answers"]["uses-hazardous-chemicals"] == "yes"
