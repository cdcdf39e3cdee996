"""The ranking download as a workbook, whatever the campaign is called. Pure."""

from __future__ import annotations

import openpyxl

from service.rankings.export import ranking_csv, ranking_xlsx
from service.rankings.rows import RankingRow


def test_a_campaign_name_excel_refuses_as_a_sheet_name_still_makes_a_workbook():
    row = RankingRow(
        rank=1,
        standing="ranked",
        enterprise_id=1,
        team_id=None,
        name="甲公司",
        village="东村",
        industry=None,
        ownership=None,
        size_band=None,
        final=90.5,
        grade="g1",
        award=None,
        self_total=90,
        judges_score=90.6,
        judges=5,
        trimmed=True,
        spread=3,
        disagreement=False,
        reasons=[],
    )
    name = "2026年安康杯[第一批]/评比: 企业?*考核——很长很长很长的名字"
    with ranking_xlsx([row], {"g1": "优秀"}, {}, name) as file:
        book = openpyxl.load_workbook(file, read_only=True)
        [sheet] = book.worksheets
        assert len(sheet.title) <= 31 and not set(sheet.title) & set("[]:*?/\\")
        header, first = list(sheet.iter_rows(values_only=True))
        assert header[:2] == ("名次", "参评单位")
        assert first[:2] == (1, "甲公司") and "优秀" in first


def test_a_name_excel_would_run_as_a_formula_is_written_as_text():
    row = RankingRow(
        rank=1,
        standing="ranked",
        enterprise_id=1,
        team_id=None,
        name='=HYPERLINK("x")',
        village="-东村",
        industry=None,
        ownership=None,
        size_band=None,
        final=-1.5,
        grade=None,
        award=None,
        self_total=None,
        judges_score=None,
        judges=0,
        trimmed=False,
        spread=None,
        disagreement=False,
        reasons=["a,b"],
    )
    header, line = list(ranking_csv([row], {}, {}))
    assert header.startswith("\ufeff名次,")
    assert line.startswith('1,"\'=HYPERLINK(""x"")",\'-东村,')
    assert ",-1.5," in line and '"a,b"' in line
