"""Campaign rules on plain data: a new campaign's fields, its window, status changes."""

from __future__ import annotations

import datetime as dt

import pytest

from service.campaigns.rules import (
    LOCAL_TIME,
    MESSAGES,
    Fillers,
    NewCampaign,
    Problem,
    Status,
    check_new_campaign,
    judges_change_refusal,
    local_date,
    participants_change_refusal,
    status_change_refusal,
    window,
    within_window,
)

TOWNS = {1, 2}
FORMS = {"ankang-cup-enterprise", "safety-inspection-card"}


def fields(**overrides: str) -> dict[str, str]:
    values = {
        "name": "2026年度安康杯竞赛",
        "town_id": "1",
        "form_id": "ankang-cup-enterprise",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "self_assessment": "1",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def check(**overrides: str) -> NewCampaign | dict[str, Problem]:
    return check_new_campaign(fields(**overrides), towns=TOWNS, forms=FORMS)


def test_every_problem_has_a_message():
    assert set(MESSAGES) == set(Problem)


def test_a_good_campaign_opens_at_local_midnight_and_closes_at_the_end_of_the_last_day():
    new = check(judges="1")
    assert isinstance(new, NewCampaign)
    assert new.name == "2026年度安康杯竞赛" and new.town_id == 1
    assert new.fillers == Fillers(self_assessment=True, judges=True, supervisors=False)
    assert new.opens_at.astimezone(dt.UTC) == dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC)
    assert new.closes_at.astimezone(dt.UTC) == dt.datetime(2026, 3, 31, 15, 59, 59, tzinfo=dt.UTC)
    assert local_date(new.opens_at.astimezone(dt.UTC)) == dt.date(2026, 3, 1)
    assert local_date(new.closes_at.astimezone(dt.UTC)) == dt.date(2026, 3, 31)


def test_a_one_day_campaign_is_a_valid_window():
    opens_at, closes_at = window(dt.date(2026, 5, 1), dt.date(2026, 5, 1))
    assert closes_at > opens_at
    assert isinstance(check(opens_on="2026-05-01", closes_on="2026-05-01"), NewCampaign)


def test_every_problem_is_reported_at_once_keyed_by_field():
    problems = check(
        name="  ",
        town_id="3",
        form_id="hazard-report",
        opens_on="2026-02-30",
        closes_on="",
        self_assessment="",
    )
    assert problems == {
        "name": Problem.name_missing,
        "town_id": Problem.town_not_yours,
        "form_id": Problem.form_unknown,
        "opens_on": Problem.date_invalid,
        "closes_on": Problem.date_missing,
        "fillers": Problem.nobody_fills,
    }


def test_a_window_that_closes_before_it_opens_is_refused_on_the_closing_date():
    assert check(opens_on="2026-03-31", closes_on="2026-03-01") == {
        "closes_on": Problem.window_backwards
    }


@pytest.mark.parametrize("town_id", ["", "abc", "-1", "1.0"])
def test_a_town_that_is_not_a_number_is_not_yours(town_id):
    assert check(town_id=town_id) == {"town_id": Problem.town_not_yours}


def test_names_are_tidied_and_limited():
    new = check(name="  2026年度\n  安康杯  ")
    assert isinstance(new, NewCampaign) and new.name == "2026年度 安康杯"
    assert check(name="安" * 201) == {"name": Problem.name_too_long}


def test_the_window_is_in_china_time():
    assert dt.datetime(2026, 1, 1, tzinfo=LOCAL_TIME).utcoffset() == dt.timedelta(hours=8)
    opens_at, closes_at = window(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert within_window(opens_at, closes_at, dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC))
    assert not within_window(opens_at, closes_at, dt.datetime(2026, 2, 28, 15, 59, tzinfo=dt.UTC))
    assert not within_window(opens_at, closes_at, dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC))


SOMEONE = Fillers(self_assessment=True)


def change(current: Status, target: Status, **facts) -> Problem | None:
    kwargs = {"participants": 3, "fillers": SOMEONE, "by_admin": True, **facts}
    return status_change_refusal(current, target, **kwargs)


@pytest.mark.parametrize(
    ("current", "target"),
    [(Status.draft, Status.open), (Status.open, Status.closed), (Status.closed, Status.open)],
)
def test_the_allowed_status_changes(current, target):
    assert change(current, target) is None


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.draft, Status.closed),
        (Status.open, Status.draft),
        (Status.closed, Status.draft),
    ],
)
def test_the_other_status_changes_are_refused(current, target):
    assert change(current, target) == Problem.transition_not_allowed


@pytest.mark.parametrize("status", list(Status))
def test_a_status_does_not_change_into_itself(status):
    assert change(status, status) == Problem.status_unchanged


def test_only_an_admin_reopens_a_closed_campaign():
    assert change(Status.closed, Status.open, by_admin=False) == Problem.reopen_admin_only
    assert change(Status.draft, Status.open, by_admin=False) is None


@pytest.mark.parametrize("current", [Status.draft, Status.closed])
def test_opening_needs_a_participant_and_someone_to_fill(current):
    assert change(current, Status.open, participants=0) == Problem.no_participants
    assert change(current, Status.open, fillers=Fillers()) == Problem.nobody_fills
    assert change(current, Status.open, fillers=Fillers(supervisors=True)) is None


def test_closing_needs_neither_participants_nor_fillers():
    assert change(Status.open, Status.closed, participants=0, fillers=Fillers()) is None


def test_participants_change_until_the_campaign_closes_and_an_open_one_keeps_one():
    assert participants_change_refusal(Status.draft) is None
    assert participants_change_refusal(Status.draft, left_after=0) is None
    assert participants_change_refusal(Status.open) is None
    assert participants_change_refusal(Status.open, left_after=1) is None
    assert participants_change_refusal(Status.open, left_after=0) == Problem.last_participant
    assert participants_change_refusal(Status.closed) == Problem.closed


def test_judges_are_assigned_only_where_judges_fill_and_not_once_closed():
    judges = Fillers(judges=True)
    assert judges_change_refusal(Status.draft, judges) is None
    assert judges_change_refusal(Status.open, judges) is None
    assert judges_change_refusal(Status.closed, judges) == Problem.closed
    assert judges_change_refusal(Status.draft, SOMEONE) == Problem.judges_off
