"""Snapshots on plain data: what changed between two, their life, their pages. Pure."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from service.campaigns.rules import LOCAL_TIME
from service.publication.listing import page_of
from service.publication.rules import (
    Problem,
    SnapshotState,
    Stage,
    finalize_refusal,
    freeze_refusal,
    notice_end,
    parse_notice_days,
    publish_refusal,
    stage,
)
from service.publication.snapshot import (
    UNRANKED,
    ChangeKind,
    SnapshotRow,
    changes,
    digest,
    public_changes,
    snapshot_rows,
)
from service.rankings.aggregate import rank
from service.rankings.inputs import ParticipantScores
from service.rankings.policy import Policy
from tests.rankings.test_aggregate import participant


def row(name: str, rank: int | None, final: float | None, **fields) -> SnapshotRow:
    standing = "ranked" if rank is not None else fields.pop("standing", "ineligible")
    ids = {"甲": 1, "乙": 2, "丙": 3, "丁": 4}
    return SnapshotRow(
        rank=rank,
        standing=standing,
        enterprise_id=ids[name],
        name=name,
        village="东村",
        final=final,
        **fields,
    )


def test_changes_list_who_moved_and_why_and_nobody_else():
    before = [row("甲", 1, 95.0, grade="a"), row("乙", 2, 90.0), row("丙", 3, 85.0)]
    # 乙 corrected down to 80: 丙 moves up; 甲 unchanged; 丁 added; nobody removed
    after = [
        row("甲", 1, 95.0, grade="a"),
        row("丙", 2, 85.0),
        row("乙", 3, 80.0),
        row("丁", None, None),
    ]
    found = {c.name: c for c in changes(before, after)}
    assert set(found) == {"丙", "乙", "丁"}
    assert (found["丙"].rank_before, found["丙"].rank_after, found["丙"].moved) == (3, 2, 1)
    assert (found["乙"].final_before, found["乙"].final_after, found["乙"].moved) == (
        90.0,
        80.0,
        -1,
    )
    assert found["丁"].kind is ChangeKind.added and found["丁"].standing_after == "ineligible"
    assert [c.name for c in changes(before, after)] == ["丙", "乙", "丁"]  # in the new order


def test_a_participant_vetoed_after_a_correction_shows_its_standing_change():
    before = [row("甲", 1, 95.0), row("乙", 2, 90.0)]
    after = [row("乙", 1, 90.0), row("甲", None, 95.0)]
    [first, second] = changes(before, after)
    assert (first.name, first.rank_before, first.rank_after) == ("乙", 2, 1)
    assert (second.name, second.standing_before, second.standing_after) == (
        "甲",
        "ranked",
        "ineligible",
    )
    assert second.moved is None
    assert changes(after, after) == []
    [gone] = changes(before, before[:1])
    assert gone.kind is ChangeKind.removed and gone.name == "乙"


def test_a_snapshot_reproduces_its_ranking_from_what_it_stores():
    """The policy and the inputs a snapshot stores rank to exactly its stored rows."""
    policy = Policy(self_weight=0.3, judges_weight=0.7)
    inputs = [
        participant("甲", 90, (80, 85, 90, 95, 99)),
        participant("乙", 70, (88,)),
        participant("丙", None, (90,)),
    ]
    rows = snapshot_rows(rank(inputs, policy))
    stored_policy = msgspec.json.encode(policy)
    stored_inputs = msgspec.json.encode(inputs)
    again = rank(
        msgspec.json.decode(stored_inputs, type=list[ParticipantScores]),
        msgspec.json.decode(stored_policy, type=Policy),
    )
    assert snapshot_rows(again) == rows
    assert msgspec.json.decode(msgspec.json.encode(rows), type=list[SnapshotRow]) == rows


def test_the_digest_tells_apart_what_was_ranked():
    base = digest(b'{"p":1}', "hash", b"[1]", b"[2]")
    assert base == digest(b'{"p":1}', "hash", b"[1]", b"[2]")
    assert base != digest(b'{"p":1}', "hash", b"[1]", b"[3]")
    assert base != digest(b'{"p":1}', "other", b"[1]", b"[2]")
    # the parts are length-framed: moving a byte from one part to the next is a change
    assert digest(b"ab", "", b"c", b"") != digest(b"a", "", b"bc", b"")


NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)  # 18:00 in China


def test_the_notice_period_counts_whole_local_days_from_publication():
    end = notice_end(NOW, 7)
    assert end.astimezone(LOCAL_TIME).isoformat() == "2026-11-30T23:59:59+08:00"
    late = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)  # already 11-25 in China
    assert notice_end(late, 1).astimezone(LOCAL_TIME).date().isoformat() == "2026-11-25"
    assert parse_notice_days("") == 7
    assert parse_notice_days(" 5 ") == 5
    for bad in ("0", "61", "-1", "3.5", "七"):
        assert parse_notice_days(bad) is Problem.notice_days


def test_a_snapshot_goes_frozen_on_notice_over_final_and_superseded():
    frozen = SnapshotState(number=1)
    assert stage(frozen, NOW, newest_published=None) is Stage.frozen
    published = SnapshotState(number=1, published_at=NOW, notice_ends=notice_end(NOW, 7))
    assert stage(published, NOW, newest_published=1) is Stage.on_notice
    later = NOW + dt.timedelta(days=8)
    assert stage(published, later, newest_published=1) is Stage.notice_over
    final = SnapshotState(number=1, published_at=NOW, notice_ends=NOW, final_at=later)
    assert stage(final, later, newest_published=1) is Stage.final
    assert stage(final, later, newest_published=2) is Stage.superseded


@pytest.mark.parametrize(
    ("status", "latest", "latest_digest", "reason", "expected"),
    [
        ("open", None, None, "", Problem.scoring_open),
        ("closed", None, None, "", None),
        ("closed", SnapshotState(number=1), "d", "", Problem.nothing_changed),
        ("closed", SnapshotState(number=1), "old", " ", Problem.reason_missing),
        ("closed", SnapshotState(number=1), "old", "复核更正", None),
        ("closed", None, None, "长" * 501, Problem.reason_too_long),
    ],
)
def test_freezing_needs_closed_scoring_a_change_and_a_reason(
    status, latest, latest_digest, reason, expected
):
    assert freeze_refusal(status, latest, latest_digest, "d", reason) == expected


def test_only_the_latest_is_published_once_and_final_after_its_notice():
    frozen = SnapshotState(number=2)
    office = "镇总工会 0571-1234"
    assert publish_refusal(frozen, 2, office) is None
    assert publish_refusal(frozen, 2, "") is Problem.contact_missing  # whom to object to
    assert publish_refusal(frozen, 2, "  ") is Problem.contact_missing
    assert publish_refusal(SnapshotState(number=1), 2, office) is Problem.not_latest
    assert publish_refusal(frozen, 2, "x" * 301) is Problem.contact_too_long
    published = SnapshotState(number=2, published_at=NOW, notice_ends=notice_end(NOW, 7))
    assert publish_refusal(published, 2, "") is Problem.already_published
    assert finalize_refusal(frozen, 2, NOW) is Problem.not_published
    assert finalize_refusal(published, 2, NOW) is Problem.notice_running
    after = NOW + dt.timedelta(days=7)
    assert finalize_refusal(published, 2, after) is None
    assert finalize_refusal(published, 3, after) is Problem.not_latest
    done = SnapshotState(number=2, published_at=NOW, notice_ends=NOW, final_at=after)
    assert finalize_refusal(done, 2, after) is Problem.already_final


def test_a_page_of_rows_found_by_name_or_area():
    rows = [
        SnapshotRow(
            rank=i, standing="ranked", enterprise_id=i, name=f"企业{i:03}", village=v, final=1.0
        )
        for i, v in zip(range(1, 251), ["东村", "西村"] * 125, strict=True)
    ]
    first = page_of(rows, "", 1)
    assert (len(first.rows), first.pages, first.total) == (100, 3, 250)
    assert page_of(rows, "", 99).page == 3 and len(page_of(rows, "", 99).rows) == 50
    assert [r.name for r in page_of(rows, "企业007", 1).rows] == ["企业007"]
    west = page_of(rows, " 西村 ", 1)
    assert west.total == 125 and all(r.village == "西村" for r in west.rows)
    assert page_of(rows, "没有", 1).rows == [] and page_of(rows, "没有", 1).pages == 1


def test_a_public_notice_names_only_who_is_ranked_on_either_side():
    before = [row("甲", 1, 95.0), row("乙", None, 60.0), row("丙", 2, 80.0)]
    after = [row("丙", 1, 80.0), row("乙", None, 62.0), row("甲", None, 95.0)]
    found = changes(before, after)
    assert {c.name for c in found} == {"甲", "乙", "丙"}
    shown = public_changes(found)
    assert [c.name for c in shown] == ["丙", "甲"]  # 乙: unranked in both, not named
    vetoed = shown[1]
    assert (vetoed.rank_before, vetoed.final_before, vetoed.standing_before) == (1, 95.0, "ranked")
    assert (vetoed.rank_after, vetoed.final_after, vetoed.standing_after) == (None, None, UNRANKED)


def test_grades_compare_by_name_when_the_policies_are_known():
    from service.forms.model import Text
    from service.rankings.policy import GradeBand

    old = Policy(grades=(GradeBand(id="grade1", label=Text(zh="优秀"), min=90),))
    renamed = Policy(grades=(GradeBand(id="grade1", label=Text(zh="优良"), min=90),))
    new_id = Policy(grades=(GradeBand(id="excellent", label=Text(zh="优秀"), min=90),))
    before = [row("甲", 1, 95.0, grade="grade1")]
    assert changes(before, [row("甲", 1, 95.0, grade="excellent")], (old, new_id)) == []
    [change] = changes(before, [row("甲", 1, 95.0, grade="grade1")], (old, renamed))
    assert (change.grade_before, change.grade_after) == ("grade1", "grade1")
    assert changes(before, before) == []


def test_notice_days_refuse_digits_that_are_no_numbers():
    for bad in ("²", "1e3", "7天"):
        assert parse_notice_days(bad) is Problem.notice_days, bad
    assert parse_notice_days("０７") == 7  # full-width digits, as a Chinese keyboard types them
