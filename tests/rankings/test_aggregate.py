"""The ranking on small cases whose numbers are worked out by hand (in the comments)."""

from __future__ import annotations

from typing import Any

import pytest

from service.forms.model import Text
from service.rankings.aggregate import Standing, judges_combined, rank, shown
from service.rankings.groups import Group, SizeBand, filter_rows, size_band
from service.rankings.inputs import ParticipantScores
from service.rankings.policy import (
    AwardRule,
    Combine,
    FormEligibility,
    GradeBand,
    GroupBy,
    Policy,
)

_ids = iter(range(1, 1_000_000))


def participant(
    name: str, self_total: float | None = 90, judges: tuple[float, ...] = (90,), **fields: Any
) -> ParticipantScores:
    """A participant with these judges' scores, aggregated as the SQL query does."""
    data: dict[str, Any] = {
        "enterprise_id": next(_ids),
        "name": name,
        "village": "东村",
        "self_total": self_total,
        "self_eligible": None if self_total is None else True,
        "judges": len(judges),
        "judges_sum": float(sum(judges)),
        "judges_min": min(judges, default=None),
        "judges_max": max(judges, default=None),
    }
    return ParticipantScores(**{**data, **fields})


def by_name(result):
    return {r.participant.name: r for r in result}


def award(id: str, zh: str, **fields: Any) -> AwardRule:
    return AwardRule(id=id, label=Text(zh=zh), **fields)


# ---------------------------------------------------------------- judges and weights


def test_trimmed_mean_with_five_judges_and_weights_20_80():
    row = participant("甲", self_total=80, judges=(90, 85, 88, 70, 95))
    [result] = rank([row], Policy())
    # sum 428; drop 95 and 70: 263 / 3 = 87.666…
    assert result.trimmed
    assert result.judges_score == pytest.approx(263 / 3)
    # 0.2 × 80 + 0.8 × 87.666… = 16 + 70.1333… = 86.1333…
    assert result.final == pytest.approx(86.133333, abs=1e-6)
    assert shown(result.final) == 86.13
    # spread 95 − 70 = 25 > 10: flagged
    assert result.spread == 25 and result.disagreement
    assert result.rank == 1 and result.standing is Standing.ranked


def test_trimmed_mean_with_seven_judges():
    row = participant("甲", judges=(80, 82, 84, 86, 88, 90, 99))
    score, trimmed = judges_combined(row, Policy())
    # sum 609; drop 99 and 80: 430 / 5 = 86
    assert trimmed and score == pytest.approx(86.0)


def test_four_judges_below_trim_from_take_the_mean():
    row = participant("甲", judges=(90, 85, 88, 70))
    # 333 / 4 = 83.25, nothing dropped
    assert judges_combined(row, Policy()) == (pytest.approx(83.25), False)
    # the same four with trim_from 4: (333 − 70 − 90) / 2 = 86.5
    assert judges_combined(row, Policy(trim_from=4)) == (pytest.approx(86.5), True)


def test_mean_policy_never_trims():
    row = participant("甲", judges=(90, 85, 88, 70, 95))
    # 428 / 5 = 85.6
    assert judges_combined(row, Policy(combine=Combine.mean)) == (pytest.approx(85.6), False)


def test_judges_only_ignores_the_self_assessment():
    policy = Policy(self_weight=0, judges_weight=1, spread_limit=None)
    rows = [participant("甲", self_total=60, judges=(92, 88)), participant("乙", self_total=None)]
    result = by_name(rank(rows, policy))
    # (92 + 88) / 2 = 90; self 60 counts for nothing, and no self is no problem
    assert result["甲"].final == pytest.approx(90)
    assert not result["甲"].disagreement
    assert result["乙"].standing is Standing.ranked


# ---------------------------------------------------------------- eligibility


def test_a_veto_by_one_judge_makes_it_ineligible_with_the_reason():
    rows = [
        participant("甲", judges=(99, 98, 97), judges_vetoed=1, veto_reasons=("发生亡人事故",)),
        participant("乙", judges=(60,)),
    ]
    result = rank(rows, Policy())
    assert [r.participant.name for r in result] == ["乙", "甲"]
    vetoed = result[1]
    assert vetoed.standing is Standing.ineligible and vetoed.rank is None
    assert [(r.code, r.message.zh) for r in vetoed.reasons] == [("veto", "一票否决：发生亡人事故")]
    assert vetoed.award is None and vetoed.grade is None
    assert result[0].rank == 1


