"""The 设置 sheet: the form's id, title, version, kind, roles, basis, total, N/A policy,
rounding, gates (参评条件), grades (等级, 等级条件) and grade caps (最高评为).
Columns: 设置项 | 值 | 英文 | 名称 | 编号."""

from __future__ import annotations

import re
from typing import Protocol

from ..imported import CellError
from .cells import CellProblem, narrow, number_cell, read_number
from .expressions import GATE_HELP, Names, read_answer_condition, read_gate
from .layout import (
    GATE,
    GRADE,
    GRADE_CAP,
    GRADE_GATE,
    ROLES,
    SETTINGS,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    TEXT_SETTINGS,
)
from .sheet import Row, header_key, read_table

SOURCE_ORDER = ("id", "version", "kind", "title", "basis", "roles", "description", "scoring")
_LIST_SEPARATORS = re.compile(r"[、,;；/\s]+")


class Collector(Protocol):
    cells: dict[str, CellError]

    def error(self, error: CellError) -> None: ...


def read_settings(values: list[tuple] | None, names: Names, reader: Collector) -> dict:
    """The form's fields other than its sections, from the 设置 sheet."""
    if values is None:
        return {}
    table = read_table(SETTINGS_SHEET, values, SETTINGS_COLUMNS, "设置项")
    if table is None:  # no header row: the columns in their usual order
        headers = [c.header for c in SETTINGS_COLUMNS]
        table = read_table(SETTINGS_SHEET, [tuple(headers), *values], SETTINGS_COLUMNS, "设置项")
        assert table is not None
        table.rows = [Row(r.sheet, r.number - 1, r.cells) for r in table.rows]
    by_key = {header_key(n): s for s in SETTINGS for n in (s.key, *s.aliases)}
    source: dict = {}
    scoring: dict = {}
    gates: list[dict] = []
    grades: list[dict] = []
    grade_gates: list[tuple[Row, dict]] = []
    caps: list[dict] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        key = row.text("设置项")
        if key is None:
            reader.error(row.at("设置项", "没有设置项名称"))
            continue
        try:
            if header_key(key) == header_key(GATE):
                gates.append(_gate(row, names))
                reader.cells[f"scoring.gates[{len(gates) - 1}]"] = row.at("值")
            elif header_key(key) == header_key(GRADE):
                grades.append(_grade(row, len(grades)))
                reader.cells[f"scoring.grades[{len(grades) - 1}]"] = row.at("值")
            elif header_key(key) == header_key(GRADE_GATE):
                grade_gates.append((row, _gate(row, names)))
            elif header_key(key) == header_key(GRADE_CAP):
                caps.append(_grade_cap(row, names))
                path = f"scoring.grade_caps[{len(caps) - 1}]"
                reader.cells[path] = row.at("值")
                reader.cells[f"{path}.at_most"] = row.at("编号")
                reader.cells[f"{path}.reason"] = row.at("名称")
            elif header_key(key) in by_key:
                setting = by_key[header_key(key)]
                if setting.path in seen:
                    reader.error(row.at("设置项", f"“{key}”已在第{seen[setting.path]}行设置"))
                    continue
                seen[setting.path] = row.number
                value = _value(row, setting)
                if value is None:
                    continue
                target = scoring if setting.path.startswith("scoring.") else source
                target[setting.path.removeprefix("scoring.")] = value
                reader.cells[setting.path] = row.at("值")
            else:
                more = [GATE, GRADE, GRADE_GATE, GRADE_CAP]
                allowed = "、".join([s.key for s in SETTINGS] + more)
                reader.error(row.at("设置项", f"未知的设置项“{key}”；可用：{allowed}"))
        except CellProblem as problem:
            reader.error(row.at("值", problem.message))
    for row, gate in grade_gates:
        grade_id = narrow(row.text("编号") or "").strip().lower()
        index = next((i for i, g in enumerate(grades) if g["id"] == grade_id), None)
        if index is None:
            reader.error(row.at("编号", f"等级条件须在“编号”列写等级的编号；没有等级“{grade_id}”"))
            continue
        requires = grades[index].setdefault("requires", [])
        requires.append(gate)
        reader.cells[f"scoring.grades[{index}].requires[{len(requires) - 1}]"] = row.at("值")
    if gates:
        scoring["gates"] = gates
    if grades:
        scoring["grades"] = grades
    if caps:
        scoring["grade_caps"] = caps
    if scoring:
        source["scoring"] = scoring
        reader.cells.setdefault("scoring", reader.cells.get("scoring.max", table.rows[0].at("值")))
        source.setdefault("kind", "scored")  # a total means a scoring table
    return {key: source[key] for key in SOURCE_ORDER if key in source}


def _value(row: Row, setting) -> object:
    if row.text("值") is None:
        return None
    if setting.path in TEXT_SETTINGS:
        zh, en = row.text("值"), row.text("英文")
        return {"zh": zh, "en": en} if en else zh
    if setting.path == "roles":
        words = [w for w in _LIST_SEPARATORS.split(narrow(row.text("值") or "")) if w]
        return [ROLES.read(word, setting.key) for word in words]
    value = setting.kind.read(row.raw("值"), setting.key)
    if setting.path == "id":
        return narrow(str(value)).strip().lower()
    return number_cell(value) if isinstance(value, float) else value


def _label(row: Row) -> object:
    zh, en = row.text("名称"), row.text("英文")
    return {"zh": zh, "en": en} if zh and en else zh


def _gate(row: Row, names: Names) -> dict:
    gate = read_gate(row.text("值") or "", names)
    label = _label(row)
    return {**gate, "label": label} if label else gate


def _grade(row: Row, index: int) -> dict:
    minimum = number_cell(read_number(row.raw("值"), "等级分数线"))
    label = _label(row)
    if not label:
        raise CellProblem("等级须在“名称”列写等级名称，如 优胜单位")
    grade_id = narrow(row.text("编号") or "").strip().lower() or f"grade-{index + 1}"
    return {"id": grade_id, "min": minimum, "label": label}


def _grade_cap(row: Row, names: Names) -> dict:
    """最高评为: 值 the answer that caps (`项目 fatal-accident=是`), 编号 the highest grade
    it still allows, 名称 the reason as the table prints it."""
    text = row.text("值") or ""
    if not re.search(r"[=＝]", text) or re.search(r"≠|!=|不等于", text):
        raise CellProblem(f'最高评为的条件 "{text}" 须写作“项目 编号=答案”；{GATE_HELP}')
    cap = read_answer_condition(text, names)
    grade_id = narrow(row.text("编号") or "").strip().lower()
    if not grade_id:
        raise CellProblem("最高评为须在“编号”列写最高可评的等级编号")
    reason = _label(row)
    if not reason:
        raise CellProblem("最高评为须在“名称”列写理由，如 发生1起死亡事故的，最高评为二级")
    return {**cap, "at_most": grade_id, "reason": reason}


def stand_in_settings(sections: list[dict]) -> dict:
    """Without a 设置 sheet the form's own fields stand in, so the 评分表 is still checked
    in the same run (errors about the stand-ins are not reported: the sheet is missing)."""
    total = sum(
        s.get("points", 0)
        for s in sections
        if s.get("kind", "standard") != "bonus" and isinstance(s.get("points", 0), (int, float))
    )
    kind = "scored" if total else "checklist"
    stand_in = {"id": "imported", "version": 1, "kind": kind, "title": "-", "basis": "-"}
    stand_in["roles"] = ["enterprise"]
    return {**stand_in, "scoring": {"max": total}} if total else stand_in
