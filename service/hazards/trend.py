"""The hazard trend: hazards found and closed per week (or month) over the last
periods, as inline SVG drawn on the server. Pure.

In the house style of service/rankings/charts.py: a 360-unit viewBox that fills its
box (a phone first), `role="img"` named by its `<title>`, colours as CSS classes
(static/css/app.css), every label escaped, and the same numbers in a table next to
the chart (templates/hazards/dashboard.html), so the chart never carries them alone.

Two bars per period, side by side: found, then closed. Twelve periods leave 30 units
a period, too narrow for a date under every pair, so the axis names every few
periods; each pair's `<title>` names its period and both counts.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import unicodedata

from markupsafe import Markup, escape
from msgspec import Struct

from service.rankings.charts import FONT, LINE, PAD, WIDTH

PERIODS = 12
PLOT = 150  # the bars' height at the largest count
LABEL = FONT * 0.6  # a digit's width, roughly


class Per(enum.StrEnum):
    week = "week"  # weeks start on Monday
    month = "month"


class Period(Struct, frozen=True):
    """One period of the trend: from `start` up to (not including) `end`."""

    start: dt.date
    end: dt.date
    label: str  # short, for the axis: "3/10" (the week's Monday) or "2026-03"
    found: int = 0
    closed: int = 0


def periods(today: dt.date, per: Per, count: int = PERIODS) -> list[Period]:
    """The last `count` periods up to the one holding `today`, oldest first, empty."""
    if per is Per.week:
        monday = today - dt.timedelta(days=today.weekday())
        starts = [monday - dt.timedelta(weeks=n) for n in range(count - 1, -1, -1)]
        return [
            Period(start, start + dt.timedelta(weeks=1), f"{start.month}/{start.day}")
            for start in starts
        ]
    months = [(today.year * 12 + today.month - 1) - n for n in range(count - 1, -1, -1)]
    found = []
    for m in months:
        start = dt.date(m // 12, m % 12 + 1, 1)
        end = dt.date((m + 1) // 12, (m + 1) % 12 + 1, 1)
        found.append(Period(start, end, f"{start.year}-{start.month:02d}"))
    return found


def _width(text: str) -> float:
    """Roughly: CJK full width, Latin and digits about 0.6 em (as charts.py)."""
    return sum(FONT if unicodedata.east_asian_width(c) in "WF" else LABEL for c in text)


def _axis_step(labels: list[str], slot: float) -> int:
    """Name every n-th period so that the names never touch."""
    widest = max(_width(label) for label in labels) + PAD
    return max(1, math.ceil(widest / slot))


def trend_svg(
    found: list[Period],
    *,
    chart_id: str,
    title: str,
    found_label: str,
    closed_label: str,
    empty: str,
) -> Markup:
    """Per period, a bar of the hazards found and one of those closed, on one scale."""
    if not any(p.found or p.closed for p in found):
        return Markup(f'<p class="chart-empty">{escape(empty)}</p>')
    top = max(max(p.found, p.closed) for p in found)
    gutter = _width(str(top)) + PAD
    slot = (WIDTH - gutter) / len(found)
    bar = max((slot - PAD) / 2, 2.0)
    parts = []
    # The key: a swatch and a name per series.
    x = 0.0
    for kind, name in (("found", found_label), ("closed", closed_label)):
        parts.append(
            f'<rect class="chart-bar chart-bar-{kind}" x="{x:g}" y="3" width="{FONT}" '
            f'height="{FONT - 2}"/><text class="chart-label" x="{x + FONT + PAD:g}" '
            f'y="{FONT}">{escape(name)}</text>'
        )
        x += FONT + PAD + _width(name) + FONT
    base = LINE + PAD + PLOT  # the baseline's y
    parts.append(
        f'<text class="chart-value" x="{gutter - PAD:g}" y="{base - PLOT + FONT * 0.35:.2f}" '
        f'text-anchor="end">{top}</text>'
        f'<line class="chart-grid" x1="{gutter:g}" x2="{WIDTH}" y1="{base - PLOT:g}" '
        f'y2="{base - PLOT:g}"/>'
        f'<text class="chart-value" x="{gutter - PAD:g}" y="{base + FONT * 0.35:.2f}" '
        f'text-anchor="end">0</text>'
        f'<line class="chart-axis" x1="{gutter:g}" x2="{WIDTH}" y1="{base:g}" y2="{base:g}"/>'
    )
    step = _axis_step([p.label for p in found], slot)
    for n, period in enumerate(found):
        left = gutter + n * slot + PAD / 2
        tip = f"{period.label}: {found_label} {period.found}, {closed_label} {period.closed}"
        bars = []
        for k, (kind, value) in enumerate((("found", period.found), ("closed", period.closed))):
            height = PLOT * value / top
            bars.append(
                f'<rect class="chart-bar chart-bar-{kind}" x="{left + k * bar:.2f}" '
                f'y="{base - height:.2f}" width="{bar:.2f}" height="{height:.2f}"/>'
            )
        parts.append(f"<g><title>{escape(tip)}</title>{''.join(bars)}</g>")
        # Counted back from the newest, so the current period is always named.
        if (len(found) - 1 - n) % step == 0:
            parts.append(
                f'<text class="chart-label" x="{left + bar:.2f}" y="{base + LINE:g}" '
                f'text-anchor="middle">{escape(period.label)}</text>'
            )
    height = base + LINE + PAD
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {math.ceil(height)}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" font-size="{FONT}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>{"".join(parts)}</svg>'
    )
