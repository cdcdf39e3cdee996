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

from .photos import ITEM, store_after_photos
from .steps import MAX_AFTER_PHOTOS

STEP_BODY_CEILING = PAGE_BODY_CEILING


async def pending_after_photos(hazard: dict) -> list[dict]:
    """After-photos uploaded for the hazard and not yet part of a rectification."""
    used = set(hazard["after_photos"] or [])
    rows = await (
        Evidence.select(Evidence.id, Evidence.created_at)
        .where(
            (Evidence.submission == hazard["key"])
            & (Evidence.item == ITEM)
            & Evidence.removed.eq(False)
        )
        .order_by(Evidence.created_at)
    )
    return [row for row in rows if str(row["id"]) not in used][:MAX_AFTER_PHOTOS]


async def store_page_uploads(
    request: Request, store: Storage, hazard: dict, files: Sequence[object], user_id: int
) -> None:
    """Store the chosen files (none chosen: nothing to do). Raises ApiProblem."""
    if not any(getattr(f, "filename", "") for f in files):
        return
    await store_after_photos(store, hazard, await read_uploads(request, files), user_id)


async def serve_photo(request: Request, row: dict, *, thumbnail: bool) -> Response[bytes]:
    return await serve(request, row["thumbnail_key"] if thumbnail else row["image_key"])
