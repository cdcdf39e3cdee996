"""The pure parts of filling: posted fields to answers, merging a section, the state."""

from __future__ import annotations

import datetime as dt

from service.collection.filling import fill_state, review_list, shown_items
from service.collection.form_post import section_answers
from service.collection.rules import TaskState, merge_answers, revision_changes, task_state
from tests.factories import definition

FORM = definition(
    id="post-test",
    scoring={"max": 20},
    sections=[
        {
            "id": "one",
            "title": "一",
            "points": 10,
            "items": [
                {"id": "ok", "type": "check", "label": "甲", "points": 10},
                {"id": "count", "type": "number", "label": "人数", "min": 0, "integer": True},
                {
                    "id": "kinds",
                    "type": "multi",
                    "label": "种类",
                    "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
                },
                {"id": "where", "type": "location", "label": "定位"},
                {"id": "note", "type": "long_text", "label": "备注"},
                {"id": "pics", "type": "photo", "label": "照片"},
            ],
        },
        {
            "id": "two",
            "title": "二",
            "points": 10,
            "items": [
                {"id": "place", "type": "text", "label": "部位", "required": True},
                {
                    "id": "fire",
                    "type": "check",
                    "label": "消防",
                    "points": 10,
                    "show_if": {"item": "ok", "equals": "yes"},
                },
            ],
        },
    ],
)


def test_posted_fields_become_typed_answers():
    answers, covered = section_answers(
        FORM.sections[0],
        {
            "ok": "no",
            "ok.remark": " 灭火器过期\r\n两具 ",
            "count": "12",
            "kinds": ["a", "b"],
            "where.lat": "30.1",
            "where.lon": "120.2",
            "where.accuracy": "15",
            "note": "第一行\r\n第二行  ",
            "pics": "ignored",
        },
    )
    assert answers == {
        "ok": "no",
        "ok.remark": "灭火器过期\n两具",  # a check's own remark, beside its answer
        "count": 12,
        "kinds": ["a", "b"],
        "where": {"lat": 30.1, "lon": 120.2, "accuracy": 15},
        "note": "第一行\n第二行",
    }
    # Never the photos; a check's remark too (a blank one clears the saved remark).
    assert covered == {"ok", "ok.remark", "count", "kinds", "where", "note"}


def test_what_does_not_parse_is_kept_as_typed_and_reported():
    answers, _ = section_answers(FORM.sections[0], {"count": "12,5人"})
    assert answers == {"count": "12,5人"}
    state = fill_state(FORM, answers)
    assert [e.code for e in state.errors["count"]] == ["wrong_type"]


def test_a_refused_location_is_an_answer_not_an_error():
    answers, _ = section_answers(FORM.sections[0], {"where.refused": "1"})
    assert answers == {"where": {"refused": True}}
    assert "where" not in fill_state(FORM, answers).errors


def test_merging_a_section_keeps_the_others_and_clears_what_was_emptied():
    saved = {"ok": "yes", "count": 3, "place": "二车间", "pics": ["p1"]}
    posted, covered = section_answers(FORM.sections[0], {"ok": "no"})
    merged = merge_answers(FORM, saved, posted, covered)
    assert merged == {"ok": "no", "place": "二车间", "pics": ["p1"]}


def test_state_counts_progress_over_visible_items_and_scores_valid_answers():
    state = fill_state(FORM, {"ok": "no", "count": -1})
    assert "fire" not in state.visible  # show_if: only when ok = yes
    one, two = state.sections
    assert (one.answered, one.asked, one.errors) == (2, 6, 1)
    assert (two.answered, two.asked) == (0, 1)
    assert state.breakdown.total == 0  # "no" earns nothing; the bad count is left out
    final = fill_state(FORM, {"ok": "yes", "fire": "yes"}, final=True)
    assert [e.code for e in final.errors["place"]] == ["required"]
    assert final.breakdown.total == 20


def test_review_lists_failed_and_unanswered_items():
    answers = {"ok": "yes", "fire": "no", "place": "x"}
    state = fill_state(FORM, answers, final=True)
    review = review_list(FORM, state, answers)
    assert review.failed == ["fire"]
    assert "count" in review.unanswered and "place" not in review.unanswered


def test_task_states():
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    closes = now + dt.timedelta(days=10)
    assert task_state(None, closes, now) is TaskState.to_do
    assert task_state("draft", closes, now) is TaskState.draft
    assert task_state(None, now + dt.timedelta(days=2), now) is TaskState.due_soon
    assert task_state("draft", now - dt.timedelta(seconds=1), now) is TaskState.overdue
    assert task_state("submitted", now - dt.timedelta(days=1), now) is TaskState.submitted


def test_shown_items_agree_with_the_full_state():
    for answers in ({}, {"ok": "yes"}, {"ok": "no"}, {"ok": "maybe"}):
        assert shown_items(FORM, answers) == fill_state(FORM, answers).visible


def test_a_changed_remark_is_a_change_between_revisions():
    before = {"ok": "no", "ok.remark": "灭火器过期"}
    after = {"ok": "no", "ok.remark": "灭火器已更换"}
    [change] = revision_changes(FORM, before, after, None, None)
    assert (change.item, change.before, change.after) == ("ok", "no", "no")
    assert (change.remark_before, change.remark_after) == ("灭火器过期", "灭火器已更换")
    assert revision_changes(FORM, before, dict(before), None, None) == []
