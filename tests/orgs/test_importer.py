"""Enterprise lists as clerks keep them: real CSV and XLSX files built here, parsed back."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from service.orgs import spreadsheet
from service.orgs.credit_code import make_credit_code
from service.orgs.importer import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    EnterpriseRecord,
    ImportResult,
    Ownership,
    parse_enterprise_file,
)

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属村/社区",
    "行业",
    "所有制",
    "职工人数",
    "地址",
    "工会主席",
    "联系电话",
]
DEMO_FILE = Path(__file__).parents[2] / "service" / "orgs" / "demo_enterprises.csv"


def code(n: int) -> str:
    """A distinct valid credit code for each n."""
    return make_credit_code(f"91330199MA2{n:06d}")


def row(n: int = 1, **overrides: Any) -> list[Any]:
    """A valid row under HEADER, changed where a test needs."""
    values: dict[str, Any] = {
        "企业名称": f"安康镇第{n}机械有限公司",
        "统一社会信用代码": code(n),
        "所属村/社区": "东风村",
        "行业": "机械制造",
        "所有制": "非公有制",
        "职工人数": 100 + n,
        "地址": f"安康镇东风村工业路{n}号",
        "工会主席": "王建国",
        "联系电话": "13800000101",
    }
    values.update(overrides)
    return [values[column] for column in HEADER]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def problems(result: ImportResult) -> set[tuple[int | None, str]]:
    return {(error.line, error.code) for error in result.errors}


def the_error(result: ImportResult) -> str:
    assert len(result.errors) == 1, result.errors
    return result.errors[0].code


# ---------------------------------------------------------------- clean files


def test_a_clean_csv_and_the_same_xlsx_give_the_same_records():
    rows = [
        HEADER,
        row(1),
        row(2, 所有制="国有", 职工人数="", 地址="", 工会主席="", 联系电话=""),
        row(3, 所有制="混合所有制", 联系电话="0571-86120342"),
    ]
    from_csv = parse_enterprise_file(csv_bytes(rows), "企业名录.csv")
    from_xlsx = parse_enterprise_file(xlsx_bytes(rows), "企业名录.xlsx")

    assert from_csv.ok and from_xlsx.ok
    assert from_csv.warnings == from_xlsx.warnings == []
    assert from_csv.records == from_xlsx.records
    first, second, third = from_csv.records
    assert first == EnterpriseRecord(
        line=2,
        name="安康镇第1机械有限公司",
        credit_code=code(1),
        village="东风村",
        industry="机械制造",
        ownership=Ownership.non_public,
        head_count=101,
        address="安康镇东风村工业路1号",
        union_chair="王建国",
        phone="13800000101",
    )
    assert (second.ownership, second.head_count, second.address, second.phone) == (
        Ownership.state_owned,
        None,
        None,
        None,
    )
    assert (third.line, third.ownership, third.phone) == (4, Ownership.mixed, "0571-86120342")


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("gb18030", ","), ("gbk", ";"), ("utf-8", "\t"), ("utf-16", "\t")],
)
def test_csv_encodings_and_delimiters_excel_produces(encoding: str, delimiter: str):
    data = csv_bytes([HEADER, row(1), row(2)], encoding=encoding, delimiter=delimiter)
    result = parse_enterprise_file(data)
    assert result.errors == []
    assert [record.name for record in result.records] == [
        "安康镇第1机械有限公司",
        "安康镇第2机械有限公司",
    ]
    assert result.records[0].village == "东风村"


def test_excel_numbers_full_width_text_and_lower_case_codes_are_cleaned():
    rows = [
        HEADER,
        row(1, 职工人数=120.0, 联系电话=13800000101),  # numbers typed into Excel cells
        row(
            2,
            职工人数="１,２００",
            企业名称="安康镇　新桥电器\n有限公司",
            统一社会信用代码=code(2).lower(),
        ),
        row(3, 职工人数="  0 ", 所有制="民营", 联系电话="０５７１-８６１２０３４２"),
    ]
    result = parse_enterprise_file(xlsx_bytes(rows))
    assert result.errors == []
    first, second, third = result.records
    assert (first.head_count, first.phone) == (120, "13800000101")
    assert (second.head_count, second.name, second.credit_code) == (
        1200,
        "安康镇 新桥电器 有限公司",
        code(2),
    )
    assert (third.head_count, third.ownership, third.phone) == (
        0,
        Ownership.non_public,
        "0571-86120342",
    )


def test_english_headers_in_any_order_and_extra_columns_are_a_warning():
    english = ["Credit code", "Name", "Village", "Industry", "ownership", "序号", "Head count"]
    data = csv_bytes(
        [english, [code(1), "安康镇东风机械有限公司", "东风村", "机械制造", "mixed", "1", "35"]]
    )
    result = parse_enterprise_file(data)
    assert result.errors == []
    (record,) = result.records
    assert (record.name, record.ownership, record.head_count, record.phone) == (
        "安康镇东风机械有限公司",
        Ownership.mixed,
        35,
        None,
    )
    (warning,) = result.warnings
    assert (warning.line, warning.column, warning.code) == (1, "序号", "ignored_column")
    assert "序号" in warning.message_zh


def test_accepted_village_and_ownership_headers():
    for village, ownership in [
        ("村/社区", "所有制类型"),
        ("村社区", "*所有制"),
        ("所属村（社区）", "所有制"),
    ]:
        header = ["企业名称", "统一社会信用代码", village, "行业", ownership]
        result = parse_enterprise_file(csv_bytes([header, row(1)[:5]]))
        assert result.errors == [], (village, ownership)


def test_a_title_row_above_the_header_keeps_spreadsheet_row_numbers():
    rows = [["安康镇企业名录（2025年）"], HEADER, row(1), [], row(2, 所有制="集体")]
    result = parse_enterprise_file(xlsx_bytes(rows))
    assert problems(result) == {(5, "unknown_ownership")}


def test_blank_rows_and_rows_with_only_unused_columns_are_skipped():
    header = [*HEADER, "备注"]
    rows = [
        header,
        [*row(1), ""],
        [""] * 10,
        [],
        ["", "", "", "", "", "", "", "", "", "已停产"],
        [*row(2), "新"],
    ]
    result = parse_enterprise_file(csv_bytes(rows))
    assert result.errors == []
    assert [record.line for record in result.records] == [2, 6]


def test_row_numbers_count_spreadsheet_rows_not_text_lines():
    # A line break inside a quoted cell is still one spreadsheet row.
    rows = [HEADER, row(1, 地址="安康镇东风村\n工业路1号"), row(2, 联系电话="12")]
    result = parse_enterprise_file(csv_bytes(rows))
    assert problems(result) == {(3, "bad_phone")}


def test_stored_xlsx_dimensions_that_are_wrong_do_not_drop_rows():
    data = xlsx_bytes([HEADER, row(1), row(2), row(3)])
    # Some programs write a stale <dimension>; openpyxl's read-only mode would trust it.
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for member in old.infolist():
            content = old.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                stored, stale = b'<dimension ref="A1:I4" />', b'<dimension ref="A1:B2" />'
                assert stored in content
                content = content.replace(stored, stale)
            new.writestr(member, content)
    result = parse_enterprise_file(target.getvalue())
    assert result.errors == []
    assert len(result.records) == 3
    assert result.records[2].phone == "13800000101"


# ---------------------------------------------------------------- bad rows


def test_every_bad_row_is_reported_with_its_row_number_and_reason():
    rows = [
        HEADER,
        row(1),  # row 2: good
        row(2, 统一社会信用代码=code(2)[:17] + ("0" if code(2)[17] != "0" else "1")),
        row(3, 企业名称=""),
        row(4, 所有制="个人独资"),
        [],  # row 6: blank, skipped but counted
        row(5, 职工人数=-3),
        row(6, 统一社会信用代码=code(1).lower()),  # row 8 repeats row 2
        row(7, 联系电话="8612-345"),
        row(8, 职工人数="12.5", 行业=""),  # row 10: two problems
        row(9, 企业名称="安" * 201),
        row(10, 职工人数="99999999"),
    ]
    for data in (csv_bytes(rows), xlsx_bytes(rows)):
        result = parse_enterprise_file(data)
        assert problems(result) == {
            (3, "credit_code_check"),
            (4, "required"),
            (5, "unknown_ownership"),
            (7, "head_count_negative"),
            (8, "duplicate_credit_code"),
            (9, "bad_phone"),
            (10, "head_count_not_whole"),
            (10, "required"),
            (11, "too_long"),
            (12, "head_count_too_large"),
        }
        assert result.records == []  # all or nothing
        assert all(error.message and error.message_zh for error in result.errors)
        by_line = {(error.line, error.code): error for error in result.errors}
        check = by_line[3, "credit_code_check"]
        assert check.column == "统一社会信用代码"
        assert f"应为“{code(2)[17]}”" in check.message_zh
        assert "第2行" in by_line[8, "duplicate_credit_code"].message_zh
        assert "row 2" in by_line[8, "duplicate_credit_code"].message
        assert by_line[4, "required"].column == "企业名称"
        assert by_line[10, "required"].column == "行业"
        assert "个人独资" in by_line[5, "unknown_ownership"].message_zh


def test_missing_required_headers_are_one_error_naming_them():
    header = ["企业名称", "所属村/社区", "所有制", "联系电话"]
    result = parse_enterprise_file(
        csv_bytes([header, ["安康镇东风机械有限公司", "东风村", "国有", ""]])
    )
    assert problems(result) == {(1, "missing_columns")}
    (error,) = result.errors
    assert "统一社会信用代码" in error.message_zh and "行业" in error.message_zh
    assert "credit_code" in error.message and "industry" in error.message
    assert result.records == []


def test_two_columns_for_the_same_field_are_an_error():
    header = [*HEADER, "村社区"]
    result = parse_enterprise_file(csv_bytes([header, [*row(1), "青石村"]]))
    assert problems(result) == {(1, "duplicate_column")}


def test_a_header_without_enterprises_is_an_error():
    assert the_error(parse_enterprise_file(csv_bytes([HEADER, [], ["", ""]]))) == "no_enterprises"


# ---------------------------------------------------------------- not spreadsheets


def zip_of(name: str, content: bytes) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(name, content)
    return data.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty_file"),
        (b" \r\n\r\n", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "not_a_spreadsheet"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00", "not_a_spreadsheet"),
        (bytes(range(256)) * 4, "not_a_spreadsheet"),
        (zip_of("word/document.xml", b"<w:document/>"), "not_a_spreadsheet"),
        (b"PK\x03\x04 broken zip", "not_a_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "xls_not_supported"),
    ],
)
def test_files_that_are_not_spreadsheets_get_one_file_error(data: bytes, expected: str):
    result = parse_enterprise_file(data, "企业名录.xlsx")
    assert the_error(result) == expected
    (error,) = result.errors
    assert (error.line, error.column) == (None, None)
    assert error.message and error.message_zh


def test_a_file_over_the_size_limit_is_refused_before_reading():
    data = csv_bytes([HEADER, row(1)])
    result = parse_enterprise_file(data + b" " * (MAX_FILE_BYTES - len(data) + 1))
    assert the_error(result) == "file_too_large"
    assert "5 MB" in result.errors[0].message_zh


def test_a_workbook_too_large_once_unpacked_is_refused(monkeypatch: pytest.MonkeyPatch):
    data = xlsx_bytes([HEADER, row(1)])
    assert parse_enterprise_file(data).ok
    monkeypatch.setattr(spreadsheet, "MAX_UNZIPPED_BYTES", 1_000)
    assert the_error(parse_enterprise_file(data)) == "file_too_large"


def test_the_row_limit_counts_enterprises():
    rows = [HEADER, *(row(n) for n in range(1, MAX_ROWS + 1))]
    assert len(parse_enterprise_file(csv_bytes(rows)).records) == MAX_ROWS
    rows.append(row(MAX_ROWS + 1))
    assert the_error(parse_enterprise_file(csv_bytes(rows))) == "too_many_rows"


# ---------------------------------------------------------------- demo data


def test_the_demo_enterprises_parse_cleanly():
    result = parse_enterprise_file(DEMO_FILE.read_bytes(), DEMO_FILE.name)
    assert result.errors == [] and result.warnings == []
    records = result.records
    assert len(records) >= 30
    assert len({record.village for record in records}) >= 5
    assert len({record.industry for record in records}) >= 5
    assert {record.ownership for record in records} == set(Ownership)
    counts = [record.head_count for record in records if record.head_count is not None]
    assert min(counts) == 12 and max(counts) == 1200
    assert len({record.name for record in records}) == len(records)


def test_only_the_first_sheet_of_a_workbook_is_read():
    workbook = openpyxl.Workbook()
    workbook.create_sheet("企业").append(HEADER)
    data = io.BytesIO()
    workbook.save(data)
    result = parse_enterprise_file(data.getvalue())
    assert the_error(result) == "empty_file"
    assert "第一个工作表" in result.errors[0].message_zh
