"""The form language's own errors, said in Chinese for a clerk who imports a workbook.

The loader speaks English (YAML authors and the API read it). A workbook error is read by a
union clerk, so the messages she is likely to meet are translated here; one not listed
stays in English rather than being lost.
"""

from __future__ import annotations

import re

_ID = r"`([^`]+)`"
_NUMBER = r"(-?[\d.]+(?:e[+-]?\d+)?)"

# (English, as service/forms/checks.py and structure.py say it) → Chinese
TRANSLATIONS: tuple[tuple[str, str], ...] = (
    (
        rf"section {_ID} declares {_NUMBER} points but its items add up to {_NUMBER}",
        "部分“{0}”的分值是{1}，但各项满分之和是{2}",
    ),
    (
        rf"scoring\.max is {_NUMBER} but the sections' points add up to {_NUMBER}",
        "总分是{0}，但各部分分值之和是{1}",
    ),
    (
        rf"show_if of {_ID} points at item {_ID}, which does not exist; it must be an earlier item",
        "显示条件指向的题目“{1}”不存在（须是本题之前的题目）",
    ),
    (
        rf"show_if of {_ID} points at item {_ID}, which comes later; it must be an earlier item",
        "显示条件指向的题目“{1}”在本题之后（须是本题之前的题目）",
    ),
    (rf"item {_ID} depends on itself", "显示条件不能指向本题自身"),
    (
        rf"show_if value {_ID} is not an answer of {_ID}; one of: (.+)$",
        "显示条件的值“{0}”不是题目“{1}”的答案；可用：{2}",
    ),
    (
        r"show_if can depend on a check, choice or multi item; `([^`]+)` is a (\w+) item",
        "显示条件只能指向是否、单选或多选题；“{0}”不是",
    ),
    (rf"duplicate item id {_ID} \(first at [^)]+\)", "题目编号“{0}”重复"),
    (rf"duplicate section id {_ID} \(first at [^)]+\)", "部分编号“{0}”重复"),
    (rf"duplicate option id {_ID} in item {_ID}", "选项编号“{0}”在题目“{1}”中重复"),
    (rf"duplicate grade id {_ID}", "等级编号“{0}”重复"),
    (
        r"`na` is the answer 不适用 and cannot be an option id; use allow_na: true instead",
        "“na”表示不适用，不能作选项编号；需要不适用时在“可不适用”列填“是”",
    ),
    (rf"item {_ID} has no options", "题目“{0}”没有选项"),
    (
        rf"item {_ID} has both points and deduct; give one",
        "题目“{0}”同时填了分值和扣分，只能填一个",
    ),
    (
        rf"item {_ID} vetoes on its good answer {_ID}",
        "题目“{0}”在合格答案时否决；否决条件须是不合格答案",
    ),
    (
        rf"item {_ID} earns points inside deduction section {_ID}; use .+$",
        "题目“{0}”在扣分部分“{1}”中得分；扣分部分的题目只能扣分（“扣分”列或负的选项得分）",
    ),
    (
        rf"rate {_ID} in a deduction section needs minus \(pro rata\) or deduct",
        "扣分部分中的比率题“{0}”须填“按比例扣分”或“扣分”",
    ),
    (
        rf"rate {_ID} has both minus \(pro rata\) and deduct \(whole steps\); give one",
        "比率题“{0}”同时填了“按比例扣分”和“扣分”（整档），只能填一个",
    ),
    (
        rf"rate {_ID} deducts pro rata \(minus\): it has no steps to count",
        "比率题“{0}”按比例扣分，没有“不足一档按一档”",
    ),
    (
        rf"item {_ID} is for information only \(info: true\), so it has no \w+; .+$",
        "题目“{0}”仅作了解，不能填分值、扣分、否决、必备、隐患等级或不合格须拍照",
    ),
    (
        rf"item {_ID} deducts but section {_ID} is \w+; .+$",
        "题目“{0}”扣分，但部分“{1}”不是扣分部分（在部分标题行的“部分类型”填“扣分”）",
    ),
    (rf"bonus item {_ID} has a negative option score", "加分题“{0}”有负的选项得分"),
    (rf"bonus section {_ID} needs a cap", "加分部分“{0}”须在“封顶”列填最多加几分"),
    (
        r"a bonus section adds on top: give cap, not points",
        "加分部分加在总分之上：填“封顶”，不填分值",
    ),
    (
        rf"deduction section {_ID} has no points to start from, so it needs a cap",
        "扣分部分“{0}”没有分值，须在“封顶”列填最多扣几分",
    ),
    (r"cap is for bonus and deduction sections", "只有加分、扣分部分才填“封顶”"),
    (
        rf"(?:section|item) {_ID} has points, but only kind: scored forms score",
        "“{0}”有分值，但只有评分表计分（“设置”中的类型）",
    ),
    (r"a kind: scored form needs a scoring block \(at least max\)", "评分表须在“设置”中填写总分"),
    (r"scoring is only for kind: scored forms", "只有评分表才有总分、参评条件和等级"),
    (
        rf"grade thresholds must go from highest to lowest: {_NUMBER} comes after {_NUMBER}",
        "等级须从高到低排列：{0}排在{1}之后",
    ),
    (
        rf"grade {_ID} needs {_NUMBER}, above the possible {_NUMBER}",
        "等级“{0}”的分数线{1}高于可能的最高分{2}",
    ),
    (rf"gate names section {_ID}, which does not exist", "条件中的部分“{0}”不存在"),
    (rf"gate names item {_ID}, which does not exist", "条件中的题目“{0}”不存在"),
    (rf"names item {_ID}, which does not exist", "条件中的题目“{0}”不存在"),
    (
        rf"grade cap names grade {_ID}, which does not exist; grades: (.+)$",
        "最高评为的等级“{0}”不存在（“编号”列写等级编号：{1}）",
    ),
    (
        rf"{_ID} is not an answer of {_ID}; one of: (.+)$",
        "条件中的“{0}”不是题目“{1}”的答案；可用：{2}",
    ),
    (
        rf"\w+ needs a check, choice or multi item; {_ID} is not one .+$",
        "条件中的题目“{0}”须是是否、单选或多选题（数值、比率、缺项数题写“≥”）",
    ),
    (
        rf"gate item {_ID} must be a number, rate or count item",
        "条件中的题目“{0}”须是数值、比率或缺项数题",
    ),
    (rf"min {_NUMBER} is greater than max {_NUMBER}", "下限{0}大于上限{1}"),
    (rf"min_count {_NUMBER} > max_count {_NUMBER}", "最少{0}张多于最多{1}张"),
    (
        r"min_selected (\d+) / max_selected (\d+) do not fit (\d+) options",
        "最少选{0}项、最多选{1}项与{2}个选项不符",
    ),
    (rf"missing required field {_ID}", "缺少必填的“{0}”"),
    (r"expected `str` matching regex .*$", "编号只能用英文小写字母、数字和 - _（如 s1-2）"),
    (r"expected `(?:float|int)` >= 0", "不能是负数"),
    (r"expected `array` of length >= 1", "至少要有一个"),
)
_COMPILED = tuple((re.compile(english), chinese) for english, chinese in TRANSLATIONS)


def in_chinese(message: str) -> str:
    """The loader's message in Chinese where it is known; the path detail is kept."""
    for pattern, chinese in _COMPILED:
        match = pattern.search(message)
        if match:
            return (
                message[: match.start()] + chinese.format(*match.groups()) + message[match.end() :]
            )
    return message
