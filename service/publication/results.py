"""Freezing, publishing and confirming a campaign's result: the rules of rules.py
applied to what the database holds. Handlers call these and show the refusals."""

from __future__ import annotations

import datetime as dt

import msgspec

from service.collection.queries import UNIQUE_VIOLATIONS
from service.rankings.policy import Policy
from service.rankings.standings import standings

from . import queries
from .rules import (
    Problem,
    finalize_refusal,
    freeze_refusal,
    notice_end,
    publish_refusal,
)
from .snapshot import SnapshotRow, digest, snapshot_rows

_ROWS = msgspec.json.Decoder(list[SnapshotRow])


class Prepared(msgspec.Struct, frozen=True, kw_only=True):
    """A snapshot about to be frozen: what it would hold, before anything is stored."""

    number: int
    participants: int
    ranked: int
    reason: str
    policy_json: bytes
    form_hash: str
    inputs_json: bytes
    scores_json: bytes
    result_json: bytes
    digest: str


async def prepare(campaign: dict, reason: str) -> Prepared | Problem:
    """The campaign's current ranking as its next snapshot would hold it, or why it
    cannot be frozen. The confirmation page shows its numbers; `freeze` stores it.

    The ranking is recomputed from the stored scores (never the page's cache), and
    the snapshot keeps what it was computed from: the policy, the form version, every
    counted submission's revision and total, and the per-participant inputs."""
    computed = await standings(campaign, cached=False)
    scores = await queries.input_scores(campaign["id"])
    inputs = sorted(
        (r.participant for r in computed.ranked),
        key=lambda p: (p.enterprise_id, p.team_id or 0),
    )
    policy_json = msgspec.json.encode(computed.policy)
    inputs_json = msgspec.json.encode(inputs)
    scores_json = msgspec.json.encode(scores)
    form_hash = campaign.get("content_hash") or ""
    made = digest(policy_json, form_hash, inputs_json, scores_json)
    listing = await queries.snapshots(campaign["id"])
    latest = listing[0] if listing else None
    refusal = freeze_refusal(
        campaign["status"],
        latest.state if latest else None,
        latest.digest if latest else None,
        made,
        reason,
    )
    if refusal is not None:
        return refusal
    return Prepared(
        number=latest.number + 1 if latest else 1,
        participants=len(inputs),
        ranked=sum(1 for r in computed.ranked if r.rank is not None),
        reason=reason.strip(),
        policy_json=policy_json,
        form_hash=form_hash,
        inputs_json=inputs_json,
        scores_json=scores_json,
        result_json=msgspec.json.encode(snapshot_rows(computed.ranked)),
        digest=made,
    )


async def freeze(
    campaign: dict, by: int | None, reason: str, prepared: Prepared | Problem | None = None
) -> int | Problem:
    """Freeze the campaign's current ranking as its next snapshot; its number, or why not.
    `prepared`: what `prepare` made of it a moment ago, when the caller has it."""
    prepared = prepared or await prepare(campaign, reason)
    if isinstance(prepared, Problem):
        return prepared
    try:
        await queries.create(
            campaign_id=campaign["id"],
            number=prepared.number,
            created_by=by,
            reason=prepared.reason,
            form_version_id=campaign["form_version_id"],
            form_hash=prepared.form_hash,
            policy=prepared.policy_json,
            scores=prepared.scores_json,
            inputs=prepared.inputs_json,
            result=prepared.result_json,
            digest=prepared.digest,
            participants=prepared.participants,
            ranked=prepared.ranked,
        )
    except UNIQUE_VIOLATIONS:
        return Problem.just_frozen
    return prepared.number


async def publish(
    listing: list[queries.SnapshotEntry],
    entry: queries.SnapshotEntry,
    by: int | None,
    days: int,
    contact: str,
    now: dt.datetime | None = None,
) -> Problem | None:
    """Publish `entry`, one of `listing` (the campaign's snapshots, the newest first)."""
    refusal = publish_refusal(entry.state, listing[0].number, contact)
    if refusal is not None:
        return refusal
    at = now or dt.datetime.now(dt.UTC)
    if not await queries.publish(entry.id, by, at, notice_end(at, days), contact.strip()):
        return Problem.already_published  # a second click, a moment later
    return None


async def finalize(
    listing: list[queries.SnapshotEntry],
    entry: queries.SnapshotEntry,
    by: int | None,
    now: dt.datetime | None = None,
) -> Problem | None:
    """Confirm `entry` final, one of `listing` (the campaign's snapshots, the newest first)."""
    at = now or dt.datetime.now(dt.UTC)
    newest = next((s.number for s in listing if s.published_at is not None), None)
    refusal = finalize_refusal(entry.state, newest, at)
    if refusal is not None:
        return refusal
    if not await queries.finalize(entry.id, by, at):
        return Problem.already_final
    return None


class Frozen(msgspec.Struct, frozen=True):
    """A snapshot's policy and rows, decoded."""

    policy: Policy
    rows: list[SnapshotRow]


# Decoded snapshots by id and digest: their content never changes, so an entry is never
# stale (the digest guards against a restored database reusing an id); a 10,000-
# participant result is megabytes of JSON, read and decoded once.
_FROZEN: dict[tuple[int, str], Frozen] = {}
_FROZEN_SIZE = 8


async def frozen(entry: queries.SnapshotEntry) -> Frozen:
    key = (entry.id, entry.digest)
    found = _FROZEN.get(key)
    if found is None:
        stored = await queries.content(entry.id, "policy", "result")
        found = Frozen(
            msgspec.json.decode(stored["policy"], type=Policy), _ROWS.decode(stored["result"])
        )
        if len(_FROZEN) >= _FROZEN_SIZE:
            _FROZEN.pop(next(iter(_FROZEN)))
        _FROZEN[key] = found
    return found
