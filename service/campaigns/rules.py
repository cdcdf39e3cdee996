"""Campaign rules on plain data: a new campaign's fields, its window, its status. Pure.

Every refusal is a `Problem` with a stable code; `MESSAGES` holds the words a clerk
reads (English msgids, translated where they are shown).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping

import msgspec

from service.web.i18n import _l

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    LOCAL_TIME: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # a machine without a time-zone database
    # China has kept UTC+8 without daylight saving since 1991.
    LOCAL_TIME = dt.timezone(dt.timedelta(hours=8), "CST")

NAME_MAX = 200  # Campaign.name is a Varchar(200)
FORM_KINDS = frozenset({"scored", "checklist"})  # forms a campaign can be run with


class Status(enum.StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Problem(enum.StrEnum):
    name_missing = "campaign.name_missing"
    name_too_long = "campaign.name_too_long"
    town_not_yours = "campaign.town_not_yours"
    form_unknown = "campaign.form_unknown"
    form_other_town = "campaign.form_other_town"
    date_missing = "campaign.date_missing"
    date_invalid = "campaign.date_invalid"
    window_backwards = "campaign.window_backwards"
    nobody_fills = "campaign.nobody_fills"
    status_unchanged = "campaign.status_unchanged"
    transition_not_allowed = "campaign.transition_not_allowed"
    reopen_admin_only = "campaign.reopen_admin_only"
    no_participants = "campaign.no_participants"
    closed = "campaign.closed"
    last_participant = "campaign.last_participant"
    judges_off = "campaign.judges_off"
    not_a_judge = "campaign.not_a_judge"
    not_a_participant = "campaign.not_a_participant"


MESSAGES: dict[Problem, str] = {
    Problem.name_missing: _l("Give the campaign a name."),
    Problem.name_too_long: _l("The name is too long (at most 200 characters)."),
    Problem.town_not_yours: _l("Choose one of your towns."),
    Problem.form_unknown: _l("Choose a scored table or a checklist."),
    Problem.form_other_town: _l("That form belongs to another town: choose a form of this town."),
    Problem.date_missing: _l("Give a date."),
    Problem.date_invalid: _l("Not a valid date."),
    Problem.window_backwards: _l("The campaign must close on or after the day it opens."),
    Problem.nobody_fills: _l("Choose who fills the form."),
    Problem.status_unchanged: _l("The campaign already has that status."),
    Problem.transition_not_allowed: _l(
        "The campaign cannot go to that status from its current one."
    ),
    Problem.reopen_admin_only: _l("Only union staff can reopen a closed campaign."),
    Problem.no_participants: _l("Add at least one participating enterprise before opening."),
    Problem.closed: _l("The campaign is closed: reopen it to change it."),
    Problem.last_participant: _l("An open campaign keeps at least one participant."),
    Problem.judges_off: _l("Judges do not fill the form in this campaign."),
    Problem.not_a_judge: _l("Choose a user who has the judge role."),
    Problem.not_a_participant: _l("Choose an enterprise that takes part in the campaign."),
}


class Fillers(msgspec.Struct, frozen=True):
    """Who fills the form in a campaign."""

    self_assessment: bool = False  # each participating enterprise
    judges: bool = False  # the judges assigned to the campaign
    supervisors: bool = False  # the supervisors watching each participating enterprise

    def any(self) -> bool:
        return self.self_assessment or self.judges or self.supervisors


class NewCampaign(msgspec.Struct, frozen=True):
    name: str
    town_id: int
    form_id: str
    opens_at: dt.datetime  # aware, 00:00 local time on the first day
    closes_at: dt.datetime  # aware, 23:59:59 local time on the last day
    fillers: Fillers


def window(opens_on: dt.date, closes_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The window of whole local days: from 00:00 on the first to 23:59:59 on the last."""
    opens_at = dt.datetime.combine(opens_on, dt.time(0, 0, 0), LOCAL_TIME)
    closes_at = dt.datetime.combine(closes_on, dt.time(23, 59, 59), LOCAL_TIME)
    return opens_at, closes_at


def local_date(moment: dt.datetime) -> dt.date:
    """The local (China) calendar day of an aware moment."""
    return moment.astimezone(LOCAL_TIME).date()


def today() -> dt.date:
    """The local (China) calendar day now: what deadlines and "overdue" are counted in."""
    return local_date(dt.datetime.now(dt.UTC))


