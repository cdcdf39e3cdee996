"""Storing submissions: drafts, atomic submit, never twice, corrections as revisions."""

from __future__ import annotations

import asyncio

from service.accounts.users import create_user
from service.collection import queries
from service.collection.rules import Status
from service.scoring.engine import score
from tests.collection.factories import draft, stored_form


async def _author() -> int:
    return await create_user("filler", "填表人", "correct-horse-42", [])


async def test_submit_stores_revision_and_scores(database: object) -> None:
    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    assert await queries.start_draft(new)
    assert not await queries.start_draft(new)  # a double tap lands on the same draft
    answers = {"a": "yes", "b": "no", "c": "yes", "d": "yes"}
    assert await queries.save_draft(new.id, answers, position="second")
    row = await queries.find(new.id)
    assert row["answers"] == answers and row["position"] == "second"

    breakdown = score(definition, answers)
    assert await queries.submit(row, answers, breakdown, author)
    assert not await queries.submit(row, answers, breakdown, author)  # already submitted

    stored = await queries.find(new.id)
    assert stored["status"] == Status.submitted and stored["revision"] == 1
    assert float(stored["total"]) == 14
    sections, items = await queries.stored_scores(new.id)
    assert {s["section"]: s["score"] for s in sections} == {"first": 4, "second": 10}
    assert {i["item"]: i["status"] for i in items}["b"] == "failed"
    assert not await queries.save_draft(new.id, {})  # submitted: read-only


async def test_correction_is_a_new_revision(database: object) -> None:
    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    await queries.start_draft(new)
    first = {"a": "yes", "b": "no", "c": "yes", "d": "yes"}
    await queries.submit(await queries.find(new.id), first, score(definition, first), author)

    assert await queries.start_correction(new.id, author)
    second = {**first, "b": "yes"}
    await queries.save_draft(new.id, second)
    row = await queries.find(new.id)
    assert row["status"] == Status.correcting
    assert await queries.submit(row, second, score(definition, second), author, reason="复核")

    history = await queries.revisions(new.id)
    assert [(r["number"], r["reason"]) for r in history] == [(1, ""), (2, "复核")]
    old = await queries.revision(new.id, 1)
    assert old["answers"] == first and old["breakdown"].total == 14
    assert (await queries.find(new.id))["total"] == 20
    _, items = await queries.stored_scores(new.id)
    assert {i["item"]: i["status"] for i in items}["b"] == "answered"


async def test_cancelled_correction_restores_answers(database: object) -> None:
    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    await queries.start_draft(new)
    answers = {"a": "yes"}
    await queries.submit(await queries.find(new.id), answers, score(definition, answers), author)
    await queries.start_correction(new.id, author)
    await queries.save_draft(new.id, {"a": "no"})
    await queries.cancel_correction(new.id)
    row = await queries.find(new.id)
    assert row["status"] == Status.submitted and row["answers"] == answers


async def test_concurrent_inserts_store_one(database: object) -> None:
    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    answers = {"a": "yes", "b": "yes"}
    breakdown = score(definition, answers)
    results = await asyncio.gather(
        *[queries.insert_submitted(new, answers, breakdown, "h") for _ in range(20)]
    )
    assert results.count(True) == 1
    assert len(await queries.revisions(new.id)) == 1
    _, items = await queries.stored_scores(new.id)
    assert len(items) == 4


async def test_failed_unit_leaves_nothing(database: object) -> None:
    """A unit that fails half-way (a duplicate revision) leaves no trace of its first part."""
    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    await queries.start_draft(new)
    answers = {"a": "yes"}
    row = await queries.find(new.id)
    assert await queries.submit(row, answers, score(definition, answers), author)
    stale = {**row, "revision": 0}
    assert not await queries.submit(stale, {"a": "no"}, score(definition, {"a": "no"}), author)
    assert (await queries.find(new.id))["answers"] == answers


async def test_a_save_made_on_stale_answers_is_refused(database: object) -> None:
    form_version_id, _ = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    await queries.start_draft(new)
    seen = (await queries.find(new.id))["answers_json"]
    assert await queries.save_draft(new.id, {"a": "yes"}, expected=seen)
    assert not await queries.save_draft(new.id, {"b": "yes"}, expected=seen)  # stale
    assert (await queries.find(new.id))["answers"] == {"a": "yes"}


async def test_submit_refuses_answers_changed_since_they_were_read(database: object) -> None:
    """A colleague's autosave between reading and submitting is not overwritten."""
    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    await queries.start_draft(new)
    seen = await queries.find(new.id)
    await queries.save_draft(new.id, {"a": "yes", "b": "yes"})  # the colleague
    stale = {"a": "no"}
    assert not await queries.submit(seen, stale, score(definition, stale), author)
    row = await queries.find(new.id)
    assert row["status"] == Status.draft and row["answers"] == {"a": "yes", "b": "yes"}
    assert await queries.revisions(new.id) == []


async def test_a_revision_keeps_its_photos_and_a_cancelled_correction_restores_them(
    database: object,
) -> None:
    import datetime as dt
    import uuid

    from service.collection.tables import Evidence

    form_version_id, definition = await stored_form()
    author = await _author()
    new = draft(form_version_id, author)
    await queries.start_draft(new)

    async def photo(sha: str) -> uuid.UUID:
        photo_id = uuid.uuid4()
        await Evidence.insert(
            Evidence(
                id=photo_id,
                submission=new.id,
                item="b",
                sha256=sha,
                content_type="image/jpeg",
                image_key=f"{sha}.jpg",
                thumbnail_key=f"{sha}-t.jpg",
                width=1,
                height=1,
                size=1,
                uploaded_by=author,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        return photo_id

    kept = await photo("a" * 64)
    answers = {"a": "yes", "b": "no"}
    assert await queries.submit(
        await queries.find(new.id), answers, score(definition, answers), author
    )
    first = await queries.revision(new.id, 1)
    assert first["evidence"] == {"b": [str(kept)]}

    await queries.start_correction(new.id, author)
    await Evidence.update({Evidence.removed: True}).where(Evidence.id == kept)  # removed
    await photo("b" * 64)  # and another added, in the correction
    shown = await queries.photos_of(first["evidence"])
    assert [p["id"] for p in shown["b"]] == [kept]  # the revision shows its own photo

    await queries.cancel_correction(new.id)
    attached = await queries.evidence_by_item(new.id)
    assert [p["id"] for p in attached["b"]] == [kept]  # back as the revision had it
    assert (await queries.find(new.id))["corrected_by"] is None
