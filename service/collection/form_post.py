"""Turning a posted HTML form (one section of a form) into answers. Pure.

Values are kept as typed when they do not parse (a number field holding "12,5"
stays "12,5"), so a draft never loses what was entered; validation then reports
it next to its question.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from service.forms.answers import remark_key, takes_remark
from service.forms.model import (
    Check,
    Choice,
    DateItem,
    DefectCount,
    ItemBase,
    Location,
    LongText,
    MultiChoice,
    Number,
    Photo,
    Rate,
    Section,
    ShortText,
)


def section_answers(section: Section, form: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The answers posted for `section`'s items (with their remarks), and the keys it
    covers (photos excluded: the server keeps those as they are uploaded)."""
    answers: dict[str, Any] = {}
    covered: set[str] = set()
    for item in section.items:
        if isinstance(item, Photo):
            continue
        covered.add(item.id)
        value = item_answer(item, form)
        if value is not None:
            answers[item.id] = value
        if takes_remark(item):
            key = remark_key(item.id)
            covered.add(key)
            remark = _first(form.get(key))
            if remark is not None and remark.strip():
                answers[key] = remark.replace("\r\n", "\n").strip()
    return answers, covered


def item_answer(item: ItemBase, form: Mapping[str, Any]) -> Any:
    if isinstance(item, MultiChoice):
        return [v for v in _all(form.get(item.id)) if v] or None
    if isinstance(item, Location):
        return _location(item.id, form)
    raw = _first(form.get(item.id))
    if raw is None:
        return None
    if isinstance(item, (Number, Rate, DefectCount)):
        return _number(raw)
    if isinstance(item, (ShortText, LongText)):
        # Browsers send CRLF in textareas; keep one kind of line break.
        return raw.replace("\r\n", "\n").strip() or None
    if isinstance(item, (Check, Choice, DateItem)):
        return raw.strip() or None
    return raw


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _all(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _number(raw: str) -> Any:
    text = raw.strip().replace("，", ".").replace("．", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return raw.strip()  # kept as typed; validation names the problem
    if not math.isfinite(number):
        return raw.strip()
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _location(item_id: str, form: Mapping[str, Any]) -> dict[str, Any] | None:
    lat, lon = _first(form.get(f"{item_id}.lat")), _first(form.get(f"{item_id}.lon"))
    if lat and lon:
        position: dict[str, Any] = {"lat": _number(lat), "lon": _number(lon)}
        accuracy = _first(form.get(f"{item_id}.accuracy"))
        if accuracy:
            position["accuracy"] = _number(accuracy)
        return position
    if _first(form.get(f"{item_id}.refused")):
        return {"refused": True}
    return None
