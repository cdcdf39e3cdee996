"""Every answer and score of a campaign, downloaded as CSV and as an Excel workbook."""

from __future__ import annotations

import csv
import io

import openpyxl

from service.campaigns.queries import get_campaign
from service.rankings import answers_export
from service.rankings.answer_rows import HEADER_ZH, number_text
from tests.collection.test_pages import csrf, fill_complete, save, signed_in, start_fields
from tests.factories import in_database, make_user

COLUMN = {title: n for n, title in enumerate(HEADER_ZH)}


def _start(client, enterprise_id: int) -> str:
    [fields] = [
        f
        for f in start_fields(client.get("/tasks").text)
        if f["enterprise_id"] == str(enterprise_id)
    ]
    response = client.post("/tasks/start", data=fields, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def _submit(client, path: str) -> None:
    done = client.post(
        f"{path}/submit", data={"_csrf_token": csrf(client.get(f"{path}/review").text)}
    )
    assert done.status_code == 200  # the result page, after the redirect


def _campaign_with_five_submissions(app, world) -> None:
    """测试企业00001: its self-assessment (every item met), a judge who finds a fatal
    accident (the veto), two inspections; 测试企业00002: a judge; and a draft of its
    own self-assessment, never submitted."""
    with signed_in(app, "chair") as chair:
        path = _start(chair, world["own"])
        fill_complete(chair, path, remarks="车间,通道=畅通")
        _submit(chair, path)
    with signed_in(app, "judge") as judge:
        path = _start(judge, world["own"])
        save(judge, path, "basics", place="二车间", chemicals="yes", msds="no", workers="120")
        save(judge, path, "safety", accident="yes")
        _submit(judge, path)
        path = _start(judge, world["other"])
        fill_complete(judge, path)
        _submit(judge, path)
    with signed_in(app, "watcher") as supervisor:
        for place in ("一车间", "仓库"):
            path = _start(supervisor, world["own"])
            fill_complete(supervisor, path, place=place)
            _submit(supervisor, path)
    with signed_in(app, "rival") as rival:
        path = _start(rival, world["other"])
        save(rival, path, "basics", place="草稿")


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _row(rows: list[list[str]], role: str, item: str, enterprise: str = "测试企业00001") -> list:
    [found] = [
        r
        for r in rows[1:]
        if r[COLUMN["参评单位"]] == enterprise and r[COLUMN["角色"]] == role
        and r[COLUMN["题目编号"]] == item
    ]  # fmt: skip
    return found


def test_every_answer_downloads_as_csv_that_excel_reads(app, world):
    _campaign_with_five_submissions(app, world)
    with signed_in(app, "clerk") as admin:
        rankings = admin.get(f"/admin/campaigns/{world['campaign']}/rankings").text
        assert f'href="/admin/campaigns/{world["campaign"]}/answers.xlsx"' in rankings
        response = admin.get(f"/admin/campaigns/{world['campaign']}/answers.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel and WPS read UTF-8 Chinese
    rows = _csv_rows(response.content)
    assert tuple(rows[0]) == HEADER_ZH
    assert len(rows) == 1 + 5 * 6  # five submitted, six items each; the draft is not there
    assert "草稿" not in response.text

    chemicals = _row(rows, "自评", "chemicals")
    assert chemicals[COLUMN["回答"]] == "否"  # the option's label, not its code
    assert chemicals[COLUMN["部分"]] == "基本情况" and chemicals[COLUMN["题目"]] == "使用危险化学品"
    assert chemicals[COLUMN["评分人"]] == "测试企业00001"  # the enterprise speaks for itself
    accident = _row(rows, "自评", "accident")
    assert accident[COLUMN["回答"]] == "否" and accident[COLUMN["结果"]] == "合格"
    assert (accident[COLUMN["得分"]], accident[COLUMN["满分"]]) == ("10", "10")
    assert _row(rows, "自评", "msds")[COLUMN["结果"]] == "不适用"  # not asked: no chemicals
    assert _row(rows, "自评", "workers")[COLUMN["回答"]] == "120"
    assert _row(rows, "自评", "remarks")[COLUMN["回答"]] == "车间,通道=畅通"  # quoted, whole

    vetoed = _row(rows, "评委", "accident")
    assert vetoed[COLUMN["评分人"]] == "judge" and vetoed[COLUMN["回答"]] == "是"
    assert vetoed[COLUMN["得分"]] == "0" and vetoed[COLUMN["结果"]] == "不合格"
    assert vetoed[COLUMN["一票否决"]] == "发生死亡事故"
    assert _row(rows, "评委", "msds")[COLUMN["回答"]] == "否"
    assert rows[1][COLUMN["提交时间"]][:2] == "20" and rows[1][COLUMN["版本"]] == "1"

    # Enterprise by enterprise: the self-assessment first, then the judge, then inspections.
    order = [(r[COLUMN["参评单位"]], r[COLUMN["角色"]]) for r in rows[1::6]]
    assert order == [
        ("测试企业00001", "自评"),
        ("测试企业00001", "评委"),
        ("测试企业00001", "监督员"),
        ("测试企业00001", "监督员"),
        ("测试企业00002", "评委"),
    ]
    items = [r[COLUMN["题目编号"]] for r in rows[1:7]]
    assert items == ["place", "chemicals", "msds", "workers", "accident", "remarks"]  # form order


def test_the_workbook_holds_the_same_rows(app, world):
    _campaign_with_five_submissions(app, world)
    with signed_in(app, "clerk") as admin:
        url = f"/admin/campaigns/{world['campaign']}/answers"
        as_csv = _csv_rows(admin.get(f"{url}.csv").content)
        response = admin.get(f"{url}.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    [sheet] = book.worksheets
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]

    def as_text(value: object) -> str:
        if value is None:
            return ""
        return number_text(value) if isinstance(value, (int, float)) else str(value)

    assert [[as_text(v) for v in row] for row in cells] == as_csv
    vetoed = next(r for r in cells[1:] if r[COLUMN["一票否决"]])
    assert vetoed[COLUMN["得分"]] == 0 and vetoed[COLUMN["满分"]] == 10  # numbers, not text


def test_a_correction_being_drafted_exports_the_submitted_answers(app, world):
    with signed_in(app, "chair") as chair:
        path = _start(chair, world["own"])
        fill_complete(chair, path)
        _submit(chair, path)
        chair.post(f"{path}/correction", data={"_csrf_token": csrf(chair.get(path).text)})
        save(chair, path, "safety", accident="yes")  # not submitted yet
    with signed_in(app, "clerk") as admin:
        rows = _csv_rows(admin.get(f"/admin/campaigns/{world['campaign']}/answers.csv").content)
    accident = _row(rows, "自评", "accident")
    assert accident[COLUMN["回答"]] == "否" and accident[COLUMN["得分"]] == "10"


def test_only_the_campaigns_town_admins_download(app, world):
    from tests.campaigns.factories import add_town

    elsewhere = in_database(world["url"], lambda: add_town("别的镇", {"别的村": []}))
    make_user(world["url"], "stranger", "admin", town_id=elsewhere["town"])
    for username in ("stranger", "judge", "chair"):
        with signed_in(app, username) as client:
            for extension in ("csv", "xlsx"):
                url = f"/admin/campaigns/{world['campaign']}/answers.{extension}"
                assert client.get(url).status_code == 403, (username, extension)


def test_batches_give_every_row_once_in_order(app, world):
    """Read one participant at a time, the file is the same as read in one batch."""
    _campaign_with_five_submissions(app, world)

    async def export(batch: int) -> tuple[bytes, list[int]]:
        campaign = await get_campaign(world["campaign"])
        lines = await answers_export.form_lines(campaign)
        sizes = [
            len(rows) async for rows in answers_export.exported_submissions(campaign["id"], batch)
        ]
        chunks = [c async for c in answers_export.answers_csv(campaign["id"], lines, batch)]
        return b"".join(chunks), sizes

    one_by_one, sizes = in_database(world["url"], lambda: export(1))
    assert sizes == [4, 1]  # two batches: 测试企业00001's four submissions, 00002's one
    all_at_once, single = in_database(world["url"], lambda: export(2))
    assert single == [5]
    assert one_by_one == all_at_once
    rows = _csv_rows(one_by_one)[1:]
    keys = [(r[COLUMN["提交编号"]], r[COLUMN["题目编号"]]) for r in rows]
    assert len(keys) == len(set(keys)) == 5 * 6


def test_a_removed_participants_submissions_are_still_exported(app, world):
    from service.campaigns.queries import participants, remove_participant

    _campaign_with_five_submissions(app, world)

    async def remove_own_and_export() -> bytes:
        [own] = [
            p for p in await participants(world["campaign"]) if p["enterprise_id"] == world["own"]
        ]
        await remove_participant(world["campaign"], own["id"])
        campaign = await get_campaign(world["campaign"])
        lines = await answers_export.form_lines(campaign)
        return b"".join([c async for c in answers_export.answers_csv(campaign["id"], lines, 1)])

    rows = _csv_rows(in_database(world["url"], remove_own_and_export))
    assert len(rows) == 1 + 5 * 6
