"""A campaign's scoring policy: how self-assessment and judges make a final score, who
may be ranked, grades, awards and tie-breaks. Plain data, stored as JSON with the
campaign (msgspec.json.encode / decode(..., type=Policy)); `check_policy` lists what is
wrong with one, `describe` says it in words a union clerk reads.

Decisions the issue left open, made here (and said by `describe`):
- A participant lacking a part the policy needs (no self-assessment while it has a
  weight or a self gate; fewer judges than `min_judges` while judges have a weight) is
  *incomplete*: listed, not ranked, no grade, no award.
- A veto from any scorer (self or any judge) always makes it ineligible: not a setting.
- `require_form_eligibility` says whose submissions must pass the form's own gates and
  mandatory items: `self` (default: the self-assessment is the application, and a judge
  who finds a mandatory item missing should veto or score it down), `all` (self and
  every judge), or `off`.
- Awards are given rule by rule in order; a participant wins at most one (the first),
  and `top` counts among those no earlier rule awarded: "一等奖 3名, 二等奖 5名".
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping

from msgspec import Struct

from service.forms.model import FormDefinition, Grade, Text, as_text, text
from service.scoring.numbers import number_text

from .history import AwardGap, GradeAfter


class Combine(enum.StrEnum):
    mean = "mean"
    trimmed_mean = "trimmed_mean"  # drop one highest and one lowest from trim_from judges


class FormEligibility(enum.StrEnum):
    off = "off"
    self_assessment = "self"
    all = "all"  # the self-assessment and every judge's evaluation


class GroupBy(enum.StrEnum):
    village = "village"
    industry = "industry"
    ownership = "ownership"
    size_band = "size_band"


class GradeBand(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    id: str
    label: Text
    min: float  # the final score needed


class AwardRule(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """An award: the best `top` (ties at the cut-off all win), those reaching
    `min_final`, or the best `top` of those reaching it; per group when `per` is set."""

    id: str
    label: Text
    top: int | None = None
    min_final: float | None = None
    per: GroupBy | None = None


JUDGES_MEAN = "judges_mean"
SECTION_PREFIX = "section:"
FEWER_OPEN_MAJOR_HAZARDS = "fewer_open_major_hazards"
NAME = "name"  # orders display only: it never splits a tie (see aggregate.rank)


class Policy(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    self_weight: float = 0.2
    judges_weight: float = 0.8
    min_judges: int = 1
    combine: Combine = Combine.trimmed_mean
    trim_from: int = 5
    spread_limit: float | None = 10.0  # flag judges disagreeing by more points than this
    min_self_total: float | None = None
    min_self_section_percent: float | None = None  # every self section at least this %
    require_form_eligibility: FormEligibility = FormEligibility.self_assessment
    grades: tuple[GradeBand, ...] = ()  # highest first
    awards: tuple[AwardRule, ...] = ()  # given in this order
    tie_breaks: tuple[str, ...] = (JUDGES_MEAN, NAME)
    # Rules over the rounds of the campaign's series (service/rankings/history.py).
    grade_after: tuple[GradeAfter, ...] = ()
    award_gaps: tuple[AwardGap, ...] = ()


def default_policy(grades: Iterable[Grade] = (), **overrides: object) -> Policy:
    """The policy a new campaign starts with, its grade bands taken from the form's.

    A form grade's own `requires` conditions are on one submission's answers, which a
    ranking does not see: the band keeps the threshold only (the form checks the rest
    per submission, through `require_form_eligibility`)."""
    bands = tuple(GradeBand(id=g.id, label=as_text(g.label), min=g.min) for g in grades)
    return Policy(grades=bands, **overrides)  # type: ignore[arg-type]


def check_policy(policy: Policy) -> list[str]:
    """Every problem of a policy at once, as "field: message" (empty when fine)."""
    p = policy
    problems = []
    for name in ("self_weight", "judges_weight"):
        value = getattr(p, name)
        if not 0 <= value <= 1:
            problems.append(f"{name}: must be between 0 and 1, not {number_text(value)}")
    if not math.isclose(p.self_weight + p.judges_weight, 1.0, abs_tol=1e-9):
        problems.append(
            f"self_weight: self_weight + judges_weight must be 1, not "
            f"{number_text(p.self_weight + p.judges_weight)}"
        )
    if p.min_judges < 0:
        problems.append(f"min_judges: cannot be negative ({p.min_judges})")
    if p.trim_from < 3:
        problems.append(f"trim_from: trimming needs at least 3 judges, not {p.trim_from}")
    if p.spread_limit is not None and p.spread_limit < 0:
        problems.append(f"spread_limit: cannot be negative ({number_text(p.spread_limit)})")
    if p.min_self_section_percent is not None and not 0 <= p.min_self_section_percent <= 100:
        problems.append("min_self_section_percent: must be between 0 and 100")
    for kind, entries in (("grades", p.grades), ("awards", p.awards)):
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            if entry.id in seen:
                problems.append(f"{kind}[{index}].id: duplicate id `{entry.id}`")
            seen.add(entry.id)
    for index, band in enumerate(p.grades[1:], start=1):
        if band.min >= p.grades[index - 1].min:
            problems.append(
                f"grades[{index}].min: bands go from highest to lowest: {number_text(band.min)} "
                f"comes after {number_text(p.grades[index - 1].min)}"
            )
    for index, award in enumerate(p.awards):
        if award.top is None and award.min_final is None:
            problems.append(f"awards[{index}]: needs top, min_final or both")
        if award.top is not None and award.top < 1:
            problems.append(f"awards[{index}].top: must be at least 1, not {award.top}")
    problems += _history_problems(p)
    seen_breaks: set[str] = set()
    for index, rule in enumerate(p.tie_breaks):
        path = f"tie_breaks[{index}]"
        if rule in seen_breaks:
            problems.append(f"{path}: `{rule}` is listed twice")
        seen_breaks.add(rule)
        if rule == NAME and index != len(p.tie_breaks) - 1:
            problems.append(f"{path}: `name` only orders display, so it must come last")
        elif rule.startswith(SECTION_PREFIX):
            if not rule.removeprefix(SECTION_PREFIX):
                problems.append(f"{path}: `section:` needs a section id")
        elif rule not in (JUDGES_MEAN, FEWER_OPEN_MAJOR_HAZARDS, NAME):
            problems.append(
                f"{path}: unknown tie-break `{rule}` (judges_mean, section:<id>, "
                "fewer_open_major_hazards, name)"
            )
    return problems


def _history_problems(p: Policy) -> list[str]:
    problems = []
    bands = [band.id for band in p.grades]
    for index, rule in enumerate(p.grade_after):
        path = f"grade_after[{index}]"
        for name in ("grade", "after"):
            if getattr(rule, name) not in bands:
                problems.append(f"{path}.{name}: no grade band `{getattr(rule, name)}`")
        if rule.grade in bands and rule.after in bands and rule.grade == rule.after:
            problems.append(f"{path}.after: a grade cannot need itself")
    awards = {award.id for award in p.awards}
    for index, gap in enumerate(p.award_gaps):
        if gap.award not in awards:
            problems.append(f"award_gaps[{index}].award: no award `{gap.award}`")
        if gap.years < 1:
            problems.append(f"award_gaps[{index}].years: must be at least 1, not {gap.years}")
    return problems


_GROUP_WORDS = {
    GroupBy.village: ("每个村（社区）", "each village/community"),
    GroupBy.industry: ("每个行业", "each industry"),
    GroupBy.ownership: ("每种所有制", "each ownership type"),
    GroupBy.size_band: ("每个企业规模档", "each size band"),
}


def describe_for(policy: Policy, definition: FormDefinition | None, lang: str = "zh") -> list[str]:
    """`describe`, naming tie-break sections by their titles in `definition`'s form."""
    sections = {s.id: text(s.title, lang) for s in definition.sections} if definition else {}
    return describe(policy, lang, sections)


