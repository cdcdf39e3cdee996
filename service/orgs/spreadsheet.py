"""Reading an uploaded spreadsheet (CSV or XLSX bytes) into rows of clean text cells.

The format is told by the bytes, never by the file name: clerks rename files, and
browsers send whatever name the file had. Row numbers are the ones a spreadsheet
program shows (the first row is 1), so error messages point at the right row.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000  # rows with content, the header row not counted
# Cells further right are not read: no enterprise list is that wide, and a crafted one
# would otherwise cost seconds per row.
MAX_COLUMNS = 100
MAX_READ_ROWS = 20_000  # rows read at all, blank ones included
# A 5 MB XLSX can unzip to gigabytes: refuse before parsing, not after.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
DELIMITERS = ",;\t"

# Full-width digits and spaces (全角) come from Chinese input methods; NBSP from Excel
# and web pages. Letters are not folded here: names keep their （全角括号）.
_FOLD = str.maketrans(
    {**{chr(0xFF10 + digit): str(digit) for digit in range(10)}, "\u3000": " ", "\xa0": " "}
)
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # never in text files

Row = tuple[int, list[str]]  # (row number as shown in a spreadsheet program, cells)


class SheetError(Exception):
    """The file cannot be read as a spreadsheet at all."""

    def __init__(self, code: str, message: str, message_zh: str):
        self.code = code  # stable: clients and tests match on it
        self.message = message
        self.message_zh = message_zh
        super().__init__(message)


def read_rows(data: bytes, filename: str = "") -> list[Row]:
    """The non-blank rows of a CSV or XLSX file (first sheet), cells cleaned.

    Raises SheetError when the file is too large, has too many rows, or is not a
    spreadsheet. `filename` is used only to word the error messages.
    """
    if len(data) > MAX_FILE_BYTES:
        raise SheetError(
            "file_too_large",
            f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB",
            f"文件超过{MAX_FILE_BYTES // 1024 // 1024} MB",
        )
    if not data.strip():
        raise SheetError("empty_file", "the file is empty", "文件是空的")
    if data.startswith(OLE_MAGIC):
        raise SheetError(
            "xls_not_supported",
            "old Excel files (.xls) cannot be read: save the file as .xlsx or CSV",
            "不支持旧版Excel文件（.xls），请另存为.xlsx或CSV格式",
        )
    if data.startswith(ZIP_MAGIC):
        return _xlsx_rows(data, filename)
    return _csv_rows(data, filename)


def clean_cell(value: Any) -> str:
    """A cell as text: stripped, full-width digits and spaces folded, runs of white space
    (line breaks typed with Alt+Enter included) made one space; 120.0 becomes 120."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores every number as a float
    text = str(value).translate(_FOLD)
    return _SPACES.sub(" ", text).strip()


def _numbered(rows: Iterable[Sequence[Any]]) -> list[Row]:
    """Clean, number and keep the non-blank rows; stop reading at the row limit."""
    kept: list[Row] = []
    for number, raw in enumerate(rows, start=1):
        if number > MAX_READ_ROWS:  # blank rows cost reading time too
            raise SheetError(
                "too_many_rows",
                f"the sheet runs past row {MAX_READ_ROWS:,}: delete the empty rows below the list",
                f"工作表超过{MAX_READ_ROWS}行：请删除名单下方的空行",
            )
        cells = [clean_cell(value) for value in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        kept.append((number, cells))
        if len(kept) > MAX_ROWS + 1:
            raise SheetError(
                "too_many_rows",
                f"at most {MAX_ROWS:,} rows can be imported at once: split the file",
                f"每次最多导入{MAX_ROWS}行，请将文件拆分后分批导入",
            )
    return kept


def _not_a_spreadsheet(filename: str) -> SheetError:
    named = f" ({filename})" if filename else ""
    return SheetError(
        "not_a_spreadsheet",
        f"the file{named} is neither an Excel workbook (.xlsx) nor a CSV text file",
        f"文件{named}不是Excel工作簿（.xlsx）或CSV文本文件",
    )


# ---------------------------------------------------------------- CSV


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK (a subset of GB18030).
        return data.decode("gb18030")


def _csv_rows(data: bytes, filename: str) -> list[Row]:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise _not_a_spreadsheet(filename) from None
    # Binary files sometimes decode as GB18030; text has no control characters.
    if _CONTROL.search(text):
        raise _not_a_spreadsheet(filename)
    try:
        return _numbered(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error:
        raise _not_a_spreadsheet(filename) from None


def _delimiter(text: str) -> str:
    """The delimiter used most in the first non-blank line (the header).

    csv.Sniffer guesses from all characters and is fooled by short files and by
    Chinese text; headers never contain the delimiter, so counting on them is safe.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


# ---------------------------------------------------------------- XLSX


def _xlsx_rows(data: bytes, filename: str) -> list[Row]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise _not_a_spreadsheet(filename) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise SheetError(
            "file_too_large", "the workbook is too large once unpacked", "工作簿解压后过大"
        )
    # openpyxl raises many exception types on a broken or foreign ZIP (KeyError,
    # ValueError, XML parse errors…): to the clerk they all mean the same thing.
    try:
        with warnings.catch_warnings():
            # It warns about styles and extensions it skips, which do not matter for values.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise _not_a_spreadsheet(filename)
                sheet = workbook.worksheets[0]
                # Stored dimensions can be wrong; trusting them would drop rows silently.
                sheet.reset_dimensions()  # type: ignore[union-attr]
                # max_col: a cell far to the right must not pad every row out to it.
                return _numbered(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            finally:
                workbook.close()
    except SheetError:
        raise
    except Exception:
        raise _not_a_spreadsheet(filename) from None
