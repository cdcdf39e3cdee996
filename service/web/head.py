"""`HEAD` answered wherever `GET` is: uptime monitors and link checkers send it.

Litestar routes a method only to handlers declared for it, so a HEAD to a page answers
405. Rather than declare HEAD on every handler, the request is served as the GET it
mirrors and the body is dropped on the way out: the status and headers (Content-Length
included, as HTTP asks) are the GET's, exactly.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


def answer_head(app: ASGIApp) -> ASGIApp:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return
        scope["method"] = "GET"  # type: ignore[typeddict-item]

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of a streamed body: nothing to send
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app(scope, receive, without_body)

    return handler
