"""A page of a snapshot's rows, found by name or area. Pure.

A county's snapshot can list 10,000 participants: a phone gets 100 at a time, and an
enterprise finds itself by typing part of its name."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .snapshot import SnapshotRow

PAGE_SIZE = 100


class Listing(msgspec.Struct, frozen=True):
    rows: list[SnapshotRow]
    page: int  # 1-based, clamped to the pages there are
    pages: int
    total: int  # rows matching the search


def page_of(rows: Sequence[SnapshotRow], search: str, page: int, size: int = PAGE_SIZE) -> Listing:
    """The `page`-th `size` rows of those whose name or area contains `search`
    (case-insensitive; blank: all), in the snapshot's order."""
    needle = search.strip().casefold()
    found = (
        [r for r in rows if needle in r.name.casefold() or needle in r.village.casefold()]
        if needle
        else list(rows)
    )
    pages = max(1, -(-len(found) // size))
    page = min(max(1, page), pages)
    return Listing(found[(page - 1) * size : page * size], page, pages, len(found))
