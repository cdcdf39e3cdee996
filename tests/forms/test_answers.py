"""What each item accepts, and what a final submission still lacks."""

from __future__ import annotations

import pytest

from service.forms.answers import (
    completeness_problems,
    is_cas_number,
    is_phone_number,
    validate_answers,
    visible_items,
)
from tests.factories import definition


def form_with(*items: dict) -> object:
    return definition(
        kind="checklist",
        scoring=None,
        sections=[{"id": "s", "title": "部分", "items": list(items)}],
    )


def codes(errors) -> set[tuple[str, str]]:
    return {(e.item, e.code) for e in errors}


def test_every_type_error_is_reported_with_chinese_messages():
    form = form_with(
        {"id": "n", "type": "number", "label": "人数", "min": 0, "max": 500, "integer": True},
        {"id": "d", "type": "date", "label": "日期"},
        {
            "id": "m",
            "type": "multi",
            "label": "多选",
            "max_selected": 1,
            "options": [{"id": "a", "label": "甲"}, {"id": "b", "label": "乙"}],
        },
        {"id": "t", "type": "text", "label": "CAS号", "format": "cas"},
        {"id": "g", "type": "location", "label": "位置"},
        {"id": "p", "type": "photo", "label": "照片", "max_count": 1},
    )
    errors = validate_answers(
        form,
        {
            "n": 2.5,
            "d": "2026-02-30",
            "m": ["a", "b", "z"],
            "t": "7732-18-4",
            "g": {"lat": 200, "lon": 0},
            "p": ["x", "y"],
        },
    )
    assert codes(errors) == {
        ("n", "wrong_type"),
        ("d", "bad_date"),
        ("m", "not_an_option"),
        ("m", "too_many_selected"),
        ("t", "bad_cas"),
        ("g", "bad_location"),
        ("p", "too_many_photos"),
    }
    assert all(e.message_zh for e in errors)


def test_valid_answers_pass_and_a_refused_location_is_an_answer():
    form = form_with(
        {"id": "t", "type": "text", "label": "CAS号", "format": "cas"},
        {"id": "ph", "type": "text", "label": "电话", "format": "phone"},
        {"id": "g", "type": "location", "label": "位置"},
    )
    assert (
        validate_answers(form, {"t": "7732-18-5", "ph": "0571-87654321", "g": {"refused": True}})
        == []
    )
    assert validate_answers(form, {"g": {"lat": 30.27, "lon": 120.15, "accuracy": 12}}) == []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("7732-18-5", True),
        ("64-17-5", True),
        ("7440-43-9", True),
        ("7732-18-4", False),
        ("7732185", False),
        ("1-23-4", False),
    ],
)
def test_cas_numbers_are_checked_by_their_check_digit(value: str, valid: bool):
    assert is_cas_number(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13912345678", True),
        ("0571-87654321", True),
        ("120", True),
        ("12345", True),
        ("400-810-8888", True),
        ("1391234567", False),
        ("phone", False),
    ],
)
def test_phone_numbers(value: str, valid: bool):
    assert is_phone_number(value) is valid


def test_show_if_hides_items_in_form_order():
    form = form_with(
        {"id": "uses", "type": "check", "label": "使用化学品"},
        {
            "id": "cards",
            "type": "check",
            "label": "信息卡",
            "show_if": {"item": "uses", "equals": "yes"},
        },
        {
            "id": "detail",
            "type": "text",
            "label": "说明",
            "show_if": {"item": "cards", "equals": "no"},
        },
    )
    assert visible_items(form, {"uses": "no", "cards": "no"}) == {"uses"}
    assert visible_items(form, {"uses": "yes", "cards": "no"}) == {"uses", "cards", "detail"}


def test_a_final_submission_needs_required_answers_photos_and_evidence():
    form = form_with(
        {"id": "place", "type": "text", "label": "地点", "required": True},
        {"id": "guard", "type": "check", "label": "防护罩", "evidence_on_fail": True},
        {"id": "photos", "type": "photo", "label": "现场照片", "min_count": 2},
        {
            "id": "extra",
            "type": "text",
            "label": "补充",
            "required": True,
            "show_if": {"item": "guard", "equals": "no"},
        },
    )
    problems = completeness_problems(form, {"guard": "no", "photos": ["p1"]})
    assert codes(problems) == {
        ("place", "required"),
        ("guard", "evidence_required"),
        ("photos", "too_few_photos"),
        ("extra", "required"),
    }
    done = completeness_problems(
        form,
        {"place": "一车间", "guard": "no", "photos": ["p1", "p2"], "extra": "已通知"},
        evidence={"guard": ["p3"]},
    )
    assert done == []
    assert ("extra", "required") not in codes(completeness_problems(form, {"guard": "yes"}))


def test_a_section_shown_only_under_a_condition_hides_all_its_items():
    form = definition(
        kind="checklist",
        scoring=None,
        sections=[
            {
                "id": "site",
                "title": "现场",
                "items": [{"id": "uses", "type": "check", "label": "使用危险化学品"}],
            },
            {
                "id": "chemicals",
                "title": "危险化学品",
                "show_if": {"item": "uses", "equals": "yes"},
                "items": [
                    {"id": "cards", "type": "check", "label": "信息卡", "required": True},
                    {
                        "id": "why",
                        "type": "text",
                        "label": "说明",
                        "show_if": {"item": "cards", "equals": "no"},
                    },
                ],
            },
            {
                "id": "after",
                "title": "其他",
                "items": [
                    {
                        "id": "store",
                        "type": "check",
                        "label": "专库存放",
                        "show_if": {"item": "cards", "equals": "no"},
                    }
                ],
            },
        ],
    )
    # Hidden section: its items, and what depends on them, are not asked.
    assert visible_items(form, {"uses": "no", "cards": "no"}) == {"uses"}
    assert visible_items(form, {"cards": "no"}) == {"uses"}
    assert completeness_problems(form, {"uses": "no"}) == []
    shown = visible_items(form, {"uses": "yes", "cards": "no"})
    assert shown == {"uses", "cards", "why", "store"}
    assert ("cards", "required") in codes(completeness_problems(form, {"uses": "yes"}))
