"""The survey sheet, row by row, into the language's sections and items.

Groups become sections. A nested group becomes a section of its own, titled with the
labels of its enclosing groups (`外层 / 内层`); questions that follow a nested group in the
outer group start a further section of the outer group (id `outer-2`), so the order of the
questions is kept. Questions outside any group go to a section `general` (一般问题).
Notes become the section's note. Whatever cannot be carried over is listed at its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..imported import CellError
from .expressions import (
    IdMaker,
    parse_number_constraint,
    parse_relevant,
    parse_required,
    parse_text_constraint,
)
from .labels import ChoiceRow, Labeller, references_in
from .sheets import Row, Sheet
from .types import (
    GENERAL_TITLE,
    METADATA,
    OTHER,
    SELECT,
    TYPE_ALIASES,
    UNMAPPED,
    UNMAPPED_COLUMNS,
    YES_NO_PAIRS,
    joined,
    range_parameters,
)


@dataclass
class Frame:
    kind: str  # "group" or "repeat"
    name: str
    title: object
    row: Row
    show_if: dict | None = None


@dataclass
class Known:
    """A mapped question that a condition may point at."""

    id: str
    type: str
    values: dict[str, str]  # XLSForm choice name → the answer in the language


@dataclass
class ItemDraft:
    source: dict
    cells: dict[str, CellError]  # path below the item ("", ".label", …) → its cell


@dataclass
class SectionDraft:
    id: str
    title: object
    row: Row | None
    owner: Frame | None
    items: list[ItemDraft] = field(default_factory=list)
    notes: list[object] = field(default_factory=list)
    note_rows: list[Row] = field(default_factory=list)


@dataclass
class Survey:
    sections: list[dict]
    cells: dict[str, CellError]
    names: dict[str, str]  # XLSForm name → item id
    carried_rows: set[int]  # survey rows carried over (questions, notes, groups)
    warnings: list[CellError]


class SurveyReader:
    def __init__(self, sheet: Sheet, lists: dict[str, list[ChoiceRow]], labeller: Labeller):
        self.sheet, self.lists, self.labeller = sheet, lists, labeller
        self.items, self.section_ids = IdMaker(), IdMaker()
        self.frames: list[Frame] = []
        self.drafts: list[SectionDraft] = []
        self.known: dict[str, Known] = {}
        self.names: dict[str, str] = {}
        self.carried: set[int] = set()
        self.warnings: list[CellError] = []

    def read(self) -> Survey:
        self.labeller.columns(self.sheet, "label", self.warnings)
        self.labeller.columns(self.sheet, "hint", self.warnings)
        for row in self.sheet.rows:
            self._row(row)
        for frame in reversed(self.frames):
            self._warn(frame.row, "type", f'"{frame.name}" 没有对应的 end，到表末结束')
        return self._emit()

    # ------------------------------------------------------------ rows

    def _row(self, row: Row) -> None:
        kind = " ".join(row.text("type").lower().split())
        kind = TYPE_ALIASES.get(kind, kind)
        name = row.text("name")
        if not kind:
            if row.values.keys() & {"name", "label"}:
                self._warn(row, "name", f'"{name}" 没有 type，未导入')
            return
        if kind == "begin group":
            self._begin("group", row)
        elif kind.startswith(("begin repeat", "begin loop")):
            self._begin("repeat", row)
            self._warn(row, "type", f'{kind} "{name}" 无法导入：不支持重复组，组内问题均未导入')
        elif kind in ("end group", "end repeat", "end loop"):
            self._end(kind, row)
        elif any(frame.kind == "repeat" for frame in self.frames):
            repeat = next(f for f in reversed(self.frames) if f.kind == "repeat")
            self._warn(row, "type", f'{kind} "{name}" 无法导入：在重复组 "{repeat.name}" 内')
        elif kind == "note":
            self._note(row)
        else:
            reason = self._question(kind, row)
            if reason:
                self._warn(row, "type", f'{kind} "{name}" 无法导入：{reason}')

    def _begin(self, kind: str, row: Row) -> None:
        name = row.text("name") or f"group-{row.number}"
        title, _ = self.labeller.label(row)
        frame = Frame(kind, name, title if title is not None else name, row)
        in_repeat = any(f.kind == "repeat" for f in self.frames)
        if kind == "group" and not in_repeat and row.get("relevant") is not None:
            frame.show_if = self._condition(row, "组内问题导入后不带此条件")
            outer = [f for f in self.frames if f.show_if]
            if frame.show_if and outer:
                self._warn(row, "relevant", "外层组的条件未合并：组内问题只按本组条件显示")
        self.frames.append(frame)
        self.carried.add(row.number)

    def _end(self, kind: str, row: Row) -> None:
        wanted = "group" if kind == "end group" else "repeat"
        if not self.frames or self.frames[-1].kind != wanted:
            self._warn(row, "type", f"{kind} 没有对应的 begin，已忽略")
            return
        self.frames.pop()
        self.carried.add(row.number)

    def _note(self, row: Row) -> None:
        label, column = self.labeller.label(row)
        if label is None:
            self._warn(
                row, "type", f'note "{row.text("name")}" 无法导入：没有文字（不支持图片等媒体）'
            )
            return
        if row.get("relevant") is not None:
            self._warn(row, "relevant", "说明的显示条件无法导入：导入后总是显示")
        self._references(row, label, column)
        section = self._section(row)
        section.notes.append(label)
        section.note_rows.append(row)
        self.carried.add(row.number)

    def _question(self, kind: str, row: Row) -> str | None:
        name = row.text("name")
        select = SELECT.match(kind)
        if kind.split(" ")[0] in METADATA or kind.startswith("uri:"):
            return "不支持元数据字段（提交人和时间由本服务记录）"
        if kind in UNMAPPED or kind.split(" ")[0] in UNMAPPED:
            return UNMAPPED.get(kind) or UNMAPPED[kind.split(" ")[0]]
        if select:
            choices = self.lists.get(select.group(2))
            if not choices:
                return f"选项列表 {select.group(2)} 不存在或为空"
        elif kind not in ("text", "integer", "decimal", "range", "date", "image", "geopoint"):
            return "未知题型"
        item_id = self.items.make(name, f"q{row.number}")
        draft = ItemDraft({"id": item_id}, {"": row.at("type"), ".id": row.at("name", "")})
        specifics, values, type_name = self._specifics(kind, select, row, draft)
        if type_name is None:
            return specifics  # type: ignore[return-value]
        self._common(row, draft, type_name)
        draft.source.update(specifics)
        self._section(row).items.append(draft)
        self.carried.add(row.number)
        if name:
            self.names[name] = item_id
            self.known[name] = Known(item_id, type_name, values)
        self._unmapped_columns(row, kind)
        if select and select.group(3):
            self._other_item(row, name, item_id)
        return None

    def _specifics(self, kind: str, select, row: Row, draft: ItemDraft):
        """(type-specific fields, choice values, language type) or (reason, {}, None)."""
        if select:
            choices = self.lists[select.group(2)]
            names = {choice.name.lower() for choice in choices}
            single = "one" in select.group(1)
            if single and not select.group(3) and names in YES_NO_PAIRS:
                yes = {"yes", "y", "true", "1"}
                values = {c.name: ("yes" if c.name.lower() in yes else "no") for c in choices}
                return {"allow_na": False}, values, "check"
            options, values = [], {}
            for index, choice in enumerate(choices):
                option_id = choice.name if choice.name != "na" else "na-choice"
                if option_id != choice.name:
                    self._warn(choice.row, "name", "选项名 na 表示不适用，导入为 na-choice")
                values[choice.name] = option_id
                options.append({"id": option_id, "label": choice.label})
                path = f".options[{index}]"
                draft.cells[path] = choice.row.at("name", "")
                self._references(choice.row, choice.label, choice.column)
            if select.group(3) and "other" not in values:
                options.append(dict(OTHER))
                values["other"] = "other"
            return {"options": options}, values, "choice" if single else "multi"
        if kind in ("integer", "decimal", "range"):
            fields: dict = {}
            if kind == "range":
                fields = range_parameters(row.text("parameters"))
                if fields is None:
                    return f'range 参数 "{row.text("parameters")}" 无法识别', {}, None
            elif kind == "integer":
                fields["integer"] = True
            self._constraint(row, draft, fields, number=bool(fields.get("integer")))
            return fields, {}, "number"
        if kind == "text":
            long = "multiline" in row.text("appearance").lower()
            fields = {}
            self._constraint(row, draft, fields, number=None)
            return fields, {}, "long_text" if long else "text"
        return (
            {"max_count": 1} if kind == "image" else {},
            {},
            {"date": "date", "image": "photo", "geopoint": "location"}[kind],
        )

    def _common(self, row: Row, draft: ItemDraft, type_name: str) -> None:
        source = draft.source
        source["type"] = type_name
        label, column = self.labeller.label(row)
        source["label"] = label if label is not None else (row.text("name") or f"q{row.number}")
        draft.cells[".label"] = row.at(column or "name", "")
        self._references(row, source["label"], column)
        hint, hint_column = self.labeller.label(row, "hint")
        if hint is not None:
            source["standard"] = hint
            draft.cells[".standard"] = row.at(hint_column, "")
        if row.get("required") is not None:
            required = parse_required(row.get("required"))
            if required is None:
                self._warn(
                    row, "required", f'required "{row.text("required")}" 无法导入：导入为非必填'
                )
            elif required:
                source["required"] = True
        group = next((f.show_if for f in reversed(self.frames) if f.show_if), None)
        own = None
        if row.get("relevant") is not None:
            own = self._condition(row, "本题导入后不带此条件")
            if own and group and own != group:
                self._warn(row, "relevant", "所在组的显示条件未合并：本题只按自身条件显示")
        if own or group:
            source["show_if"] = own or group
            draft.cells[".show_if"] = row.at("relevant" if own else None, "")
            if not own:
                frame = next(f for f in reversed(self.frames) if f.show_if)
                draft.cells[".show_if"] = frame.row.at("relevant", "")

    def _constraint(self, row: Row, draft: ItemDraft, fields: dict, number: bool | None) -> None:
        expression = row.text("constraint")
        if not expression:
            return
        bounds = (
            parse_text_constraint(expression)
            if number is None
            else parse_number_constraint(expression, number)
        )
        if bounds is None:
            self._warn(row, "constraint", f'constraint "{expression}" 无法导入：不支持此约束')
            return
        for key in ("min", "max", "max_length"):
            value = getattr(bounds, key)
            if value is not None:
                fields[key] = value
                draft.cells[f".{key}"] = row.at("constraint", "")

    def _condition(self, row: Row, consequence: str) -> dict | None:
        expression = row.text("relevant")
        condition = parse_relevant(expression)
        reason = "不支持此条件（只支持 = 、selected() 和同一问题的 or）"
        if condition is not None:
            target = self.known.get(condition.name)
            values = [target.values.get(v) for v in condition.values] if target else []
            if target is None:
                reason = f"${{{condition.name}}} 不存在、在本题之后或未导入"
            elif target.type not in ("check", "choice", "multi"):
                reason = f"${{{condition.name}}} 是 {target.type} 题，条件只能依赖是非题或选择题"
            elif target.type == "multi" and not condition.selected:
                reason = "多选题用 = 比较全部所选，无法导入（请用 selected()）"
            elif None in values:
                bad = condition.values[values.index(None)]
                reason = f"'{bad}' 不是 ${{{condition.name}}} 的选项"
            else:
                unique = list(dict.fromkeys(values))
                if len(unique) == 1:
                    return {"item": target.id, "equals": unique[0]}
                return {"item": target.id, "any_of": unique}
        self._warn(row, "relevant", f'relevant "{expression}" 无法导入：{reason}；{consequence}')
        return None

    def _other_item(self, row: Row, name: str, item_id: str) -> None:
        other_id = self.items.make(f"{name}_other", f"q{row.number}-other")
        cells = {"": row.at("type", ""), ".show_if": row.at("type", "")}
        source = {
            "id": other_id,
            "type": "text",
            "label": {"zh": "请说明其他", "en": "Specify other"},
            "show_if": {"item": item_id, "equals": "other"},
        }
        self._section(row).items.append(ItemDraft(source, cells))
        self.names[f"{name}_other"] = other_id

    def _unmapped_columns(self, row: Row, kind: str) -> None:
        for column, reason in UNMAPPED_COLUMNS.items():
            if row.get(column) is not None:
                self._warn(row, column, f'{column} "{row.text(column)}" 无法导入：{reason}')
        if parse_required(row.get("read_only") or "no"):
            self._warn(row, "read_only", "read_only 无法导入：导入后可以填写")

    def _references(self, row: Row, label: object, column: str | None) -> None:
        for name in references_in(label):
            self._warn(row, column, f"标签中的 ${{{name}}} 不会替换为答案，按原文显示")

    # ------------------------------------------------------------ sections

    def _section(self, row: Row) -> SectionDraft:
        groups = [frame for frame in self.frames if frame.kind == "group"]
        owner = groups[-1] if groups else None
        if self.drafts and self.drafts[-1].owner is owner:
            return self.drafts[-1]
        if owner is None:
            draft = SectionDraft(
                self.section_ids.make("general", "general"), GENERAL_TITLE, None, None
            )
        else:
            title = joined([frame.title for frame in groups])
            draft = SectionDraft(
                self.section_ids.make(owner.name, "section"), title, owner.row, owner
            )
        self.drafts.append(draft)
        return draft

    def _emit(self) -> Survey:
        sections: list[dict] = []
        cells: dict[str, CellError] = {}
        for draft in self.drafts:
            if not draft.items:
                where = draft.row or draft.note_rows[0]
                what = f'组 "{draft.owner.name}"' if draft.owner else "组外"
                self._warn(where, "type", f"{what}没有可导入的问题，其说明文字未导入")
                continue
            path = f"sections[{len(sections)}]"
            section: dict = {"id": draft.id, "title": draft.title}
            if draft.notes:
                section["note"] = joined(draft.notes, "\n")
            section["items"] = [item.source for item in draft.items]
            if draft.row is not None:
                cells[path] = draft.row.at("type", "")
                cells[f"{path}.title"] = draft.row.at("label", "")
            for index, item in enumerate(draft.items):
                for suffix, cell in item.cells.items():
                    cells[f"{path}.items[{index}]{suffix}"] = cell
            sections.append(section)
        return Survey(sections, cells, self.names, self.carried, self.warnings)

    def _warn(self, row: Row, column: str | None, message: str) -> None:
        self.warnings.append(row.at(column, message))
