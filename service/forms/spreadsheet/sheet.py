"""A worksheet as rows of cells under a header row, whatever order the columns are in."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from ..imported import CellError, WorkbookInvalid
from .cells import narrow, plain
from .layout import Column

HEADER_SEARCH_ROWS = 10  # a clerk's table often has a title row or two above the header


def header_key(text: object) -> str:
    """Headers compared without spaces, width, case or a required-marker star."""
    return narrow(plain(text) or "").replace(" ", "").replace("*", "").lower()


@dataclass(frozen=True)
class Row:
    sheet: str
    number: int  # 1-based, as the spreadsheet shows it
    cells: dict[str, tuple[object, str]]  # column header → (raw value, column letter)

    def raw(self, header: str) -> object:
        return self.cells.get(header, (None, ""))[0]

    def text(self, header: str) -> str | None:
        return plain(self.raw(header))

    def at(self, header: str, message: str = "") -> CellError:
        letter = self.cells.get(header, (None, None))[1]
        return CellError(self.sheet, self.number, letter or None, message)

    def filled(self) -> Iterator[str]:
        return (h for h, (value, _) in self.cells.items() if plain(value) is not None)


@dataclass
class Table:
    rows: list[Row]
    unknown_headers: list[CellError]
    duplicate_headers: list[CellError]


def read_table(
    sheet: str, values: Sequence[Sequence[object]], columns: Sequence[Column], anchor: str
) -> Table | None:
    """Rows under the header row, the first row (of the top few) naming `anchor`;
    None when there is no such row."""
    by_key: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_key.setdefault(header_key(name), column)
    anchor_key = header_key(anchor)
    for index, header in enumerate(values[:HEADER_SEARCH_ROWS]):
        names = [by_key.get(header_key(cell)) for cell in header]
        if not any(
            column is not None and header_key(column.header) == anchor_key for column in names
        ):
            continue
        places: dict[str, int] = {}
        unknown: list[CellError] = []
        duplicate: list[CellError] = []
        for position, (cell, column) in enumerate(zip(header, names, strict=False)):
            letter = get_column_letter(position + 1)
            if column is None:
                if plain(cell) is not None:
                    unknown.append(
                        CellError(sheet, index + 1, letter, f"未识别的列“{plain(cell)}”，已忽略")
                    )
            elif column.header in places:
                duplicate.append(
                    CellError(sheet, index + 1, letter, f"“{column.header}”列出现了两次")
                )
            else:
                places[column.header] = position
        rows = [
            Row(
                sheet,
                index + 2 + offset,
                {
                    h: (line[p] if p < len(line) else None, get_column_letter(p + 1))
                    for h, p in places.items()
                },
            )
            for offset, line in enumerate(values[index + 1 :])
        ]
        return Table([r for r in rows if any(True for _ in r.filled())], unknown, duplicate)
    return None


def workbook_sheets(data: bytes, file: str, max_rows: int) -> dict[str, list[tuple]]:
    """Every sheet's cell values by row, keyed by the sheet's name without spaces."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise WorkbookInvalid(
            [CellError(file, None, None, f"不是可读取的 .xlsx 工作簿（{exc}）")]
        ) from None
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(tuple(row))
                if len(rows) > max_rows:
                    raise WorkbookInvalid(
                        [CellError(sheet.title, None, None, f"超过{max_rows}行，不像一张考核表")]
                    )
            sheets[re.sub(r"\s", "", sheet.title)] = rows
        return sheets
    finally:
        workbook.close()
