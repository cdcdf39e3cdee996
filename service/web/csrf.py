"""CSRF tokens bound to the session, masked anew in every response.

A signed-in browser's secret is derived from its session (HMAC of SECRET_KEY and the
session cookie's token), so it is new at every sign-in and worthless in any other
session: a cookie planted by a neighbour (a sibling subdomain) cannot vouch for a
forged form, as it could with a bare double-submit cookie. A visitor (the sign-in
form, the language switch) has no session yet: their secret is derived from a random
cookie of their own, which only the service sets.

The token a page carries is a fresh random pad and the secret XORed with it (BREACH:
a compressed response never repeats the secret's bytes, so its length tells nothing).
Forms post it as `_csrf_token`, htmx sends it as `x-csrftoken` (base.html). The JSON
API (/api/) takes bearer tokens only, never a cookie, and needs none. A post to a route
that wants someone signed in, with nobody signed in (the session ended), is left to the
access guard: it changes nothing and sends the person to sign in again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from service.accounts import sessions
from service.settings import Settings

from .access import PUBLIC
from .language import cookie_value

VISITOR_COOKIE = "ankang_csrf"
FIELD = "_csrf_token"
HEADER = b"x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EXEMPT = re.compile(r"^/(api/|static/|healthz$)")
SECRET_BYTES = 32
_SEED = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def derive_secret(key: bytes, kind: str, seed: str) -> bytes:
    """The secret of a session ("session", its cookie token) or a visitor ("visitor")."""
    return hmac.new(key, f"{kind}:{seed}".encode(), hashlib.sha256).digest()


def mask(secret: bytes) -> str:
    """A token for one response: pad ‖ (pad XOR secret), base64url."""
    pad = secrets.token_bytes(SECRET_BYTES)
    masked = bytes(a ^ b for a, b in zip(pad, secret, strict=True))
    return base64.urlsafe_b64encode(pad + masked).rstrip(b"=").decode()


def matches(token: str | None, secret: bytes) -> bool:
    """Whether a posted token unmasks to this secret; never raises on garbage."""
    if not token or len(token) > 100:
        return False
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return False
    if len(raw) != 2 * SECRET_BYTES:
        return False
    pad, masked = raw[:SECRET_BYTES], raw[SECRET_BYTES:]
    return hmac.compare_digest(bytes(a ^ b for a, b in zip(pad, masked, strict=True)), secret)


def csrf_middleware_factory(settings: Settings):
    key = settings.signing_key().encode()

    def csrf_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or EXEMPT.match(scope["path"]):
                await app(scope, receive, send)
                return
            cookies = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
            new_seed, secret = _secret(scope, cookies, key)
            # Templates read it here (csrf_input, csrf_token()), the error page's too.
            ScopeState.from_scope(scope).csrf_token = mask(secret)
            checked = scope["method"] not in SAFE_METHODS and not _guard_refuses(scope)
            if checked and not await _posted_token_matches(scope, receive, secret):
                raise PermissionDeniedException("CSRF token verification failed")
            if new_seed is None:
                await app(scope, receive, send)
                return
            cookie = Cookie(
                key=VISITOR_COOKIE,
                value=new_seed,
                path="/",
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            ).to_header(header="")

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableScopeHeaders.from_message(message).add("set-cookie", cookie)
                await send(message)

            await app(scope, receive, send_with_cookie)

        return middleware

    return csrf_middleware


def _guard_refuses(scope: Scope) -> bool:
    """Nobody is signed in and the route wants someone: the access guard refuses it
    anyway, and sends a person whose session ended (with that session's token) to sign
    in again instead of to a 403 page."""
    handler: Any = scope.get("route_handler")
    rule = handler.opt.get("access") if handler is not None else None
    return scope.get("user") is None and rule not in (None, PUBLIC)


def _secret(scope: Scope, cookies: str, key: bytes) -> tuple[str | None, bytes]:
    """(a visitor seed to set as a cookie, or None; the secret of this request)."""
    principal: Any = scope.get("user")
    if principal is not None and principal.session_id is not None:
        # The auth middleware found a live session for this very cookie.
        token = cookie_value(cookies, sessions.COOKIE_NAME) or ""
        return None, derive_secret(key, "session", token)
    seed = cookie_value(cookies, VISITOR_COOKIE)
    if seed and _SEED.fullmatch(seed):
        return None, derive_secret(key, "visitor", seed)
    seed = secrets.token_urlsafe(SECRET_BYTES)
    return seed, derive_secret(key, "visitor", seed)


async def _posted_token_matches(scope: Scope, receive: Receive, secret: bytes) -> bool:
    header = dict(scope["headers"]).get(HEADER)
    if header is not None and matches(header.decode("latin-1"), secret):
        return True
    request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
    content_type, _ = request.content_type
    if content_type not in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        return False
    # Read once here and kept by Litestar for the handler.
    field = (await request.form()).get(FIELD)
    return matches(field if isinstance(field, str) else None, secret)