def day(moment: dt.datetime | None) -> str:
    """A stored moment as the local (China) day a clerk writes: 2026-03-01."""
    return "" if moment is None else local_date(moment).isoformat()


def local_time(moment: dt.datetime | None) -> str:
    """A stored moment as the local (China) time a clerk reads: 2026-03-01 14:05."""
    return "" if moment is None else moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def within_window(opens_at: dt.datetime, closes_at: dt.datetime, now: dt.datetime) -> bool:
    return opens_at <= now <= closes_at


def _date(text: str) -> dt.date | Problem:
    if not text.strip():
        return Problem.date_missing
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return Problem.date_invalid


def check_new_campaign(
    fields: Mapping[str, str],
    *,
    towns: Collection[int],
    forms: Collection[str],
    form_towns: Mapping[str, int] | None = None,
) -> NewCampaign | dict[str, Problem]:
    """A new campaign from the fields of the form, or every problem keyed by field.

    `fields`: name, town_id, form_id, opens_on, closes_on (ISO dates), and
    self_assessment / judges / supervisors ("1" when ticked). `towns`: the towns the
    admin may use; `forms`: the ids of the forms a campaign may be run with;
    `form_towns`: the town a town's own (uploaded) form belongs to, by form id: such a
    form runs only in its town's campaigns.
    """
    problems: dict[str, Problem] = {}
    name = " ".join(fields.get("name", "").split())
    if not name:
        problems["name"] = Problem.name_missing
    elif len(name) > NAME_MAX:
        problems["name"] = Problem.name_too_long
    town_text = fields.get("town_id", "").strip()
    town_id = int(town_text) if town_text.isdigit() else None
    if town_id is None or town_id not in towns:
        problems["town_id"] = Problem.town_not_yours
    form_id = fields.get("form_id", "").strip()
    if form_id not in forms:
        problems["form_id"] = Problem.form_unknown
    elif town_id is not None and (form_towns or {}).get(form_id, town_id) != town_id:
        problems["form_id"] = Problem.form_other_town
    opens_on = _date(fields.get("opens_on", ""))
    closes_on = _date(fields.get("closes_on", ""))
    if isinstance(opens_on, Problem):
        problems["opens_on"] = opens_on
    if isinstance(closes_on, Problem):
        problems["closes_on"] = closes_on
    fillers = Fillers(
        self_assessment=fields.get("self_assessment") == "1",
        judges=fields.get("judges") == "1",
        supervisors=fields.get("supervisors") == "1",
    )
    if not fillers.any():
        problems["fillers"] = Problem.nobody_fills
    if isinstance(opens_on, dt.date) and isinstance(closes_on, dt.date):
        opens_at, closes_at = window(opens_on, closes_on)
        if not closes_at > opens_at:
            problems["closes_on"] = Problem.window_backwards
    if problems:
        return problems
    assert town_id is not None and isinstance(opens_on, dt.date)
    assert isinstance(closes_on, dt.date)
    return NewCampaign(name, town_id, form_id, *window(opens_on, closes_on), fillers)


def status_change_refusal(
    current: Status,
    target: Status,
    *,
    participants: int,
    fillers: Fillers,
    by_admin: bool,
) -> Problem | None:
    """Why a campaign may not go from `current` to `target`; None when it may.

    draft → open and open → closed; closed → open only when an admin reopens it.
    Opening needs at least one participant and at least one kind of filler.
    """
    if current == target:
        return Problem.status_unchanged
    allowed = {(Status.draft, Status.open), (Status.open, Status.closed)}
    if (current, target) == (Status.closed, Status.open):
        if not by_admin:
            return Problem.reopen_admin_only
    elif (current, target) not in allowed:
        return Problem.transition_not_allowed
    if target == Status.open:
        if participants < 1:
            return Problem.no_participants
        if not fillers.any():
            return Problem.nobody_fills
    return None


def participants_change_refusal(status: Status, *, left_after: int | None = None) -> Problem | None:
    """Why participants may not be added (or removed, leaving `left_after`) now."""
    if status == Status.closed:
        return Problem.closed
    if status == Status.open and left_after is not None and left_after < 1:
        return Problem.last_participant
    return None


def judges_change_refusal(status: Status, fillers: Fillers) -> Problem | None:
    """Why the judges of a campaign may not be changed now."""
    if status == Status.closed:
        return Problem.closed
    if not fillers.judges:
        return Problem.judges_off
    return None
