"""JSON request bodies at the API's boundary, checked before any handler sees them.

Litestar decodes a body whatever its Content-Type, and leniently (msgspec's strict=False
turns "6" into 6); a body nested a thousand deep raised RecursionError and invalid UTF-8
a UnicodeDecodeError (500s both), and PostgreSQL refuses a NUL in text, so a body with
one failed on every retry there while SQLite stored it. One hook refuses each of these,
the same way on every route that takes a JSON body and on every engine.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import BodyKwarg

from .problems import (
    BAD_REQUEST,
    MALFORMED_JSON,
    NUL_CHARACTER,
    TOO_DEEP,
    UNSUPPORTED_MEDIA_TYPE,
    ApiProblem,
)

# The deepest JSON a client needs: a submission's answers are a few levels deep (an
# item's list of photo ids, a location's object). Far below Python's recursion limit.
MAX_DEPTH = 32


def _takes_json(request: Request) -> Any:
    """The type of the route's JSON body, or None when it takes no JSON body."""
    field = request.route_handler.parsed_data_field
    if field is None:
        return None
    kwarg = field.kwarg_definition
    if isinstance(kwarg, BodyKwarg) and kwarg.media_type != RequestEncodingType.JSON:
        return None
    return field.annotation


def is_json(content_type: str) -> bool:
    """application/json, or a JSON type such as application/problem+json; any charset."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def problems_in(value: Any) -> tuple[int, list[str]]:
    """How deep `value` is nested (stopping past MAX_DEPTH), and where its text holds a
    NUL (dotted paths; an object's key with a NUL is reported at the object)."""
    deepest = 0
    nul: list[str] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, str):
            if "\x00" in node:
                nul.append(path)
        elif isinstance(node, dict):
            for key, child in node.items():
                if "\x00" in key:
                    nul.append(path)
                stack.append((child, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                stack.append((child, f"{path}.{index}" if path else str(index), depth + 1))
    return deepest, sorted(set(nul))


async def check_json_body(request: Request) -> None:
    """before_request for every route: refuse a JSON body that is not JSON, not sent as
    JSON, nested too deep, holding NUL characters, or not of the body's types exactly."""
    body_type = _takes_json(request)
    if body_type is None:
        return
    if not is_json(request.headers.get("content-type", "")):
        raise ApiProblem(UNSUPPORTED_MEDIA_TYPE)
    try:
        value = msgspec.json.decode(await request.body() or b"null")
    except RecursionError:
        raise ApiProblem(TOO_DEEP, f"at most {MAX_DEPTH} levels of arrays and objects") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ApiProblem(MALFORMED_JSON, str(exc)) from None
    depth, nul = problems_in(value)
    if depth > MAX_DEPTH:
        raise ApiProblem(TOO_DEEP, f"at most {MAX_DEPTH} levels of arrays and objects")
    if nul:
        errors = [{"key": path, "message": NUL_CHARACTER.title, "source": "body"} for path in nul]
        raise ApiProblem(NUL_CHARACTER, f"NUL characters in {', '.join(nul[:10])}", errors)
    try:
        # Strict: a string is no number, a float no id (Litestar's own decoding is lenient).
        msgspec.convert(value, body_type, strict=True)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$")
        key = where.rstrip("`").lstrip(".")
        errors = [{"key": key, "message": message, "source": "body"}]
        raise ApiProblem(BAD_REQUEST, str(exc), errors) from None
