"""Slow and broken clients: bounded time for a request's headers and for its body.

uvicorn times out only idle keep-alive connections: a connection that sends a byte a
second, or a body shorter than its Content-Length, was held forever (ten such held ten
connections, and a worker's memory, for good). Two bounds, set in service/settings.py:

- the headers, from the request's first byte (or the connection's opening) to their
  end: HeadersDeadlineProtocol, uvicorn's httptools protocol with a timer, closes the
  connection with a 408 (the app never saw the request);
- the body: body_deadline_middleware answers 408 `request.timeout` when the whole body
  takes longer than BODY_TIMEOUT_SECONDS, or a chunk longer than BODY_IDLE_SECONDS.

A reverse proxy in front buffers and times out slow clients itself (README, deployment).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.settings import Settings

REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\n"
    b"connection: close\r\n\r\n"
    b"Request Timeout\n"
)


class HeadersDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline for each request's headers
    (uvicorn's `http` setting; HEADERS_TIMEOUT_SECONDS is read from the environment
    once per worker process, as uvicorn gives a protocol nothing of ours)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers_timeout = _headers_timeout()
        self._headers_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._headers_deadline = self.loop.call_later(self.headers_timeout, self._expired)

    def _disarm(self) -> None:
        if self._headers_deadline is not None:
            self._headers_deadline.cancel()
            self._headers_deadline = None

    def _expired(self) -> None:
        self._headers_deadline = None
        if not self.transport.is_closing():
            self.transport.write(REQUEST_TIMEOUT)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is no client either

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Idle between requests: uvicorn's keep-alive timeout governs, not ours.
        self._disarm()


@functools.cache
def _headers_timeout() -> float:
    return Settings.from_env().headers_timeout_seconds


class BodyTimeout(HTTPException):
    status_code = 408
    detail = "The request body did not arrive in time"

    def __init__(self) -> None:
        # Close after answering: what is still on its way belongs to this body, and read
        # as the next request it would be nonsense.
        super().__init__(headers={"Connection": "close"})


def body_deadline_middleware(settings: Settings) -> Any:
    """Answer 408 when a request's body takes too long in all or between two chunks."""
    total, idle = settings.body_timeout_seconds, settings.body_idle_seconds

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            loop = asyncio.get_running_loop()
            deadline = loop.time() + total
            done = False

            async def timed_receive() -> Message:
                nonlocal done
                if done:  # the body is in: what follows is waiting for a disconnect
                    return await receive()
                wait = min(idle, deadline - loop.time())
                try:
                    async with asyncio.timeout(max(wait, 0)):
                        message = await receive()
                except TimeoutError:
                    raise BodyTimeout() from None
                if message["type"] != "http.request" or not message.get("more_body", False):
                    done = True
                return message

            await app(scope, timed_receive, send)

        return middleware

    return middleware_factory
