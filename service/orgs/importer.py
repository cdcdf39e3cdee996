"""An enterprise list as union clerks keep it (CSV or XLSX) → typed, checked records.

Nothing is written anywhere: `parse_enterprise_file` reports every problem at once,
with the spreadsheet's row number, so the clerk can fix the file in one go; the
caller imports all records or none (records are returned only when there are no errors).

Columns are found by their header, in any order; Chinese headers are the norm and
English ones are accepted. `COLUMNS` is the one place that says which exist.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

import msgspec

from service.forms.answers import is_phone_number

from .credit_code import normalise_credit_code, validate_credit_code
from .spreadsheet import MAX_FILE_BYTES, MAX_ROWS, SheetError, clean_cell, read_rows

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "EnterpriseRecord",
    "ImportResult",
    "Ownership",
    "RowError",
    "parse_enterprise_file",
]

# A title row ("安康镇企业名录") above the header is common: look a few rows down for it.
HEADER_SEARCH_ROWS = 5
# More is a typing error; the bound also keeps the value inside the database's integer.
MAX_HEAD_COUNT = 1_000_000


class Ownership(enum.StrEnum):
    state_owned = "state_owned"
    non_public = "non_public"
    mixed = "mixed"

    @property
    def label_zh(self) -> str:
        return _OWNERSHIP_ZH[self]


_OWNERSHIP_ZH = {
    Ownership.state_owned: "国有",
    Ownership.non_public: "非公有制",
    Ownership.mixed: "混合所有制",
}


class Column(NamedTuple):
    field: str
    label_zh: str  # the header we write in templates and messages
    required: bool
    # The database column's length (service/orgs/tables.py); None where the value is
    # converted and checked by its own rules.
    max_length: int | None
    aliases: tuple[str, ...]  # headers besides label_zh and field seen in clerks' files


COLUMNS = (
    Column("name", "企业名称", True, 200, ("单位名称", "enterprise")),
    Column("credit_code", "统一社会信用代码", True, None, ("社会信用代码", "信用代码")),
    Column("village", "所属村/社区", True, 100, ("村/社区", "村社区", "所属村(社区)")),
    Column("industry", "行业", True, 50, ("所属行业",)),
    Column("ownership", "所有制", True, None, ("所有制类型",)),
    Column("head_count", "职工人数", False, None, ("职工数", "employees")),
    Column("address", "地址", False, 200, ("企业地址",)),
    Column("union_chair", "工会主席", False, 50, ()),
    Column("phone", "联系电话", False, 30, ("电话",)),
)

# Words clerks write in the ownership column. 民营/私营/外资 are all non-public (非公有制经济).
_OWNERSHIP_WORDS = {
    Ownership.state_owned: ("国有", "国有企业", "国企", "state_owned"),
    Ownership.non_public: ("非公有制", "非公", "民营", "私营", "外资", "non_public"),
    Ownership.mixed: ("混合所有制", "混合", "mixed"),
}


class EnterpriseRecord(msgspec.Struct, frozen=True, kw_only=True):
    line: int  # the row in the file, for messages after the import
    name: str
    credit_code: str  # normalised: upper case, half-width
    village: str
    industry: str
    ownership: Ownership
    head_count: int | None = None
    address: str | None = None
    union_chair: str | None = None
    phone: str | None = None


class RowError(msgspec.Struct, frozen=True, kw_only=True):
    line: int | None  # the spreadsheet's row number; None for the whole file
    column: str | None  # the header as written in the file
    code: str  # stable: clients and tests match on it
    message: str  # English
    message_zh: str


class ImportResult(msgspec.Struct, frozen=True, kw_only=True):
    records: list[EnterpriseRecord] = msgspec.field(default_factory=list)
    errors: list[RowError] = msgspec.field(default_factory=list)
    warnings: list[RowError] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_enterprise_file(data: bytes, filename: str = "") -> ImportResult:
    """Every enterprise in a CSV or XLSX file, or every reason the file cannot be imported.

    The format is told from the bytes; `filename` only words messages. `records` is
    empty whenever `errors` is not. Blank rows are skipped; unknown columns are
    ignored with a warning.
    """
    try:
        rows = read_rows(data, filename)
    except SheetError as problem:
        return ImportResult(errors=[_file_error(problem.code, problem.message, problem.message_zh)])
    if not rows:
        return ImportResult(
            errors=[
                _file_error(
                    "empty_file",
                    "nothing to read (only the first sheet of a workbook is read)",
                    "文件中没有内容（只读取工作簿的第一个工作表）",
                )
            ]
        )
    start = _header_index(rows)
    header_line, header = rows[start]
    columns, errors, warnings = _map_columns(header_line, header)
    if errors:
        return ImportResult(errors=errors, warnings=warnings)

    records: list[EnterpriseRecord] = []
    first_seen: dict[str, int] = {}  # credit code → the row it first appeared on
    for line, cells in rows[start + 1 :]:
        values = {
            field: (header[index], cells[index] if index < len(cells) else "")
            for field, index in columns.items()
        }
        if not any(value for _, value in values.values()):
            continue  # only unused columns (a row number, a remark) are filled in
        fields, row_errors = _parse_row(line, values)
        code = fields.get("credit_code")
        if code is not None and code in first_seen:
            row_errors.append(
                RowError(
                    line=line,
                    column=values["credit_code"][0],
                    code="duplicate_credit_code",
                    message=f"the same credit code as row {first_seen[code]}",
                    message_zh=f"与第{first_seen[code]}行的统一社会信用代码重复",
                )
            )
        elif code is not None:
            first_seen[code] = line
        errors += row_errors
        if not row_errors:
            records.append(EnterpriseRecord(line=line, **fields))
    if not errors and not records:
        errors.append(
            _file_error("no_enterprises", "the file lists no enterprises", "文件中没有企业数据")
        )
    return ImportResult(records=[] if errors else records, errors=errors, warnings=warnings)


# ---------------------------------------------------------------- header


def _key(text: str) -> str:
    """A header or word compared loosely: half-width, lower case, no spaces, _ - or *.

    Templates mark required columns with *, and English headers come as
    "Credit code", "credit_code" or "Credit-Code".
    """
    return re.sub(r"[\s_*\-:]", "", unicodedata.normalize("NFKC", text).lower())


_HEADERS = {_key(alias): column for column in COLUMNS for alias in (column.label_zh, column.field)}
_HEADERS |= {_key(alias): column for column in COLUMNS for alias in column.aliases}
_OWNERSHIPS = {_key(word): value for value, words in _OWNERSHIP_WORDS.items() for word in words}


def _header_index(rows: list[tuple[int, list[str]]]) -> int:
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(_key(cell) in _HEADERS for cell in cells) >= 2:
            return index
    return 0


def _map_columns(
    line: int, header: list[str]
) -> tuple[dict[str, int], list[RowError], list[RowError]]:
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    warnings: list[RowError] = []
    for index, text in enumerate(header):
        if not text:
            continue
        column = _HEADERS.get(_key(text))
        if column is None:
            warnings.append(
                RowError(
                    line=line,
                    column=text,
                    code="ignored_column",
                    message=f"column “{text}” is not imported",
                    message_zh=f"“{text}”列不导入，已忽略",
                )
            )
        elif column.field in columns:
            errors.append(
                RowError(
                    line=line,
                    column=text,
                    code="duplicate_column",
                    message=f"two columns for {column.field}: “{header[columns[column.field]]}” "
                    f"and “{text}”",
                    message_zh=f"“{header[columns[column.field]]}”和“{text}”是同一列，请删除一列",
                )
            )
        else:
            columns[column.field] = index
    missing = [column for column in COLUMNS if column.required and column.field not in columns]
    if missing:
        errors.append(
            RowError(
                line=line,
                column=None,
                code="missing_columns",
                message="missing columns: "
                + ", ".join(f"{column.label_zh} ({column.field})" for column in missing),
                message_zh="缺少必填列：" + "、".join(column.label_zh for column in missing),
            )
        )
    return columns, errors, warnings


# ---------------------------------------------------------------- rows


class _Invalid(Exception):
    def __init__(self, code: str, message: str, message_zh: str):
        self.code, self.message, self.message_zh = code, message, message_zh
        super().__init__(message)


def _parse_row(
    line: int, values: dict[str, tuple[str, str]]
) -> tuple[dict[str, Any], list[RowError]]:
    """The converted values on one row (fields with a problem left out) and its errors."""
    fields: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in COLUMNS:
        if column.field not in values:
            continue
        header, text = values[column.field]
        try:
            fields[column.field] = _convert(column, text)
        except _Invalid as problem:
            errors.append(
                RowError(
                    line=line,
                    column=header,
                    code=problem.code,
                    message=problem.message,
                    message_zh=problem.message_zh,
                )
            )
    return fields, errors


def _convert(column: Column, text: str) -> Any:
    if not text:
        if column.required:
            raise _Invalid(
                "required", f"{column.field} is required", f"“{column.label_zh}”不能为空"
            )
        return None
    if column.max_length is not None and len(text) > column.max_length:
        raise _Invalid(
            "too_long",
            f"at most {column.max_length} characters",
            f"最多{column.max_length}个字",
        )
    convert = _CONVERTERS.get(column.field)
    return text if convert is None else convert(text)


def _credit_code(text: str) -> str:
    problem = validate_credit_code(text)
    if problem is not None:
        raise _Invalid(problem.code, problem.message, problem.message_zh)
    return normalise_credit_code(text)


def _ownership(text: str) -> Ownership:
    ownership = _OWNERSHIPS.get(_key(text))
    if ownership is None:
        raise _Invalid(
            "unknown_ownership",
            f"unknown ownership “{text}”: use state_owned, non_public or mixed "
            "(国有, 非公有制, 混合所有制)",
            f"所有制“{text}”无法识别，应为：国有、非公有制或混合所有制",
        )
    return ownership


def _head_count(text: str) -> int:
    # Excel exports 120 as "120.0"; people write 1,200.
    match = re.fullmatch(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?", text)
    if match is None:
        raise _Invalid(
            "head_count_not_whole",
            f"the head count must be a whole number, not “{text}”",
            f"职工人数应为整数，不能是“{text}”",
        )
    digits = match.group(2).replace(",", "").lstrip("0") or "0"
    if match.group(1) and digits != "0":
        raise _Invalid(
            "head_count_negative",
            f"the head count cannot be negative ({text})",
            f"职工人数不能为负数（{text}）",
        )
    # Compare lengths first: int() of a pasted run of thousands of digits is refused.
    if len(digits) > len(str(MAX_HEAD_COUNT)) or int(digits) > MAX_HEAD_COUNT:
        raise _Invalid(
            "head_count_too_large",
            f"the head count cannot exceed {MAX_HEAD_COUNT:,} ({text})",
            f"职工人数不能超过{MAX_HEAD_COUNT}（{text}）",
        )
    return int(digits)


def _phone(text: str) -> str:
    if not is_phone_number(text):
        raise _Invalid(
            "bad_phone",
            f"not a phone number: “{text}” (a mobile or a landline with its area code)",
            f"电话号码格式不正确：“{text}”（手机号或带区号的固定电话）",
        )
    return text


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "credit_code": _credit_code,
    "ownership": _ownership,
    "head_count": _head_count,
    "phone": _phone,
}


def _file_error(code: str, message: str, message_zh: str) -> RowError:
    return RowError(line=None, column=None, code=code, message=message, message_zh=message_zh)


def parse_enterprise_fields(texts: dict[str, str]) -> tuple[dict[str, Any], dict[str, RowError]]:
    """One enterprise typed into a web form, checked by the same rules as a file row:
    the converted values, and the errors keyed by field."""
    values = {c.field: (c.label_zh, clean_cell(texts.get(c.field, ""))) for c in COLUMNS}
    fields, errors = _parse_row(0, values)
    by_field = {c.label_zh: c.field for c in COLUMNS}
    return fields, {by_field[e.column]: e for e in errors if e.column in by_field}
