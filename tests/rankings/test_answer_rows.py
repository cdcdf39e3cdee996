"""Answers and scores as the rows of the item-level export: pure, no database."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import msgspec
import openpyxl
import pytest

from service.rankings import xlsx
from service.rankings.answer_rows import answer_rows, answer_text, item_lines, local_time
from service.rankings.csv_text import csv_field
from service.scoring.engine import score
from tests.factories import scored_form, section

FORM = scored_form(
    section(
        "basics",
        [
            {
                "id": "kind",
                "type": "choice",
                "label": "企业类型",
                "options": [{"id": "chem", "label": "化工"}, {"id": "mech", "label": "机械"}],
            },
            {
                "id": "training",
                "type": "multi",
                "label": "培训方式",
                "options": [{"id": "class", "label": "课堂"}, {"id": "drill", "label": "演练"}],
            },
            {"id": "workers", "type": "number", "label": "职工人数", "unit": "人"},
            {"id": "rate", "type": "rate", "label": "培训率", "points": 10, "target": 90},
            {"id": "where", "type": "location", "label": "位置"},
            {"id": "photos", "type": "photo", "label": "现场照片"},
        ],
        points=10,
    ),
    section(
        "safety",
        [
            {
                "id": "exits",
                "type": "check",
                "label": "安全出口畅通",
                "points": 5,
                "hazard": {"grade": "major"},
            },
            {
                "id": "fatal",
                "type": "check",
                "label": "发生死亡事故",
                "good": "no",
                "points": 5,
                "veto": {"reason": "发生死亡事故", "when": "yes"},
                "allow_na": False,
            },
            {"id": "note", "type": "long_text", "label": "备注"},
        ],
        points=10,
    ),
    max=20,
)
LINES = item_lines(FORM)
SUBMITTED = dt.datetime(2026, 3, 1, 6, 5, tzinfo=dt.UTC)  # 14:05 in China


def _stored(answers: dict, role: str = "judge", photos: dict | None = None) -> dict:
    """A submission row as the export reads it, scored by the real engine."""
    return {
        "id": uuid.UUID(int=1),
        "enterprise": 7,
        "team": None,
        "role": role,
        "revision": 2,
        "submitted_at": SUBMITTED,
        "revised_at": SUBMITTED + dt.timedelta(days=1),
        "enterprise_name": "测试企业",
        "credit_code": "91330199MA2000001X",
        "team_name": None,
        "village": "测试村",
        "author_name": "王评委",
        "answers": msgspec.json.encode(answers).decode(),
        "breakdown": msgspec.json.encode(score(FORM, answers)).decode(),
        "evidence": msgspec.json.encode(photos or {}).decode(),
    }


def test_answers_read_as_the_form_shows_them():
    assert answer_text(LINES["kind"], "chem") == "化工"  # the label, not the code
    assert answer_text(LINES["training"], ["class", "drill"]) == "课堂、演练"
    assert answer_text(LINES["workers"], 120) == "120 人"
    assert answer_text(LINES["rate"], 87.5) == "87.5%"
    assert answer_text(LINES["exits"], "no") == "否"
    assert answer_text(LINES["exits"], "na") == "不适用"
    assert answer_text(LINES["photos"], ["p1", "p2"]) == "2张照片"
    assert answer_text(LINES["where"], {"refused": True}) == "未提供位置"
    assert answer_text(LINES["where"], {"lat": 30.1, "lon": 120.2, "accuracy": 8}) == (
        "30.100000, 120.200000（±8米）"
    )
    assert answer_text(LINES["note"], "通道畅通") == "通道畅通"
    assert answer_text(LINES["note"], None) == answer_text(LINES["kind"], []) == ""


def test_a_submission_gives_a_row_per_item_in_form_order():
    answers = {
        "kind": "mech",
        "workers": 120,
        "rate": 80,
        "exits": "no",
        "exits.remark": "东侧安全出口上锁",
        "fatal": "yes",
    }
    rows = list(answer_rows(LINES, _stored(answers, photos={"exits": ["e1", "e2"]})))
    assert [r.line.item_id for r in rows] == list(LINES)
    by_item = {r.line.item_id: r for r in rows}
    exits = by_item["exits"]
    assert (exits.answer, exits.score, exits.max, exits.result) == ("否", 0, 5, "不合格")
    assert exits.hazard == "重大隐患" and exits.photos == 2
    assert exits.remark == "东侧安全出口上锁" and by_item["fatal"].remark == ""
    assert by_item["fatal"].veto == "发生死亡事故" and by_item["exits"].veto == ""
    assert by_item["rate"].result == "不合格" and by_item["rate"].answer == "80%"
    assert by_item["workers"].result == "已填"  # no standard to meet: filled, not "合格"
    assert by_item["note"].result == "未答" and by_item["note"].answer == ""
    card = rows[0].card
    assert card.role == "评委" and card.scorer == "王评委" and card.revision == 2
    assert card.submitted_at == "2026-03-01 14:05" and card.revised_at == "2026-03-02 14:05"
    values = rows[0].values()
    assert values[0] == "测试企业" and values[-1] == str(uuid.UUID(int=1))


def test_a_self_assessment_is_scored_by_the_enterprise():
    [first, *_] = answer_rows(LINES, _stored({"exits": "yes"}, role="enterprise"))
    assert first.card.role == "自评" and first.card.scorer == "测试企业"


def test_local_time_is_chinas():
    assert local_time(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)) == "2027-01-01 01:30"
    assert local_time(None) == ""


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ('=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'),  # not run by Excel
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-3", "-3"),  # a negative number stays a number
        ("车间,通道", '"车间,通道"'),
        ("两行\n文字", '"两行\n文字"'),
        (10.0, "10"),
        (1.67, "1.67"),
        (None, ""),
    ],
)
def test_csv_fields_read_back_as_typed_and_never_as_formulas(value, field):
    assert csv_field(value) == field


def _workbook(book: xlsx.StreamingWorkbook, rows: list[list]) -> openpyxl.Workbook:
    data = b""
    for values in rows:
        book.append("".join(xlsx.cell(xlsx.column_letter(n), v) for n, v in enumerate(values)))
        data += book.take()
    return openpyxl.load_workbook(io.BytesIO(data + book.close()))


def test_the_streamed_workbook_opens_with_its_header_frozen_and_a_filter():
    book = xlsx.StreamingWorkbook("2026年/评比:第[1]轮", ["单位", "得分"], widths=(20, 8))
    workbook = _workbook(book, [[" 甲 & <乙>", 9.5], ["控制\x07字符", 3], [None, ""]])
    [sheet] = workbook.worksheets
    assert sheet.title == "2026年 评比 第 1 轮"  # what Excel allows in a sheet's name
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["单位", "得分"],
        [" 甲 & <乙>", 9.5],  # escaped, its leading space kept
        ["控制字符", 3],  # XML forbids the control character: dropped, not a broken file
    ]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:B4"
    assert sheet["A1"].font.b and sheet.column_dimensions["A"].width == 20


def test_rows_beyond_excels_limit_go_on_to_another_sheet(monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)  # header + 2 rows a sheet
    book = xlsx.StreamingWorkbook("明细", ["编号"])
    workbook = _workbook(book, [[n] for n in range(5)])
    assert workbook.sheetnames == ["明细", "明细(2)", "明细(3)"]
    sheets = [[r[0] for r in s.iter_rows(values_only=True)] for s in workbook.worksheets]
    assert sheets == [["编号", 0, 1], ["编号", 2, 3], ["编号", 4]]


def test_an_empty_export_is_a_workbook_with_its_header():
    workbook = _workbook(xlsx.StreamingWorkbook("明细", ["编号", "得分"]), [])
    assert [list(r) for r in workbook.active.iter_rows(values_only=True)] == [["编号", "得分"]]


def test_both_files_put_every_value_under_its_header():
    import csv

    from service.rankings.answer_rows import HEADER_ZH
    from service.rankings.answers_export import CsvAnswers, XlsxAnswers

    answers = {"kind": "chem", "exits": "no", "fatal": "yes", "note": "见附件"}
    submission = _stored(answers, photos={"exits": ["e1"]})
    expected = [
        [csv_field(v).strip('"') for v in row.values()] for row in answer_rows(LINES, submission)
    ]
    assert len(expected[0]) == len(HEADER_ZH)
    text = CsvAnswers(LINES).encode([submission]).decode()
    assert list(csv.reader(io.StringIO(text, newline=""))) == expected
    encoder = XlsxAnswers(LINES, "明细")
    data = encoder.encode([submission]) + encoder.close()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [
        ["" if v is None else csv_field(v) for v in r] for r in sheet.iter_rows(values_only=True)
    ]
    assert cells == [list(HEADER_ZH), *expected]
