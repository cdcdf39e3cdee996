"""URLs: where a redirect may go, and what a row id in a path may be."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `https://host` (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# A row id in a URL: beyond a 32-bit integer it is no row, and the databases refuse to
# compare one (SQLite overflows at 2**63, PostgreSQL's int4 at 2**31): 400, not 500.
RowId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
