"""The parts of XLSForm's XPath expressions the form language can say, and names as ids.

Only simple shapes are read; anything else is returned as None (the caller lists it as
not importable), never guessed at:

- relevant: `${q} = 'a'`, `${q} = 3`, `selected(${q}, 'a')`, and several of them about
  the same question joined by `or` (→ any_of);
- constraint on numbers: `. >= 0 and . <= 100` (→ min / max; `>`/`<` only for integers);
  on text: `string-length(.) <= 50` (→ max_length);
- required: yes / true / 1 / true() in any case.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..model import MAX_VERSION

_VALUE = r"""(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))"""
_REF = r"\$\{\s*([^}\s]+)\s*\}"
_EQUALS = re.compile(rf"^{_REF}\s*=\s*{_VALUE}$")
_SELECTED = re.compile(rf"^selected\s*\(\s*{_REF}\s*,\s*{_VALUE}\s*\)$")
_OR = re.compile(r"\s+or\s+")
_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
_LENGTH = re.compile(r"^string-length\s*\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")


@dataclass(frozen=True)
class Condition:
    """`relevant` read as: question `name` has one of `values` (`selected` or `=`)."""

    name: str
    values: tuple[str, ...]
    selected: bool  # selected(${q}, 'a'): any chosen option; `=`: the single answer


def parse_relevant(expression: str) -> Condition | None:
    text = _strip_parens(expression.strip())
    if not text or _has_quote_outside_terms(text):
        return None
    names: set[str] = set()
    values: list[str] = []
    kinds: set[bool] = set()
    for term in _OR.split(text):
        term = _strip_parens(term.strip())
        for pattern, selected in ((_EQUALS, False), (_SELECTED, True)):
            match = pattern.match(term)
            if match:
                names.add(match.group(1))
                values.append(next(g for g in match.groups()[1:] if g is not None))
                kinds.add(selected)
                break
        else:
            return None
    if len(names) != 1 or len(kinds) != 1:
        return None
    return Condition(names.pop(), tuple(values), kinds.pop())


def _strip_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _has_quote_outside_terms(text: str) -> bool:
    # ` or ` inside a quoted value would split it: refuse rather than misread.
    return any(" or " in quoted for quoted in re.findall(r"'[^']*'|\"[^\"]*\"", text))


@dataclass(frozen=True)
class Bounds:
    min: float | None = None
    max: float | None = None
    max_length: int | None = None


def parse_number_constraint(expression: str, integer: bool) -> Bounds | None:
    low: float | None = None
    high: float | None = None
    for term in re.split(r"\s+and\s+", _strip_parens(expression.strip())):
        match = _BOUND.match(_strip_parens(term.strip()))
        if not match:
            return None
        operator, number = match.group(1), float(match.group(2))
        if operator in (">", "<"):
            if not (integer and number.is_integer()):
                return None  # a strict bound on a decimal has no min/max
            number += 1 if operator == ">" else -1
        if operator.startswith(">"):
            low = number if low is None else max(low, number)
        else:
            high = number if high is None else min(high, number)
    return Bounds(min=_whole(low), max=_whole(high))


def parse_text_constraint(expression: str) -> Bounds | None:
    match = _LENGTH.match(_strip_parens(expression.strip()))
    if not match:
        return None
    limit = int(match.group(2)) - (1 if match.group(1) == "<" else 0)
    return Bounds(max_length=limit) if limit >= 1 else None


def _whole(value: float | None) -> float | None:
    return int(value) if value is not None and value.is_integer() else value


_TRUE = {"yes", "true", "true()", "1", "y"}
_FALSE = {"no", "false", "false()", "0", "n", ""}


def parse_required(value: object) -> bool | None:
    """True / False, or None when `required` is an expression the language cannot say."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


# ---------------------------------------------------------------- names → ids


def sanitise_id(name: str, separators: str = "-_") -> str:
    """`name` as an id (lower case letters and digits, single `-`/`_` between); "" if none."""
    text = name.strip().lower()
    text = re.sub(rf"[^a-z0-9{separators}]+", "-", text)
    text = re.sub(r"[-_]{2,}", lambda m: m.group(0)[0], text).strip("-_")
    return text[:64].strip("-_")


class IdMaker:
    """Unique ids: the same names in the same order always give the same ids."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, name: str, fallback: str) -> str:
        base = sanitise_id(name) or fallback
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            suffix = f"-{n}"
            candidate = base[: 64 - len(suffix)].strip("-_") + suffix
        self.used.add(candidate)
        return candidate


# ---------------------------------------------------------------- settings: version

_DATE_LIKE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[-_.]?(\d{1,2}))?$")
VERSION_EPOCH = datetime.date(2000, 1, 1)


def parse_version(value: object) -> tuple[int, str | None]:
    """The version as a whole number for the language, and a note when it was changed.

    A whole number from 1 to MAX_VERSION is kept. ODK's usual date-like versions
    (2024031501: yyyymmdd and a revision; 2024-03-15; a date cell) become days since
    2000-01-01 times 10 plus the revision (0–9), so later versions stay larger and the
    number fits the database (2024031501 → 88 401).
    """
    if value is None or value == "":
        return 1, None
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        return _from_date(day, 0), f"日期版本 {day.isoformat()} 换算为整数"
    text = str(value).strip()
    if isinstance(value, int | float) and float(value).is_integer():
        text = str(int(value))
    if text.isdigit() and 1 <= int(text) <= MAX_VERSION:
        return int(text), None
    match = _DATE_LIKE.match(text)
    if match:
        try:
            day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            day = None
        if day is not None and day >= VERSION_EPOCH:
            revision = int(match.group(4) or 0)
            note = f"日期版本 {text} 换算为整数（自 2000-01-01 的天数×10+修订号）"
            if revision > 9:
                note += f"；修订号 {revision} 超过 9，按 9 计"
            return _from_date(day, min(revision, 9)), note
    return 1, f"版本 {text} 无法换算为整数，使用 1"


def _from_date(day: datetime.date, revision: int) -> int:
    return (day - VERSION_EPOCH).days * 10 + revision
