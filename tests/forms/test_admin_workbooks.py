"""/admin/forms with workbooks: the template she downloads, her scoring table with
mistakes (each beside its sheet, row and column, with the row's own words), an ODK
XLSForm's rows not carried over, and files that are no form at all. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import openpyxl
from litestar.testing import TestClient

from service.forms.imports import import_file
from service.forms.tables import FormUpload
from tests.forms.spreadsheets import basic_settings, workbook_bytes
from tests.forms.test_admin_forms import _admin, _rows, _text, _upload
from tests.forms.test_xlsform import xlsx

HEADER = ["部分", "序号", "考核内容", "分值", "评分标准", "显示条件"]


def _error_rows(response) -> list[list[str]]:
    body = _text(response).split('<table class="data upload-errors">', 1)[1]
    body = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_the_template_downloads_opens_and_imports_cleanly(client: TestClient, database_url: str):
    _admin(client, database_url, "county")
    assert 'href="/admin/forms/template.xlsx"' in client.get("/admin/forms").text
    response = client.get("/admin/forms/template.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="form-template.xlsx"' in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert {"评分表", "设置"} <= set(book.sheetnames)
    book.close()
    form = import_file(response.content, "form-template.xlsx")
    assert form.loaded.definition.items()
    # And the page takes it as it is: straight to the preview.
    uploaded = _upload(client, response.content, "form-template.xlsx")
    assert uploaded.status_code == 303
    assert uploaded.headers["location"].startswith("/admin/forms/uploads/")


def test_workbook_mistakes_beside_sheet_row_column_with_the_rows_words(
    client: TestClient, database_url: str
):
    _admin(client, database_url, "county")
    items = [
        HEADER,
        ["一、安全生产责任制（10分）"],  # row 2
        [None, 1, "建立安全生产责任制", 5, "未建立扣5分"],  # row 3
        [None, 2, "签订安全生产责任书", "5分x", "未签订扣5分"],  # row 4: not a number
        ["二、教育培训（10分）"],  # row 5
        [None, 1, "组织全员安全培训", 5, None, "s9-1=是"],  # row 6: no such item
        [None, 2, "特种作业持证上岗", 5],
    ]
    settings = basic_settings(总分="20分")
    settings[3] = ["版本", "第一版"]  # 设置 row 4: not a number
    response = _upload(client, workbook_bytes(items, settings), "细则.xlsx")
    assert response.status_code == 400
    assert "细则.xlsx" in _text(response)
    rows = _error_rows(response)
    assert ["评分表", "4", "D", '“签订安全生产责任书” 分值 "5分x" 不是数字'] in rows
    assert [
        "评分表",
        "6",
        "F",
        "“组织全员安全培训” 显示条件指向的题目“s9-1”不存在（须是本题之前的题目）",
    ] in rows
    assert ["设置", "4", "B", '“版本” 版本 "第一版" 不是数字'] in rows
    # Down the table as she reads it: sheet by sheet, row by row.
    sheets = [r[0] for r in rows]
    assert sheets == sorted(sheets, key=sheets.index)
    for sheet in set(sheets):
        numbers = [int(r[1]) for r in rows if r[0] == sheet and r[1] != "—"]
        assert numbers == sorted(numbers)
    assert _rows(database_url, FormUpload) == []


def test_an_xlsforms_rows_not_carried_over_are_shown_before_publishing(
    client: TestClient, database_url: str
):
    _admin(client, database_url, "county")
    survey = [
        ("select_one yn", "helmet", "是否佩戴安全帽"),
        ("calculate", "total", "合计"),
        ("text", "note", "备注"),
    ]
    data = xlsx(survey, choices=[("yn", "yes", "是"), ("yn", "no", "否")])
    response = _upload(client, data, "巡查.xlsx")
    assert response.status_code == 303
    draft = client.get(response.headers["location"])
    text = _text(draft)
    warnings = text.split('id="warnings"', 1)[1]
    assert 'survey!A3: calculate "total" 无法导入' in warnings
    # Said before the publish button is pressed: the draft is not published yet.
    assert "发布为第1版" in text
    assert text.index('id="warnings"') < text.index("发布为第1版")


def test_a_file_that_is_no_form_is_refused_clearly_and_nothing_stored(
    client: TestClient, database_url: str
):
    _admin(client, database_url, "county")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    picture = _upload(client, png, "细则.xlsx")
    assert picture.status_code == 400
    assert "这个文件既不是 Excel 工作簿（.xlsx），也不是表单文件（.yaml）" in _text(picture)
    broken = workbook_bytes([HEADER, ["一、培训"], [None, 1, "培训", 5]], basic_settings())
    corrupt = _upload(client, broken[: len(broken) // 2], "细则.xlsx")
    assert corrupt.status_code == 400
    text = _text(corrupt)
    assert "这个 .xlsx 文件打不开" in text and "另存为" in text
    assert "Traceback" not in text and "BadZipFile" not in text and "zip file" not in text
    assert _rows(database_url, FormUpload) == []
