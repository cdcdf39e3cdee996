"""Building workbooks in tests, cell by cell, as a clerk would in Excel."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

SETTINGS_HEADER = ["设置项", "值", "英文", "名称", "编号"]
OPTIONS_HEADER = ["选项表", "选项编号", "选项", "得分", "否决"]


def workbook_bytes(
    items: Sequence[Sequence[object]],
    settings: Sequence[Sequence[object]] | None,
    options: Sequence[Sequence[object]] | None = None,
    merges: Sequence[str] = (),
) -> bytes:
    """A workbook with the sheets given (None leaves a sheet out)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评分表"
    for row in items:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    if options is not None:
        option_sheet = workbook.create_sheet("选项")
        for row in options:
            option_sheet.append(list(row))
    if settings is not None:
        settings_sheet = workbook.create_sheet("设置")
        for row in settings:
            settings_sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def basic_settings(**extra: str) -> list[list[object]]:
    """The 设置 rows of a 100-point table; `extra` adds rows or replaces one (总分="3")."""
    rows = [
        SETTINGS_HEADER,
        ["表编号", "county-ankang-2026"],
        ["表名", "某县2026年安康杯竞赛考核细则"],
        ["版本", "1"],
        ["类型", "评分表"],
        ["填表角色", "企业、评委"],
        ["依据", "某县总工会安康杯竞赛考核细则（2026）"],
        ["总分", "100分"],
    ]
    for key, value in extra.items():
        replaced = [row for row in rows if row[0] == key]
        if replaced:
            replaced[0][1] = value
        else:
            rows.append([key, value])
    return rows
