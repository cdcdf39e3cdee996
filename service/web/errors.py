"""Error responses: problem+json for the API, a readable page for people."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from service.accounts.sessions import COOKIE_NAME
from service.db.faults import unavailable_kind

from .i18n import current_language
from .i18n import gettext_ as _
from .problems import (
    BAD_REQUEST,
    CLIENT_DISCONNECTED,
    DATABASE_NOT_WRITABLE,
    DATABASE_UNAVAILABLE,
    HTTP_PROBLEMS,
    INTERNAL,
    NOT_FOUND,
    RETRY_AFTER_SECONDS,
    ApiProblem,
    ProblemKind,
    problem_response,
)

log = logging.getLogger(__name__)


def _signed_in(request: Request) -> bool:
    """Whether to offer the way back of a signed-in user. A path no route matches never
    reaches the authentication middleware: there a session cookie is the best guess (an
    expired one leads to "my tasks", which asks to sign in again)."""
    if "user" in request.scope:
        return request.scope["user"] is not None  # type: ignore[typeddict-item]
    return bool(request.cookies.get(COOKIE_NAME))


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/healthz", "/schema"))


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    truncated = False
    if isinstance(exc, ApiProblem):
        kind, detail, errors = exc.kind, exc.problem_detail, exc.errors
        truncated = exc.truncated
    elif isinstance(exc, ValidationException):
        kind, detail = BAD_REQUEST, exc.detail
        errors = exc.extra if isinstance(exc.extra, list) else None
    elif isinstance(exc, NotFoundException):
        kind, detail, errors = NOT_FOUND, None, None
    else:
        kind = HTTP_PROBLEMS.get(exc.status_code) or ProblemKind(
            f"http.{exc.status_code}", exc.status_code, exc.detail, exc.detail
        )
        detail, errors = None, None
    if _wants_page(request) and exc.status_code == 401:
        # A page that needs signing in: go there, and come back afterwards.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?{urlencode({'target': target})}", status_code=303)
    if _wants_page(request):
        chinese = current_language.get() == "zh"
        title = kind.title_zh if chinese else kind.title
        return Template(
            "error.html",
            context={
                "status": kind.status,
                "title": title,
                "detail": None if chinese else detail,
                "signed_in": _signed_in(request),
            },
            status_code=kind.status,
            headers=exc.headers or {},
        )  # type: ignore[return-value]
    response = problem_response(kind, detail, errors, truncated)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


# Litestar's words when the client hangs up while its body is still arriving: on a
# phone in a factory yard that is the signal, not a bug (the client retries the
# same submission id), so it is noted without a traceback.
CLIENT_GONE = "client disconnected prematurely"


class FaultLog:
    """One log line per kind of database failure a minute, with how many requests it
    failed meanwhile: a full disk fails every request, and a traceback each (2 KB)
    would fill what is left of it."""

    INTERVAL = 60.0

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._since: dict[str, int] = {}

    def note(self, kind: str, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        self._since[kind] = self._since.get(kind, 0) + 1
        if now - self._last.get(kind, -self.INTERVAL) >= self.INTERVAL:
            count, self._since[kind], self._last[kind] = self._since[kind], 0, now
            log.error("database %s: %s failed (%d in the last minute): %s", kind, what, count, exc)


FAULTS = FaultLog()
NOT_WRITABLE_KINDS = frozenset({"read_only", "disk_full", "io_error"})


def unavailable(request: Request, kind: str) -> Response:
    """503 with Retry-After: the database's state, not the request, is at fault."""
    problem = DATABASE_NOT_WRITABLE if kind in NOT_WRITABLE_KINDS else DATABASE_UNAVAILABLE
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_page(request):
        chinese = current_language.get() == "zh"
        return Template(
            "error.html",
            context={
                "status": problem.status,
                "title": problem.title_zh if chinese else problem.title,
                "detail": None,
                "signed_in": _signed_in(request),
            },
            status_code=problem.status,
            headers=headers,
        )  # type: ignore[return-value]
    response = problem_response(problem, kind)
    response.headers.update(headers)
    return response


def handle_internal_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.detail == CLIENT_GONE:
        log.info("client went away during %s %s", request.method, request.url.path)
        return problem_response(CLIENT_DISCONNECTED)
    if kind := unavailable_kind(exc):
        FAULTS.note(kind, f"{request.method} {request.url.path}", exc)
        return unavailable(request, kind)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_page(request):
        return Template(
            "error.html",
            context={
                "status": 500,
                "title": _("Something went wrong on our side"),
                "detail": None,
                "signed_in": _signed_in(request),
            },
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        )  # type: ignore[return-value]
    return problem_response(INTERNAL)


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_internal_error,
}
