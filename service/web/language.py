"""Per-request language: set once, read by templates and messages."""

from __future__ import annotations

from urllib.parse import parse_qs

from litestar.types import ASGIApp, Receive, Scope, Send

from .i18n import current_language, language_in_query, negotiate

LANGUAGE_COOKIE = "lang"


def language_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = _query_param(scope.get("query_string", b""), "lang")
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            # A signed-in person's choice lives in their session; a visitor's in a cookie.
            principal = scope.get("user")
            remembered = getattr(principal, "language", None) or cookie_value(
                headers.get("cookie", ""), LANGUAGE_COOKIE
            )
            language = negotiate(query, remembered, headers.get("accept-language"))
            token = current_language.set(language)
            query_token = language_in_query.set(query == language)
            try:
                await app(scope, receive, send)
            finally:
                language_in_query.reset(query_token)
                current_language.reset(token)
            return
        await app(scope, receive, send)

    return middleware


def _query_param(query_string: bytes, name: str) -> str | None:
    values = parse_qs(query_string.decode("latin-1")).get(name)
    return values[0] if values else None


def cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
