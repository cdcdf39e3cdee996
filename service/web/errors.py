"""Error responses: problem+json for the API, a readable page for people."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from .i18n import current_language
from .i18n import gettext_ as _
from .problems import (
    BAD_REQUEST,
    CLIENT_DISCONNECTED,
    HTTP_PROBLEMS,
    INTERNAL,
    NOT_FOUND,
    ApiProblem,
    ProblemKind,
    problem_response,
)

log = logging.getLogger(__name__)


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
            context={"status": kind.status, "title": title, "detail": None if chinese else detail},
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


def handle_internal_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.detail == CLIENT_GONE:
        log.info("client went away during %s %s", request.method, request.url.path)
        return problem_response(CLIENT_DISCONNECTED)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_page(request):
        return Template(
            "error.html",
            context={"status": 500, "title": _("Something went wrong on our side"), "detail": None},
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        )  # type: ignore[return-value]
    return problem_response(INTERNAL)


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_internal_error,
}
