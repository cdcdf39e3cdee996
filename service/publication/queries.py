"""All SQL of result snapshots: freezing one, listing them, publishing, confirming.

The content columns of a snapshot are written by `create` only; the writes after it
(`publish`, `finalize`) touch the publication columns, and only while the snapshot
is still in the state the rules checked (a second click changes nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from service.rankings.queries import COUNTED, JUDGE, SELF

from .rules import SnapshotState
from .snapshot import InputScore
from .tables import ResultSnapshot

# Everything but the large JSON columns: what lists and the rules need.
_LISTED = (
    ResultSnapshot.id,
    ResultSnapshot.number,
    ResultSnapshot.created_at,
    ResultSnapshot.created_by.display_name.as_alias("created_by_name"),
    ResultSnapshot.reason,
    ResultSnapshot.digest,
    ResultSnapshot.participants,
    ResultSnapshot.ranked,
    ResultSnapshot.published_at,
    ResultSnapshot.notice_ends,
    ResultSnapshot.contact,
    ResultSnapshot.final_at,
)


class SnapshotEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    number: int
    created_at: dt.datetime
    created_by_name: str | None
    reason: str
    digest: str
    participants: int
    ranked: int
    published_at: dt.datetime | None
    notice_ends: dt.datetime | None
    contact: str
    final_at: dt.datetime | None

    @property
    def state(self) -> SnapshotState:
        return SnapshotState(
            number=self.number,
            published_at=self.published_at,
            notice_ends=self.notice_ends,
            final_at=self.final_at,
        )


def _entry(row: dict[str, Any]) -> SnapshotEntry:
    return msgspec.convert({k: row[k] for k in SnapshotEntry.__struct_fields__}, SnapshotEntry)


async def snapshots(campaign_id: int) -> list[SnapshotEntry]:
    """The campaign's snapshots, the newest first."""
    rows = (
        await ResultSnapshot.select(*_LISTED)
        .where(ResultSnapshot.campaign == campaign_id)
        .order_by(ResultSnapshot.number, ascending=False)
    )
    return [_entry(row) for row in rows]


CONTENT = ("form_version", "form_hash", "policy", "scores", "inputs", "result")


async def content(snapshot_id: int, *names: str) -> dict[str, Any]:
    """The named content columns of a snapshot (each can be megabytes: ask for what
    is shown)."""
    assert set(names) <= set(CONTENT), names
    columns = [getattr(ResultSnapshot, name) for name in names]
    row = await ResultSnapshot.select(*columns).where(ResultSnapshot.id == snapshot_id).first()
    return row or {}


async def published_campaigns() -> list[dict]:
    """Campaigns with a published result, for the public list: the newest first."""
    rows = (
        await ResultSnapshot.select(
            ResultSnapshot.campaign.id.as_alias("id"),
            ResultSnapshot.campaign.name.as_alias("name"),
            ResultSnapshot.campaign.town.name.as_alias("town_name"),
            ResultSnapshot.published_at,
        )
        .where(ResultSnapshot.published_at.is_not_null())
        .order_by(ResultSnapshot.published_at, ascending=False)
    )
    newest: dict[int, dict] = {}
    for row in rows:
        newest.setdefault(row["id"], row)
    return list(newest.values())


# The participants' submissions only, as the ranking reads them: a participant removed
# from the campaign keeps its submissions, which no ranking counts.
_SCORES_SQL = (
    "SELECT s.id, s.revision, s.role, s.author, s.enterprise, s.team, s.total, s.eligible, "
    "s.vetoed FROM submission s JOIN campaign_participant p ON p.campaign = s.campaign "
    "AND p.enterprise = s.enterprise AND COALESCE(p.team, 0) = COALESCE(s.team, 0) "
    "WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.role IN ({}, {}) "
    "ORDER BY s.enterprise, COALESCE(s.team, 0), s.role, s.id"
)


async def input_scores(campaign_id: int) -> list[InputScore]:
    """Every counted submission of the campaign with its current revision and total:
    what the ranking was computed from, one entry per scorer."""
    rows = await ResultSnapshot.raw(_SCORES_SQL, campaign_id, *COUNTED, SELF, JUDGE)
    return [
        InputScore(
            submission_id=str(row["id"]),
            revision=row["revision"],
            role=row["role"],
            author_id=row["author"],
            enterprise_id=row["enterprise"],
            team_id=row["team"],
            total=None if row["total"] is None else float(row["total"]),
            eligible=None if row["eligible"] is None else bool(row["eligible"]),
            vetoed=bool(row["vetoed"]),
        )
        for row in rows
    ]


async def create(
    *,
    campaign_id: int,
    number: int,
    created_by: int | None,
    reason: str,
    form_version_id: int,
    form_hash: str,
    policy: bytes,
    scores: bytes,
    inputs: bytes,
    result: bytes,
    digest: str,
    participants: int,
    ranked: int,
) -> None:
    """Store a new snapshot. Two admins freezing at once both ask for the same
    number: the unique index lets one in and the other's insert fails."""
    await ResultSnapshot.insert(
        ResultSnapshot(
            campaign=campaign_id,
            number=number,
            created_at=dt.datetime.now(dt.UTC),
            created_by=created_by,
            reason=reason,
            form_version=form_version_id,
            form_hash=form_hash,
            policy=policy.decode(),
            scores=scores.decode(),
            inputs=inputs.decode(),
            result=result.decode(),
            digest=digest,
            participants=participants,
            ranked=ranked,
        )
    )


async def publish(
    snapshot_id: int, by: int | None, at: dt.datetime, notice_ends: dt.datetime, contact: str
) -> bool:
    """Publish, unless published meanwhile (a second click): whether this call did."""
    done = (
        await ResultSnapshot.update(
            {
                ResultSnapshot.published_at: at,
                ResultSnapshot.published_by: by,
                ResultSnapshot.notice_ends: notice_ends,
                ResultSnapshot.contact: contact,
            }
        )
        .where(ResultSnapshot.id == snapshot_id, ResultSnapshot.published_at.is_null())
        .returning(ResultSnapshot.id)
    )
    return bool(done)


async def finalize(snapshot_id: int, by: int | None, at: dt.datetime) -> bool:
    """Confirm, unless confirmed meanwhile: whether this call did."""
    done = (
        await ResultSnapshot.update({ResultSnapshot.final_at: at, ResultSnapshot.final_by: by})
        .where(
            ResultSnapshot.id == snapshot_id,
            ResultSnapshot.published_at.is_not_null(),
            ResultSnapshot.final_at.is_null(),
        )
        .returning(ResultSnapshot.id)
    )
    return bool(done)
