"""Rules over the rounds of a series, on hand-worked cases: "AA only after A" and "not
the same title again within N years". Pure: the history is given."""

from __future__ import annotations

from typing import Any

from service.forms.model import Text
from service.rankings.aggregate import rank
from service.rankings.history import (
    AwardGap,
    GradeAfter,
    Labelled,
    PastResult,
    allowed_grade,
    award_blocked,
    label_key,
    previous_year,
)
from service.rankings.policy import AwardRule, GradeBand, Policy, check_policy, describe
from tests.rankings.test_aggregate import by_name, participant

LADDER = [
    Labelled("aaa", Text(zh="AAA级")),
    Labelled("aa", Text(zh="AA级")),
    Labelled("a", Text(zh="A级")),
]
CLIMB = (GradeAfter(grade="aaa", after="aa"), GradeAfter(grade="aa", after="a"))


def past(year: int, now: int = 2026, *, previous: bool = False, **fields: Any) -> PastResult:
    return PastResult(year=year, years_ago=now - year, previous_round=previous, **fields)


def test_labels_compare_loosely():
    assert label_key("A级") == label_key("ａ") == label_key(" “A” ") == "a"
    assert label_key("AA级") != label_key("A级")


def test_aa_needs_a_or_better_in_the_previous_round():
    # Reached AA: the previous round gave A → AA; gave AA (better) → AA; nothing → A.
    a_before = [past(2025, previous=True, grade="A")]
    assert allowed_grade("aa", a_before, LADDER, CLIMB) == ("aa", [])
    assert allowed_grade("aa", [past(2025, previous=True, grade="AA级")], LADDER, CLIMB)[0] == "aa"
    assert allowed_grade("aa", [], LADDER, CLIMB) == ("a", [CLIMB[1]])


def test_an_older_round_does_not_count_as_the_previous_one():
    # A in 2023, nothing in 2025 (the previous round): AA is withheld.
    history = [past(2023, grade="A"), past(2025, previous=True)]
    assert allowed_grade("aa", history, LADDER, CLIMB) == ("a", [CLIMB[1]])


def test_the_ladder_is_climbed_one_round_at_a_time():
    # Reached AAA after A: AAA needs AA (withheld), AA needs A (had it) → AA.
    history = [past(2025, previous=True, grade="A级")]
    assert allowed_grade("aaa", history, LADDER, CLIMB) == ("aa", [CLIMB[0]])
    # Reached AAA with no history: AAA and AA withheld → A, which has no rule.
    assert allowed_grade("aaa", [], LADDER, CLIMB) == ("a", list(CLIMB))
    # A band without a rule is given as reached.
    assert allowed_grade("a", [], LADDER, CLIMB) == ("a", [])


def test_a_title_is_not_given_again_within_n_years():
    title = Labelled("win", Text(zh="优胜单位"))
    gap = AwardGap(award="win", years=5)
    # Won in 2024, now 2026: 2 years ago < 5 → withheld, naming 2024.
    assert award_blocked(title, [past(2024, award="优胜单位")], [gap]) == (
        gap,
        past(2024, award="优胜单位"),
    )
    # Won in 2021: 5 years ago, not within 5 → allowed; another title does not count.
    assert award_blocked(title, [past(2021, award="优胜单位")], [gap]) is None
    assert award_blocked(title, [past(2025, award="优秀组织单位")], [gap]) is None


def test_previous_round_is_the_latest_earlier_year():
    assert previous_year(2026, [2022, 2024, 2026, 2027]) == 2024
    assert previous_year(2026, []) is None


# ---------------------------------------------------------------- in the ranking

BANDS = (
    GradeBand(id="aa", label=Text(zh="AA级"), min=85),
    GradeBand(id="a", label=Text(zh="A级"), min=80),
)


def test_ranking_withholds_aa_without_a_and_says_why():
    policy = Policy(
        self_weight=0,
        judges_weight=1,
        grades=BANDS,
        grade_after=(GradeAfter(grade="aa", after="a"),),
    )
    rows = [
        participant("甲", judges=(90,), history=(past(2025, previous=True, grade="A级"),)),
        participant("乙", judges=(88,)),
        participant("丙", judges=(82,)),
    ]
    result = by_name(rank(rows, policy))
    assert result["甲"].grade == "aa" and result["甲"].withheld == ()
    assert result["乙"].grade == "a"
    assert [r.message.zh for r in result["乙"].withheld] == [
        "上一轮未获A级或以上等级，不能评为AA级"
    ]
    assert result["丙"].grade == "a" and result["丙"].withheld == ()  # never reached AA


def test_a_withheld_title_passes_to_the_next_one():
    policy = Policy(
        self_weight=0,
        judges_weight=1,
        awards=(AwardRule(id="win", label=Text(zh="优胜单位"), top=2),),
        award_gaps=(AwardGap(award="win", years=5),),
    )
    rows = [
        participant("甲", judges=(95,), history=(past(2024, award="优胜单位"),)),
        participant("乙", judges=(90,)),
        participant("丙", judges=(85,)),
        participant("丁", judges=(80,)),
    ]
    result = by_name(rank(rows, policy))
    # 甲 would be first: not a candidate, so the top 2 are 乙 and 丙.
    assert [n for n, r in result.items() if r.award == "win"] == ["乙", "丙"]
    assert result["甲"].rank == 1  # the rank itself is untouched
    assert [r.message.zh for r in result["甲"].withheld] == ["2024年已获优胜单位，5年内不再授予"]
    assert result["丁"].withheld == ()  # would not have won anyway


def test_check_and_describe_the_rules_over_rounds():
    policy = Policy(
        grades=BANDS,
        awards=(AwardRule(id="win", label=Text(zh="优胜单位"), top=3),),
        grade_after=(GradeAfter(grade="aa", after="b"), GradeAfter(grade="a", after="a")),
        award_gaps=(AwardGap(award="nope", years=0),),
    )
    assert check_policy(policy) == [
        "grade_after[0].after: no grade band `b`",
        "grade_after[1].after: a grade cannot need itself",
        "award_gaps[0].award: no award `nope`",
        "award_gaps[0].years: must be at least 1, not 0",
    ]
    fine = Policy(
        grades=BANDS,
        awards=(AwardRule(id="win", label=Text(zh="优胜单位"), top=3),),
        grade_after=(GradeAfter(grade="aa", after="a"),),
        award_gaps=(AwardGap(award="win", years=5),),
    )
    assert check_policy(fine) == []
    text = describe(fine)
    assert "评为“AA级”须在本系列上一轮获得“A级”或以上等级，否则评为下一等级。" in text
    assert "“优胜单位”：获得后5年内不再授予（该单位不参加本奖项评定）。" in text
