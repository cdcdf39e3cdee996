"""Reading a scoring-table workbook into the form language's source, every error at its cell.

The reader only turns cells into the source dict a YAML author would have written; the
real loader then checks it (service.forms.imported.load_imported), and its errors are
said at the cells the paths came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import msgspec

from ..imported import CellError, ImportedForm, WorkbookInvalid, load_imported
from ..model import Item
from ..points import item_max
from .cells import CellProblem, narrow, number_cell, read_number
from .expressions import Names, read_show_if
from .layout import (
    COLUMNS,
    CONTENT,
    ITEM_TYPE,
    ITEM_TYPES,
    ITEMS_SHEET,
    NUMBER_IN_SECTION,
    OPTION_COLUMNS,
    OPTIONS,
    OPTIONS_SHEET,
    PER_STEP,
    POINTS,
    PRO_RATA_RULE,
    SECTION,
    SETTINGS_SHEET,
    SHOW_IF,
    TOTAL_ROWS,
    Column,
)
from .messages import in_chinese
from .settings import read_settings, stand_in_settings
from .sheet import Row, Table, read_table, workbook_sheets

MAX_ROWS = 5000  # far beyond any real table; a bigger sheet is a mistake, not a form
_POINTS_IN_TITLE = re.compile(r"^(.*?)\s*[（(]\s*([0-9０-９.．]+)\s*分\s*[)）]\s*$")
_NUMBERING = re.compile(
    r"^[一二三四五六七八九十百0-9]+[、.．)）]\s*|^[(（][一二三四五六七八九十0-9]+[)）]\s*"
)
_SEQUENCE = re.compile(r"^[0-9a-z]+(-[0-9a-z]+)*$")


def read_workbook(data: bytes, file: str) -> ImportedForm:
    """The form in a scoring-table workbook; raise WorkbookInvalid with every error."""
    return _WorkbookReader(file, workbook_sheets(data, file, MAX_ROWS)).read()


@dataclass
class _Section:
    source: dict
    heading: CellError  # where the section's name is
    title: str  # as the 部分 column says it, to tell when the next section starts
    points_given: bool
    items: list[dict] = field(default_factory=list)


class _WorkbookReader:
    def __init__(self, file: str, sheets: dict[str, list[tuple]]):
        self.file = file
        self.sheets = sheets
        self.errors: list[CellError] = []
        self.warnings: list[CellError] = []
        self.cells: dict[str, CellError] = {
            "": CellError(SETTINGS_SHEET, None, None, ""),
            "sections": CellError(ITEMS_SHEET, None, None, ""),
        }
        self.bad_rows: set[tuple[str, int | None]] = set()
        self.missing: set[str] = set()

    # ------------------------------------------------------------ the whole workbook

    def read(self) -> ImportedForm:
        for name in (ITEMS_SHEET, SETTINGS_SHEET):
            if name not in self.sheets:
                self.missing.add(name)
                self.error(CellError(name, None, None, f"缺少工作表“{name}”"))
        option_lists = self.option_lists()
        sections, names = self.sections(option_lists)
        source = read_settings(self.sheets.get(SETTINGS_SHEET), names, self)
        if SETTINGS_SHEET in self.missing:
            source = stand_in_settings(sections)
        source["sections"] = sections
        language: list[CellError] = []
        try:
            imported = load_imported(source, self.file, self.cell_of, self.warnings)
        except WorkbookInvalid as exc:
            language = [
                CellError(e.sheet, e.row, e.column, in_chinese(e.message))
                for e in exc.errors
                if (e.sheet, e.row) not in self.bad_rows and e.sheet not in self.missing
            ]
        errors = self.errors + language
        if errors:
            order = {ITEMS_SHEET: 0, OPTIONS_SHEET: 1, SETTINGS_SHEET: 2}
            errors.sort(
                key=lambda e: (
                    order.get(e.sheet, 3),
                    e.row or 0,
                    len(e.column or ""),
                    e.column or "",
                )
            )
            raise WorkbookInvalid(errors)
        return imported

    def error(self, error: CellError) -> None:
        self.errors.append(error)
        self.bad_rows.add((error.sheet, error.row))

    def cell_of(self, path: str) -> CellError | None:
        return self.cells.get(path)

    def fields(
        self, row: Row, columns: tuple[Column, ...], row_kind: str, what: str, skip=()
    ) -> dict:
        """The row's cells read by the columns' rules, as a nested source dict; each
        field's cell remembered under `base` later (see `remember`)."""
        flat: dict[str, tuple[object, CellError]] = {}
        for column in columns:
            if column.header in skip or row.text(column.header) is None:
                continue
            path = column.field_for(row_kind)
            if path is None:
                self.error(row.at(column.header, f"{what}不用“{column.header}”列"))
                continue
            try:
                value = column.kind.read(row.raw(column.header), column.header)
            except CellProblem as problem:
                self.error(row.at(column.header, problem.message))
                continue
            if path == "id" and row_kind != "option":  # ids as the language wants them
                value = narrow(str(value)).strip().lower()
            flat[path] = (
                number_cell(value) if isinstance(value, float) else value,
                row.at(column.header),
            )
        return flat

    def nest(self, flat: dict, base: str, cells: dict[str, CellError] | None = None) -> dict:
        """`{"veto.reason": …, "veto.reason@en": …}` → `{"veto": {"reason": {zh, en}}}`."""
        into = self.cells if cells is None else cells
        nested: dict = {}
        for path, (value, cell) in flat.items():
            if path.endswith("@en"):
                continue
            english = flat.get(f"{path}@en")
            if english is not None:
                value = {"zh": value, "en": english[0]}
            keys = path.split(".")
            target = nested
            for depth, key in enumerate(keys[:-1]):
                target = target.setdefault(key, {})
                into.setdefault(f"{base}.{'.'.join(keys[: depth + 1])}", cell)
            target[keys[-1]] = value
            into[f"{base}.{path}"] = cell
        for path, (_, cell) in flat.items():
            if path.endswith("@en") and path[:-3] not in flat:
                self.error(CellError(cell.sheet, cell.row, cell.column, "只有英文，没有对应的中文"))
        return nested

    # ------------------------------------------------------------ the 选项 sheet

    def option_lists(self) -> dict[str, list[tuple[dict, Row, dict[str, CellError]]]]:
        values = self.sheets.get(OPTIONS_SHEET)
        if values is None:
            return {}
        table = read_table(OPTIONS_SHEET, values, OPTION_COLUMNS, "选项")
        if table is None:
            self.error(CellError(OPTIONS_SHEET, None, None, "找不到表头行（须有“选项表”“选项”列）"))
            return {}
        self.take_headers(table)
        lists: dict[str, list[tuple[dict, Row, dict[str, CellError]]]] = {}
        name = None
        for row in table.rows:
            name = row.text("选项表") or name  # merged or left empty: the list above goes on
            if name is None:
                self.error(row.at("选项表", "没有选项表名称"))
                continue
            if row.text("选项") is None:
                self.error(row.at("选项", "选项文字为空"))
            options = lists.setdefault(name, [])
            flat = self.fields(row, OPTION_COLUMNS, "option", "选项表", skip=("选项表",))
            flat.setdefault("id", (str(len(options) + 1), row.at("选项编号")))
            field_cells: dict[str, CellError] = {}  # ".score" → its cell, for every item using it
            option = self.nest(flat, "", field_cells)
            options.append(({"id": option.pop("id"), **option}, row, field_cells))
        return lists

    def take_headers(self, table: Table) -> None:
        self.warnings += table.unknown_headers
        for error in table.duplicate_headers:
            self.error(error)

    # ------------------------------------------------------------ the 评分表 sheet

    def sections(self, option_lists: dict) -> tuple[list[dict], Names]:
        names = Names()
        values = self.sheets.get(ITEMS_SHEET)
        if values is None:
            return [], names
        table = read_table(ITEMS_SHEET, values, COLUMNS, CONTENT)
        if table is None:
            self.error(
                CellError(ITEMS_SHEET, None, None, f"找不到表头行（前几行中须有“{CONTENT}”列）")
            )
            return [], names
        self.take_headers(table)
        sections: list[_Section] = []
        pending_show_if: list[tuple[dict, Row, str]] = []
        for row in table.rows:
            part, content = row.text(SECTION), row.text(CONTENT)
            if content is None:
                if part is not None and narrow(part).replace(" ", "").startswith(TOTAL_ROWS):
                    self.warnings.append(row.at(SECTION, f"“{part}”是合计行，已跳过"))
                elif part is None:
                    self.error(row.at(CONTENT, f"这一行没有{CONTENT}"))
                else:
                    sections.append(self.section(row, part, len(sections), heading=True))
                    if row.text(SHOW_IF) is not None:  # the whole section, under a condition
                        path = f"sections[{len(sections) - 1}]"
                        pending_show_if.append((sections[-1].source, row, path))
                continue
            if part is not None and (not sections or not _same_section(part, sections[-1].title)):
                sections.append(self.section(row, part, len(sections), heading=False))
            if not sections:
                self.error(
                    row.at(SECTION, "第一项考核内容之前须有部分名称（单独一行，或填在“部分”列）")
                )
                sections.append(self.section(row, "考核内容", 0, heading=False))
            self.item(row, sections, len(sections) - 1, option_lists, names, pending_show_if)
        for item, row, path in pending_show_if:
            try:
                item["show_if"] = read_show_if(row.text(SHOW_IF) or "", names)
            except CellProblem as problem:
                self.error(row.at(SHOW_IF, problem.message))
                continue
            for key in ("", ".item", ".equals", ".any_of"):
                self.cells[f"{path}.show_if{key}"] = row.at(SHOW_IF)
        for section in sections:
            title = section.source["title"]
            names.sections[title["zh"] if isinstance(title, dict) else title] = section.source["id"]
            names.sections[section.source["id"]] = section.source["id"]
        return [self.finish_section(s, i) for i, s in enumerate(sections)], names

    def section(self, row: Row, part: str, index: int, heading: bool) -> _Section:
        path = f"sections[{index}]"
        match = _POINTS_IN_TITLE.match(part)
        title = match.group(1) if match else part
        flat = (
            self.fields(
                row, COLUMNS, "section", "部分标题行", skip=(SECTION, NUMBER_IN_SECTION, SHOW_IF)
            )
            if heading
            else {}
        )
        if match:
            in_title = number_cell(read_number(match.group(2), POINTS))
            given = flat.get("points")
            if given is not None and given[0] != in_title:
                self.error(
                    row.at(POINTS, f"分值 {given[0]} 与部分名称中的（{match.group(2)}分）不一致")
                )
            flat["points"] = (in_title, row.at(SECTION))
        title_en = flat.pop("title@en", (None, None))[0]
        fields = self.nest(flat, path)
        section_id = fields.pop("id", None) or f"s{index + 1}"
        source = {
            "id": section_id,
            "title": {"zh": title, "en": title_en} if title_en else title,
            **fields,
        }
        heading_cell = row.at(SECTION)
        self.cells[path] = self.cells[f"{path}.title"] = heading_cell
        self.cells.setdefault(f"{path}.id", heading_cell)
        return _Section(source, heading_cell, part, "points" in fields)

    def finish_section(self, section: _Section, index: int) -> dict:
        source = section.source
        if not section.points_given and source.get("kind", "standard") == "standard":
            total = sum(_item_max(item) for item in section.items)
            if total:
                source["points"] = number_cell(float(total))
                self.cells[f"sections[{index}].points"] = section.heading
        return {**source, "items": section.items}

    def item(
        self,
        row: Row,
        sections: list[_Section],
        index: int,
        option_lists: dict,
        names: Names,
        pending_show_if: list,
    ) -> None:
        section = sections[index]
        path = f"sections[{index}].items[{len(section.items)}]"
        item_type = "check"
        if row.text(ITEM_TYPE) is not None:
            try:
                item_type = str(ITEM_TYPES.read(row.raw(ITEM_TYPE), ITEM_TYPE))
            except CellProblem as problem:
                self.error(row.at(ITEM_TYPE, problem.message))
        choice = item_type == "choice"
        skip = (SECTION, NUMBER_IN_SECTION, ITEM_TYPE, SHOW_IF) + ((POINTS,) if choice else ())
        flat = self.fields(row, COLUMNS, item_type, f"题型“{ITEM_TYPES.write(item_type)}”", skip)
        deduction = section.source.get("kind") == "deduction"
        if deduction and item_type == "check" and "points" in flat and "deduct" not in flat:
            flat["deduct"] = flat.pop(
                "points"
            )  # 分值 of a check in a 扣分 section is what it takes
        if item_type == "rate":
            self.pro_rata_rule(flat, row)
        fields = self.nest(flat, path)
        item_id = fields.pop("id", None) or self.generated_id(row, section, names)
        first = {key: fields.pop(key) for key in ("label", "standard") if key in fields}
        item = {"id": item_id, "type": item_type, **first, **fields}
        if isinstance(item.get("veto"), dict) and "reason" in item["veto"]:
            _veto_answers(item)
        if item_type in ("choice", "multi"):
            self.attach_options(item, row, path, option_lists)
        if choice and row.text(POINTS) is not None:
            self.check_choice_points(item, row)
        if row.text(SHOW_IF) is not None:
            pending_show_if.append((item, row, path))
        self.cells[path] = row.at(CONTENT)
        self.cells.setdefault(f"{path}.type", row.at(ITEM_TYPE))
        section.items.append(item)
        names.item_rows[row.number] = item_id
        names.items[item_id] = item

    def pro_rata_rule(self, flat: dict, row: Row) -> None:
        """每低2个百分点扣0.5分 in 按比例扣分: the step is `per`, the amount `minus`."""
        rule = flat.get("minus")
        if rule is None or not isinstance(rule[0], tuple):
            return
        (per, minus), cell = rule
        flat["minus"] = (number_cell(minus), cell)
        given = flat.get("per")
        if given is not None and given[0] != per:
            self.error(
                row.at(
                    PER_STEP, f"每档 {given[0]} 与“{PRO_RATA_RULE}”中的每低{per:g}个百分点不一致"
                )
            )
        elif given is None and per != 1:
            flat["per"] = (number_cell(per), cell)

    def generated_id(self, row: Row, section: _Section, names: Names) -> str:
        """Section id + 序号 (or the item's place in its section): the same file always
        gives the same ids."""
        sequence = narrow(row.text(NUMBER_IN_SECTION) or "").strip().lower()
        sequence = re.sub(r"[()（）\s]", "", sequence).rstrip(".、").replace(".", "-")
        if not _SEQUENCE.match(sequence):
            sequence = str(len(section.items) + 1)
        candidate = f"{section.source['id']}-{sequence}"
        if candidate in names.items:
            candidate = f"{candidate}-r{row.number}"
        return candidate

    def attach_options(self, item: dict, row: Row, path: str, option_lists: dict) -> None:
        name = item.pop("options", None) or item["id"]
        found = option_lists.get(name)
        if found is None:
            where = f"“{OPTIONS_SHEET}”表中没有选项表“{name}”"
            self.error(
                row.at(
                    OPTIONS,
                    where if row.text(OPTIONS) else f"单选、多选题须在“{OPTIONS}”列写选项表名称",
                )
            )
            return
        item["options"] = []
        self.cells[f"{path}.options"] = row.at(OPTIONS)
        for k, (option, option_row, field_cells) in enumerate(found):
            item["options"].append(dict(option))
            self.cells[f"{path}.options[{k}]"] = option_row.at("选项")
            for suffix, cell in field_cells.items():
                self.cells[f"{path}.options[{k}]{suffix}"] = cell

    def check_choice_points(self, item: dict, row: Row) -> None:
        try:
            given = read_number(row.raw(POINTS), POINTS)
        except CellProblem as problem:
            self.error(row.at(POINTS, problem.message))
            return
        best = max((float(o.get("score", 0)) for o in item.get("options") or []), default=given)
        if abs(best - given) > 1e-6:
            self.error(row.at(POINTS, f"单选题的分值 {given:g} 与最高选项得分 {best:g} 不一致"))


