"""The life of a result snapshot: frozen → published for public notice → final. Pure.

    freeze    the campaign's scoring is closed; a later snapshot says why it was made
              and must differ from the latest one (same scores: nothing to freeze)
    publish   only the latest snapshot, once, with a notice period of whole local
              days; a published later snapshot supersedes an earlier one publicly
    finalize  the newest published snapshot, once its notice period is over (a later
              snapshot frozen meanwhile and not published does not hold it up)

A correction after a result is final is still possible: it makes a new snapshot, whose
publication supersedes the final one publicly, with what changed.

Every refusal is a `Problem` with a stable code; `MESSAGES` holds the words.
"""

from __future__ import annotations

import datetime as dt
import enum

import msgspec

from service.campaigns.rules import LOCAL_TIME, Status, local_date
from service.web.i18n import _l

NOTICE_DAYS_DEFAULT = 7  # 公示期: a week is what county unions usually give
NOTICE_DAYS_MAX = 60
REASON_MAX = 500
CONTACT_MAX = 300


class Stage(enum.StrEnum):
    frozen = "frozen"  # stored, not public
    on_notice = "on_notice"  # public, objections may be raised
    notice_over = "notice_over"  # public, waiting to be confirmed final
    final = "final"
    superseded = "superseded"  # a later snapshot was published in its place


class Problem(enum.StrEnum):
    scoring_open = "result.scoring_open"
    nothing_changed = "result.nothing_changed"
    reason_missing = "result.reason_missing"
    reason_too_long = "result.reason_too_long"
    not_latest = "result.not_latest"
    already_published = "result.already_published"
    notice_days = "result.notice_days"
    contact_too_long = "result.contact_too_long"
    contact_missing = "result.contact_missing"
    not_published = "result.not_published"
    notice_running = "result.notice_running"
    already_final = "result.already_final"
    just_frozen = "result.just_frozen"


MESSAGES: dict[Problem, str] = {
    Problem.scoring_open: _l("Close the campaign first: a result is frozen once scoring ends."),
    Problem.nothing_changed: _l(
        "Nothing changed since the latest snapshot: the same scores make the same result."
    ),
    Problem.reason_missing: _l("Say why the result is frozen again (e.g. the correction made)."),
    Problem.reason_too_long: _l("The reason is too long (at most 500 characters)."),
    Problem.not_latest: _l(
        "Only the latest snapshot can be published, and only the newest published one confirmed."
    ),
    Problem.already_published: _l("This snapshot is already published."),
    Problem.notice_days: _l("The notice period is a whole number of days, from 1 to 60."),
    Problem.contact_too_long: _l("The contact is too long (at most 300 characters)."),
    Problem.contact_missing: _l(
        "Name who receives objections (an office and a phone number): the notice must say it."
    ),
    Problem.not_published: _l("Publish the snapshot for public notice first."),
    Problem.notice_running: _l("The notice period is not over yet."),
    Problem.already_final: _l("This result is already final."),
    Problem.just_frozen: _l("Someone else froze the result at the same moment: see the list."),
}


class SnapshotState(msgspec.Struct, frozen=True, kw_only=True):
    """What the rules need of a snapshot: its number and its publication columns."""

    number: int
    published_at: dt.datetime | None = None
    notice_ends: dt.datetime | None = None
    final_at: dt.datetime | None = None


def stage(snapshot: SnapshotState, now: dt.datetime, *, newest_published: int | None) -> Stage:
    """Where a snapshot is; `newest_published` is the number of the campaign's newest
    published snapshot (None when none is)."""
    if snapshot.published_at is None:
        return Stage.frozen
    if newest_published is not None and newest_published > snapshot.number:
        return Stage.superseded
    if snapshot.final_at is not None:
        return Stage.final
    if snapshot.notice_ends is not None and now <= snapshot.notice_ends:
        return Stage.on_notice
    return Stage.notice_over


def notice_end(published: dt.datetime, days: int) -> dt.datetime:
    """The end of a notice period of `days` whole local days, the day of publication
    counted as the first: published on 11-24 for 7 days → 11-30 23:59:59."""
    last = local_date(published) + dt.timedelta(days=days - 1)
    return dt.datetime.combine(last, dt.time(23, 59, 59), LOCAL_TIME)


def freeze_refusal(
    campaign_status: str,
    latest: SnapshotState | None,
    latest_digest: str | None,
    new_digest: str,
    reason: str,
) -> Problem | None:
    if campaign_status != Status.closed:
        return Problem.scoring_open
    if latest is not None:
        if latest_digest == new_digest:
            return Problem.nothing_changed
        if not reason.strip():
            return Problem.reason_missing
    if len(reason) > REASON_MAX:
        return Problem.reason_too_long
    return None


def parse_notice_days(text: str) -> int | Problem:
    text = text.strip()
    if not text:
        return NOTICE_DAYS_DEFAULT
    try:  # isdecimal: "²" is a digit to isdigit() and no number to int()
        days = int(text) if text.isdecimal() else 0
    except ValueError:
        days = 0
    return days if 1 <= days <= NOTICE_DAYS_MAX else Problem.notice_days


def publish_refusal(snapshot: SnapshotState, latest_number: int, contact: str) -> Problem | None:
    if snapshot.published_at is not None:
        return Problem.already_published
    if snapshot.number != latest_number:
        return Problem.not_latest
    if not contact.strip():  # a notice nobody can object to is no notice
        return Problem.contact_missing
    if len(contact) > CONTACT_MAX:
        return Problem.contact_too_long
    return None


def finalize_refusal(
    snapshot: SnapshotState, newest_published: int | None, now: dt.datetime
) -> Problem | None:
    """`newest_published`: the number of the campaign's newest published snapshot."""
    if snapshot.final_at is not None:
        return Problem.already_final
    if snapshot.published_at is None:
        return Problem.not_published
    if snapshot.number != newest_published:
        return Problem.not_latest
    if snapshot.notice_ends is not None and now <= snapshot.notice_ends:
        return Problem.notice_running
    return None
