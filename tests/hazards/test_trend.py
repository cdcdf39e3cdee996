"""The hazard trend chart: periods and the inline SVG. Pure."""

from __future__ import annotations

import datetime as dt

from service.hazards.trend import Per, Period, periods, trend_svg


def test_twelve_weeks_end_with_the_week_of_today_each_starting_on_monday():
    weeks = periods(dt.date(2026, 3, 12), Per.week)  # a Thursday
    assert len(weeks) == 12
    assert weeks[-1].start == dt.date(2026, 3, 9) and weeks[-1].end == dt.date(2026, 3, 16)
    assert weeks[0].start == dt.date(2025, 12, 22)
    assert all(w.start.weekday() == 0 for w in weeks)
    assert weeks[-1].label == "3/9"


def test_twelve_months_cross_the_year():
    months = periods(dt.date(2026, 3, 31), Per.month)
    assert [m.label for m in months[:2]] == ["2025-04", "2025-05"]
    assert months[-1].start == dt.date(2026, 3, 1) and months[-1].end == dt.date(2026, 4, 1)
    assert months[8].end == dt.date(2026, 1, 1)  # December ends with the year


def _chart(rows: list[Period], **labels: str) -> str:
    return str(
        trend_svg(
            rows,
            chart_id="t",
            title=labels.get("title", "Found and closed"),
            found_label=labels.get("found", "Found"),
            closed_label=labels.get("closed", "Closed"),
            empty="Nothing yet",
        )
    )


def test_every_period_names_its_counts_and_the_newest_is_on_the_axis():
    found = [
        Period(dt.date(2026, 1, n), dt.date(2026, 1, n + 1), f"1/{n}", found=n, closed=n // 2)
        for n in range(1, 13)
    ]
    svg = _chart(found)
    assert svg.startswith("<svg") and 'role="img"' in svg and 'viewBox="0 0 360 ' in svg
    assert "<title>1/7: Found 7, Closed 3</title>" in svg
    assert "<title>1/12: Found 12, Closed 6</title>" in svg
    assert ">1/12</text>" in svg  # the newest period is always named under its bars
    assert ">12</text>" in svg  # the scale's top
    assert svg.count('class="chart-bar chart-bar-found"') == 13  # 12 bars and the key


def test_labels_are_escaped():
    found = [Period(dt.date(2026, 1, 1), dt.date(2026, 1, 8), "<b>&", found=1)]
    svg = _chart(found, title="<script>", found="发现&", closed='"closed"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;&amp;" in svg and "发现&amp;" in svg and "&#34;closed&#34;" in svg


def test_nothing_found_or_closed_says_so_instead_of_an_empty_chart():
    found = [Period(dt.date(2026, 1, 1), dt.date(2026, 1, 8), "1/1")]
    assert _chart(found) == '<p class="chart-empty">Nothing yet</p>'