def describe(
    policy: Policy, lang: str = "zh", sections: Mapping[str, str] | None = None
) -> list[str]:
    """The policy in plain sentences (Chinese, or English with lang="en"); `sections`
    names the sections a tie-break refers to (by id; the id is shown otherwise)."""
    en = lang == "en"
    p = policy
    lines: list[str] = []

    def say(zh: str, english: str) -> None:
        lines.append(english if en else zh)

    sw, jw = _pct(p.self_weight), _pct(p.judges_weight)
    if p.self_weight == 0:
        say("最终得分只看评委评分，不计自评分。", "The final score is the judges' score only.")
    elif p.judges_weight == 0:
        say("最终得分只看自评分。", "The final score is the self-assessment only.")
    else:
        say(
            f"最终得分 = 自评分 × {sw} + 评委评分 × {jw}。",
            f"Final score = self-assessment × {sw} + judges' score × {jw}.",
        )
    if p.combine is Combine.trimmed_mean:
        say(
            f"评委评分：评委达到{p.trim_from}人及以上时，去掉一个最高分和一个最低分后取平均分；"
            f"不足{p.trim_from}人时取全部评委的平均分。",
            f"Judges' score: with {p.trim_from} or more judges, the highest and the lowest "
            f"are dropped and the rest averaged; with fewer, the mean of all judges.",
        )
    else:
        say("评委评分：取全部评委的平均分。", "Judges' score: the mean of all judges.")
    if p.judges_weight > 0:
        need = max(p.min_judges, 1)
        say(
            f"至少{need}位评委评分后才参加排名，否则列为“未完成”。",
            f"At least {need} judge(s) must score before ranking; until then it is incomplete.",
        )
    if p.self_weight > 0 or p.min_self_total is not None or p.min_self_section_percent:
        say(
            "未提交自评的列为“未完成”，不参加排名和评奖。",
            "Without a self-assessment it is incomplete: not ranked, no award.",
        )
    if p.spread_limit is not None:
        say(
            f"评委最高分与最低分相差超过{number_text(p.spread_limit)}分时，标记为“评分分歧”。",
            f"Judges more than {number_text(p.spread_limit)} points apart are flagged as "
            "disagreeing.",
        )
    say(
        "自评或任何一位评委一票否决的，不具备评选资格，并列出否决理由。",
        "A veto by any scorer (self or any judge) makes it ineligible, with the reasons.",
    )
    if p.min_self_total is not None:
        say(
            f"自评分须达到{number_text(p.min_self_total)}分。",
            f"The self-assessment must reach {number_text(p.min_self_total)}.",
        )
    if p.min_self_section_percent is not None:
        x = number_text(p.min_self_section_percent)
        say(
            f"自评各部分得分率均须达到{x}%。",
            f"Every section of the self-assessment must reach {x}% of its points.",
        )
    if p.require_form_eligibility is FormEligibility.self_assessment:
        say(
            "自评须符合评分表本身的门槛和必备项要求。",
            "The self-assessment must meet the form's own gates and mandatory items.",
        )
    elif p.require_form_eligibility is FormEligibility.all:
        say(
            "自评和每位评委的评分均须符合评分表本身的门槛和必备项要求。",
            "The self-assessment and every judge's must meet the form's gates and mandatory items.",
        )
    if p.grades:
        bands = [(text(b.label, lang), number_text(b.min)) for b in p.grades]
        say(
            "等级：" + "；".join(f"{label} ≥ {m}分" for label, m in bands) + "。",
            "Grades: " + "; ".join(f"{label} ≥ {m}" for label, m in bands) + ".",
        )
    for award in p.awards:
        say(_award_zh(award), _award_en(award))
    lines += _history_lines(p, lang)
    if p.awards:
        say(
            "奖项按上列顺序评定，每个单位最多获一项；只有具备资格者才能获奖。",
            "Awards are given in the order above, at most one each, to eligible ones only.",
        )
    rules = [r for r in p.tie_breaks if r != NAME]
    if rules:
        names = sections or {}
        parts = [_tie_break(r, en, names) for r in rules]
        say(
            "同分时依次比较：" + "；".join(parts) + "。",
            "Ties are broken by, in order: " + "; ".join(parts) + ".",
        )
    say(
        "以上全部相同的并列同一名次，按名称排列。",
        "Still equal on all of these: they share the rank, listed by name.",
    )
    return lines


