"""The blank-to-fill workbook: the layout with a small example table and 填写说明."""

from __future__ import annotations

import io

from openpyxl.styles import Alignment, Font

from ..loader import load_form_text
from .layout import (
    COLUMNS,
    GATE,
    GRADE,
    GRADE_CAP,
    GRADE_GATE,
    HELP_SHEET,
    ITEMS_SHEET,
    OPTION_COLUMNS,
    OPTIONS_SHEET,
    SETTINGS,
    SETTINGS_SHEET,
)
from .writer import build_workbook

EXAMPLE = """
id: example-evaluation
version: 1
kind: scored
title: {zh: 示例考核评分表, en: Example evaluation}
basis: 依据《某某县总工会安康杯竞赛考核细则》(示例)
roles: [enterprise, judge]
scoring:
  max: 20
  round_total: one_decimal
  gates:
    - {min_total: 16, label: 总分须达到16分}
  grades:
    - {id: winner, min: 18, label: 优胜单位}
    - {id: pass, min: 16, label: 达标}
  grade_caps:
    - {item: s4-2, equals: "yes", at_most: pass, reason: 发生轻伤事故的，最高评为达标}
sections:
  - id: s1
    title: 组织领导
    points: 10
    items:
      - id: s1-1
        type: check
        label: 成立安康杯竞赛领导小组
        standard: 查阅文件；未成立不得分
        points: 4
      - id: s1-2
        type: count
        label: 竞赛台账缺项数
        standard: 缺一项扣1分，扣完为止
        points: 3
        deduct_each: 1
      - id: s1-3
        type: choice
        label: 组织职工学习安全生产法律法规
        standard: 记录完整得3分，不全得1.5分，未组织不得分
        options:
          - {id: complete, label: 有计划、有记录, score: 3}
          - {id: partial, label: 记录不全, score: 1.5}
          - {id: none, label: 未组织, score: 0}
  - id: s2
    title: 劳动保护
    points: 10
    items:
      - {id: s2-1, type: check, label: 是否使用有毒有害化学品, info: true}
      - id: s2-2
        type: check
        label: 化学品信息卡张贴到位
        points: 4
        show_if: {item: s2-1, equals: "yes"}
        hazard: {grade: larger}
      - id: s2-3
        type: rate
        label: 劳动防护用品发放率
        standard: 100%得6分，每低1个百分点扣0.5分
        points: 6
        minus: 0.5
  - id: s3
    title: 加分项
    kind: bonus
    cap: 2
    items:
      - {id: s3-1, type: check, label: 获上级表彰, points: 2}
  - id: s4
    title: 否决项
    items:
      - id: s4-1
        type: check
        label: 本年度发生重伤及以上生产安全事故
        veto: 发生重伤及以上事故
      - id: s4-2
        type: check
        label: 本年度发生轻伤事故
        good: "no"
        required: true
"""


def template_workbook() -> bytes:
    """The layout filled with a small example table, and a sheet 填写说明 that explains
    every column and setting with its allowed values."""
    workbook = build_workbook(load_form_text(EXAMPLE, "example").definition)
    guide = workbook.create_sheet(HELP_SHEET, 0)
    guide.append(["工作表", "列 / 设置项", "说明", "可填的值"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.append([ITEMS_SHEET, "", "每行一项考核内容；单独写部分名称的一行开始一个新部分。", ""])
    for column in COLUMNS:
        guide.append([ITEMS_SHEET, column.header, column.help, column.kind.allowed])
    for column in OPTION_COLUMNS:
        guide.append([OPTIONS_SHEET, column.header, column.help, column.kind.allowed])
    for setting in SETTINGS:
        guide.append([SETTINGS_SHEET, setting.key, setting.help, setting.kind.allowed])
    guide.append(
        [
            SETTINGS_SHEET,
            GATE,
            "参评条件，可多行；“名称”列写给人看的说法。对某题答案的条件："
            "“=”为等于（多个值用“、”分隔，为其中之一），“≠”为都不是。",
            "总分≥80、每部分≥80%、部分 s1≥42、部分 s1≥80%、项目 编号≥90、"
            "项目 编号=是、项目 编号=a、b、项目 编号≠c",
        ]
    )
    guide.append(
        [
            SETTINGS_SHEET,
            GRADE,
            "等级，从高到低；值为分数线，“名称”列为等级名称，“编号”列为等级编号。",
            "如 95 | 优胜单位 | winner",
        ]
    )
    guide.append(
        [
            SETTINGS_SHEET,
            GRADE_GATE,
            "某等级另外要满足的条件，“编号”列写等级编号。",
            "写法同参评条件",
        ]
    )
    guide.append(
        [
            SETTINGS_SHEET,
            GRADE_CAP,
            "最高评为：某题答案相符时，不评为高于“编号”列等级的等级；“名称”列写理由"
            "（原表的说法）。该题宜设为必答：未答不限制。",
            "如 项目 s4-2=是 | 发生轻伤事故的，最高评为达标 | pass",
        ]
    )
    for letter, width in zip("ABCD", (10, 16, 70, 40), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
