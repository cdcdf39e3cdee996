"""A hazard's photos: the after-photos of its rectification, stored as evidence.

After-photos are evidence rows whose `submission` is the hazard's own `key` and
whose item is "rectification": uploaded (by a page or the API) before the
rectification is submitted, then listed by id in the step. The finding's photos
are the evidence of the submission that found the hazard (`hazard["photos"]`).
Pages and the API share these helpers so both check the same things.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from service.collection import evidence
from service.collection.storage import Storage
from service.collection.tables import Evidence

ITEM = "rectification"
# Evidence rows one hazard may gather over all its rectifications (sent back and
# done again, each time with new photos); a step lists at most steps.MAX_AFTER_PHOTOS.
PHOTOS_PER_HAZARD = 50


def _uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def attach_after_photos(
    store: Storage, hazard: dict, uploads: Sequence[evidence.Upload], user_id: int
) -> list[tuple[dict, bool]]:
    """Store the uploaded photos as after-photos of the hazard, each once (the same
    photo sent again finds its row): (evidence row, newly stored) per upload.

    Raises ApiProblem (evidence.*) for a photo that cannot be stored, storing none."""
    return await evidence.attach(
        store, _uuid(hazard["key"]), ITEM, list(uploads), user_id, PHOTOS_PER_HAZARD
    )


async def store_after_photos(
    store: Storage, hazard: dict, uploads: Sequence[evidence.Upload], user_id: int
) -> list[str]:
    """Like attach_after_photos: the evidence ids, in the order of the uploads."""
    attached = await attach_after_photos(store, hazard, uploads, user_id)
    return [str(row["id"]) for row, _created in attached]


async def known_after_photos(hazard: dict, ids: Iterable[object]) -> list[str]:
    """The ids among `ids` that are after-photos uploaded for this hazard, in the
    given order, once each. A caller compares with what it was given: an id missing
    from the answer is someone else's photo, a removed one, or no photo at all."""
    wanted: list[uuid.UUID] = []
    for value in ids:
        parsed = _uuid(value)
        if parsed is not None and parsed not in wanted:
            wanted.append(parsed)
    if not wanted:
        return []
    rows = await Evidence.select(Evidence.id).where(
        Evidence.id.is_in(wanted)
        & (Evidence.submission == _uuid(hazard["key"]))
        & Evidence.removed.eq(False)
    )
    found = {_uuid(row["id"]) for row in rows}
    return [str(value) for value in wanted if value in found]


async def hazard_photo(hazard: dict, evidence_id: object) -> dict | None:
    """The evidence row if it is one of the hazard's photos (of the finding, or
    uploaded for the hazard itself); None otherwise, so a hazard's page never
    serves another submission's photo."""
    parsed = _uuid(evidence_id)
    if parsed is None:
        return None
    row = await evidence.find_evidence(parsed)
    if row is None:
        return None
    finding = {str(p) for p in hazard.get("photos") or []}
    if str(parsed) in finding or str(row["submission"]) == str(hazard["key"]):
        return row
    return None
