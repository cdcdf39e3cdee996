"""An XLSForm workbook read into plain rows: the survey, choices and settings sheets.

Sheet names and column headers are matched case-insensitively, as pyxform does, and the
old spellings pyxform still accepts (`list name`, `label:English`) mean the same as the
new ones. Every value remembers its cell, so a warning or an error can name it.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from ..imported import CellError, WorkbookInvalid

MAX_ROWS = 5000  # far above any real form; a bigger sheet is not a form someone wrote
READ_SHEETS = ("survey", "choices", "settings")

# Old or alternative headers pyxform accepts, and the name this importer uses for them.
HEADER_ALIASES = {
    "list name": "list_name",
    "constraint message": "constraint_message",
    "required message": "required_message",
    "repeat count": "repeat_count",
    "choice filter": "choice_filter",
    "read only": "read_only",
    "relevance": "relevant",
    "caption": "label",
}
# Columns that may carry a language after `::` (or the old single `:`).
TRANSLATABLE = ("label", "hint", "guidance_hint", "constraint_message", "required_message")

Value = str | int | float | bool | datetime.datetime | datetime.date


@dataclass(frozen=True)
class Row:
    sheet: str
    number: int  # 1-based, as the spreadsheet shows it
    values: dict[str, Value]  # normalised header → a non-empty value
    columns: dict[str, str]  # normalised header → column letter

    def get(self, header: str) -> Value | None:
        return self.values.get(header)

    def text(self, header: str) -> str:
        value = self.values.get(header)
        return "" if value is None else cell_text(value)

    def at(self, header: str | None, message: str = "") -> CellError:
        column = self.columns.get(header) if header else None
        return CellError(self.sheet, self.number, column, message)


@dataclass
class Sheet:
    name: str  # as written in the workbook
    headers: dict[str, str]  # normalised header → column letter
    rows: list[Row]


@dataclass
class Workbook:
    sheets: dict[str, Sheet]  # "survey" / "choices" / "settings" → the sheet
    # Problems found while reading: duplicate headers, sheets that are not read.
    warnings: list[CellError] = field(default_factory=list)


def read_sheets(data: bytes, file: str) -> Workbook:
    """The survey, choices and settings sheets; WorkbookInvalid when there is no survey."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    # openpyxl warns about spreadsheet features it drops (data validation, extensions);
    # they change nothing in a form, and the tests run with warnings as errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise WorkbookInvalid(
                [CellError(file, None, None, f"not a readable .xlsx workbook ({exc})")]
            ) from None
        try:
            result = Workbook({})
            errors: list[CellError] = []
            for worksheet in book.worksheets:
                key = worksheet.title.strip().lower()
                if key not in READ_SHEETS or key in result.sheets:
                    result.warnings.append(
                        CellError(
                            worksheet.title,
                            None,
                            None,
                            "工作表未导入：只读取 survey、choices 和 settings",
                        )
                    )
                    continue
                sheet = _read_sheet(worksheet, get_column_letter, result.warnings, errors)
                result.sheets[key] = sheet
        finally:
            book.close()
    if "survey" not in result.sheets:
        errors.append(CellError(file, None, None, "no `survey` sheet: not an XLSForm"))
    elif not {"type", "name"} <= result.sheets["survey"].headers.keys():
        sheet = result.sheets["survey"]
        errors.append(
            CellError(sheet.name, 1, None, "the survey sheet needs the columns `type` and `name`")
        )
    if errors:
        raise WorkbookInvalid(errors)
    return result


def _read_sheet(worksheet, letter_of, warnings_: list[CellError], errors: list[CellError]):
    headers: dict[str, str] = {}
    by_index: dict[int, str] = {}
    rows: list[Row] = []
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), 1):
        if number == 1:
            for index, raw in enumerate(cells):
                if raw is None or not str(raw).strip():
                    continue
                header = normalise_header(str(raw))
                letter = letter_of(index + 1)
                if header in headers:
                    warnings_.append(
                        CellError(
                            worksheet.title,
                            1,
                            letter,
                            f"列 `{raw}` 重复，已忽略（使用 {headers[header]} 列）",
                        )
                    )
                    continue
                headers[header] = letter
                by_index[index] = header
            continue
        if number > MAX_ROWS:
            errors.append(
                CellError(worksheet.title, number, None, f"more than {MAX_ROWS} rows: not a form")
            )
            break
        values: dict[str, Value] = {}
        for index, raw in enumerate(cells):
            header = by_index.get(index)
            value = normalise_value(raw)
            if header is not None and value is not None:
                values[header] = value
        if values:
            columns = {h: headers[h] for h in values}
            rows.append(Row(worksheet.title, number, values, columns))
    return Sheet(worksheet.title, headers, rows)


def normalise_header(raw: str) -> str:
    header = " ".join(raw.strip().lower().split())
    header = HEADER_ALIASES.get(header, header)
    base, sep, rest = header.partition(":")
    if sep and not rest.startswith(":") and base in TRANSLATABLE:
        header = f"{base}::{rest.strip()}"  # the old `label:English`
    return header


def normalise_value(raw: object) -> Value | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, (bool, int, float, datetime.datetime, datetime.date)):
        return raw
    return str(raw).strip() or None


def cell_text(value: Value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


_CODE = re.compile(r"\(([^)]+)\)")


def language_of(name: str) -> str | None:
    """`zh` or `en` for a language written after `label::`; None for any other."""
    lowered = name.strip().lower()
    match = _CODE.search(lowered)
    code = (match.group(1) if match else lowered).strip()
    if code.startswith("zh") or "chinese" in lowered or "中文" in lowered:
        return "zh"
    if code == "en" or code.startswith(("en-", "en_")) or "english" in lowered:
        return "en"
    return None
