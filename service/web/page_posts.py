"""NUL characters in page form posts are dropped before anything reads them.

PostgreSQL refuses a NUL in text, SQLite stores it: a draft saved with one failed on
every retry on one engine and not the other. No browser control sends one on purpose
(a paste from a broken file may), so it is dropped, on both engines alike; the JSON API
refuses it instead (web/json_body.py), naming the field. URL-encoded bodies are cleaned
here as they arrive; text read from multipart posts goes through web.forms.text_of.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

URL_ENCODED = b"application/x-www-form-urlencoded"
ENCODED_NUL = b"%00"


def without_nul(chunk: bytes) -> tuple[bytes, bytes]:
    """The chunk without NULs (`%00` or a raw byte), and the tail held back because it
    may be the start of a `%00` that the next chunk completes."""
    cleaned = chunk.replace(ENCODED_NUL, b"").replace(b"\x00", b"")
    for keep in (2, 1):
        if cleaned.endswith(ENCODED_NUL[:keep]):
            return cleaned[:-keep], cleaned[-keep:]
    return cleaned, b""


def page_post_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _url_encoded(scope):
            await app(scope, receive, send)
            return
        held = b""

        async def receive_cleaned() -> Message:
            nonlocal held
            message = await receive()
            if message["type"] != "http.request":
                return message
            body, held = without_nul(held + message.get("body", b""))
            if not message.get("more_body", False):
                body, held = body + held, b""
            return {**message, "body": body}

        await app(scope, receive_cleaned, send)

    return middleware


def _url_encoded(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == URL_ENCODED
    return False
