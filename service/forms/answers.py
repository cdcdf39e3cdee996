"""Answers to a form: what each item accepts, and what is still missing.

Answers are a JSON object keyed by item id. `validate_answers` checks types and
ranges (used on every save and score); `completeness_problems` checks what a final
submission needs (required items, photo counts, evidence for failed checks).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from .model import (
    Check,
    Choice,
    DateItem,
    DefectCount,
    FormDefinition,
    ItemBase,
    Location,
    LongText,
    MultiChoice,
    Number,
    Photo,
    Rate,
    ShortText,
    ShowIf,
    TextFormat,
    allows_na,
)

NA = "na"

# The item's own remark (备注), e.g. what exactly a failed check found, is kept with the
# answers under "<item id>.remark": the dot is outside the item-id pattern, so it never
# meets an item, and the remark travels wherever answers go (autosave merges, revisions,
# the outbox, the API) with no second map to keep in step.
REMARK_SUFFIX = ".remark"
MAX_REMARK = 200


def remark_key(item_id: str) -> str:
    return item_id + REMARK_SUFFIX


def remark_of(answers: Mapping[str, Any], item_id: str) -> str:
    """The remark written on an item ("" if none)."""
    value = answers.get(remark_key(item_id))
    return value.strip() if isinstance(value, str) else ""


def takes_remark(item: ItemBase) -> bool:
    """Checks take a remark: what was wrong when one fails."""
    return isinstance(item, Check)


class AnswerError(msgspec.Struct, frozen=True):
    item: str
    code: str  # stable: clients and tests match on it
    message: str  # English
    message_zh: str


# The most errors an answer lists: more tells a client nothing new, and checking
# 100,000 unknown keys took seconds and answered 15 MB.
MAX_ERRORS = 100


class InvalidAnswers(Exception):
    """`truncated`: there were more errors than `errors` lists (checking stopped)."""

    def __init__(self, errors: list[AnswerError], truncated: bool = False):
        self.errors = errors
        self.truncated = truncated
        super().__init__("; ".join(f"{e.item}: {e.message}" for e in errors))


def validate_answers(definition: FormDefinition, answers: Any) -> list[AnswerError]:
    """Every type or range error in `answers`, in form order."""
    return list(answer_errors(definition, answers))


def first_errors(
    definition: FormDefinition, answers: Any, limit: int = MAX_ERRORS
) -> tuple[list[AnswerError], bool]:
    """At most `limit` errors, and whether there were more (checking stops there)."""
    found = list(itertools.islice(answer_errors(definition, answers), limit + 1))
    return found[:limit], len(found) > limit


def answer_errors(definition: FormDefinition, answers: Any) -> Iterator[AnswerError]:
    """The type or range errors in `answers` one by one: unknown keys, then in form order."""
    if not isinstance(answers, Mapping):
        yield _error(
            "",
            "not_an_object",
            "answers must be a JSON object keyed by item id",
            "答案必须是以题目编号为键的对象",
        )
        return
    items = definition.item_map()
    for key in answers:
        if key.endswith(REMARK_SUFFIX):
            yield from _check_remark(items.get(key.removesuffix(REMARK_SUFFIX)), key, answers[key])
        elif key not in items:
            yield _error(
                key,
                "unknown_item",
                f"no item `{key}` in form {definition.id}",
                f"表单中没有编号为“{key}”的题目",
            )
    for item_id, item in items.items():
        value = answers.get(item_id)
        if value is None:
            continue
        if value == NA and not isinstance(item, (ShortText, LongText)):
            if not allows_na(item):
                yield _error(
                    item_id,
                    "na_not_allowed",
                    "this item cannot be not applicable",
                    "此项不能选“不适用”",
                )
            continue
        yield from _check_value(item, value)


def visible_items(definition: FormDefinition, answers: Mapping[str, Any]) -> set[str]:
    """Ids of the items shown for these answers (show_if evaluated in form order).

    An item in a section whose own show_if does not hold is hidden too, whatever
    the item's condition says."""
    return _visibility(definition, answers)[1]


def visible_sections(definition: FormDefinition, answers: Mapping[str, Any]) -> set[str]:
    """Ids of the sections shown for these answers (those without show_if, and those
    whose show_if holds)."""
    return _visibility(definition, answers)[0]


def _visibility(
    definition: FormDefinition, answers: Mapping[str, Any]
) -> tuple[set[str], set[str]]:
    sections: set[str] = set()
    visible: set[str] = set()
    for section in definition.sections:
        if section.show_if is not None and not _holds(section.show_if, visible, answers):
            continue
        sections.add(section.id)
        for item in section.items:
            if item.show_if is None or _holds(item.show_if, visible, answers):
                visible.add(item.id)
    return sections, visible


