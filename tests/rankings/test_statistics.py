"""The charts' SQL: section averages and failed items, by hand, over the rankings scene
of test_queries.py (the current revision of counted submissions only; the same groups).

Section percentages and failed items of what counts:

| participant | self-assessment (first/second) | judges |
|---|---|---|
| 甲 | 100/50; d failed | J1 100/100; J2 60/100, a failed; J3 100/100, accident failed |
| 甲 · 一班 | 100/100; accident failed | J1 100/50; d and accident failed |
| 乙 | (a draft) | J1 0/100; a and b failed |
| 丙 (西村, 化工) | rev. 2: 40/100; b failed | none |

A supervisor's inspection (abcd failed) and another campaign's evaluation never count:
nobody failed c.
"""

from __future__ import annotations

import datetime as dt

import pytest

from service.collection.tables import Submission
from service.orgs.tables import Enterprise
from service.rankings import statistics
from service.rankings.groups import Group, SizeBand, size_band
from service.rankings.statistics import FailedItem, SectionAverage
from tests.rankings import test_queries

campaign = test_queries.campaign  # the scene above, as a fixture


def averages(found: list[SectionAverage]) -> dict[tuple[str, str], tuple[float, int]]:
    return {(a.section, a.role): (pytest.approx(a.percent), a.participants) for a in found}


def counts(found: list[FailedItem]) -> dict[str, int]:
    return {f.item: f.participants for f in found}


async def test_each_participant_weighs_once_however_many_judges(campaign) -> None:
    found = await statistics.section_averages(campaign["campaign"])
    assert averages(found) == {
        ("first", "enterprise"): (pytest.approx((100 + 100 + 40) / 3), 3),
        ("second", "enterprise"): (pytest.approx((50 + 100 + 100) / 3), 3),
        # 甲's three judges average 86.67 first: not (100 + 60 + 100 + 100 + 0) / 5
        ("first", "judge"): (pytest.approx(((100 + 60 + 100) / 3 + 100 + 0) / 3), 3),
        ("second", "judge"): (pytest.approx((100 + 50 + 100) / 3), 3),
    }
    assert all(type(a.percent) is float and type(a.participants) is int for a in found)


async def test_an_item_counts_each_participant_that_had_it_failed_once(campaign) -> None:
    found = await statistics.failed_items(campaign["campaign"])
    # 一班's accident was failed by its self-assessment and its judge: one participant
    assert counts(found) == {"a": 2, "b": 2, "d": 2, "accident": 2}
    assert {(f.section, f.item) for f in found} >= {("first", "a"), ("second", "d")}


async def test_the_groups_of_the_rankings_page_narrow_both(campaign) -> None:
    for group in (Group(village="西村"), Group(industry="化工"), Group(ownership="state_owned")):
        assert averages(await statistics.section_averages(campaign["campaign"], group)) == {
            ("first", "enterprise"): (40.0, 1),
            ("second", "enterprise"): (100.0, 1),
        }
        assert counts(await statistics.failed_items(campaign["campaign"], group)) == {"b": 1}
    east = Group(village="东村", ownership="non_public")
    assert counts(await statistics.failed_items(campaign["campaign"], east)) == {
        "a": 2,
        "b": 1,
        "d": 2,
        "accident": 2,
    }


async def test_size_bands_by_head_count_and_unknown_in_none(campaign) -> None:
    medium = Group(size_band=SizeBand.medium)
    assert await statistics.failed_items(campaign["campaign"], medium) == []  # none known
    await Enterprise.update({Enterprise.head_count: 300}).where(Enterprise.id == campaign["乙"])
    await Enterprise.update({Enterprise.head_count: 1000}).where(Enterprise.id == campaign["丙"])
    assert counts(await statistics.failed_items(campaign["campaign"], medium)) == {"a": 1, "b": 1}
    large = Group(size_band=SizeBand.large)
    assert counts(await statistics.failed_items(campaign["campaign"], large)) == {"b": 1}
    small = Group(size_band=SizeBand.small)
    assert await statistics.section_averages(campaign["campaign"], small) == []


async def test_the_statistics_are_cached_until_a_score_changes(campaign) -> None:
    first = await statistics.campaign_statistics(campaign["campaign"])
    assert await statistics.campaign_statistics(campaign["campaign"]) is first
    # 丙's self-assessment withdrawn, as any change to a submission stamps it
    await Submission.update(
        {Submission.status: "draft", Submission.updated_at: dt.datetime.now(dt.UTC)}
    ).where(
        (Submission.campaign == campaign["campaign"]) & (Submission.enterprise == campaign["丙"])
    )
    again = await statistics.campaign_statistics(campaign["campaign"])
    assert counts(again.failed)["b"] == 1  # 乙's judge's only
    assert averages(again.sections)[("first", "enterprise")] == (100.0, 2)


@pytest.mark.parametrize("band", list(SizeBand))
def test_the_sql_bands_are_the_rankings_bands(band: SizeBand) -> None:
    low, high = statistics.HEAD_COUNTS[band]
    if low is not None:
        assert size_band(low) is band and size_band(low - 1) is not band
    if high is not None:
        assert size_band(high - 1) is band and size_band(high) is not band
