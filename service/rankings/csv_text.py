"""CSV as Excel and WPS read it: UTF-8 with a BOM (or they take Chinese text for the
local code page), and no text that Excel would run as a formula. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .answer_rows import number_text

BOM = "\ufeff"
_QUOTE = re.compile(r'[",\r\n]')
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_field(value: object) -> str:
    """One field as Excel reads it back. A text that Excel would run as a formula
    (=, +, -, @ first: a typed answer or an enterprise's name could be one) gets a
    leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return number_text(value)
    text = str(value)
    if text and text[0] in "=+-@\t\r" and not _NUMBER.fullmatch(text):
        text = "'" + text
    if _QUOTE.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[object]) -> str:
    return ",".join(csv_field(value) for value in values) + "\r\n"