def _holds(condition: ShowIf, visible: set[str], answers: Mapping[str, Any]) -> bool:
    """The item it depends on is shown and its answer is one of the wanted values."""
    if condition.item not in visible:
        return False
    wanted = [condition.equals] if condition.any_of is None else list(condition.any_of)
    wanted_text = {str(w) for w in wanted}
    answer = answers.get(condition.item)
    given = answer if isinstance(answer, list) else [answer]
    return any(a is not None and str(a) in wanted_text for a in given)


def completeness_problems(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    evidence: Mapping[str, list[str]] | None = None,
) -> list[AnswerError]:
    """What a final submission still lacks, for visible items only."""
    evidence = evidence or {}
    visible = visible_items(definition, answers)
    problems: list[AnswerError] = []
    for _, item in definition.items():
        if item.id not in visible:
            continue
        value = answers.get(item.id)
        if value is None or value == "" or value == []:
            if item.required or (isinstance(item, Photo) and item.min_count > 0):
                problems.append(_error(item.id, "required", "an answer is required", "此项必填"))
            continue
        if isinstance(item, Photo) and isinstance(value, list) and len(value) < item.min_count:
            problems.append(
                _error(
                    item.id,
                    "too_few_photos",
                    f"at least {item.min_count} photos",
                    f"至少需要{item.min_count}张照片",
                )
            )
        if (
            isinstance(item, MultiChoice)
            and isinstance(value, list)
            and len(value) < item.min_selected
        ):
            problems.append(
                _error(
                    item.id,
                    "too_few_selected",
                    f"choose at least {item.min_selected}",
                    f"至少选择{item.min_selected}项",
                )
            )
        failed_check = isinstance(item, Check) and value not in (NA, item.good.value)
        if failed_check and item.evidence_on_fail and not evidence.get(item.id):  # type: ignore[union-attr]
            problems.append(
                _error(
                    item.id,
                    "evidence_required",
                    "a photo is required when this check fails",
                    "此项不合格时须上传照片",
                )
            )
    return problems


# ---------------------------------------------------------------- per type


def _check_remark(item: ItemBase | None, key: str, value: Any) -> Iterator[AnswerError]:
    if item is None or not takes_remark(item):
        yield _error(key, "remark_not_allowed", "only a check takes a remark", "只有检查项可填备注")
    elif not isinstance(value, str):
        yield _error(key, "wrong_type", "expected text", "应填写文字")
    elif len(value) > MAX_REMARK:
        yield _error(key, "too_long", f"at most {MAX_REMARK} characters", f"最多{MAX_REMARK}个字")


def _check_value(item: ItemBase, value: Any) -> list[AnswerError]:
    checker = _CHECKERS.get(type(item))
    return list(checker(item, value)) if checker else []


def _check_check(item: Check, value: Any) -> Iterator[AnswerError]:
    if value not in ("yes", "no"):
        yield _expected(item, "yes, no" + (" or na" if allows_na(item) else ""), "是/否")


def _check_choice(item: Choice, value: Any) -> Iterator[AnswerError]:
    ids = [option.id for option in item.options]
    if not isinstance(value, str) or value not in ids:
        yield _error(
            item.id,
            "not_an_option",
            f"expected one of: {', '.join(ids)}",
            f"请从选项中选择：{'、'.join(ids)}",
        )


def _check_multi(item: MultiChoice, value: Any) -> Iterator[AnswerError]:
    ids = [option.id for option in item.options]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        yield _expected(item, "a list of option ids", "选项列表")
        return
    unknown = [v for v in value if v not in ids]
    if unknown:
        yield _error(
            item.id,
            "not_an_option",
            f"not options: {', '.join(unknown)}",
            f"不是有效选项：{'、'.join(unknown)}",
        )
    if len(set(value)) != len(value):
        yield _error(item.id, "duplicate_option", "an option is chosen twice", "选项重复")
    if item.max_selected is not None and len(value) > item.max_selected:
        yield _error(
            item.id,
            "too_many_selected",
            f"choose at most {item.max_selected}",
            f"最多选择{item.max_selected}项",
        )


def _check_number(item: Number, value: Any) -> Iterator[AnswerError]:
    if not _is_number(value):
        yield _expected(item, "a number", "数字")
        return
    if item.integer and value != int(value):
        yield _expected(item, "a whole number", "整数")
    yield from _range(item, value, item.min, item.max)


def _check_rate(item: Rate, value: Any) -> Iterator[AnswerError]:
    if not _is_number(value):
        yield _expected(item, "a percentage from 0 to 100", "0–100的百分比")
        return
    yield from _range(item, value, 0, 100)


