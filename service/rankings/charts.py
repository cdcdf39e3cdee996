"""The charts of a campaign's results as inline SVG drawn on the server. Pure.

Plain numbers in, SVG out (`Markup`, every label escaped: section titles and item
labels come from uploaded form files). No chart library and no JavaScript reach the
browser.

Drawn for a 360 px phone first. The viewBox is 360 units wide and the SVG fills its
box (`width="100%"`): inside a card on such a phone it is about 300 px wide, so the
16-unit text shows at 13.4 px; the CSS caps the width on a desktop. Every chart is
horizontal bars with the label on its own line above its bar, so a long Chinese title
gets the whole width (two lines at most, then cut with "…" and the full title in a
`<title>` tooltip).

Colours are classes styled in static/css/app.css, so print and colour schemes change
them in one place. The same numbers are in a table next to each chart
(templates/rankings/_charts.html): a chart is never their only carrier, and its SVG is
one image to a screen reader (`role="img"`, named by its `<title>`).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape
from msgspec import Struct

from service.forms.model import FormDefinition, text

from .aggregate import shown

if TYPE_CHECKING:
    from .aggregate import RankedParticipant
    from .policy import Policy
    from .statistics import CampaignStatistics, FailedItem, SectionAverage

WIDTH = 360  # viewBox units; a phone shows about 0.84 px per unit
FONT = 16  # text size in units: 13.4 px on a phone, as the page's small print
LINE = 21  # a line of text
BAR = 18  # a bar's thickness
PAIR_BAR = 16  # each of the two bars of a section
GAP = 12  # between one label-and-bar group and the next
PAD = 6  # between a bar and its value, a swatch and its text
MOST_BINS = 10
MOST_FAILED = 10


class Bin(Struct, frozen=True):
    """Final scores from `low` up to `high` (`high` itself only in the last bin)."""

    low: float
    high: float
    count: int


class Mark(Struct, frozen=True):
    """A threshold drawn across the distribution: a grade band's minimum."""

    at: float
    label: str


class SectionBar(Struct, frozen=True):
    label: str
    judges_percent: float | None  # the judges' mean percentage of the section's points
    self_percent: float | None  # the self-assessments' mean


class ItemBar(Struct, frozen=True):
    label: str
    section: str  # the section's title
    count: int  # participants who had the item failed
    percent: float  # of the participants with something submitted


class Charts(Struct, frozen=True):
    """What the charts page draws, for one group of participants."""

    bins: list[Bin]
    marks: list[Mark]
    scored: int  # participants with a final score (the ineligible too)
    unscored: int  # participants without one yet
    sections: list[SectionBar]
    items: list[ItemBar]
    participants: int  # participants with something submitted


# ---------------------------------------------------------------- the data


def campaign_charts(
    ranked: Sequence[RankedParticipant],
    policy: Policy,
    definition: FormDefinition | None,
    found: CampaignStatistics,
    lang: str,
) -> Charts:
    """The charts of a group: the final scores of its ranking (as shown, rounded) in
    bins with the policy's grade thresholds, and its statistics labelled by the form."""
    finals = [shown(r.final) for r in ranked if r.final is not None]
    submitted = sum(
        1 for r in ranked if r.participant.self_total is not None or r.participant.judges
    )
    return Charts(
        bins=score_bins(finals),
        marks=[Mark(g.min, text(g.label, lang)) for g in policy.grades],
        scored=len(finals),
        unscored=len(ranked) - len(finals),
        sections=section_bars(definition, found.sections, lang) if definition else [],
        items=most_failed(definition, found.failed, submitted, lang) if definition else [],
        participants=submitted,
    )