def _veto_answers(item: dict) -> None:
    """A reason in 否决 and nothing else is the language's one-line veto: answering "yes"
    vetoes and 不适用 is not offered. Otherwise the veto answer is the one not good (and
    the good answer the one not vetoing), and 不适用 is offered only when 可不适用 says so."""
    veto = item["veto"]
    when, good = veto.get("when"), item.get("good")
    if when is None and good is None and isinstance(veto["reason"], str):
        item["veto"] = veto["reason"]
        return
    if good is None:
        item["good"] = "yes" if when == "no" else "no"
    if when is None:
        veto["when"] = "no" if item["good"] == "yes" else "yes"
    item.setdefault("allow_na", False)


def _item_max(item: dict) -> float:
    try:
        return item_max(msgspec.convert(item, Item))
    except (msgspec.ValidationError, TypeError):
        return 0.0  # the loader says what is wrong with it


def _same_section(part: str, title: str) -> bool:
    """A 部分 cell on an item row names the current section when it says the same name, with
    or without its numbering (一、) and points ((8分)): a heading row and a repeated 项目
    column may both be there."""

    def bare(text: str) -> str:
        match = _POINTS_IN_TITLE.match(text)
        text = match.group(1) if match else text
        return _NUMBERING.sub("", narrow(text)).replace(" ", "")

    return bare(part) == bare(title)
