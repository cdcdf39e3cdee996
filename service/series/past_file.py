"""A spreadsheet of past results (the rounds held before the service) → checked rows.
Pure: nothing is written; every problem is reported at once, at its row and column,
and rows are returned only when there is none (the import is all or nothing).

Columns, found by header in any order (Chinese as clerks write them, or English):
年度 (or 年份/轮次: the round's year, "2023" or "2023–2024" whose first year counts),
统一社会信用代码, 企业名称, 等级, 称号 (奖项). A row needs a grade or a title.
"""

from __future__ import annotations

import re

import msgspec

from service.orgs.credit_code import normalise_credit_code, validate_credit_code
from service.orgs.importer import RowError
from service.orgs.spreadsheet import SheetError, read_rows

MIN_YEAR, MAX_YEAR = 1990, 2100
LENGTHS = {"name": 200, "grade": 50, "award": 100, "round_label": 50}

# field → (the header written in messages, other headers accepted)
COLUMNS = {
    "year": ("年度", ("年份", "轮次", "年度/轮次", "year", "round")),
    "credit_code": ("统一社会信用代码", ("社会信用代码", "信用代码", "credit_code")),
    "name": ("企业名称", ("单位名称", "name", "enterprise")),
    "grade": ("等级", ("grade",)),
    "award": ("称号", ("奖项", "荣誉称号", "award", "title")),
}
REQUIRED = ("year", "credit_code", "name")


class PastRecord(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    year: int
    round_label: str  # the year cell as written
    credit_code: str
    name: str
    grade: str = ""
    award: str = ""


class PastFile(msgspec.Struct, frozen=True, kw_only=True):
    records: list[PastRecord] = msgspec.field(default_factory=list)
    errors: list[RowError] = msgspec.field(default_factory=list)


def _key(text: str) -> str:
    return re.sub(r"[\s_*\-:：]", "", text).lower()


_HEADERS = {
    _key(alias): field
    for field, (label, aliases) in COLUMNS.items()
    for alias in (label, field, *aliases)
}


def _error(line: int | None, column: str | None, code: str, en: str, zh: str) -> RowError:
    return RowError(line=line, column=column, code=code, message=en, message_zh=zh)


def parse_past_file(data: bytes, filename: str = "") -> PastFile:
    """Every past result in a CSV or XLSX file, or every reason it cannot be imported."""
    try:
        rows = read_rows(data, filename)
    except SheetError as problem:
        error = _error(None, None, problem.code, problem.message, problem.message_zh)
        return PastFile(errors=[error])
    start = next(
        (i for i, (_, cells) in enumerate(rows[:5]) if sum(_key(c) in _HEADERS for c in cells) > 1),
        None,
    )
    if start is None:
        return PastFile(
            errors=[
                _error(
                    None,
                    None,
                    "missing_columns",
                    "no header row with 年度, 统一社会信用代码, 企业名称, 等级 or 称号",
                    "找不到表头：应有“年度”“统一社会信用代码”“企业名称”“等级”或“称号”列",
                )
            ]
        )
    header_line, header = rows[start]
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        field = _HEADERS.get(_key(text)) if text else None
        if field is not None and field not in columns:
            columns[field] = index
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in columns]
    if "grade" not in columns and "award" not in columns:
        missing.append("等级/称号")
    if missing:
        return PastFile(
            errors=[
                _error(
                    header_line,
                    None,
                    "missing_columns",
                    "missing columns: " + ", ".join(missing),
                    "缺少必填列：" + "、".join(missing),
                )
            ]
        )
    errors: list[RowError] = []
    records: list[PastRecord] = []
    seen: dict[tuple[int, str], int] = {}
    for line, cells in rows[start + 1 :]:
        values = {
            field: (header[i], cells[i].strip() if i < len(cells) else "")
            for field, i in columns.items()
        }
        if not any(text for _, text in values.values()):
            continue
        record, row_errors = _row(line, values)
        if record is not None and not row_errors:
            first = seen.setdefault((record.year, record.credit_code), line)
            if first != line:
                row_errors.append(
                    _error(
                        line,
                        values["credit_code"][0],
                        "duplicate_row",
                        f"the same unit and year as row {first}",
                        f"与第{first}行的年度和统一社会信用代码重复",
                    )
                )
        errors += row_errors
        if record is not None and not row_errors:
            records.append(record)
    if not errors and not records:
        errors.append(_error(None, None, "no_rows", "the file lists no results", "文件中没有数据"))
    return PastFile(records=[] if errors else records, errors=errors)


def _row(line: int, values: dict[str, tuple[str, str]]) -> tuple[PastRecord | None, list[RowError]]:
    """One row's record (None when it has a problem) and its problems."""
    row_errors: list[RowError] = []

    def bad(field: str, code: str, en: str, zh: str) -> None:
        row_errors.append(_error(line, values[field][0], code, en, zh))

    for field in REQUIRED:
        if not values[field][1]:
            bad(field, "required", f"{field} is required", f"“{COLUMNS[field][0]}”不能为空")
    year_text = values["year"][1]
    year = _year(year_text)
    if year_text and year is None:
        bad(
            "year",
            "bad_year",
            f"not a year: “{year_text}” (e.g. 2023 or 2023–2024)",
            f"年度“{year_text}”无法识别（如2023或2023-2024）",
        )
    code_text = values["credit_code"][1]
    if code_text:
        problem = validate_credit_code(code_text)
        if problem is not None:
            bad("credit_code", problem.code, problem.message, problem.message_zh)
    grade = values.get("grade", ("", ""))[1]
    award = values.get("award", ("", ""))[1]
    if not grade and not award:
        field = "grade" if "grade" in values else "award"
        bad(field, "grade_or_award", "a grade or a title is needed", "等级和称号至少填一项")
    for field, limit in LENGTHS.items():
        text = year_text if field == "round_label" else values.get(field, ("", ""))[1]
        if len(text) > limit:
            bad(
                "year" if field == "round_label" else field,
                "too_long",
                f"at most {limit} characters",
                f"最多{limit}个字",
            )
    code = normalise_credit_code(code_text)
    if row_errors or year is None:
        return None, row_errors
    record = PastRecord(
        line=line,
        year=year,
        round_label=year_text,
        credit_code=code,
        name=values["name"][1],
        grade=grade,
        award=award,
    )
    return record, row_errors


def _year(text: str) -> int | None:
    """The round's year: "2023", "2023年", "2023–2024" or "2023-2024年度" (its first)."""
    match = re.fullmatch(r"(\d{4})(?:\.0)?\s*(?:年度?)?(?:\s*[-–—~至]\s*\d{4}\s*年?度?)?", text)
    if match is None:
        return None
    year = int(match.group(1))
    return year if MIN_YEAR <= year <= MAX_YEAR else None
