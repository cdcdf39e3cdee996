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


def import_file(data: bytes, file: str) -> ImportedForm:
    """The form in `data`; raise WorkbookInvalid (a workbook, errors at cells) or
    FormFileInvalid (a YAML file, errors at lines and paths) listing every problem."""
    if data.startswith(ZIP_MAGIC):
        sheets = sheet_names(data, file)
        if "survey" in {name.strip().lower() for name in sheets}:
            from .xlsform import read_xlsform

            return read_xlsform(data, file)
        from .spreadsheet import read_workbook

        return read_workbook(data, file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormFileInvalid(
            [FormFileError(file, "", "neither an .xlsx workbook nor a UTF-8 YAML form file")]
        ) from None
    return ImportedForm(load_form_text(text, file), text)


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
