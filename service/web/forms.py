"""Reading HTML form posts: the body types every page handler takes, and their values.

Handlers take the posted fields as a plain dict and check them with the domain's own
rules, so that every error is reported at once (a typed body would stop at the first).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body

from .urls import ROW_ID_MAX, ROW_ID_MIN

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
UploadBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def text_of(value: object) -> str:
    """One posted field as text: a repeated field arrives as a list, and one value is
    meant (the last, as browsers send the control that came last). Without NUL
    characters, which PostgreSQL refuses in text (URL-encoded posts lose them earlier,
    in web/page_posts.py; this covers multipart ones)."""
    return str(value[-1] if isinstance(value, list) else (value or "")).replace("\x00", "")


def is_htmx(request: Any) -> bool:
    """An htmx request that wants a fragment back (a boosted one wants the full page)."""
    return request.headers.get("hx-request") == "true" and not request.headers.get("hx-boosted")


def row_id_or_none(value: object) -> int | None:
    """A posted row id, or None when it is not one (empty, not a whole number, or beyond
    any row: the bounds of `web.urls.RowId`)."""
    number = int_or_none(value)
    return number if number is not None and number >= ROW_ID_MIN else None


def int_or_none(value: object) -> int | None:
    """A posted number, or None when it is empty, not a whole number, or beyond what a
    database integer holds (±ROW_ID_MAX: every number a page posts is stored or compared
    as one)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if -ROW_ID_MAX <= number <= ROW_ID_MAX else None
