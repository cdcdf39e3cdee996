"""The scoring-table workbook: built-in forms survive export and import; a clerk's
table imports and scores as computed by hand."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from service.forms.loader import load_form_file
from service.forms.model import (
    Check,
    Choice,
    DefectCount,
    FormDefinition,
    MultiChoice,
    Number,
    Rate,
    allows_na,
)
from service.forms.spreadsheet import read_workbook, template_workbook, write_workbook
from service.scoring.engine import score
from service.settings import PROJECT_ROOT
from tests.forms.spreadsheets import OPTIONS_HEADER, basic_settings, workbook_bytes

FORM_FILES = sorted((PROJECT_ROOT / "forms").glob("*.yaml"))


def round_trip(definition: FormDefinition) -> FormDefinition:
    return read_workbook(write_workbook(definition), "exported.xlsx").loaded.definition


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_every_built_in_form_comes_back_the_same(path: Path):
    definition = load_form_file(path).definition
    assert round_trip(definition) == definition


def answer_for(item: Any) -> st.SearchStrategy[Any] | None:
    na = [st.just("na")] if allows_na(item) else []
    if isinstance(item, Check):
        return st.one_of(st.sampled_from(["yes", "no"]), *na)
    if isinstance(item, Choice):
        return st.one_of(st.sampled_from([o.id for o in item.options]), *na)
    if isinstance(item, MultiChoice):
        ids = [o.id for o in item.options]
        top = item.max_selected or len(ids)
        return st.lists(st.sampled_from(ids), min_size=item.min_selected, max_size=top, unique=True)
    if isinstance(item, Rate):
        return st.one_of(st.integers(0, 100), *na)
    if isinstance(item, DefectCount):
        return st.integers(0, item.max_count if item.max_count is not None else 10)
    if isinstance(item, Number) and item.integer:
        low = int(item.min) if item.min is not None else 0
        return st.integers(low, int(item.max) if item.max is not None else low + 100)
    return None  # text, dates, photos, locations: they do not score


@st.composite
def form_and_answers(draw: st.DrawFn) -> tuple[FormDefinition, dict[str, Any]]:
    definition = load_form_file(draw(st.sampled_from(FORM_FILES))).definition
    answers: dict[str, Any] = {}
    for _, item in definition.items():
        strategy = answer_for(item)
        if strategy is not None and draw(st.booleans()):
            answers[item.id] = draw(strategy)
    return definition, answers


ROUND_TRIPPED = {path: round_trip(load_form_file(path).definition) for path in FORM_FILES}


@settings(max_examples=60)
@given(form_and_answers())
def test_a_round_tripped_form_scores_every_answer_the_same(case):
    definition, answers = case
    path = next(p for p in FORM_FILES if load_form_file(p).definition.id == definition.id)
    assert score(ROUND_TRIPPED[path], answers) == score(definition, answers)


# ---------------------------------------------------------------- a clerk's own table

HEADER = ["项目", "序号", "考核内容", "分值", "考核标准", "题型", "扣分", "目标值", "选项", "否决"]
HEADER += ["合格答案", "部分类型", "封顶", "备注", "按比例扣分", "仅作了解"]


def row(*cells: object, **named: object) -> list[object]:
    """A 评分表 row: the first cells in order, later ones by header (按比例扣分=…)."""
    values = list(cells) + [None] * (len(HEADER) - len(cells))
    for header, value in named.items():
        values[HEADER.index(header)] = value
    return values


def clerk_table() -> bytes:
    """22 items as a county union publishes them: a title row, heading rows with the
    points in the name, a section told by merged 项目 cells, full-width digits, "4分",
    trailing spaces, numbers stored as text, a deduction rule, a rate in whole steps and
    one pro rata, an informational question, a bonus, one-line vetoes, a grade cap and
    scores kept to one decimal."""
    rows: list[list[object]] = [["某县2026年度安康杯竞赛考核细则"], HEADER]
    rows += [
        ["一、组织领导（20分）"],
        [None, 1, "成立安康杯竞赛领导小组", 4, "查阅文件；未成立不得分"],
        [None, 2, "制定年度竞赛实施方案 ", "4", "无方案不得分"],
        [None, 3, "竞赛经费列入预算", "4分", "未落实不得分"],
        [None, 4, "竞赛台账缺项数", "８", "缺一项扣2分，扣完为止", "缺项数", "２"],
        ["二、安全管理", 1, "落实全员安全生产责任制", 10],
        [None, 2, "开展隐患排查治理", 10],
        row(
            None, 3, "组织安全生产培训", 10, "完整10分，部分5分，未组织不得分", "单选", 选项="培训"
        ),
        [None, 4, "开展应急演练", "10.0"],
        [None, 5, "劳动防护用品发放率", 10, "每低1个百分点扣0.5分", "比率", 0.5, "100%"],
        ["三、职业健康（30分）"],
        # the heading's name, said again; a pro-rata rate written as the 细则 prints it
        row(
            "职业健康",
            1,
            "职工职业健康检查率",
            5,
            "每低1个百分点扣0.25分",
            "比率",
            按比例扣分="每低１个百分点扣0.25分",
        ),
    ]
    rows += [[None, n, f"职业健康第{n}项", 5] for n in range(2, 6)]
    rows += [[None, 6, "职业病危害因素定期检测 ", "5 "]]
    rows += [row(None, 7, "是否存在粉尘、噪声等职业病危害因素", 仅作了解="√")]
    rows += [
        row("四、鼓励加分项", 部分类型="加分", 封顶=4),
        [None, 1, "获市级以上表彰", 3],
        [None, 2, "创新做法被推广", 2],
        ["五、否决项"],
        row(None, 1, "本年度发生重伤及以上生产安全事故", 否决="发生重伤及以上事故"),
        row(None, 2, "申报材料弄虚作假", 否决="弄虚作假"),
        row(None, 3, "实际开展安康杯竞赛", 否决="未开展竞赛", 合格答案="是"),
        row(None, 4, "本年度发生轻伤事故", 合格答案="否"),
        ["合计", None, None, 100],
    ]
    options = [
        OPTIONS_HEADER,
        ["培训", "full", "有计划、有记录", 10],
        [None, "part", "记录不全", "5分"],
        [None, "none", "未组织", 0],
    ]
    settings_rows = basic_settings(参评条件="总分≥80", 部分得分="保留一位小数")
    settings_rows += [
        ["总分保留", "一位小数"],
        ["等级", 95, None, "优胜单位", "winner"],
        ["等级", 85, None, "良好", "good"],
        ["等级", "８０", None, "达标", "pass"],
        ["最高评为", "项目 第28行=是", None, "发生轻伤事故的，最高评为达标", "pass"],
    ]
    return workbook_bytes(rows, settings_rows, options, merges=["A8:A12"])


def test_a_clerks_table_imports_with_ids_from_section_and_number():
    definition = read_workbook(clerk_table(), "细则.xlsx").loaded.definition
    assert len(definition.items()) == 22
    assert [s.points for s in definition.sections] == [20, 50, 30, 0, 0]
    assert [s.kind.value for s in definition.sections][3] == "bonus"
    ids = [item.id for _, item in definition.items()]
    assert ids[:5] == ["s1-1", "s1-2", "s1-3", "s1-4", "s2-1"]
    assert definition.sections[1].title == "二、安全管理"
    items = definition.item_map()
    assert items["s1-2"].label == "制定年度竞赛实施方案"
    assert (items["s2-5"].deduct, items["s2-5"].minus) == (0.5, 0)  # whole steps
    assert (items["s3-1"].minus, items["s3-1"].per, items["s3-1"].deduct) == (0.25, 1, 0)
    assert items["s3-7"].info
    # 否决 alone is the one-line veto: "yes" vetoes and 不适用 is not offered
    assert (items["s5-1"].good, items["s5-1"].veto.when, allows_na(items["s5-1"])) == (
        "no",
        "yes",
        False,
    )
    assert (items["s5-3"].good, items["s5-3"].veto.when, allows_na(items["s5-3"])) == (
        "yes",
        "no",
        False,
    )
    scoring = definition.scoring
    assert (scoring.round_sections, scoring.round_total) == ("one_decimal", "one_decimal")
    assert [(c.item, c.equals, c.at_most) for c in scoring.grade_caps] == [("s5-4", "yes", "pass")]
    warnings = [str(w) for w in read_workbook(clerk_table(), "细则.xlsx").warnings]
    assert warnings == ["评分表!N2: 未识别的列“备注”，已忽略", "评分表!A29: “合计”是合计行，已跳过"]
    again = read_workbook(clerk_table(), "细则.xlsx").loaded.definition
    assert [i.id for _, i in again.items()] == ids  # the same file, the same ids


def test_a_clerks_table_scores_as_computed_by_hand():
    definition = read_workbook(clerk_table(), "细则.xlsx").loaded.definition
    answers = {item.id: "yes" for _, item in definition.items() if isinstance(item, Check)}
    answers.update({"s1-2": "no", "s1-4": 1, "s2-3": "part", "s2-5": 96, "s3-2": "no"})
    answers.update({"s3-1": 96.2, "s3-7": "no"})
    answers.update({"s5-1": "no", "s5-2": "no", "s5-3": "yes", "s5-4": "no"})
    result = score(definition, answers)
    # 组织领导 20 − 4 (no plan) − 2 (one record missing) = 14
    # 安全管理 50 − 5 (partial training) − 2 (96%: 4 whole steps × 0.5) = 43
    # 职业健康 30 − 5 (one health item) − 0.95 (96.2%: 3.8 × 0.25, pro rata) = 24.05 → 24.1
    # 14 + 43 + 24.1 = 81.1, plus a bonus of 5 capped at 4: 85.1
    assert [s.score for s in result.sections][:3] == [14, 43, 24.1]
    assert result.total == 85.1
    assert result.bonus == 4
    assert result.eligible and result.grade is not None and result.grade.id == "good"
    informational = next(i for i in result.items if i.id == "s3-7")
    assert informational.status.value != "failed"  # "no" to a question asked to know
    capped = score(definition, {**answers, "s5-4": "yes"})
    assert capped.total == 85.1 and capped.grade is not None and capped.grade.id == "pass"
    assert [limit.message.zh for limit in capped.grade_limits] == [
        "未评为“良好”：发生轻伤事故的，最高评为达标"
    ]
    vetoed = score(definition, {**answers, "s5-1": "yes", "s5-3": "no"})
    assert vetoed.vetoed and not vetoed.eligible
    assert [r.reason.zh for r in vetoed.veto_reasons] == ["发生重伤及以上事故", "未开展竞赛"]


def test_a_one_line_veto_is_exported_as_its_reason_alone():
    definition = read_workbook(clerk_table(), "细则.xlsx").loaded.definition
    sheet = load_workbook(io.BytesIO(write_workbook(definition)))["评分表"]
    header = [cell.value for cell in sheet[1]]
    by_label = {r[header.index("考核内容")]: r for r in sheet.iter_rows(values_only=True)}

    def cells(label: str, *headers: str) -> list[object]:
        return [by_label[label][header.index(h)] for h in headers]

    veto_cells = ("否决", "合格答案", "否决条件", "可不适用")
    assert cells("本年度发生重伤及以上生产安全事故", *veto_cells) == [
        "发生重伤及以上事故",
        None,
        None,
        None,
    ]
    assert cells("实际开展安康杯竞赛", *veto_cells) == ["未开展竞赛", "是", None, None]
    assert cells("职工职业健康检查率", "按比例扣分", "扣分") == ["每低1个百分点扣0.25分", None]
    assert cells("成立安康杯竞赛领导小组", "合格答案") == [None]  # "yes" goes without saying


def test_the_template_is_an_example_that_imports_and_explains_every_column():
    data = template_workbook()
    imported = read_workbook(data, "template.xlsx")
    assert imported.loaded.definition.id == "example-evaluation"
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames[0] == "填写说明"
    explained = {row[1] for row in workbook["填写说明"].iter_rows(values_only=True)}
    header = next(workbook["评分表"].iter_rows(values_only=True))
    assert set(header) <= explained


def test_the_export_is_readable():
    definition = load_form_file(PROJECT_ROOT / "forms" / "ankang-cup-enterprise.yaml").definition
    workbook = load_workbook(io.BytesIO(write_workbook(definition)))
    items = workbook["评分表"]
    assert items.freeze_panes == "A2"
    assert items.column_dimensions["C"].width >= 30
    assert items["C3"].alignment.wrap_text
    assert items["A2"].value == "组织领导" and items["D2"].value == 8
    offered = {str(v.sqref): v.formula1 for v in items.data_validations.dataValidation}
    assert offered["F2:F1000"].startswith('"是否,单选,多选')  # 题型


def test_every_column_and_setting_is_documented():
    from service.forms.spreadsheet.layout import COLUMNS, OPTION_COLUMNS, SETTINGS

    documented = (PROJECT_ROOT / "forms" / "SPREADSHEET.md").read_text("utf-8")
    for name in [c.header for c in COLUMNS + OPTION_COLUMNS] + [s.key for s in SETTINGS]:
        assert f"| {name} |" in documented, name
