"""Security headers on every response, and what browsers and proxies may keep."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# No inline script anywhere: htmx and our own JS are files under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
# The API docs page (Swagger UI, served from /static/vendor) starts with an inline script.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
# The fill page takes photos and the place (a failed item's evidence, GPS where the form
# asks); nothing else a browser offers is ever needed, not even by our own pages.
_FEATURES_OFF = (
    "accelerometer", "autoplay", "bluetooth", "browsing-topics", "display-capture", "gyroscope",
    "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
)  # fmt: skip
PERMISSIONS_POLICY = ", ".join(
    ["camera=(self)", "geolocation=(self)", *(f"{feature}=()" for feature in _FEATURES_OFF)]
)
# A year; only sent when SECURE_COOKIES says the service is reached over HTTPS. No
# includeSubDomains: the union's other hosts under the same domain are not ours to bind.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
# What a signed-in person sees (pages, exports) and every API answer holds names, scores
# and hazards: neither a shared phone's browser cache nor a proxy keeps it. A route
# that says its own Cache-Control keeps it (photo evidence: "private, no-cache", asked
# again each time). A service worker's Cache API stores responses whatever this says.
NO_STORE = "no-store"
_CACHEABLE_PREFIXES = ("/static/",)


def _no_store(scope: Scope) -> bool:
    path: str = scope["path"]
    if path.startswith(_CACHEABLE_PREFIXES):
        return False
    return path.startswith("/api/") or path == "/healthz" or scope.get("user") is not None


def security_headers_middleware(app: ASGIApp, hsts: bool = False) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        docs = scope["path"].startswith("/schema")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = (
                    DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY
                )
                headers["Permissions-Policy"] = PERMISSIONS_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                if hsts:
                    headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
                # Read now, not on the way in: the user is known once auth has run.
                if "cache-control" not in headers and _no_store(scope):
                    headers["Cache-Control"] = NO_STORE
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