def _check_count(item: DefectCount, value: Any) -> Iterator[AnswerError]:
    if not _is_number(value) or value != int(value):
        yield _expected(item, "a whole number of defects", "缺项数（整数）")
        return
    yield from _range(item, value, 0, item.max_count)


def _check_text(item: ShortText | LongText, value: Any) -> Iterator[AnswerError]:
    if not isinstance(value, str):
        yield _expected(item, "text", "文字")
        return
    if len(value) > item.max_length:
        yield _error(
            item.id,
            "too_long",
            f"at most {item.max_length} characters",
            f"最多{item.max_length}个字",
        )
    if isinstance(item, ShortText) and item.format and value.strip():
        if item.format is TextFormat.cas and not is_cas_number(value.strip()):
            yield _error(
                item.id,
                "bad_cas",
                "not a valid CAS number (check digit)",
                "CAS号无效（校验位不符）",
            )
        if item.format is TextFormat.phone and not is_phone_number(value.strip()):
            yield _error(item.id, "bad_phone", "not a valid phone number", "电话号码格式不正确")


def _check_date(item: DateItem, value: Any) -> Iterator[AnswerError]:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        yield _expected(item, "a date as YYYY-MM-DD", "日期（YYYY-MM-DD）")
        return
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        yield _error(item.id, "bad_date", f"no such date: {value}", f"日期不存在：{value}")


def _check_photo(item: Photo, value: Any) -> Iterator[AnswerError]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        yield _expected(item, "a list of photo ids", "照片列表")
        return
    if len(value) > item.max_count:
        yield _error(
            item.id,
            "too_many_photos",
            f"at most {item.max_count} photos",
            f"最多{item.max_count}张照片",
        )


def _check_location(item: Location, value: Any) -> Iterator[AnswerError]:
    if isinstance(value, Mapping) and value.get("refused") is True and len(value) == 1:
        return
    if not isinstance(value, Mapping) or set(value) - {"lat", "lon", "accuracy"}:
        yield _expected(item, '{"lat", "lon", "accuracy"} or {"refused": true}', "定位信息")
        return
    lat, lon, accuracy = value.get("lat"), value.get("lon"), value.get("accuracy")
    if not (_is_number(lat) and -90 <= lat <= 90 and _is_number(lon) and -180 <= lon <= 180):
        yield _error(
            item.id, "bad_location", "lat must be within ±90 and lon within ±180", "经纬度超出范围"
        )
    if accuracy is not None and not (_is_number(accuracy) and accuracy >= 0):
        yield _error(item.id, "bad_location", "accuracy must be metres ≥ 0", "定位精度须为非负米数")


_CHECKERS: dict[type, Any] = {
    Check: _check_check,
    Choice: _check_choice,
    MultiChoice: _check_multi,
    Number: _check_number,
    Rate: _check_rate,
    DefectCount: _check_count,
    ShortText: _check_text,
    LongText: _check_text,
    DateItem: _check_date,
    Photo: _check_photo,
    Location: _check_location,
}

# ---------------------------------------------------------------- helpers


def is_cas_number(value: str) -> bool:
    """CAS RN: 2–7 digits, 2 digits, 1 check digit = weighted sum mod 10."""
    match = re.fullmatch(r"(\d{2,7})-(\d{2})-(\d)", value)
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    total = sum(int(d) * (i + 1) for i, d in enumerate(digits))
    return total % 10 == int(match.group(3))


def is_phone_number(value: str) -> bool:
    """Mobile (1xxxxxxxxxx), landline (0xx-xxxxxxxx) or a short service number (120, 12345)."""
    compact = re.sub(r"[\s-]", "", value)
    return bool(
        re.fullmatch(r"1[3-9]\d{9}", compact)
        or re.fullmatch(r"0\d{9,11}", compact)
        or re.fullmatch(r"\d{3,5}", compact)
        or re.fullmatch(r"[48]00\d{7}", compact)
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _range(
    item: ItemBase, value: float, low: float | None, high: float | None
) -> Iterator[AnswerError]:
    if low is not None and value < low:
        yield _error(item.id, "too_small", f"must be at least {low:g}", f"不能小于{low:g}")
    if high is not None and value > high:
        yield _error(item.id, "too_large", f"must be at most {high:g}", f"不能大于{high:g}")


def _expected(item: ItemBase, english: str, chinese: str) -> AnswerError:
    return _error(item.id, "wrong_type", f"expected {english}", f"应填写{chinese}")


def _error(item: str, code: str, message: str, message_zh: str) -> AnswerError:
    return AnswerError(item=item, code=code, message=message, message_zh=message_zh)