def _history_lines(p: Policy, lang: str) -> list[str]:
    """The rules over the rounds of the series, in words."""
    en = lang == "en"
    bands = {band.id: text(band.label, lang) for band in p.grades}
    awards = {award.id: text(award.label, lang) for award in p.awards}
    lines = []
    for rule in p.grade_after:
        grade, after = bands.get(rule.grade, rule.grade), bands.get(rule.after, rule.after)
        lines.append(
            f"{grade} only if the previous round of the series gave {after} or better; "
            "otherwise the best lower grade."
            if en
            else f"评为“{grade}”须在本系列上一轮获得“{after}”或以上等级，否则评为下一等级。"
        )
    for gap in p.award_gaps:
        award = awards.get(gap.award, gap.award)
        lines.append(
            f"{award}: not given again within {gap.years} years of winning it "
            "(such a unit is not a candidate)."
            if en
            else f"“{award}”：获得后{gap.years}年内不再授予（该单位不参加本奖项评定）。"
        )
    return lines


def _award_zh(award: AwardRule) -> str:
    threshold = (
        f"最终得分达到{number_text(award.min_final)}分" if award.min_final is not None else ""
    )
    if award.top is None:
        rule = threshold
    else:
        rule = f"{threshold + '的' if threshold else ''}前{award.top}名（同分并列的一并获奖）"
    where = _GROUP_WORDS[award.per][0] + "分别评定：" if award.per else ""
    return f"{award.label.zh}：{where}{rule}。"


def _award_en(award: AwardRule) -> str:
    parts = []
    if award.top is not None:
        parts.append(f"the top {award.top} (ties at the cut-off all win)")
    if award.min_final is not None:
        parts.append(f"a final score of at least {number_text(award.min_final)}")
    where = f", in {_GROUP_WORDS[award.per][1]}" if award.per else ""
    return f"{text(award.label, 'en')}: {' with '.join(parts)}{where}."


def _tie_break(rule: str, en: bool, sections: Mapping[str, str]) -> str:
    if rule == JUDGES_MEAN:
        return "the higher judges' score" if en else "评委评分高者在前"
    if rule == FEWER_OPEN_MAJOR_HAZARDS:
        return "fewer open major hazards" if en else "未整改重大事故隐患少者在前"
    section = rule.removeprefix(SECTION_PREFIX)
    title = sections.get(section, section)
    return f"the higher score in “{title}”" if en else f"“{title}”得分高者在前"


def _pct(weight: float) -> str:
    return f"{number_text(weight * 100)}%"
