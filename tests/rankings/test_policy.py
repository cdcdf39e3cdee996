"""The scoring policy: defaults, JSON round trip, checks, and the words a clerk reads."""

from __future__ import annotations

import msgspec
import pytest

from service.forms.model import Grade, Text
from service.rankings.policy import (
    AwardRule,
    Combine,
    GradeBand,
    GroupBy,
    Policy,
    check_policy,
    default_policy,
    describe,
)


def test_default_policy_takes_the_form_grades_and_is_valid():
    policy = default_policy(
        [
            Grade(id="winner", min=95, label=Text(zh="优胜单位", en="Winning unit")),
            Grade(id="pass", min=80, label="达标"),
        ]
    )
    assert [(g.id, g.label.zh, g.min) for g in policy.grades] == [
        ("winner", "优胜单位", 95),
        ("pass", "达标", 80),
    ]
    assert (policy.self_weight, policy.judges_weight) == (0.2, 0.8)
    assert policy.combine is Combine.trimmed_mean and policy.trim_from == 5
    assert check_policy(policy) == []


def test_policy_round_trips_as_json_and_refuses_unknown_fields():
    policy = default_policy(
        awards=(AwardRule(id="first", label=Text(zh="一等奖"), top=3, per=GroupBy.village),)
    )
    encoded = msgspec.json.encode(policy)
    assert msgspec.json.decode(encoded, type=Policy) == policy
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"self_wieght": 0.5}', type=Policy)


def test_check_policy_lists_every_problem_at_once():
    policy = Policy(
        self_weight=0.3,
        judges_weight=0.8,
        trim_from=2,
        grades=(
            GradeBand(id="a", label=Text(zh="甲"), min=80),
            GradeBand(id="a", label=Text(zh="乙"), min=90),
        ),
        awards=(AwardRule(id="x", label=Text(zh="奖")),),
        tie_breaks=("name", "judges_mean", "loudest", "section:"),
    )
    problems = check_policy(policy)
    expected = [
        "self_weight + judges_weight must be 1",
        "trim_from",
        "duplicate id `a`",
        "highest to lowest",
        "needs top, min_final or both",
        "`name` only orders display",
        "unknown tie-break `loudest`",
        "`section:` needs a section id",
    ]
    for words in expected:
        assert any(words in p for p in problems), (words, problems)
    assert len(problems) == len(expected)


def test_describe_in_chinese_says_the_weights_and_the_trimming():
    lines = describe(
        default_policy(min_self_total=80, tie_breaks=("judges_mean", "section:safety", "name")),
        sections={"safety": "安全管理"},
    )
    text = "\n".join(lines)
    assert "最终得分 = 自评分 × 20% + 评委评分 × 80%" in text
    assert "评委达到5人及以上时，去掉一个最高分和一个最低分后取平均分" in text
    assert "自评分须达到80分" in text
    assert "一票否决" in text
    assert "“安全管理”得分高者在前" in text
    assert "并列同一名次" in text


def test_describe_judges_only_mean_and_awards():
    policy = Policy(
        self_weight=0,
        judges_weight=1,
        combine=Combine.mean,
        awards=(
            AwardRule(id="first", label=Text(zh="一等奖"), top=3),
            AwardRule(id="ok", label=Text(zh="达标", en="Pass"), min_final=85, per=GroupBy.village),
        ),
    )
    text = "\n".join(describe(policy))
    assert "最终得分只看评委评分" in text
    assert "取全部评委的平均分" in text
    assert "一等奖：前3名" in text
    assert "达标：每个村（社区）分别评定：最终得分达到85分。" in text
    english = "\n".join(describe(policy, lang="en"))
    assert "judges' score only" in english
    assert "Pass: a final score of at least 85, in each village/community." in english
