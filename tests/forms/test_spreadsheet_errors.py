"""A workbook with mistakes: every error at once, at its cell, in words a clerk reads."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.forms.imported import WorkbookInvalid
from service.forms.spreadsheet import read_workbook
from tests.forms.spreadsheets import OPTIONS_HEADER, basic_settings, workbook_bytes

HEADER = ["部分", "序号", "考核内容", "分值", "评分标准", "题型", "显示条件", "选项"]


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(WorkbookInvalid) as caught:
        read_workbook(data, "细则.xlsx")
    return [str(error) for error in caught.value.errors]


def test_every_mistake_is_reported_at_its_cell():
    items = [
        HEADER,
        ["一、组织领导"],  # row 2
        [None, 1, "成立领导小组", "五分"],  # row 3: not a number
        [None, 2, "竞赛方案", 4, None, "填空题吧"],  # row 4: no such type
        [None, 3, "竞赛经费", 4, None, None, "s9-9=是"],  # row 5: no such item
        ["二、安全管理（20分）"],  # row 6: items add up to 15
        [None, 1, "责任制", 10],
        [None, 2, "隐患排查", 5],
    ]
    errors = errors_of(workbook_bytes(items, settings=None))
    assert errors == [
        '评分表!D3: 分值 "五分" 不是数字',
        '评分表!F4: 题型 "填空题吧" 不是可用的值；可填：是否、单选、多选、数值、比率、缺项数、'
        "文本、长文本、日期、照片、位置",
        "评分表!G5: 显示条件指向的题目“s9-9”不存在（须是本题之前的题目）",
        "评分表!A6: 部分“s2”的分值是20，但各项满分之和是15",
        "设置: 缺少工作表“设置”",
    ]


def test_settings_and_options_mistakes_name_their_rows():
    items = [HEADER, ["一、培训"], [None, 1, "组织学习", 3, None, "单选", None, "学习情况"]]
    items.append([None, 2, "另一题", None, None, "单选", None, "没有这张表"])
    options = [OPTIONS_HEADER, ["学习情况", "a", "完整", "3分"], [None, "b", None, "一半"]]
    settings_rows = basic_settings(参评条件="总分大约80", 颜色="红")
    settings_rows[3] = ["版本", "第一版"]
    errors = errors_of(workbook_bytes(items, settings_rows, options))
    assert "评分表!H4: “选项”表中没有选项表“没有这张表”" in errors
    assert "选项!C3: 选项文字为空" in errors
    assert '选项!D3: 得分 "一半" 不是数字' in errors
    assert '设置!B4: 版本 "第一版" 不是数字' in errors
    assert any(e.startswith('设置!B9: 条件 "总分大约80" 看不懂') for e in errors)
    assert any(e.startswith("设置!A10: 未知的设置项“颜色”") for e in errors)


def test_a_column_that_does_not_fit_the_item_type_is_named():
    items = [
        ["部分", "考核内容", "题型", "单位"],
        ["一、检查"],
        [None, "是否戴安全帽", "是否", "人"],
    ]
    errors = errors_of(workbook_bytes(items, basic_settings()))
    assert "评分表!D3: 题型“是否”不用“单位”列" in errors


def test_not_a_workbook_at_all():
    assert errors_of(b"PK\x03\x04 not really a zip")[0].startswith(
        "细则.xlsx: 不是可读取的 .xlsx 工作簿"
    )


CELL_VALUES = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(-5, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(
        ["是", "否", "单选", "比率", "缺项数", "加分", "扣分", "s1-1=是", "5分", "一、部分", "合计"]
    ),
)
ROW = st.lists(CELL_VALUES, min_size=0, max_size=len(HEADER))


@settings(max_examples=40)
@given(
    st.lists(ROW, max_size=8),
    st.lists(st.lists(CELL_VALUES, max_size=5), max_size=5),
    st.lists(st.lists(CELL_VALUES, max_size=5), max_size=4),
)
def test_no_cell_value_crashes_the_reader(item_rows, option_rows, setting_rows):
    data = workbook_bytes(
        [HEADER, *item_rows],
        basic_settings() + setting_rows,
        [OPTIONS_HEADER, *option_rows],
    )
    try:
        read_workbook(data, "random.xlsx")
    except WorkbookInvalid as exc:
        assert exc.errors


def test_an_option_list_error_is_said_at_the_option_row():
    items = [HEADER, ["一、培训（3分）"], [None, 1, "组织学习", 3, None, "单选", None, "学习"]]
    options = [OPTIONS_HEADER, ["学习", "a", "完整", 3], [None, "a", "不全", 1]]
    errors = errors_of(workbook_bytes(items, basic_settings(总分="3"), options))
    assert errors == ["选项!B3: 选项编号“a”在题目“s1-1”中重复"]


def test_mistakes_in_the_newer_rules_are_said_at_their_cells():
    items = [
        ["部分", "序号", "考核内容", "分值", "题型", "扣分", "按比例扣分", "仅作了解", "否决"],
        ["一、基础（10分）"],
        [None, 1, "签订率", 5, "比率", 0.5, "每低1个百分点扣0.25分"],  # row 3: both
        [None, 2, "是否使用化学品", 5, None, None, None, "是"],  # row 4: info with points
        [None, 3, "发放率", None, "比率", None, "大概扣一点"],  # row 5: not a rule
        [None, 4, "发生死亡事故", None, None, None, None, None, "死亡事故"],
    ]
    settings_rows = basic_settings(总分="10", 参评条件="项目 s1-4=也许")
    settings_rows += [
        ["等级", 8, None, "达标", "pass"],
        ["最高评为", "项目 s1-4=是", None, "发生死亡事故的，最高评为合格", "second"],
        ["最高评为", "项目 s1-4≠否", None, "理由", "pass"],
        ["部分得分", "保留两位"],
    ]
    errors = errors_of(workbook_bytes(items, settings_rows))
    assert errors[:5] == [
        "评分表!G3: 比率题“s1-1”同时填了“按比例扣分”和“扣分”（整档），只能填一个",
        "评分表!D4: 题目“s1-2”仅作了解，不能填分值、扣分、否决、必备、隐患等级或不合格须拍照",
        '评分表!G5: 按比例扣分 "大概扣一点" 看不懂；写作“每低1个百分点扣0.25分”，或只填扣的分数',
        "设置!B9: 条件中的“也许”不是题目“s1-4”的答案；可用：no, yes (scoring.gates[0].equals)",
        "设置!E11: 最高评为的等级“second”不存在（“编号”列写等级编号：pass）",
    ]
    assert errors[5].startswith('设置!B12: 最高评为的条件 "项目 s1-4≠否" 须写作“项目 编号=答案”')
    assert errors[6:] == ['设置!B13: 部分得分 "保留两位" 不是可用的值；可填：保留一位小数、取整']