def score_bins(scores: Iterable[float], most: int = MOST_BINS) -> list[Bin]:
    """Equal bins of a round width (1, 2, 5, 10, 20, 50, …: the narrowest giving at most
    `most` bins) over the range the scores span; empty when there are no scores."""
    values = sorted(scores)
    if not values:
        return []
    steps = (m * 10**k for k in range(12) for m in (1, 2, 5))
    for step in steps:
        low = math.floor(values[0] / step) * step
        high = max(math.ceil(values[-1] / step) * step, low + step)
        if (high - low) / step <= most:
            break
    counts = [0] * round((high - low) / step)
    for value in values:
        counts[min(int((value - low) // step), len(counts) - 1)] += 1
    return [Bin(low + n * step, low + (n + 1) * step, c) for n, c in enumerate(counts)]


def section_bars(
    definition: FormDefinition, averages: Iterable[SectionAverage], lang: str
) -> list[SectionBar]:
    """A bar pair per section anyone scored, in the form's order."""
    found = {(a.section, a.role): a.percent for a in averages}
    return [
        SectionBar(
            label=text(section.title, lang),
            judges_percent=found.get((section.id, "judge")),
            self_percent=found.get((section.id, "enterprise")),
        )
        for section in definition.sections
        if (section.id, "judge") in found or (section.id, "enterprise") in found
    ]


def most_failed(
    definition: FormDefinition,
    failed: Iterable[FailedItem],
    participants: int,
    lang: str,
    most: int = MOST_FAILED,
) -> list[ItemBar]:
    """The `most` items failed by the most participants, ties in the form's order;
    `participants` (those with something submitted) is what the percentages are of."""
    places = {}
    for section in definition.sections:
        for item in section.items:
            places[section.id, item.id] = (len(places), item.label, section.title)
    known = [f for f in failed if (f.section, f.item) in places]  # a newer form's items
    known.sort(key=lambda f: (-f.participants, places[f.section, f.item][0]))
    return [
        ItemBar(
            label=text(places[f.section, f.item][1], lang),
            section=text(places[f.section, f.item][2], lang),
            count=f.participants,
            percent=f.participants / participants * 100 if participants else 0.0,
        )
        for f in known[:most]
    ]


# ---------------------------------------------------------------- drawing


def _advance(char: str) -> float:
    """A character's width, roughly: CJK full width, Latin and digits about 0.6 em."""
    return FONT if unicodedata.east_asian_width(char) in "WF" else FONT * 0.6


def _width(text: str) -> float:
    return sum(_advance(c) for c in text)


def _wrap(text: str, room: float, most_lines: int = 2) -> tuple[list[str], bool]:
    """`text` in at most `most_lines` lines of `room` units; True when it was cut."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < most_lines:
        used, end = 0.0, 0
        while end < len(rest) and used + _advance(rest[end]) <= room:
            used += _advance(rest[end])
            end += 1
        end = max(end, 1)
        space = rest.rfind(" ", 0, end)
        if end < len(rest) and space > 0 and rest[end] != " ":
            end = space  # break English between words
        lines.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    if rest:
        last = lines[-1]
        while last and _width(last + "…") > room:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines, bool(rest)


def _label(text: str, y: float, room: float = WIDTH) -> tuple[str, float]:
    """A label over the whole width (two lines at most): the SVG and the height used."""
    lines, cut = _wrap(text, room)
    tip = f"<title>{escape(text)}</title>" if cut else ""
    spans = "".join(
        f'<tspan x="0" y="{y + FONT + n * LINE:g}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text class="chart-label">{tip}{spans}</text>', len(lines) * LINE


def _bar(kind: str, x: float, y: float, width: float, height: float, value: str) -> str:
    """A bar from `x` and its value just past its end."""
    baseline = y + height / 2 + FONT * 0.35
    return (
        f'<rect class="chart-bar chart-bar-{kind}" x="{x:g}" y="{y:g}" '
        f'width="{max(width, 0.0):.2f}" height="{height:g}"/>'
        f'<text class="chart-value" x="{x + width + PAD:.2f}" y="{baseline:.2f}">'
        f"{escape(value)}</text>"
    )


def _svg(chart_id: str, title: str, height: float, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {math.ceil(height)}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" font-size="{FONT}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>{body}</svg>'
    )


def _empty(message: str) -> Markup:
    return Markup(f'<p class="chart-empty">{escape(message)}</p>')


def _percent(value: float) -> str:
    return f"{round(value, 1):g}%"


def _range(low: float, high: float) -> str:
    return f"{low:g}–{high:g}"


def distribution_svg(
    bins: Sequence[Bin], marks: Sequence[Mark], *, chart_id: str, title: str, empty: str
) -> Markup:
    """The final scores' histogram: a bar per bin, the highest scores on top, its
    count at its end; the grade thresholds dashed across, named in a key below."""
    if not any(b.count for b in bins):
        return _empty(empty)
    gutter = max(_width(_range(b.low, b.high)) for b in bins) + PAD
    room = WIDTH - gutter - max(_width(str(b.count)) for b in bins) - PAD
    top = max(b.count for b in bins)
    row = BAR + PAD
    parts = []
    for n, b in enumerate(reversed(bins)):
        y = n * row
        parts.append(
            f'<text class="chart-label" x="{gutter - PAD:g}" y="{y + BAR / 2 + FONT * 0.35:.2f}" '
            f'text-anchor="end">{escape(_range(b.low, b.high))}</text>'
            + _bar("score", gutter, y + PAD / 2, room * b.count / top, BAR, str(b.count))
        )
    height = len(bins) * row
    low, high = bins[0].low, bins[-1].high
    shown = [m for m in marks if low < m.at < high]
    for mark in shown:
        y = (high - mark.at) / (high - low) * height
        parts.append(
            f'<line class="chart-mark" x1="{gutter:g}" x2="{WIDTH}" y1="{y:.2f}" y2="{y:.2f}">'
            f"<title>{escape(mark.label)} {mark.at:g}</title></line>"
        )
    if shown:
        key = " · ".join(f"{m.label} ≥ {m.at:g}" for m in sorted(shown, key=lambda m: -m.at))
        y = height + GAP
        parts.append(
            f'<line class="chart-mark" x1="0" x2="{FONT * 2}" y1="{y + LINE / 2:g}" '
            f'y2="{y + LINE / 2:g}"/>'
        )
        lines, cut = _wrap(key, WIDTH - FONT * 2 - PAD)
        tip = f"<title>{escape(key)}</title>" if cut else ""
        spans = "".join(
            f'<tspan x="{FONT * 2 + PAD}" y="{y + FONT + n * LINE:g}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(f'<text class="chart-label chart-key">{tip}{spans}</text>')
        height = y + len(lines) * LINE
    return _svg(chart_id, title, height, "".join(parts))


def _key(entries: Sequence[tuple[str, str]], y: float) -> tuple[str, float]:
    """Swatches and their names on a line (a line each where they would not fit): the
    SVG and the height used."""
    parts, x, top = [], 0.0, y
    for kind, name in entries:
        width = FONT + PAD + _width(name)
        if x and x + width > WIDTH:
            x, y = 0.0, y + LINE
        parts.append(
            f'<rect class="chart-bar chart-bar-{kind}" x="{x:g}" y="{y + 3:g}" '
            f'width="{FONT}" height="{FONT - 2}"/>'
            f'<text class="chart-label" x="{x + FONT + PAD:g}" y="{y + FONT:g}">'
            f"{escape(name)}</text>"
        )
        x += width + FONT
    return "".join(parts), y - top + LINE


def sections_svg(
    sections: Sequence[SectionBar],
    *,
    chart_id: str,
    title: str,
    empty: str,
    judges: str,
    self_assessment: str,
) -> Markup:
    """Per section, the judges' and the self-assessments' mean percentage of its points:
    two bars on the same 0–100 % scale under the section's title."""
    if not sections:
        return _empty(empty)
    room = WIDTH - _width("100.0%") - PAD
    key, y = _key([("judges", judges), ("self", self_assessment)], 0)
    parts = [key]
    y += GAP
    for section in sections:
        label, used = _label(section.label, y)
        parts.append(label)
        y += used
        for kind, percent in (("judges", section.judges_percent), ("self", section.self_percent)):
            share = 0.0 if percent is None else min(max(percent, 0.0), 100.0) / 100
            shown = "—" if percent is None else _percent(percent)
            parts.append(_bar(kind, 0, y, room * share, PAIR_BAR, shown))
            y += PAIR_BAR + 3
        y += GAP
    return _svg(chart_id, title, y - GAP, "".join(parts))


def failed_items_svg(items: Sequence[ItemBar], *, chart_id: str, title: str, empty: str) -> Markup:
    """The items failed by the most participants: a bar per item under its label, as
    long as its count (the longest for the most failed), with the count and the share
    of participants."""
    if not items:
        return _empty(empty)
    values = [f"{item.count} · {item.percent:.0f}%" for item in items]
    room = WIDTH - max(_width(v) for v in values) - PAD
    top = max(item.count for item in items)
    parts, y = [], 0.0
    for item, value in zip(items, values, strict=True):
        label, used = _label(item.label, y)
        parts.append(label)
        y += used
        parts.append(_bar("failed", 0, y, room * item.count / top, BAR, value))
        y += BAR + GAP
    return _svg(chart_id, title, y - GAP + 4, "".join(parts))
