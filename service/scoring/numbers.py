"""Numbers as a clerk writes them, in every text the service makes (pages, policy
descriptions, gate messages, exports): 8, 7.5, 0.25, 1234567 — rounded, with no
trailing zeros and never in exponent form (`:g` wrote 1.23457e+06)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def number_text(value: float, places: int = 2) -> str:
    """`value` rounded to `places` decimals, without trailing zeros."""
    text = f"{round(float(value), places):.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def round_half_up(value: float, places: int) -> float:
    """Rounded as by hand: halves go away from zero (7.25 → 7.3, 2.5 → 3), never to the
    even neighbour as round() does. The float is first written with 9 decimals, so a
    sum such as 7.249999999999999 (meant as 7.25) rounds like the number it stands for."""
    exact = Decimal(f"{value:.9f}").quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return float(exact) + 0.0
