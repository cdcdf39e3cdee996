"""One row of a ranking as the page, the API and the CSV export show it."""

from __future__ import annotations

import msgspec

from service.forms.model import FormDefinition, Text

from .aggregate import RankedParticipant, shown
from .groups import group_value
from .policy import GroupBy


class RankingRow(msgspec.Struct):
    rank: int | None
    standing: str  # ranked | ineligible | incomplete
    enterprise_id: int
    team_id: int | None
    name: str
    village: str
    industry: str | None
    ownership: str | None
    size_band: str | None
    final: float | None
    grade: str | None
    award: str | None
    self_total: float | None
    judges_score: float | None
    judges: int
    trimmed: bool
    spread: float | None
    disagreement: bool
    reasons: list[str]  # in the request's language
    # Why a grade or award the score reached was not given (earlier rounds of the series).
    withheld: list[str] = msgspec.field(default_factory=list)
    # The enterprise's hazards (its teams share them): None where not known.
    rectification_rate: float | None = None  # closed over found, in percent
    open_major_hazards: int | None = None


def ranking_row(r: RankedParticipant, lang: str) -> RankingRow:
    p = r.participant
    return RankingRow(
        rank=r.rank,
        standing=r.standing.value,
        enterprise_id=p.enterprise_id,
        team_id=p.team_id,
        name=p.name,
        village=p.village,
        industry=p.industry,
        ownership=p.ownership,
        size_band=group_value(p, GroupBy.size_band),
        final=shown(r.final),
        grade=r.grade,
        award=r.award,
        self_total=shown(p.self_total),
        judges_score=shown(r.judges_score),
        judges=p.judges,
        trimmed=r.trimmed,
        spread=shown(r.spread),
        disagreement=r.disagreement,
        reasons=[_in(reason.message, lang) for reason in r.reasons],
        rectification_rate=p.rectification_rate,
        open_major_hazards=p.open_major_hazards,
        withheld=[_in(reason.message, lang) for reason in r.withheld],
    )


def _in(message: Text, lang: str) -> str:
    return (message.en or message.zh) if lang == "en" else message.zh


def full_marks(definition: FormDefinition | None) -> float | None:
    """The most a total can be without bonus points: the scale totals are reported on."""
    if definition is None:
        return None
    return definition.scoring.out_of or definition.scoring.max
