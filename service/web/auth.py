"""Authentication: who sent this request. Sets scope["user"] to a Principal or None.

Pages use the session cookie; the JSON API (/api/) uses `Authorization: Bearer` only,
so a browser's cookie can never be replayed against the API (no CSRF there).
"""

from __future__ import annotations

import datetime as dt

from litestar.types import ASGIApp, Receive, Scope, Send

from service.accounts import audit, sessions, tokens
from service.accounts.users import principal_for
from service.db import inline_reads
from service.settings import Settings

from .language import cookie_value


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "?"


def auth_middleware_factory(settings: Settings):
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    lifetime = dt.timedelta(hours=settings.session_max_hours)

    def auth_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                scope["user"] = await _principal(scope, idle, lifetime)
            await app(scope, receive, send)

        return middleware

    return auth_middleware


async def _principal(scope: Scope, idle: dt.timedelta, lifetime: dt.timedelta):
    headers = dict(scope["headers"])
    if scope["path"].startswith("/api/"):
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        with inline_reads():  # one indexed JOIN, on every API request
            found = await tokens.principal_for_token(token.strip())
        if found is None:
            return None
        principal, token_row, noted = found
        if noted:
            await audit.record(
                "token_used",
                actor_id=principal.user_id,
                subject=token_row["prefix"],
                ip=client_ip(scope),
                path=scope["path"],
            )
        return principal
    cookie = cookie_value(headers.get(b"cookie", b"").decode("latin-1"), sessions.COOKIE_NAME)
    if not cookie:
        return None
    found = await sessions.load_session(cookie, idle=idle, lifetime=lifetime)
    if found is None:
        return None
    session, user = found
    return await principal_for(user, language=session["language"], session_id=session["id"])
