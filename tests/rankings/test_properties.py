"""Invariants of the ranking over generated participants and policies (hypothesis)."""

from __future__ import annotations

import statistics
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from msgspec.structs import replace

from service.forms.model import Text
from service.rankings.aggregate import Standing, judges_combined, rank
from service.rankings.policy import AwardRule, Combine, GroupBy, Policy
from tests.rankings.test_aggregate import participant

# Points in steps of 0.5, as tables score them, so that equal finals happen often.
points = st.integers(min_value=0, max_value=200).map(lambda n: n / 2)


@st.composite
def rows(draw: st.DrawFn, min_size: int = 0) -> list[Any]:
    count = draw(st.integers(min_value=min_size, max_value=12))
    result = []
    for index in range(count):
        judges = tuple(draw(st.lists(points, max_size=7)))
        result.append(
            participant(
                # Few distinct names: equal names must not make the order depend on input.
                draw(st.sampled_from(["甲", "乙", "丙"])),
                self_total=draw(st.none() | points),
                judges=judges,
                enterprise_id=index + 1,
                village=draw(st.sampled_from(["东村", "西村"])),
                self_vetoed=draw(st.integers(0, 4)) == 0,  # one in five
                self_min_section_percent=draw(st.none() | st.integers(0, 100).map(float)),
                section_means={"safety": draw(points)},
                open_major_hazards=draw(st.none() | st.integers(0, 3)),
            )
        )
    return result


def _balanced(policy: Policy) -> Policy:
    return replace(policy, judges_weight=1 - policy.self_weight)


policies = st.builds(
    Policy,
    self_weight=st.sampled_from([0.0, 0.2, 0.5]),
    combine=st.sampled_from(list(Combine)),
    trim_from=st.integers(3, 7),
    min_self_total=st.none() | st.just(60.0),
    min_self_section_percent=st.none() | st.just(50.0),
    tie_breaks=st.sampled_from(
        [
            ("name",),
            ("judges_mean", "name"),
            ("section:safety", "fewer_open_major_hazards", "judges_mean"),
        ]
    ),
    awards=st.sampled_from(
        [
            (),
            (
                AwardRule(id="top", label=Text(zh="一等奖"), top=2),
                AwardRule(id="ok", label=Text(zh="达标"), min_final=80, per=GroupBy.village),
            ),
        ]
    ),
).map(_balanced)


@given(rows(), policies, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_rows(participants, policy, random):
    shuffled = list(participants)
    random.shuffle(shuffled)
    assert rank(shuffled, policy) == rank(participants, policy)


@given(st.lists(points | st.floats(0, 100), min_size=1, max_size=12), st.integers(3, 7))
def test_trimmed_mean_lies_within_the_judges_scores(scores, trim_from):
    row = participant("甲", judges=tuple(scores))
    trimmed, was_trimmed = judges_combined(row, Policy(trim_from=trim_from))
    mean, _ = judges_combined(row, Policy(combine=Combine.mean))
    assert min(scores) <= trimmed <= max(scores)
    assert min(scores) <= mean <= max(scores)
    assert was_trimmed == (len(scores) >= trim_from)
    if was_trimmed:
        middle = sorted(scores)[1:-1]
        # Within the scores kept, and their mean (to float rounding).
        assert middle[0] - 1e-9 <= trimmed <= middle[-1] + 1e-9
        assert abs(trimmed - statistics.fmean(middle)) < 1e-6


@given(rows(), policies)
def test_a_higher_final_never_ranks_below_a_lower_one(participants, policy):
    result = rank(participants, policy)
    ranked = [r for r in result if r.standing is Standing.ranked]
    assert result[: len(ranked)] == ranked  # the ranked come first
    assert all(r.rank is None for r in result[len(ranked) :])
    assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)  # type: ignore[type-var]
    for a in ranked:
        for b in ranked:
            if a.final > b.final + 1e-6:  # type: ignore[operator]
                assert a.rank < b.rank  # type: ignore[operator]
    if ranked:
        assert ranked[0].rank == 1


@given(rows(), policies, points, st.sampled_from(["veto", "gate", "form"]))
def test_adding_an_ineligible_participant_changes_no_other_rank(participants, policy, score, why):
    reason: dict[str, Any] = {
        "veto": {"judges_vetoed": 1, "veto_reasons": ("弄虚作假",)},
        "gate": {"self_total": 10.0, "self_min_section_percent": 10.0},
        "form": {"self_eligible": False},
    }[why]
    if why == "gate":
        policy = _with_gate(policy)
    fields = {"self_total": score, "enterprise_id": 999, **reason}
    outsider = participant("乙", judges=(score, score), **fields)

    def outcome(result):
        return {r.participant.enterprise_id: (r.rank, r.award, r.grade) for r in result}

    before = outcome(rank(participants, policy))
    after = outcome(rank([*participants, outsider], policy))
    assert after.pop(999) == (None, None, None)
    assert after == before


def _with_gate(policy: Policy) -> Policy:
    return replace(policy, min_self_total=60.0)