def test_failed_self_gates():
    policy = Policy(min_self_total=80, min_self_section_percent=80)
    rows = [
        participant("低分", self_total=78),
        participant("偏科", self_total=92, self_min_section_percent=75),
        participant("合格", self_total=80, self_min_section_percent=80),
    ]
    result = by_name(rank(rows, policy))
    assert [r.message.zh for r in result["低分"].reasons] == ["自评78分，未达到80分"]
    assert [r.code for r in result["偏科"].reasons] == ["self_section_below_min"]
    assert "75%" in result["偏科"].reasons[0].message.zh
    assert result["合格"].rank == 1  # exactly at the gate passes


def test_form_ineligible_self_and_judges():
    rows = [
        participant("缺必备项", self_eligible=False),
        participant("评委不认可", judges=(90, 91), judges_ineligible=1),
    ]
    by_default = by_name(rank(rows, Policy()))
    assert [r.code for r in by_default["缺必备项"].reasons] == ["self_form_ineligible"]
    assert by_default["评委不认可"].rank == 1  # only the self-assessment counts by default
    strict = by_name(rank(rows, Policy(require_form_eligibility=FormEligibility.all)))
    assert [r.code for r in strict["评委不认可"].reasons] == ["judges_form_ineligible"]
    relaxed = by_name(rank(rows, Policy(require_form_eligibility=FormEligibility.off)))
    assert relaxed["缺必备项"].standing is Standing.ranked


def test_incomplete_without_self_assessment_or_judges_listed_last():
    rows = [
        participant("无自评", self_total=None),
        participant("无评委", judges=()),
        participant("否决", self_vetoed=True, self_eligible=False),
        participant("完整"),
    ]
    result = rank(rows, Policy(min_judges=2, trim_from=3))
    assert [(r.participant.name, r.standing) for r in result] == [
        ("否决", Standing.ineligible),
        ("完整", Standing.incomplete),  # one judge of the two needed; final 90 shown first
        ("无自评", Standing.incomplete),  # no final: after, by name
        ("无评委", Standing.incomplete),
    ]
    reasons = {r.participant.name: [x.code for x in r.reasons] for r in result}
    # the veto says why (not also "form ineligible"); what is missing is listed after
    assert reasons["否决"] == ["veto", "too_few_judges"]
    assert reasons["无自评"] == ["no_self_assessment", "too_few_judges"]
    assert result[1].final == pytest.approx(90) and result[2].final is None


# ---------------------------------------------------------------- ties


def test_tie_broken_by_the_judges_score():
    # 0.2 × 90 + 0.8 × 85 = 86 and 0.2 × 70 + 0.8 × 90 = 86: equal finals
    rows = [participant("自评高", 90, (85,)), participant("评委高", 70, (90,))]
    result = rank(rows, Policy())
    assert [(r.participant.name, r.rank) for r in result] == [("评委高", 1), ("自评高", 2)]


def test_tie_broken_by_a_named_section_then_by_fewer_open_major_hazards():
    policy = Policy(tie_breaks=("judges_mean", "section:safety", "fewer_open_major_hazards"))
    rows = [
        participant("安全弱", section_means={"safety": 20}, open_major_hazards=0),
        participant("安全强", section_means={"safety": 25}, open_major_hazards=3),
        participant("隐患多", section_means={"safety": 20}, open_major_hazards=2),
    ]
    result = rank(rows, policy)
    # all final 90, judges 90; safety 25 first; then 0 hazards before 2
    assert [(r.participant.name, r.rank) for r in result] == [
        ("安全强", 1),
        ("安全弱", 2),
        ("隐患多", 3),
    ]


def test_a_full_tie_shares_the_rank_and_the_name_only_orders_display():
    rows = [participant("丙", 80, (80,)), participant("乙"), participant("甲"), participant("乙二")]
    result = rank(rows, Policy())
    # 甲, 乙, 乙二 all 90 with judges 90: one rank, listed by name; 丙 (80) is fourth
    assert [(r.participant.name, r.rank) for r in result] == [
        ("乙", 1),
        ("乙二", 1),
        ("甲", 1),
        ("丙", 4),
    ]


def test_finals_are_compared_unrounded():
    # 89.996 and 89.994 both show as 90.0, but they are not tied
    rows = [participant("甲", 89.994, (89.994,)), participant("乙", 89.996, (89.996,))]
    result = rank(rows, Policy())
    assert [(r.participant.name, r.rank, shown(r.final)) for r in result] == [
        ("乙", 1, 90.0),
        ("甲", 2, 89.99),
    ]


