"""One way in for a form brought by a person: a YAML file, a scoring-table workbook, or an
ODK/Kobo XLSForm, told apart by content (never by the file's name alone).

Used by `python -m service forms import` and by the admin page's upload.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

from .imported import CellError, ImportedForm, WorkbookInvalid
from .loader import FormFileError, FormFileInvalid, load_form_text

ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
XLSFORM_HEADERS = ("type", "name", "label")  # a survey sheet's header row has these
# Said in Chinese like every other workbook message: a clerk meets these, not an engineer.
UNREADABLE_WORKBOOK = (
    "这个 .xlsx 文件打不开：文件可能已损坏，或不是 Excel 保存的工作簿。"
    "请用 Excel 或 WPS 打开后“另存为” .xlsx 工作簿，再上传"
)
NOT_A_FORM_FILE = (
    "这个文件既不是 Excel 工作簿（.xlsx），也不是表单文件（.yaml）。请上传按模板填写的 .xlsx 工作簿"
)


def import_file(data: bytes, file: str) -> ImportedForm:
    """The form in `data`; raise WorkbookInvalid (a workbook, errors at cells) or
    FormFileInvalid (a YAML file, errors at lines and paths) listing every problem."""
    if data.startswith(ZIP_MAGIC):
        sheets = sheet_names(data, file)
        names = {name.strip().lower() for name in sheets}
        if "survey" in names:
            from .xlsform import read_xlsform

            return read_xlsform(data, file)
        from .spreadsheet import read_workbook
        from .spreadsheet.layout import ITEMS_SHEET

        if ITEMS_SHEET not in {"".join(name.split()) for name in sheets}:
            _refuse_unnamed_survey(data, file)

        return read_workbook(data, file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormFileInvalid([FormFileError(file, "", NOT_A_FORM_FILE)]) from None
    if "\x00" in text:  # a picture or a document that happens to decode: not a form file
        raise FormFileInvalid([FormFileError(file, "", NOT_A_FORM_FILE)])
    return ImportedForm(load_form_text(text, file), text)


def _refuse_unnamed_survey(data: bytes, file: str) -> None:
    """An XLSForm whose questions sheet is not named `survey` (XLSForm requires the name,
    and the scoring-table reader would only say 评分表 is missing): say what it is."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(max_row=5, values_only=True):
                headers = {str(cell).strip().lower().split("::")[0] for cell in row if cell}
                if set(XLSFORM_HEADERS) <= headers:
                    raise WorkbookInvalid(
                        [
                            CellError(
                                sheet.title,
                                None,
                                None,
                                f"像是 XLSForm（有 type、name、label 列），但工作簿中没有名为 "
                                f"survey 的工作表：请把工作表“{sheet.title}”改名为 survey 再导入"
                                " (an XLSForm without a survey sheet)",
                            )
                        ]
                    )
                if headers:
                    break  # only the first filled row can be the header
    finally:
        workbook.close()


def sheet_names(data: bytes, file: str) -> list[str]:
    """The sheets of a workbook, or WorkbookInvalid when it cannot be opened."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise WorkbookInvalid([CellError(file, None, None, UNREADABLE_WORKBOOK)]) from None
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


# ---------------------------------------------------------------- the row an error is on

# Which cell says what a row is, best first: a scoring table's item or section, an option,
# a setting; an XLSForm question's label (any language) or name.
_CONTENT_HEADERS = ("考核内容", "部分", "选项", "设置项", "label", "name")
_SHOWN_CHARS = 40
_HEADER_SEARCH_ROWS = 10


def with_row_content(data: bytes, errors: list[CellError]) -> list[CellError]:
    """The errors, each with its row's own words (`content`) where the workbook has them.

    Best effort: a workbook that cannot be read again leaves the errors as they are."""
    wanted: dict[str, set[int]] = {}
    for error in errors:
        if error.row is not None:
            wanted.setdefault(_sheet_key(error.sheet), set()).add(error.row)
    if not wanted or not data.startswith(ZIP_MAGIC):
        return errors
    try:
        contents = _row_contents(data, wanted)
    except Exception:  # the errors themselves matter more than the extra words
        return errors
    return [
        dataclasses.replace(e, content=contents.get((_sheet_key(e.sheet), e.row)))
        if e.row is not None
        else e
        for e in errors
    ]


def _sheet_key(name: str) -> str:
    return re.sub(r"\s", "", name).lower()


def _row_contents(data: bytes, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    from openpyxl import load_workbook

    from .spreadsheet.cells import plain
    from .spreadsheet.sheet import header_key

    found: dict[tuple[str, int], str] = {}
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            key = _sheet_key(sheet.title)
            rows = wanted.get(key)
            if not rows:
                continue
            values = list(sheet.iter_rows(max_row=max(rows), values_only=True))
            order = _content_columns(values, header_key)
            for number in rows:
                if number > len(values):
                    continue
                cells = [plain(v) for v in values[number - 1]]
                text = next((cells[i] for i in order if i < len(cells) and cells[i]), None)
                text = text or " ".join(c for c in cells if c)
                if text:
                    found[(key, number)] = _shortened(text)
    finally:
        workbook.close()
    return found


def _content_columns(values: list[tuple], header_key) -> list[int]:
    """Positions of the columns that say what a row is, best first (none: no header)."""
    for header in values[:_HEADER_SEARCH_ROWS]:
        keys = [header_key(cell) for cell in header]
        ranked = [
            (rank, position)
            for position, cell in enumerate(keys)
            for rank, name in enumerate(_CONTENT_HEADERS)
            if cell == name or (name == "label" and cell.startswith("label::"))
        ]
        if ranked:
            return [position for _, position in sorted(ranked)]
    return []


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
