"""Writing a form as a scoring-table workbook in the layout the reader reads."""

from __future__ import annotations

import io

import msgspec
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model import (
    Check,
    Choice,
    FormDefinition,
    Gate,
    ItemBase,
    MultiChoice,
    Rate,
    Section,
    Text,
    allows_na,
    item_type_name,
)
from ..points import item_max
from .cells import write_pro_rata
from .expressions import write_answer_condition, write_gate, write_show_if
from .layout import (
    ALLOW_NA,
    COLUMNS,
    GATE,
    GOOD_ANSWER,
    GRADE,
    GRADE_CAP,
    GRADE_GATE,
    ITEMS_SHEET,
    NUMBER_IN_SECTION,
    OPTION_COLUMNS,
    OPTIONS,
    OPTIONS_SHEET,
    PER_STEP,
    POINTS,
    PRO_RATA_RULE,
    ROLES,
    SECTION,
    SETTINGS,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    SHOW_IF,
    TEXT_SETTINGS,
    VETO_WHEN,
    Column,
)

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAPPED = Alignment(wrap_text=True, vertical="top")
DROP_DOWN_ROWS = 1000


def write_workbook(definition: FormDefinition) -> bytes:
    """The form as an .xlsx workbook: 评分表, 选项 and 设置."""
    workbook = build_workbook(definition)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_workbook(definition: FormDefinition) -> Workbook:
    workbook = Workbook()
    items = workbook.active
    items.title = ITEMS_SHEET
    options = workbook.create_sheet(OPTIONS_SHEET)
    settings = workbook.create_sheet(SETTINGS_SHEET)
    _header(items, COLUMNS)
    _header(options, OPTION_COLUMNS)
    _header(settings, SETTINGS_COLUMNS, widths=(12, 40, 30, 24, 14))
    item_map = definition.item_map()
    for section in definition.sections:
        items.append(_row(COLUMNS, _section_cells(section, item_map)))
        for cell in items[items.max_row]:
            cell.fill = SECTION_FILL
            cell.font = Font(bold=True)
        for number, item in enumerate(section.items, 1):
            items.append(_row(COLUMNS, _item_cells(item, number, section, item_map)))
            if isinstance(item, (Choice, MultiChoice)):
                for option in item.options:
                    options.append(_row(OPTION_COLUMNS, _option_cells(item.id, option)))
    for row in _settings_rows(definition):
        settings.append(row)
    for sheet in (items, options, settings):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = WRAPPED
    return workbook


def _header(sheet: Worksheet, columns: tuple[Column, ...], widths: tuple[int, ...] = ()) -> None:
    sheet.append([column.header for column in columns])
    for index, column in enumerate(columns):
        cell = sheet.cell(1, index + 1)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = widths[index] if index < len(widths) else column.width
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = width
        if column.kind.choices:
            # A drop-down that suggests, not forbids: the reader takes synonyms too.
            offered = DataValidation(
                type="list", formula1=f'"{",".join(column.kind.choices)}"', allow_blank=True
            )
            offered.showErrorMessage = False
            offered.add(f"{letter}2:{letter}{DROP_DOWN_ROWS}")
            sheet.add_data_validation(offered)
    sheet.freeze_panes = "A2"


def _row(columns: tuple[Column, ...], values: dict[str, object]) -> list[object]:
    return [values.get(column.header) for column in columns]


def _section_cells(section: Section, item_map: dict[str, ItemBase]) -> dict[str, object]:
    cells = _field_cells(section, "section")
    cells[SECTION] = _zh(section.title)
    if section.show_if is not None:
        cells[SHOW_IF] = write_show_if(section.show_if, item_map.get(section.show_if.item))
    return cells


def _item_cells(
    item: ItemBase, number: int, section: Section, item_map: dict[str, ItemBase]
) -> dict[str, object]:
    cells = _field_cells(item, item_type_name(item))
    cells[NUMBER_IN_SECTION] = number
    if isinstance(item, (Choice, MultiChoice)):
        cells[OPTIONS] = item.id  # one option list per item, named by its id
    if isinstance(item, Choice):
        cells[POINTS] = _number(item_max(item))
    if isinstance(item, Check):
        cells.update(_check_answer_cells(item))
    if isinstance(item, Rate) and item.minus:
        cells[PRO_RATA_RULE] = write_pro_rata(item.per, item.minus)  # as the 细则 prints it
        cells.pop(PER_STEP, None)
    if item.show_if is not None:
        cells[SHOW_IF] = write_show_if(item.show_if, item_map.get(item.show_if.item))
    return cells


