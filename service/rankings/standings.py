"""A campaign's ranking, end to end: its policy, the aggregate query, the pure rank.

`standings()` is what the rankings page and the API both call, so they always show
the same numbers.
"""

from __future__ import annotations

import time

import msgspec
from msgspec.structs import replace

from service.forms import catalog
from service.forms.model import FormDefinition

from . import queries
from .aggregate import RankedParticipant, rank
from .groups import Group
from .inputs import ParticipantScores
from .policy import SECTION_PREFIX, Policy, default_policy


def campaign_policy(campaign: dict, definition: FormDefinition | None) -> Policy:
    """The policy stored with the campaign, or the defaults with the form's grades."""
    if campaign.get("policy"):
        return msgspec.json.decode(campaign["policy"], type=Policy)
    grades = definition.scoring.grades if definition and definition.scoring else ()
    return default_policy(grades)


class Standings(msgspec.Struct, frozen=True):
    policy: Policy
    definition: FormDefinition | None
    ranked: list[RankedParticipant]


# Standings by (campaign, policy, group, what the scores were): a ranking is read far
# more often than scores change, and a 10,000-participant one costs ~200 ms to make on
# SQLite (~450 ms with two section tie-breaks; bench/rankings.py).
# Any saved or submitted answer in the campaign, a participant added or removed, or
# a change to a participant's hazards makes a new key; the TTL bounds what the key
# cannot see (an enterprise renamed).
_CACHE: dict[tuple, tuple[float, Standings]] = {}
_CACHE_SIZE = 32
CACHE_SECONDS = 60.0


async def standings(
    campaign: dict, group: Group | None = None, *, cached: bool = True
) -> Standings:
    """Every participant of `campaign` in the chosen group, ranked by its policy."""
    key = None
    if cached:
        key = (
            campaign["id"],
            campaign.get("policy") or "",
            group,
            *await queries.scores_version(campaign["id"]),
            *await _history_version(campaign),
        )
        found = _CACHE.get(key)
        if found is not None and time.monotonic() - found[0] < CACHE_SECONDS:
            return found[1]
    result = await _standings(campaign, group)
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (time.monotonic(), result)
    return result


async def _standings(campaign: dict, group: Group | None) -> Standings:
    definition = await catalog.definition_by_id(
        campaign["form_version_id"], campaign["content_hash"]
    )
    policy = campaign_policy(campaign, definition)
    sections = [
        t.removeprefix(SECTION_PREFIX) for t in policy.tie_breaks if t.startswith(SECTION_PREFIX)
    ]
    rows = await queries.participant_scores(
        campaign["id"],
        section_ids=sections,
        industry=group.industry if group else None,
        ownership=group.ownership if group else None,
        with_hazards=True,
    )
    if policy.grade_after or policy.award_gaps:
        rows = await _with_history(campaign, rows)
    return Standings(policy, definition, rank(rows, policy, group=group))


def _has_history_rules(campaign: dict) -> bool:
    if not campaign.get("policy"):
        return False  # the defaults have none
    policy = msgspec.json.decode(campaign["policy"], type=Policy)
    return bool(policy.grade_after or policy.award_gaps)


async def _history_version(campaign: dict) -> tuple:
    """The cache key's part for rules over rounds: an import or a publication in the
    series, or the campaign's round changed, makes a new key."""
    if not _has_history_rules(campaign):
        return ()
    from service.series.queries import history_version

    return await history_version(campaign)


async def _with_history(campaign: dict, rows: list[ParticipantScores]) -> list[ParticipantScores]:
    """The rows with what each got in the series' earlier rounds (kept in a snapshot's
    inputs, so the frozen result says what the rules saw)."""
    # Imported here: the series' queries read snapshots, whose module needs this one.
    from service.series.queries import campaign_history

    history = await campaign_history(campaign)
    if not history:
        return rows
    return [
        replace(row, history=found)
        if (found := history.get((row.enterprise_id, row.team_id)))
        else row
        for row in rows
    ]
