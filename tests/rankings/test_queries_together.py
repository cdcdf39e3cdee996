"""The rankings query's statements run side by side, except inside a transaction,
whose one connection takes one statement at a time (asyncpg refuses two at once)."""

from __future__ import annotations

from service.rankings.queries import participant_scores
from tests.rankings.test_queries import campaign  # noqa: F401 - the fixture


async def test_the_same_ranking_inside_a_transaction(database, campaign) -> None:  # noqa: F811
    alone = await participant_scores(campaign["campaign"], section_ids=["first", "second"])
    async with database.transaction():
        inside = await participant_scores(campaign["campaign"], section_ids=["first", "second"])
    assert inside == alone
    assert {row.name for row in inside} == {"甲", "甲 · 一班", "乙", "丙"}
    assert next(row for row in inside if row.name == "甲").veto_reasons  # every statement ran
