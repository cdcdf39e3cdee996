"""What a ranking is computed from: one row per participant of a campaign, made by
one aggregate SQL query over the stored scores (service/rankings/queries.py), never
by loading submissions. The pure ranking (service/rankings/aggregate.py) turns these
rows and the campaign's policy into ranks.

Only the current revision of submitted submissions counts; drafts never do.
"""

from __future__ import annotations

import msgspec

from .history import PastResult


# gc=False: a ranking makes one per participant (10,000 and more); untracked, they
# never bring on a full garbage collection (~80 ms in the server). Safe: plain values,
# no reference cycles.
class ParticipantScores(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A participant (an enterprise, or a work team of one) and its aggregated scores."""

    enterprise_id: int
    team_id: int | None = None
    name: str  # the enterprise's name, with the team's after " · " for a team
    village: str  # area (村/社区)
    industry: str | None = None
    ownership: str | None = None
    head_count: int | None = None

    # The enterprise's self-assessment (one per participant), when submitted.
    self_total: float | None = None
    self_eligible: bool | None = None  # the form's own gates, mandatory items, vetoes
    self_vetoed: bool = False
    self_min_section_percent: float | None = None  # the lowest section percentage

    # The judges' submitted evaluations of this participant.
    judges: int = 0  # how many
    judges_sum: float = 0.0
    judges_min: float | None = None
    judges_max: float | None = None
    judges_vetoed: int = 0  # how many judges' evaluations are vetoed
    judges_ineligible: int = 0  # how many fail the form's gates or mandatory items

    # The veto reasons of every scorer (self and judges), Chinese, for the page.
    veto_reasons: tuple[str, ...] = ()

    # Tie-break values asked for by the policy: the judges' mean score of a section,
    # by section id (and the self score where no judge scored it).
    section_means: dict[str, float] = {}

    # From the hazard loop (service/hazards/queries.figures), per enterprise (its teams
    # share them): open major hazards (the tie-break fewer_open_major_hazards) and the
    # rectification rate in percent (shown; None with no hazard found). None in
    # snapshots frozen before hazards were tracked, which still decode.
    open_major_hazards: int | None = None
    rectification_rate: float | None = None

    # What it got in the earlier rounds of the campaign's series, when the policy has
    # rules over rounds (service/rankings/history.py); empty otherwise.
    history: tuple[PastResult, ...] = ()