# ---------------------------------------------------------------- groups


def test_a_group_filter_changes_ranks():
    rows = [
        participant("东一", judges=(95,)),
        participant("西一", judges=(92,), village="西村"),
        participant("西二", judges=(85,), village="西村"),
    ]
    overall = by_name(rank(rows, Policy()))
    assert (overall["西一"].rank, overall["西二"].rank) == (2, 3)
    west = by_name(rank(rows, Policy(), group=Group(village="西村")))
    assert set(west) == {"西一", "西二"}
    assert (west["西一"].rank, west["西二"].rank) == (1, 2)
    assert rank(filter_rows(rows, village="西村"), Policy()) == list(west.values())


def test_size_bands_and_filters_by_industry_ownership_and_size():
    assert [size_band(n) for n in (None, 0, 19, 20, 299, 300, 999, 1000)] == [
        None,
        SizeBand.micro,
        SizeBand.micro,
        SizeBand.small,
        SizeBand.small,
        SizeBand.medium,
        SizeBand.medium,
        SizeBand.large,
    ]
    rows = [
        participant("大国企", industry="化工", ownership="state_owned", head_count=1200),
        participant("小民企", industry="化工", ownership="non_public", head_count=50),
        participant("未知", industry=None, head_count=None),
    ]
    names = lambda rs: [r.name for r in rs]  # noqa: E731
    assert names(filter_rows(rows, industry="化工")) == ["大国企", "小民企"]
    assert names(filter_rows(rows, ownership="non_public")) == ["小民企"]
    assert names(filter_rows(rows, size_band=SizeBand.large)) == ["大国企"]
    assert names(filter_rows(rows)) == ["大国企", "小民企", "未知"]


# ---------------------------------------------------------------- grades and awards


def test_grades_by_final_score():
    policy = Policy(
        grades=(
            GradeBand(id="winner", label=Text(zh="优胜单位"), min=95),
            GradeBand(id="pass", label=Text(zh="达标"), min=80),
        )
    )
    rows = [
        participant("甲", 95, (95,)),
        participant("乙", 94, (95,)),
        participant("丙", 70, (70,)),
    ]
    grades = {r.participant.name: r.grade for r in rank(rows, policy)}
    # 0.2 × 94 + 0.8 × 95 = 94.8: pass, not winner
    assert grades == {"甲": "winner", "乙": "pass", "丙": None}


def test_awards_top_n_then_threshold_one_each_and_ties_at_the_cut_off():
    policy = Policy(awards=(award("first", "一等奖", top=2), award("ok", "达标", min_final=85)))
    rows = [
        participant("甲", 99, (99,)),
        participant("乙", 95, (95,)),
        participant("乙同分", 95, (95,)),
        participant("丙", 86, (86,)),
        participant("丁", 84, (84,)),
        participant("否决", 100, (100,), self_vetoed=True),
    ]
    awards = {r.participant.name: r.award for r in rank(rows, policy)}
    # ranks 1, 2, 2, 4, 5: top 2 takes all three (the tie at 2); 丙 86 ≥ 85; 丁 84 not
    assert awards == {
        "甲": "first",
        "乙": "first",
        "乙同分": "first",
        "丙": "ok",
        "丁": None,
        "否决": None,
    }


def test_top_n_among_those_reaching_the_threshold_per_village():
    policy = Policy(awards=(award("win", "优胜", top=1, min_final=90, per=GroupBy.village),))
    rows = [
        participant("东一", 95, (95,)),
        participant("东二", 93, (93,)),
        participant("西一", 88, (88,), village="西村"),  # best of 西村, but below 90
        participant("南一", 91, (91,), village="南村"),
    ]
    awards = {r.participant.name: r.award for r in rank(rows, policy)}
    assert awards == {"东一": "win", "东二": None, "西一": None, "南一": "win"}


def test_float_noise_never_splits_a_tie():
    # 0.2 × 60 + 0.8 × 60.5 = 60.4 = 0.2 × 62 + 0.8 × 60, though in floats the first
    # is 60.400000000000006: still one rank
    rows = [participant("甲", 60, (60.5,)), participant("乙", 62, (60,))]
    result = rank(rows, Policy(tie_breaks=("name",)))
    assert result[0].final != result[1].final
    assert [(r.participant.name, r.rank) for r in result] == [("乙", 1), ("甲", 1)]
