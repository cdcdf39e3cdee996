"""A campaign's ranking, end to end: its policy, the aggregate query, the pure rank.

`standings()` is what the rankings page and the API both call, so they always show
the same numbers.
"""

from __future__ import annotations

import msgspec

from service.forms import catalog
from service.forms.model import FormDefinition

from . import queries
from .aggregate import RankedParticipant, rank
from .groups import Group
from .policy import SECTION_PREFIX, Policy, default_policy


async def campaign_policy(campaign: dict, definition: FormDefinition | None) -> Policy:
    """The policy stored with the campaign, or the defaults with the form's grades."""
    if campaign.get("policy"):
        return msgspec.json.decode(campaign["policy"], type=Policy)
    grades = definition.scoring.grades if definition and definition.scoring else ()
    return default_policy(grades)


class Standings(msgspec.Struct, frozen=True):
    policy: Policy
    definition: FormDefinition | None
    ranked: list[RankedParticipant]


async def standings(campaign: dict, group: Group | None = None) -> Standings:
    """Every participant of `campaign` in the chosen group, ranked by its policy."""
    definition = await catalog.definition_by_id(campaign["form_version_id"])
    policy = await campaign_policy(campaign, definition)
    sections = [
        t.removeprefix(SECTION_PREFIX) for t in policy.tie_breaks if t.startswith(SECTION_PREFIX)
    ]
    rows = await queries.participant_scores(
        campaign["id"],
        section_ids=sections,
        industry=group.industry if group else None,
        ownership=group.ownership if group else None,
    )
    return Standings(policy, definition, rank(rows, policy, group=group))
