"""Reading what a clerk typed into one cell, and writing a value back.

Forgiving where the meaning is unambiguous: full-width digits and punctuation, "5分",
"80%", trailing spaces, numbers stored as text, 是/否/√/×. Anything else is a CellProblem,
said in Chinese, which the reader puts at the cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass


class CellProblem(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def plain(raw: object) -> str | None:
    """The cell as text, without surrounding spaces; None when it is empty."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).replace("\u3000", " ").strip()
    return text or None


def narrow(text: str) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms (for numbers,
    ids and keywords, never for labels: a Chinese comma stays in a label)."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u2212", "-").replace("\u2014", "-").replace("\u2013", "-")


# What may follow a number in a table: 5分, 80%, 3项, 2处, 1人, 2次, 10个.
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?|\.\d+)\s*(?:分|%|项|处|人|次|个|天|张)?$")


def read_number(raw: object, header: str) -> float:
    if isinstance(raw, bool):
        raise CellProblem(f'{header} "{raw}" 不是数字')
    if isinstance(raw, (int, float)):
        return float(raw)
    text = plain(raw) or ""
    flat = narrow(text).replace(" ", "").replace(",", "")
    negative = False
    if flat.startswith("扣"):  # 扣2分: a deduction, said in words
        negative, flat = True, flat[1:]
    match = _NUMBER.match(flat)
    if not match:
        raise CellProblem(f'{header} "{text}" 不是数字')
    value = float(match.group(2))
    if match.group(1) == "-" or negative:
        value = -value
    return value


def number_cell(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def read_integer(raw: object, header: str) -> int:
    value = read_number(raw, header)
    if not value.is_integer():
        raise CellProblem(f'{header} "{plain(raw)}" 不是整数')
    return int(value)


def read_text(raw: object, header: str) -> str:
    return plain(raw) or ""


def read_keyword(raw: object) -> str:
    """A word from a fixed list, compared without spaces and case."""
    return narrow(plain(raw) or "").replace(" ", "").lower()


@dataclass(frozen=True)
class Words:
    """A fixed list of values, each written as its first Chinese word and read from any
    of its words (Chinese, English, or a synonym a clerk is likely to type)."""

    words: Mapping[object, tuple[str, ...]]  # value → the words that mean it

    def read(self, raw: object, header: str) -> object:
        key = read_keyword(raw)
        for value, words in self.words.items():
            if key in {read_keyword(word) for word in words} or key == str(value).lower():
                return value
        raise CellProblem(f'{header} "{plain(raw)}" 不是可用的值；可填：{self.allowed()}')

    def write(self, value: object) -> str:
        return self.words[value][0]

    def allowed(self) -> str:
        return "、".join(words[0] for words in self.words.values())


YES_NO = Words(
    {
        True: ("是", "√", "✓", "✔", "对", "y", "yes", "true", "1", "有"),
        False: ("否", "×", "✗", "✘", "不", "n", "no", "false", "0", "无"),
    }
)


def read_bool(raw: object, header: str) -> bool:
    return bool(YES_NO.read(raw, header))


@dataclass(frozen=True)
class ValueKind:
    """How one column's cells read and write, and how 填写说明 describes them."""

    name: str  # 文本 / 数字 / 是否 / …
    read: Callable[[object, str], object]  # (raw cell, column header) → value
    write: Callable[[object], object] = lambda value: value
    allowed: str = ""
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the exported workbook


TEXT = ValueKind("文本", read_text)
NUMBER = ValueKind("数字", read_number, number_cell, "数字，可带“分”“%”，如 5、1.5、5分")
INTEGER = ValueKind("整数", read_integer, number_cell, "整数，如 3")
BOOL = ValueKind(
    "是否", read_bool, YES_NO.write, "是 或 否（也可填 √ ×）；空着即“否”", ("是", "否")
)


def words(name: str, table: Words) -> ValueKind:
    choices = tuple(words[0] for words in table.words.values())
    return ValueKind(name, table.read, table.write, table.allowed(), choices)


# 每低1个百分点扣0.25分, as published 考核细则 print a pro-rata rate (also 每降低…, 每少…,
# 每低1%扣…). The step goes to `per`, the amount to `minus`.
_PRO_RATA = re.compile(
    r"^每(?:降低|低于?|少|下降)(\d+(?:\.\d+)?|\.\d+)(?:个百分点|个点|%)扣(\d+(?:\.\d+)?|\.\d+)分?[。.]?$"
)


def read_pro_rata(raw: object, header: str) -> float | tuple[float, float]:
    """A bare amount (the step is the 每档 column's), or (per, minus) from the rule in words."""
    match = _PRO_RATA.match(narrow(plain(raw) or "").replace(" ", "").replace("，", ""))
    if match:
        return float(match.group(1)), float(match.group(2))
    try:
        return read_number(raw, header)
    except CellProblem:
        raise CellProblem(
            f'{header} "{plain(raw)}" 看不懂；写作“每低1个百分点扣0.25分”，或只填扣的分数'
        ) from None


def write_pro_rata(per: float, minus: float) -> str:
    return f"每低{per:g}个百分点扣{minus:g}分"


PRO_RATA = ValueKind(
    "按比例扣分",
    read_pro_rata,
    number_cell,
    "如“每低1个百分点扣0.25分”，或 0.25",
)
