"""Photo evidence: attaching uploaded photos to an item of a submission, once each.

A retried upload never stores a photo twice: the sha256 of the uploaded bytes is
unique per submission and item (a unique index), so the same photo sent again finds
its row (and brings it back if it was removed). Files are named by that hash too, so
two racing requests write the same file. The routes are in evidence_routes.py.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import anyio
import msgspec
from anyio.lowlevel import RunVar

from service.forms.model import Check, Photo
from service.web.problems import (
    EVIDENCE_SUBMISSION_CLOSED,
    EVIDENCE_TOO_MANY,
    EVIDENCE_TOO_MANY_PIXELS,
    EVIDENCE_UNREADABLE,
    EVIDENCE_UNSUPPORTED_TYPE,
    ApiProblem,
)

from . import photos, queries
from .storage import Storage
from .tables import Evidence, Submission

_REJECTIONS = {
    "unsupported_type": EVIDENCE_UNSUPPORTED_TYPE,
    "unreadable": EVIDENCE_UNREADABLE,
    "too_many_pixels": EVIDENCE_TOO_MANY_PIXELS,
}


# Decoding a photo takes a core and, for a big one, a few hundred MB for a while: at
# most this many at once in a process, the others wait their turn (holding only their
# upload's bytes). Eight 7000×7000 PNGs at once took 41 s and 4.4 GB before
# (bench/photo_decode.py). The limiter is the event loop's own (a RunVar), as anyio's
# default thread limiter is, and decoding takes none of that default's threads.
DECODE_SLOTS = max(1, min(4, os.cpu_count() or 1))
_DECODERS: RunVar[anyio.CapacityLimiter] = RunVar("photo_decoders")


def _decoders() -> anyio.CapacityLimiter:
    try:
        return _DECODERS.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(DECODE_SLOTS)
        _DECODERS.set(limiter)
        return limiter


async def processed(content: bytes) -> photos.ProcessedPhoto:
    """`photos.process` in a worker thread, at most DECODE_SLOTS at once."""
    return await anyio.to_thread.run_sync(photos.process, content, limiter=_decoders())


class Upload(msgspec.Struct):
    content: bytes
    sha256: str


async def find_evidence(evidence_id: uuid.UUID) -> dict | None:
    return await Evidence.select().where(Evidence.id == evidence_id).first()


async def evidence_of(submission_id: uuid.UUID, item_id: str) -> list[dict]:
    """Every row of one item, removed ones too, oldest first."""
    return await (
        Evidence.select()
        .where((Evidence.submission == submission_id) & (Evidence.item == item_id))
        .order_by(Evidence.created_at)
    )


async def set_removed(evidence_id: uuid.UUID, removed: bool) -> None:
    await Evidence.update({Evidence.removed: removed}).where(Evidence.id == evidence_id)


async def others_uploaded(submission_id: uuid.UUID, user_id: int) -> bool:
    """Did another account upload photos for this (not yet posted) submission?"""
    return await Evidence.exists().where(
        (Evidence.submission == submission_id)
        & (Evidence.uploaded_by.is_null() | (Evidence.uploaded_by != user_id))
    )


async def pending_photos(user_id: int, since: dt.datetime) -> int:
    """Photos the account uploaded since then for submissions that do not exist (yet).

    Two indexed reads (evidence_uploader, the submission key), not a NOT EXISTS join:
    the same plain queries on both engines, and an account's uploads of a month are a
    few thousand at most."""
    rows = await Evidence.select(Evidence.submission).where(
        (Evidence.uploaded_by == user_id) & (Evidence.created_at >= since)
    )
    ids = list({row["submission"] for row in rows})
    existing: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):  # within every engine's parameter limit
        chunk = ids[start : start + 500]
        found = await Submission.select(Submission.id).where(Submission.id.is_in(chunk))
        existing.update(row["id"] for row in found)
    return sum(row["submission"] not in existing for row in rows)


# ---------------------------------------------------------------- attaching


async def attach(
    store: Storage,
    submission_id: uuid.UUID,
    item_id: str,
    uploads: list[Upload],
    user_id: int,
    limit: int,
) -> list[tuple[dict, bool]]:
    """Attach the photos to the item, each once; (row, created) per upload.

    Every photo is checked and decoded before any is stored, so a bad one among
    several stores none of them.
    """
    rows = await evidence_of(submission_id, item_id)
    by_hash = {row["sha256"]: row for row in rows}
    attached = sum(not row["removed"] for row in rows)
    returning = [by_hash[u.sha256] for u in uploads if u.sha256 in by_hash]
    new = [u for u in uploads if u.sha256 not in by_hash]
    if attached + sum(row["removed"] for row in returning) + len(new) > limit:
        raise ApiProblem(EVIDENCE_TOO_MANY, f"at most {limit} photos for item {item_id}")
    ready = []
    for upload in new:
        try:
            ready.append(await processed(upload.content))
        except photos.PhotoRejected as exc:
            raise ApiProblem(_REJECTIONS[exc.code], str(exc)) from None
    results: list[tuple[dict, bool]] = []
    for row in returning:
        if row["removed"]:
            await set_removed(row["id"], False)
            row["removed"] = False
        results.append((row, False))
    for upload, photo in zip(new, ready, strict=True):
        results.append(await store_photo(store, submission_id, item_id, upload, photo, user_id))
    return results


async def store_photo(
    store: Storage,
    submission_id: uuid.UUID,
    item_id: str,
    upload: Upload,
    photo: photos.ProcessedPhoto,
    user_id: int,
) -> tuple[dict, bool]:
    base = f"photos/{upload.sha256[:2]}/{upload.sha256}"
    image_key, thumbnail_key = f"{base}.jpg", f"{base}-thumb.jpg"
    await store.put(image_key, photo.image.data, photo.content_type)
    await store.put(thumbnail_key, photo.thumbnail.data, photo.content_type)
    row = {
        "id": uuid.uuid4(),
        "submission": submission_id,
        "item": item_id,
        "sha256": upload.sha256,
        "content_type": photo.content_type,
        "image_key": image_key,
        "thumbnail_key": thumbnail_key,
        "width": photo.image.width,
        "height": photo.image.height,
        "size": len(photo.image.data),
        "uploaded_by": user_id,
        "created_at": dt.datetime.now(dt.UTC),
        "removed": False,
    }
    try:
        await Evidence.insert(Evidence(**row))
    except queries.UNIQUE_VIOLATIONS:
        # The same photo arrived twice at once (a retry racing the original).
        for existing in await evidence_of(submission_id, item_id):
            if existing["sha256"] == upload.sha256:
                if existing["removed"]:
                    await set_removed(existing["id"], False)
                    existing["removed"] = False
                return existing, False
        raise
    return row, True


async def sync_answer(submission: dict, item: Photo | Check) -> None:
    """A photo item's answer lists its attached photos (re-read, so a lost update of
    an earlier request mends itself); a check item's photos are only evidence. Only
    this item's answer changes: an autosave of other answers at the same moment is
    kept (the save is refused when the answers changed under it, and redone)."""
    if not isinstance(item, Photo):
        return
    rows = await evidence_of(submission["id"], item.id)
    listed = [str(row["id"]) for row in rows if not row["removed"]]
    for attempt in range(4):
        fresh = await queries.find(submission["id"])
        if fresh is None:
            break
        answers = {**fresh["answers"], item.id: listed}
        expected = fresh["answers_json"] if attempt < 3 else None
        if await queries.save_draft(submission["id"], answers, expected=expected):
            return
    raise ApiProblem(EVIDENCE_SUBMISSION_CLOSED)
