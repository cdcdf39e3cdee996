"""URLs: where a redirect may go, and what a row id may be wherever it enters."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `https://host` (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# A row id (or a version or revision number): beyond a 32-bit integer it is no row, and
# the databases refuse to compare one (SQLite overflows at 2**63, PostgreSQL's int4 at
# 2**31): 400, not 500. The same bounds wherever a number enters: paths and queries
# (RowId), JSON bodies (BodyRowId) and page form posts (web.forms.row_id_or_none).
ROW_ID_MIN = 1
ROW_ID_MAX = 2**31 - 1
RowId = Annotated[int, Parameter(ge=ROW_ID_MIN, le=ROW_ID_MAX)]
# Optional in a query: Litestar drops the bounds of `RowId | None` (the union's members
# lose their own Parameter), so the bounds go on the union.
RowIdOrNone = Annotated[int | None, Parameter(ge=ROW_ID_MIN, le=ROW_ID_MAX)]
BodyRowId = Annotated[int, msgspec.Meta(ge=ROW_ID_MIN, le=ROW_ID_MAX)]
