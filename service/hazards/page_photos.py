"""After-photos on the hazard page: a plain multipart post carries the
rectification's text and photos together.

Photos a refused step brought are kept as pending after-photos of the hazard, so
the enterprise on a weak signal never uploads them twice; the next rectification
submitted takes every pending one.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Request, Response

from service.collection.evidence_routes import PAGE_BODY_CEILING, read_uploads, serve
from service.collection.storage import Storage
from service.collection.tables import Evidence
from service.web.problems import EVIDENCE_TOO_MANY, ApiProblem

from .photos import ITEM, store_after_photos
from .steps import MAX_AFTER_PHOTOS

STEP_BODY_CEILING = PAGE_BODY_CEILING


async def pending_after_photos(hazard: dict, user_id: int) -> list[dict]:
    """After-photos this person uploaded for the hazard, not yet part of a
    rectification: only the submitter's own photos go with a rectification (all of
    them: more than the step takes is refused, never silently cut)."""
    used = set(hazard["after_photos"] or [])
    rows = await (
        Evidence.select(Evidence.id, Evidence.created_at)
        .where(
            (Evidence.submission == hazard["key"])
            & (Evidence.item == ITEM)
            & (Evidence.uploaded_by == user_id)
            & Evidence.removed.eq(False)
        )
        .order_by(Evidence.created_at)
    )
    return [row for row in rows if str(row["id"]) not in used]


async def store_page_uploads(
    request: Request, store: Storage, hazard: dict, files: Sequence[object], user_id: int
) -> None:
    """Store the chosen files (none chosen: nothing to do). Raises ApiProblem, storing
    none, when they are not photos, too large, or more than a rectification takes."""
    if not any(getattr(f, "filename", "") for f in files):
        return
    uploads = await read_uploads(request, files)
    if len(await pending_after_photos(hazard, user_id)) + len(uploads) > MAX_AFTER_PHOTOS:
        raise ApiProblem(EVIDENCE_TOO_MANY, f"at most {MAX_AFTER_PHOTOS} photos")
    await store_after_photos(store, hazard, uploads, user_id)


async def serve_photo(request: Request, row: dict, *, thumbnail: bool) -> Response[bytes]:
    return await serve(request, row["thumbnail_key"] if thumbnail else row["image_key"])
