"""One way in for a form brought by a person: a YAML file, a scoring-table workbook, or an
ODK/Kobo XLSForm, told apart by content (never by the file's name alone).

Used by `python -m service forms import` and by the admin page's upload.
"""

from __future__ import annotations

import io
import zipfile

from .imported import CellError, ImportedForm, WorkbookInvalid
from .loader import FormFileError, FormFileInvalid, load_form_text

ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
XLSFORM_HEADERS = ("type", "name", "label")  # a survey sheet's header row has these


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
        raise FormFileInvalid(
            [FormFileError(file, "", "neither an .xlsx workbook nor a UTF-8 YAML form file")]
        ) from None
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
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookInvalid(
            [CellError(file, None, None, f"not a readable .xlsx workbook ({exc})")]
        ) from None
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()
