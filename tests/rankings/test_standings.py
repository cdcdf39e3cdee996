"""Standings are cached until the campaign's scores change."""

from __future__ import annotations

from service.campaigns.queries import get_campaign
from service.rankings.standings import standings
from tests.factories import in_database
from tests.rankings.test_pages import _submit


def test_a_ranking_is_reused_until_a_score_changes(app, world):
    async def twice():
        campaign = await get_campaign(world["campaign"])
        return await standings(campaign), await standings(campaign)

    first, again = in_database(world["url"], twice)
    assert again is first  # nothing changed: the same standings, not recomputed
    _submit(app, "chair", world)
    (after, _) = in_database(world["url"], twice)
    assert after is not first
    own = next(r for r in after.ranked if r.participant.name == "测试企业00001")
    assert own.participant.self_total == 20
