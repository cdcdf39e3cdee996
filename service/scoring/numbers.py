"""Numbers as a clerk writes them, in every text the service makes (pages, policy
descriptions, gate messages, exports): 8, 7.5, 0.25, 1234567 — rounded, with no
trailing zeros and never in exponent form (`:g` wrote 1.23457e+06)."""

from __future__ import annotations


def number_text(value: float, places: int = 2) -> str:
    """`value` rounded to `places` decimals, without trailing zeros."""
    text = f"{round(float(value), places):.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
