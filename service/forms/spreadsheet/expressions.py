"""The two small sentences a clerk writes in cells: a 显示条件 (`s1-2=是`) and a
参评条件, 等级条件 or 最高评为 condition (`总分≥80`, `每部分≥80%`, `部分 组织领导≥42`,
`项目 入会率≥90`, and on an answer `项目 职代会制度=是`, `项目 s2-1=a、b`, `项目 s2-1≠c`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Check, Gate, GradeCap, ShowIf
from .cells import CellProblem, narrow, number_cell, read_number

CHECK_ANSWER_WORDS = {"yes": "是", "no": "否", "na": "不适用"}
_ROW_REFERENCE = re.compile(r"^(?:第)?(\d+)行$|^行(\d+)$")
_VALUE_SEPARATORS = re.compile(r"[、,;；/]|或")
_AT_LEAST = re.compile(r"(>=|≥|不低于|不少于|达到)")
_ANSWER = re.compile(r"(!=|≠|不等于|=)")

SHOW_IF_HELP = "写作“编号=值”，如 s1-2=是；多个值用“、”分隔"
GATE_HELP = (
    "写法：总分≥80、每部分≥80%、部分 组织领导≥42、部分 组织领导≥80%、项目 入会率编号≥90、"
    "项目 编号=是、项目 编号=a、b（其中之一）、项目 编号≠a、b（都不是）"
)


@dataclass
class Names:
    """What a reference in a cell may name: items by id or by row, sections by id or title.
    Filled while the 评分表 is read; conditions are read after it."""

    item_rows: dict[int, str] = field(default_factory=dict)  # sheet row → item id
    items: dict[str, dict] = field(default_factory=dict)  # item id → the item's source
    sections: dict[str, str] = field(default_factory=dict)  # section id or title → its id

    def item(self, reference: str) -> str:
        reference = narrow(reference).replace(" ", "")
        match = _ROW_REFERENCE.match(reference)
        if match:
            row = int(match.group(1) or match.group(2))
            if row not in self.item_rows:
                raise CellProblem(f"第{row}行不是考核内容行")
            return self.item_rows[row]
        return reference


def read_show_if(text: str, names: Names) -> dict:
    if "=" not in narrow(text):
        raise CellProblem(f'显示条件 "{text}" 看不懂；{SHOW_IF_HELP}')
    reference, _, wanted = narrow(text).partition("=")
    item_id = names.item(reference.strip())
    values = [v.strip() for v in _VALUE_SEPARATORS.split(wanted) if v.strip()]
    if not item_id or not values:
        raise CellProblem(f'显示条件 "{text}" 看不懂；{SHOW_IF_HELP}')
    target = names.items.get(item_id)
    values = [_answer_id(value, target) for value in values]
    # `a、` (a trailing separator) is a list of one: any_of rather than equals.
    if len(values) == 1 and not _VALUE_SEPARATORS.search(wanted.strip()[-1:]):
        return {"item": item_id, "equals": values[0]}
    return {"item": item_id, "any_of": values}


def _answer_id(value: str, target: object) -> str:
    """The answer as stored: 是 → yes for a check; an option's label → its id."""
    if not isinstance(target, dict):
        return value
    if target.get("type", "check") == "check":
        by_word = {word: answer for answer, word in CHECK_ANSWER_WORDS.items()}
        return by_word.get(value, value)
    for option in target.get("options") or []:
        label = option.get("label")
        zh = label.get("zh") if isinstance(label, dict) else label
        if value in (str(option.get("id")), zh):
            return str(option.get("id"))
    return value


def write_show_if(condition: ShowIf, target: object) -> str:
    wanted = [condition.equals] if condition.any_of is None else list(condition.any_of)
    words = [
        CHECK_ANSWER_WORDS.get(str(v), str(v)) if isinstance(target, Check) else str(v)
        for v in wanted
    ]
    tail = "、" if condition.any_of is not None and len(words) == 1 else ""
    return f"{condition.item}={'、'.join(words)}{tail}"


def read_gate(text: str, names: Names) -> dict:
    flat = narrow(text).replace(" ", "")
    parts = _AT_LEAST.split(flat, maxsplit=1)
    if len(parts) != 3 and _ANSWER.search(flat):
        return read_answer_condition(text, names)
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise CellProblem(f'条件 "{text}" 看不懂；{GATE_HELP}')
    subject, _, amount = parts
    percent = amount.endswith("%")
    value = number_cell(read_number(amount, "条件的数值"))
    if subject in ("总分", "总得分"):
        return {"min_total": value}
    if subject in ("每部分", "各部分", "每个部分", "每一部分"):
        return {"min_section_percent": value}
    for prefix, kind in (("部分", "section"), ("项目", "item"), ("", "")):
        if not subject.startswith(prefix):
            continue
        name = subject[len(prefix) :]
        if kind != "item" and name in names.sections:
            section = names.sections[name]
            return {"section": section, "min_percent" if percent else "min_points": value}
        if kind != "section" and (name in names.items or kind == "item"):
            return {"item": names.item(name), "at_least": value}
    raise CellProblem(f'条件 "{text}" 中的“{subject}”不是部分或考核内容；{GATE_HELP}')


def read_answer_condition(text: str, names: Names) -> dict:
    """`项目 s2-1=是` (equals), `=a、b` (any_of; `=a、` a list of one), `≠a、b` (none_of)."""
    flat = narrow(text).replace(" ", "")
    subject, sign, wanted = _ANSWER.split(flat, maxsplit=1)
    reference = subject.removeprefix("项目")
    values = [v for v in _VALUE_SEPARATORS.split(wanted) if v]
    if not reference or not values:
        raise CellProblem(f'条件 "{text}" 看不懂；{GATE_HELP}')
    item_id = names.item(reference)
    answers = [_answer_id(value, names.items.get(item_id)) for value in values]
    if sign != "=":
        return {"item": item_id, "none_of": answers}
    if len(answers) == 1 and not _VALUE_SEPARATORS.search(wanted[-1:]):
        return {"item": item_id, "equals": answers[0]}
    return {"item": item_id, "any_of": answers}


def write_answer_condition(condition: Gate | GradeCap, target: object) -> str:
    def said(values: list[str]) -> str:
        words = [CHECK_ANSWER_WORDS.get(v, v) if isinstance(target, Check) else v for v in values]
        return "、".join(words)

    none_of = getattr(condition, "none_of", None)
    if none_of is not None:
        return f"项目 {condition.item}≠{said(none_of)}"
    if condition.any_of is not None:
        tail = "、" if len(condition.any_of) == 1 else ""
        return f"项目 {condition.item}={said(condition.any_of)}{tail}"
    return f"项目 {condition.item}={said([condition.equals or ''])}"


def write_gate(gate: Gate, target: object = None) -> str:
    """The gate as a clerk writes it; `target` is the item an answer condition is about."""

    def n(value: float) -> str:
        return f"{value:g}"

    if gate.item is not None and gate.at_least is None:
        return write_answer_condition(gate, target)
    if gate.min_total is not None:
        return f"总分≥{n(gate.min_total)}"
    if gate.min_section_percent is not None:
        return f"每部分≥{n(gate.min_section_percent)}%"
    if gate.section is not None:
        if gate.min_percent is not None:
            return f"部分 {gate.section}≥{n(gate.min_percent)}%"
        return f"部分 {gate.section}≥{n(gate.min_points or 0)}"
    return f"项目 {gate.item}≥{n(gate.at_least or 0)}"
