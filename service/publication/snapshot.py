"""What a result snapshot holds, and what changed between two. Pure.

A snapshot row is a ranked participant as it was published: its rank, standing,
scores, grade, award and reasons (in Chinese and English, so the page can be read
in either later). `changes` compares two snapshots participant by participant; it
is what the public notice shows when a correction made a new snapshot.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Sequence

import msgspec
from msgspec.structs import replace

from service.forms.model import Text
from service.rankings.aggregate import RankedParticipant, shown
from service.rankings.groups import group_value
from service.rankings.policy import GroupBy, Policy

Key = tuple[int, int | None]  # (enterprise, team)


class InputScore(msgspec.Struct, frozen=True, array_like=True):
    """One counted submission as the ranking read it: which revision, whose, what total.
    Revisions are immutable, so the item scores behind a total stay readable."""

    submission_id: str
    revision: int
    role: str  # enterprise | judge
    author_id: int | None
    enterprise_id: int
    team_id: int | None
    total: float | None
    eligible: bool | None
    vetoed: bool


class SnapshotRow(msgspec.Struct, frozen=True, kw_only=True):
    rank: int | None
    standing: str  # ranked | ineligible | incomplete
    enterprise_id: int
    team_id: int | None = None
    name: str
    village: str
    industry: str | None = None
    ownership: str | None = None
    size_band: str | None = None
    final: float | None = None
    grade: str | None = None
    award: str | None = None
    self_total: float | None = None
    judges_score: float | None = None
    judges: int = 0
    trimmed: bool = False
    spread: float | None = None
    disagreement: bool = False
    reasons: tuple[Text, ...] = ()
    withheld: tuple[Text, ...] = ()  # a grade or award withheld for an earlier round

    @property
    def key(self) -> Key:
        return (self.enterprise_id, self.team_id)


def snapshot_rows(ranked: Iterable[RankedParticipant]) -> list[SnapshotRow]:
    """The ranked participants as stored: scores rounded as shown, once and for all."""
    return [
        SnapshotRow(
            rank=r.rank,
            standing=r.standing.value,
            enterprise_id=r.participant.enterprise_id,
            team_id=r.participant.team_id,
            name=r.participant.name,
            village=r.participant.village,
            industry=r.participant.industry,
            ownership=r.participant.ownership,
            size_band=group_value(r.participant, GroupBy.size_band),
            final=shown(r.final),
            grade=r.grade,
            award=r.award,
            self_total=shown(r.participant.self_total),
            judges_score=shown(r.judges_score),
            judges=r.participant.judges,
            trimmed=r.trimmed,
            spread=shown(r.spread),
            disagreement=r.disagreement,
            reasons=tuple(reason.message for reason in r.reasons),
            withheld=tuple(reason.message for reason in r.withheld),
        )
        for r in ranked
    ]


def digest(policy_json: bytes, form_hash: str, inputs_json: bytes, scores_json: bytes) -> str:
    """What was ranked, as one hash: the same policy, form and scores give the same
    digest, so freezing twice without a change is recognised. Shown (shortened) on the
    public notice, so a printed copy can be matched with the stored snapshot."""
    h = hashlib.sha256()
    for part in (policy_json, form_hash.encode(), inputs_json, scores_json):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


class ChangeKind(enum.StrEnum):
    added = "added"  # a participant the earlier snapshot did not have
    removed = "removed"
    changed = "changed"


class Change(msgspec.Struct, frozen=True, kw_only=True):
    kind: ChangeKind
    name: str
    enterprise_id: int
    team_id: int | None
    rank_before: int | None = None
    rank_after: int | None = None
    final_before: float | None = None
    final_after: float | None = None
    standing_before: str | None = None
    standing_after: str | None = None
    grade_before: str | None = None
    grade_after: str | None = None
    award_before: str | None = None
    award_after: str | None = None

    @property
    def moved(self) -> int | None:
        """Places gained (positive) or lost, when ranked in both."""
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_before - self.rank_after


_COMPARED = ("rank", "final", "standing", "grade", "award")
UNRANKED = "unranked"  # the public notice's word for ineligible or incomplete


def changes(
    before: Sequence[SnapshotRow],
    after: Sequence[SnapshotRow],
    policies: tuple[Policy, Policy] | None = None,
) -> list[Change]:
    """Every participant whose rank, final score, standing, grade or award differs
    between two snapshots, plus those added or removed; in the order of `after`, the
    removed last. Unchanged participants are left out.

    With `policies` (the two snapshots' own), grades and awards are compared by name:
    a band renamed under the same id is a change, the same band under a new id is not."""
    old = {row.key: row for row in before}
    new_keys = {row.key for row in after}
    found: list[Change] = []
    for row in after:
        earlier = old.get(row.key)
        if earlier is not None and all(
            _compared(earlier, name, policies[0] if policies else None)
            == _compared(row, name, policies[1] if policies else None)
            for name in _COMPARED
        ):
            continue
        found.append(
            _change(ChangeKind.added if earlier is None else ChangeKind.changed, earlier, row)
        )
    found.extend(
        _change(ChangeKind.removed, row, None) for row in before if row.key not in new_keys
    )
    return found


def _compared(row: SnapshotRow, name: str, policy: Policy | None) -> object:
    value = getattr(row, name)
    if policy is None or value is None or name not in ("grade", "award"):
        return value
    rules = policy.grades if name == "grade" else policy.awards
    return next((rule.label for rule in rules if rule.id == value), value)


def public_changes(found: Iterable[Change]) -> list[Change]:
    """The changes a public notice shows: those of participants ranked in either
    snapshot. Who is not ranked is counted on a notice, never named, so an unranked
    side shows no score and no reason, only that it is not ranked."""
    shown = []
    for change in found:
        if change.rank_before is None and change.rank_after is None:
            continue
        values = {}
        for side in ("before", "after"):
            if getattr(change, f"rank_{side}") is None and getattr(change, f"standing_{side}"):
                values |= {f"final_{side}": None, f"standing_{side}": UNRANKED}
        shown.append(replace(change, **values))
    return shown


def _change(kind: ChangeKind, before: SnapshotRow | None, after: SnapshotRow | None) -> Change:
    either = after or before
    assert either is not None
    values = {}
    for name in _COMPARED:
        values[f"{name}_before"] = getattr(before, name) if before else None
        values[f"{name}_after"] = getattr(after, name) if after else None
    return Change(
        kind=kind,
        name=either.name,
        enterprise_id=either.enterprise_id,
        team_id=either.team_id,
        **values,
    )