def _check_answer_cells(item: Check) -> dict[str, object]:
    """合格答案, 否决条件 and 可不适用 left empty where the reader's default says the same:
    a veto with the one-line shape (yes vetoes, no 不适用) is its reason in 否决 alone."""
    if item.veto is None:
        return {GOOD_ANSWER: None if item.good == "yes" else _words(GOOD_ANSWER, item.good)}
    one_line = item.good == "no" and item.veto.when == "yes"
    good = None if one_line else _words(GOOD_ANSWER, item.good)
    usual = "no" if item.good == "yes" else "yes"
    when = None if item.veto.when == usual else _words(VETO_WHEN, item.veto.when)
    # A version stored before vetoes had to say (allow_na None) offers 不适用: keep it so.
    offers_na = item.allow_na if item.allow_na is not None else allows_na(item)
    return {GOOD_ANSWER: good, VETO_WHEN: when, ALLOW_NA: "是" if offers_na else None}


def _option_cells(list_name: str, option) -> dict[str, object]:
    cells = _field_cells(option, "option")
    cells["选项表"] = list_name
    return cells


def _field_cells(struct: msgspec.Struct, row_kind: str) -> dict[str, object]:
    """Every column's cell for this row: the field's value, empty when it is the default."""
    defaults = {f.name: f.default for f in msgspec.structs.fields(type(struct))}
    cells: dict[str, object] = {}
    for column in COLUMNS if row_kind != "option" else OPTION_COLUMNS:
        path = column.field_for(row_kind)
        if path is None or path in ("options", "show_if"):
            continue
        english = path.endswith("@en")
        keys = path.removesuffix("@en").split(".")
        value: object = struct
        for key in keys:
            value = getattr(value, key, None)
        if len(keys) == 1 and value == defaults.get(keys[0], msgspec.NODEFAULT):
            continue
        if value is None or (keys == ["type"]):
            continue
        if english:
            value = value.en if isinstance(value, Text) else None
        elif isinstance(value, (str, Text)) and column.kind.name == "文本":
            value = _zh(value)
        if value is not None:
            cells[column.header] = column.kind.write(value)
    if row_kind not in ("section", "option"):
        cells["题型"] = _words("题型", row_kind)
    return cells


def _words(header: str, value: object) -> object:
    column = next(c for c in COLUMNS if c.header == header)
    return column.kind.write(value)


def _zh(label: str | Text) -> str:
    return label if isinstance(label, str) else label.zh


def _en(label: str | Text | None) -> str | None:
    return label.en if isinstance(label, Text) else None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _settings_rows(definition: FormDefinition) -> list[list[object]]:
    rows: list[list[object]] = []
    for setting in SETTINGS:
        value: object = definition
        for key in setting.path.split("."):
            value = getattr(value, key, None)
        if value is None:
            continue
        if setting.path in TEXT_SETTINGS:
            rows.append([setting.key, _zh(value), _en(value)])  # type: ignore[arg-type]
        elif setting.path == "roles":
            rows.append([setting.key, "、".join(ROLES.write(r) for r in value)])  # type: ignore[attr-defined]
        else:
            rows.append([setting.key, setting.kind.write(value)])
    scoring = definition.scoring
    if scoring is None:
        return rows
    item_map = definition.item_map()

    def condition(gate: Gate) -> str:
        return write_gate(gate, item_map.get(gate.item or ""))

    for gate in scoring.gates:
        rows.append([GATE, condition(gate), _en(gate.label), _zh_or_none(gate.label)])
    for grade in scoring.grades:
        rows.append([GRADE, _number(grade.min), _en(grade.label), _zh(grade.label), grade.id])
        for gate in grade.requires:
            label = _zh_or_none(gate.label)
            rows.append([GRADE_GATE, condition(gate), _en(gate.label), label, grade.id])
    for cap in scoring.grade_caps:
        said = write_answer_condition(cap, item_map.get(cap.item))
        rows.append([GRADE_CAP, said, _en(cap.reason), _zh(cap.reason), cap.at_most])
    return rows


def _zh_or_none(label: str | Text | None) -> str | None:
    return None if label is None else _zh(label)
