"""The charts' SVG, drawn from plain numbers: bars as long as their values, labels
escaped and cut to fit a phone, a message instead of an empty chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from msgspec.structs import replace

from service.forms.model import Text
from service.rankings.aggregate import RankedParticipant, Standing
from service.rankings.charts import (
    FONT,
    WIDTH,
    Bin,
    ItemBar,
    Mark,
    SectionBar,
    campaign_charts,
    distribution_svg,
    failed_items_svg,
    most_failed,
    score_bins,
    section_bars,
    sections_svg,
)
from service.rankings.inputs import ParticipantScores
from service.rankings.policy import GradeBand, default_policy
from service.rankings.statistics import CampaignStatistics, FailedItem, SectionAverage
from tests.factories import definition

SVG = "{http://www.w3.org/2000/svg}"
WORDS = {"title": "分数分布", "empty": "暂无数据"}
HOSTILE = '<script>alert("x")</script> & 安全'


def parsed(markup: str) -> ET.Element:
    """The SVG as XML: it must parse, and it fills its box on a phone."""
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "100%" and root.get("viewBox", "").startswith(f"0 0 {WIDTH} ")
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and root.get("aria-labelledby") == title.get("id")
    return root


def bars(root: ET.Element, kind: str) -> list[float]:
    return [
        float(rect.get("width", "0"))
        for rect in root.iter(f"{SVG}rect")
        if f"chart-bar-{kind}" in rect.get("class", "") and rect.get("width") != str(FONT)
    ]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_text_reads_at_12_px_or_more_on_a_360_px_phone():
    root = parsed(failed_items_svg([ItemBar("甲", "一", 1, 50.0)], chart_id="c", **WORDS))
    inside_a_card = 360 - 2 * 12 - 2 * 17  # the page's and the card's padding and border
    assert float(root.get("font-size", "0")) * inside_a_card / WIDTH >= 12


def test_scores_fall_in_round_bins_over_the_range_they_span():
    assert score_bins([]) == []
    bins = score_bins([0, 9.99, 10, 55, 100])
    assert [(b.low, b.high) for b in bins] == [(n * 10, n * 10 + 10) for n in range(10)]
    assert [b.count for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]  # 100 in the last
    narrow = score_bins([82.5, 84, 91, 97.25])
    assert (narrow[0].low, narrow[-1].high, narrow[0].high - narrow[0].low) == (82, 98, 2)
    assert sum(b.count for b in narrow) == 4
    assert score_bins([18, 18]) == [Bin(18, 19, 2)]


def test_distribution_bars_are_as_long_as_their_counts():
    bins = [Bin(60, 70, 2), Bin(70, 80, 8), Bin(80, 90, 4), Bin(90, 100, 0)]
    root = parsed(distribution_svg(bins, [], chart_id="d", **WORDS))
    widths = bars(root, "score")  # the highest scores on top
    longest = widths[2]
    assert longest > 200
    assert widths == pytest.approx([c / 8 * longest for c in (0, 4, 8, 2)])
    shown = texts(root)
    assert "90–100" in shown and "60–70" in shown and "8" in shown and "4" in shown


def test_grade_thresholds_are_drawn_and_named_when_inside_the_range():
    bins = [Bin(60, 70, 1), Bin(70, 80, 3), Bin(80, 90, 1)]
    marks = [Mark(85, "优秀"), Mark(75, "良好"), Mark(60, "合格"), Mark(95, "特等")]
    root = parsed(distribution_svg(bins, marks, chart_id="d", **WORDS))
    lines = [line for line in root.iter(f"{SVG}line") if line.get("y1") == line.get("y2")]
    across = sorted(float(line.get("y1", "0")) for line in lines if line.get("x1") != "0")
    assert len(across) == 2  # 60 and 95 are not inside 60–90
    assert "优秀 ≥ 85 · 良好 ≥ 75" in " ".join(texts(root))


def test_a_threshold_sits_at_its_score():
    bins = [Bin(60, 70, 1), Bin(70, 80, 3), Bin(80, 90, 1)]
    root = parsed(distribution_svg(bins, [Mark(70, "良好")], chart_id="d", **WORDS))
    [mark] = [line for line in root.iter(f"{SVG}line") if line.get("x1") != "0"]
    rects = [r for r in root.iter(f"{SVG}rect") if "chart-bar-score" in r.get("class", "")]
    top_of_lowest = float(rects[-1].get("y", "0"))  # the 60–70 bar, drawn last
    bottom_of_middle = float(rects[1].get("y", "0")) + float(rects[1].get("height", "0"))
    assert bottom_of_middle < float(mark.get("y1", "0")) < top_of_lowest


def test_section_bars_are_on_one_percentage_scale():
    sections = [SectionBar("安全管理", 80.0, 40.0), SectionBar("职业健康", 20.0, None)]
    root = parsed(
        sections_svg(sections, chart_id="s", judges="评委", self_assessment="企业自评", **WORDS)
    )
    judges, own = bars(root, "judges"), bars(root, "self")
    assert judges == pytest.approx([judges[0], judges[0] / 4]) and judges[0] > 200
    assert own == pytest.approx([judges[0] / 2, 0])
    shown = texts(root)
    assert "80%" in shown and "40%" in shown and "20%" in shown and "—" in shown
    assert "评委" in shown and "企业自评" in shown


def test_failed_items_are_as_long_as_their_counts_with_the_share_beside():
    items = [ItemBar("灭火器", "消防", 12, 40.0), ItemBar("应急预案", "应急", 3, 10.0)]
    root = parsed(failed_items_svg(items, chart_id="f", **WORDS))
    widths = bars(root, "failed")
    assert widths[1] == pytest.approx(widths[0] / 4)
    assert "12 · 40%" in texts(root) and "3 · 10%" in texts(root)


@pytest.mark.parametrize("draw", ["distribution", "sections", "failed"])
def test_labels_from_uploaded_forms_are_escaped(draw):
    if draw == "distribution":
        markup = distribution_svg(
            [Bin(0, 10, 1)], [Mark(5, HOSTILE)], chart_id='x"><script>', title=HOSTILE, empty=""
        )
    elif draw == "sections":
        markup = sections_svg(
            [SectionBar(HOSTILE, 50.0, 60.0)],
            chart_id="s",
            title=HOSTILE,
            empty="",
            judges=HOSTILE,
            self_assessment="企业自评",
        )
    else:
        markup = failed_items_svg(
            [ItemBar(HOSTILE, HOSTILE, 1, 100.0)], chart_id="f", title="", empty=""
        )
    assert "<script>" not in str(markup)
    root = parsed(markup)
    assert not any(element.tag.endswith("script") for element in root.iter())
    assert any(
        '<script>alert("x")</script>' in t
        for t in [*texts(root), root.findtext(f"{SVG}title") or ""]
    )


def test_long_labels_wrap_to_two_lines_and_keep_the_whole_title():
    long = "安全生产责任制与安全管理制度建设（含各级人员安全生产责任制落实情况及考核奖惩）" * 2
    root = parsed(failed_items_svg([ItemBar(long, "一", 3, 30.0)], chart_id="f", **WORDS))
    [label] = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    lines = [span.text or "" for span in label.iter(f"{SVG}tspan")]
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(len(line) * FONT <= WIDTH for line in lines)  # CJK: one em each
    assert label.findtext(f"{SVG}title") == long  # the whole title on hover
    short = parsed(failed_items_svg([ItemBar("灭火器", "一", 3, 30.0)], chart_id="f", **WORDS))
    assert short.find(f".//{SVG}text/{SVG}title") is None


def test_english_labels_break_between_words():
    label = "Fire extinguishers are inspected every month and tagged with the date"
    root = parsed(failed_items_svg([ItemBar(label, "s", 1, 5.0)], chart_id="f", **WORDS))
    lines = [s.text or "" for s in root.iter(f"{SVG}tspan")]
    assert len(lines) == 2 and " ".join(lines) == label


@pytest.mark.parametrize(
    "markup",
    [
        distribution_svg([], [], chart_id="d", **WORDS),
        distribution_svg([Bin(0, 10, 0)], [], chart_id="d", **WORDS),
        sections_svg([], chart_id="s", judges="评委", self_assessment="自评", **WORDS),
        failed_items_svg([], chart_id="f", **WORDS),
    ],
)
def test_no_data_says_so_instead_of_an_empty_chart(markup):
    assert "<svg" not in markup
    assert ET.fromstring(str(markup)).text == "暂无数据"


FORM = definition()  # first: a 4, b 6; second: c 5, d 5


def test_section_bars_follow_the_form_and_skip_sections_nobody_scored():
    averages = [
        SectionAverage("second", "judge", 70.0, 3),
        SectionAverage("first", "enterprise", 90.0, 2),
        SectionAverage("first", "judge", 85.0, 3),
    ]
    assert section_bars(FORM, averages, "zh") == [
        SectionBar("第一部分", judges_percent=85.0, self_percent=90.0),
        SectionBar("第二部分", judges_percent=70.0, self_percent=None),
    ]
    assert section_bars(FORM, averages[:1], "zh") == [SectionBar("第二部分", 70.0, None)]


def test_the_most_failed_items_first_ties_in_the_forms_order():
    failed = [
        FailedItem("second", "d", 2),
        FailedItem("first", "b", 5),
        FailedItem("second", "c", 2),
        FailedItem("first", "gone", 9),  # an item of another version of the form
    ]
    found = most_failed(FORM, failed, 10, "zh")
    assert [(i.label, i.section, i.count, i.percent) for i in found] == [
        ("乙", "第一部分", 5, 50.0),
        ("丙", "第二部分", 2, 20.0),
        ("丁", "第二部分", 2, 20.0),
    ]
    assert [i.label for i in most_failed(FORM, failed, 10, "zh", most=1)] == ["乙"]


def test_a_groups_charts_from_its_ranking_and_statistics():
    def ranked(final: float | None, self_total: float | None, judges: int) -> RankedParticipant:
        row = ParticipantScores(
            enterprise_id=1, name="甲", village="东村", self_total=self_total, judges=judges
        )
        standing = Standing.ranked if final is not None else Standing.incomplete
        return RankedParticipant(participant=row, standing=standing, final=final)

    good = GradeBand(id="good", label=Text(zh="良好", en="Good"), min=15)
    policy = replace(default_policy(), grades=(good,))
    rows = [ranked(18.004, 18, 1), ranked(12, 10, 1), ranked(None, 20, 0), ranked(None, None, 0)]
    stats = CampaignStatistics(
        sections=[SectionAverage("first", "judge", 50.0, 2)], failed=[FailedItem("first", "a", 3)]
    )
    charts = campaign_charts(rows, policy, FORM, stats, "en")
    assert (charts.scored, charts.unscored, charts.participants) == (2, 2, 3)
    assert [(b.low, b.high, b.count) for b in charts.bins if b.count] == [(12, 13, 1), (17, 18, 1)]
    assert charts.marks == [Mark(15, "Good")]
    assert charts.sections == [SectionBar("第一部分", 50.0, None)]
    assert [(i.label, i.count, i.percent) for i in charts.items] == [("甲", 3, 100.0)]
    nothing = campaign_charts(rows, policy, None, stats, "zh")
    assert nothing.sections == [] and nothing.items == []
