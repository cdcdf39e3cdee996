"""Every answer and score of a campaign as rows a union clerk re-checks in Excel. Pure.

One row per (submission, item): who filled it (enterprise, team, area, role, scorer),
which version of it, the item, the answer as the form shows it (choice labels, 是/否,
numbers with their units) and the remark written on it, the stored score and its
maximum, the result, a veto the answer raised, the hazard grade and how many photos
back it. In Chinese whatever the page language: the file is filed and passed on as
union clerks write it.

The numbers are the current revision's stored breakdown: the same one its `item_score`
rows were written from, in the same transaction, and immutable, so the answers and the
scores of a row always belong to the same revision.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import msgspec

from service.campaigns.rules import local_time
from service.forms.answers import remark_of
from service.forms.model import (
    SCORED_ITEM_TYPES,
    Check,
    Choice,
    FormDefinition,
    ItemBase,
    Location,
    MultiChoice,
    Number,
    Photo,
    Rate,
    text,
)
from service.scoring.breakdown import ItemResult, VetoReason
from service.scoring.numbers import number_text

HEADER_ZH = (
    "参评单位", "统一社会信用代码", "班组", "片区", "角色", "评分人", "提交时间", "版本",
    "版本时间", "部分编号", "部分", "题目编号", "题目", "回答", "备注", "得分", "满分", "结果",
    "一票否决", "隐患等级", "照片数", "提交编号",
)  # fmt: skip
ROLE_ZH = {"enterprise": "自评", "judge": "评委", "supervisor": "监督员", "admin": "管理员"}
# Within an enterprise: its self-assessment first, then the judges, then inspections.
ROLE_ORDER = {"enterprise": 0, "judge": 1, "supervisor": 2, "admin": 3}
HAZARD_ZH = {"general": "一般隐患", "larger": "较大隐患", "major": "重大隐患"}
RESULT_ZH = {"failed": "不合格", "not_applicable": "不适用", "missing": "未答"}
MET_ZH, FILLED_ZH = "合格", "已填"  # answered: a scored item met its standard; others filled
NA = "na"


class ItemLine(NamedTuple):
    """What the form says of one item, worked out once per export."""

    section_id: str
    section_title: str
    item_id: str
    label: str
    item: ItemBase | None  # None: an item the form version no longer has (never expected)
    scored: bool
    options: Mapping[str, str]  # option id → label, for choices


def item_lines(definition: FormDefinition) -> dict[str, ItemLine]:
    """The items of the form in form order, keyed by item id."""
    lines: dict[str, ItemLine] = {}
    for section, item in definition.items():
        options = (
            {o.id: text(o.label) for o in item.options}
            if isinstance(item, (Choice, MultiChoice))
            else {}
        )
        lines[item.id] = ItemLine(
            section.id,
            text(section.title),
            item.id,
            text(item.label),
            item,
            isinstance(item, SCORED_ITEM_TYPES),
            options,
        )
    return lines


class Scorecard(NamedTuple):
    """The columns one submission gives every row of it."""

    id: str
    enterprise: str
    credit_code: str
    team: str
    village: str
    role: str  # in Chinese
    scorer: str
    submitted_at: str
    revision: int
    revised_at: str


class AnswerRow(NamedTuple):
    card: Scorecard
    line: ItemLine
    answer: str
    remark: str  # the item's own remark (备注), when it was answered
    score: float
    max: float
    result: str
    veto: str
    hazard: str
    photos: int | None  # None: no photo

    def values(self) -> tuple[Any, ...]:
        """The row in the order of `HEADER_ZH`."""
        c, line = self.card, self.line
        return (
            c.enterprise, c.credit_code, c.team, c.village, c.role, c.scorer, c.submitted_at,
            c.revision, c.revised_at, line.section_id, line.section_title, line.item_id,
            line.label, self.answer, self.remark, self.score, self.max, self.result, self.veto,
            self.hazard, self.photos, c.id,
        )  # fmt: skip


class _Stored(msgspec.Struct):
    """The part of a stored breakdown the export reads."""

    items: list[ItemResult] = []
    veto_reasons: list[VetoReason] = []


_decode_breakdown = msgspec.json.Decoder(_Stored).decode
_decode_photos = msgspec.json.Decoder(dict[str, list[str]]).decode
_decode_answers = msgspec.json.Decoder(dict[str, Any]).decode


def answer_text(line: ItemLine, value: Any) -> str:
    """An answer as the form shows it, in Chinese: 是/否/不适用, the chosen options'
    labels, a number with its unit, a count of photos; empty when unanswered."""
    item = line.item
    if value is None or value == "" or value == []:
        return ""
    if value == NA and not isinstance(item, (Choice, MultiChoice)):
        return "不适用"
    if isinstance(item, Check):
        return {"yes": "是", "no": "否"}.get(str(value), str(value))
    if isinstance(item, (Choice, MultiChoice)):
        chosen = value if isinstance(value, list) else [value]
        return "、".join(line.options.get(str(v), str(v)) for v in chosen)
    if isinstance(item, Photo) and isinstance(value, list):
        return f"{len(value)}张照片"
    if isinstance(item, Location) and isinstance(value, Mapping):
        return _location(value)
    if _is_number(value):
        if isinstance(item, Rate):
            return f"{number_text(value)}%"
        if isinstance(item, Number) and item.unit:
            return f"{number_text(value)} {text(item.unit)}"
        return number_text(value)
    return str(value)


def _location(value: Mapping[str, Any]) -> str:
    if value.get("refused"):
        return "未提供位置"
    lat, lon = value.get("lat"), value.get("lon")
    if not (_is_number(lat) and _is_number(lon)):
        return f"{lat}, {lon}"
    found = f"{lat:.6f}, {lon:.6f}"  # as the phone shows it: about 0.1 m
    accuracy = value.get("accuracy")
    return f"{found}（±{number_text(accuracy)}米）" if _is_number(accuracy) else found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def result_text(line: ItemLine, status: str) -> str:
    if status == "answered":
        return MET_ZH if line.scored else FILLED_ZH
    return RESULT_ZH.get(status, status)


def scorecard(row: Mapping[str, Any]) -> Scorecard:
    """The columns of one submission row as `answers_export` reads it."""
    role = row["role"]
    enterprise = row["enterprise_name"] or ""
    return Scorecard(
        id=str(row["id"]),
        enterprise=enterprise,
        credit_code=row["credit_code"] or "",
        team=row["team_name"] or "",
        village=row["village"] or "",
        role=ROLE_ZH.get(role, role),
        # A self-assessment is the enterprise's own word, whoever of its staff typed it.
        scorer=enterprise if role == "enterprise" else (row["author_name"] or ""),
        submitted_at=local_time(row["submitted_at"]),
        revision=row["revision"],
        revised_at=local_time(row["revised_at"]),
    )


def submission_order(row: Mapping[str, Any]) -> tuple:
    """Enterprise by enterprise, each team after it; the self-assessment first, then
    the judges and the inspections in the order they came in."""
    return (
        row["enterprise"],
        row["team"] or 0,
        ROLE_ORDER.get(row["role"], len(ROLE_ORDER)),
        row["submitted_at"] or dt.datetime.max.replace(tzinfo=dt.UTC),
        str(row["id"]),
    )


def answer_rows(lines: Mapping[str, ItemLine], row: Mapping[str, Any]) -> Iterator[AnswerRow]:
    """One submission's rows, in form order: `row` holds its columns and its current
    revision's `answers`, `breakdown` and `evidence` (photos by item) as stored JSON."""
    card = scorecard(row)
    answers = _decode_answers(row["answers"])
    stored = _decode_breakdown(row["breakdown"])
    photos = _decode_photos(row["evidence"] or "{}")
    vetoes: dict[str, str] = {}
    for veto in stored.veto_reasons:
        vetoes.setdefault(veto.item, veto.reason.zh)
    results = {result.id: result for result in stored.items}
    known = [line for line in lines.values() if line.item_id in results]
    # Scores for items the form does not know (never expected) still show, by id.
    unknown = [_unknown(results[i]) for i in results if i not in lines]
    for line in known + unknown:
        result = results[line.item_id]
        count = len(photos.get(line.item_id, ()))
        yield AnswerRow(
            card,
            line,
            answer_text(line, answers.get(line.item_id)),
            remark_of(answers, line.item_id) if line.item_id in answers else "",
            result.score,
            result.max,
            result_text(line, result.status),
            vetoes.get(line.item_id, ""),
            HAZARD_ZH.get(result.hazard, result.hazard) if result.hazard else "",
            count or None,
        )


def _unknown(result: ItemResult) -> ItemLine:
    return ItemLine(result.section, "", result.id, result.id, None, True, {})
