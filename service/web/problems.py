"""The catalogue of API errors: each with a stable code, an HTTP status and a message.

Clients and tests match on `code`; pages show the Chinese message. Responses follow
RFC 9457 (application/problem+json) with our `code` and an optional `errors` list.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(msgspec.Struct, omit_defaults=True):
    """An error response body (RFC 9457)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class ProblemKind(msgspec.Struct, frozen=True):
    code: str
    status: int
    title: str  # English
    title_zh: str


FORM_NOT_FOUND = ProblemKind("form.not_found", 404, "No such form", "没有这个表单")
FORM_VERSION_NOT_FOUND = ProblemKind(
    "form.version_not_found", 404, "No such version of this form", "没有这个版本的表单"
)
INVALID_ANSWERS = ProblemKind("answers.invalid", 400, "Some answers are invalid", "部分答案无效")
BAD_REQUEST = ProblemKind("request.invalid", 400, "The request is not valid", "请求无效")
NOT_FOUND = ProblemKind("not_found", 404, "Not found", "页面不存在")
INTERNAL = ProblemKind("internal", 500, "Something went wrong on our side", "服务器内部错误")
# Litestar's own HTTP errors, said the way a clerk reads them.
HTTP_PROBLEMS = {
    401: ProblemKind("auth.required", 401, "Sign in first", "请先登录"),
    403: ProblemKind("auth.forbidden", 403, "Not allowed for your role", "您的角色无权进行此操作"),
    413: ProblemKind("too_large", 413, "The upload is too large", "上传的文件过大（最大5 MB）"),
    429: ProblemKind("too_many_requests", 429, "Too many requests", "请求过于频繁，请稍后再试"),
}
DATABASE_UNAVAILABLE = ProblemKind(
    "database.unavailable", 503, "The database is not answering", "数据库无法连接"
)


class ApiProblem(HTTPException):
    def __init__(
        self,
        kind: ProblemKind,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail=kind.title, status_code=kind.status)
        self.kind = kind
        self.problem_detail = detail
        self.errors = errors


def problem_response(
    kind: ProblemKind, detail: str | None = None, errors: list[dict[str, Any]] | None = None
) -> Response[Problem]:
    body = Problem(
        type=f"/problems/{kind.code}",
        title=kind.title,
        status=kind.status,
        code=kind.code,
        detail=detail,
        errors=errors,
    )
    return Response(body, status_code=kind.status, media_type=PROBLEM_MEDIA_TYPE)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem bodies a route can answer with."""
    descriptions = {
        400: "The request or the answers are not valid",
        401: "No valid `Authorization: Bearer` token",
        403: "The token's account may not do this",
        404: "No such form or version",
        503: "The database is not answering",
    }
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=descriptions.get(status, "A problem"),
            media_type=PROBLEM_MEDIA_TYPE,
        )
        for status in statuses
    }
