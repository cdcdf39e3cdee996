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

from service.forms.answers import InvalidAnswers

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(msgspec.Struct, omit_defaults=True):
    """An error response body (RFC 9457)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None
    # True when `errors` lists only the first of them (checking stopped there).
    truncated: bool = False


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
# The size is said in the detail (service/forms/routes.py: SCORE_BODY_MAX).
ANSWERS_TOO_LARGE = ProblemKind(
    "answers.too_large", 413, "The answers are larger than any form needs", "答案数据过大"
)
BAD_REQUEST = ProblemKind("request.invalid", 400, "The request is not valid", "请求无效")
NOT_FOUND = ProblemKind("not_found", 404, "Not found", "页面不存在")
# JSON bodies at the API's boundary (service/web/json_body.py).
UNSUPPORTED_MEDIA_TYPE = ProblemKind(
    "request.unsupported_media_type",
    415,
    "Send the body as JSON, with Content-Type: application/json",
    "请求内容须为 JSON，并注明 Content-Type: application/json",
)
MALFORMED_JSON = ProblemKind(
    "request.malformed_json",
    400,
    "The body is not valid JSON in UTF-8",
    "请求内容不是有效的 JSON（须为 UTF-8 编码）",
)
TOO_DEEP = ProblemKind(
    "request.too_deep", 400, "The body is nested too deep", "请求内容的嵌套层数过多"
)
NUL_CHARACTER = ProblemKind(
    "request.nul_character",
    400,
    "Text may not contain NUL characters (\\u0000)",
    "文字中不能含有空字符（\\u0000）",
)
INTERNAL = ProblemKind("internal", 500, "Something went wrong on our side", "服务器内部错误")
# Nobody reads this answer (the client has gone); nginx logs such requests as 499.
CLIENT_DISCONNECTED = ProblemKind(
    "client_disconnected",
    400,
    "The client disconnected before sending the whole request",
    "请求未完整送达（连接已断开）",
)
# Litestar's own HTTP errors, said the way a clerk reads them.
HTTP_PROBLEMS = {
    401: ProblemKind("auth.required", 401, "Sign in first", "请先登录"),
    403: ProblemKind("auth.forbidden", 403, "Not allowed for your role", "您的角色无权进行此操作"),
    408: ProblemKind(
        "request.timeout",
        408,
        "The request did not arrive in time: send it again",
        "请求未能及时送达，请重新发送",
    ),
    413: ProblemKind("too_large", 413, "The upload is too large", "上传的文件过大（最大5 MB）"),
    429: ProblemKind("too_many_requests", 429, "Too many requests", "请求过于频繁，请稍后再试"),
}
# Submissions (service/collection/api.py).
SUBMISSION_NOT_FOUND = ProblemKind(
    "submission.not_found", 404, "No such submission", "没有这份提交"
)
# Cf. ODK Central's 409.1: a retry must carry the same content as the first post.
SUBMISSION_CONFLICT = ProblemKind(
    "submission.conflict",
    409,
    "A submission already exists with this id but different content",
    "已有同一编号但内容不同的提交",
)
SUBMISSION_DUPLICATE = ProblemKind(
    "submission.duplicate",
    409,
    "This participant already has its submission (one self-assessment, one evaluation per judge)",
    "该参评单位已有此项提交（自评一份，每位评委一份）",
)
INCOMPLETE_ANSWERS = ProblemKind(
    "answers.incomplete", 400, "Some required answers are missing", "部分必填项尚未填写"
)
UNKNOWN_EVIDENCE = ProblemKind(
    "evidence.unknown",
    400,
    "A photo is not one you uploaded for this item of this submission",
    "照片不存在，或不是您为此项上传的",
)
CAMPAIGN_NOT_FILLABLE = ProblemKind(
    "campaign.not_fillable",
    403,
    "You do not fill this campaign's form for this participant",
    "您不能在此活动中为该企业填写此表",
)
FORM_NOT_FILLABLE = ProblemKind(
    "form.not_fillable",
    403,
    "You may not fill this form for this enterprise",
    "您不能为该企业填写此表",
)
# Photo evidence (service/collection/evidence_routes.py). The size limit is a setting
# (PHOTO_MAX_BYTES): the `detail` of a too_large problem names it.
EVIDENCE_MISSING = ProblemKind(
    "evidence.missing", 400, "Choose a photo to upload", "请选择要上传的照片"
)
EVIDENCE_ITEM_INVALID = ProblemKind(
    "evidence.item_invalid", 400, "This item takes no photos", "该检查项不能上传照片"
)
EVIDENCE_SUBMISSION_CLOSED = ProblemKind(
    "evidence.submission_closed",
    409,
    "This submission is submitted: start a correction to change its photos",
    "该表单已提交，需先发起更正才能修改照片",
)
EVIDENCE_TOO_MANY = ProblemKind(
    "evidence.too_many", 409, "This item has all the photos it takes", "该项的照片已达上限"
)
EVIDENCE_TOO_LARGE = ProblemKind("evidence.too_large", 413, "The photo is too large", "照片过大")
EVIDENCE_TOO_MANY_PIXELS = ProblemKind(
    "evidence.too_many_pixels",
    413,
    "The picture has too many pixels for a photo (at most 50 megapixels and 8192 on a "
    "side; PNG and WebP at most 16 megapixels)",
    "照片像素过高（最多5000万像素、单边最多8192像素；PNG和WebP图片最多1600万像素）",
)
EVIDENCE_TOO_MANY_PENDING = ProblemKind(
    "evidence.too_many_pending",
    409,
    "Too many photos wait for submissions not yet posted: post those submissions first",
    "已上传但尚未提交的照片过多，请先提交相应的表单",
)
EVIDENCE_UNSUPPORTED_TYPE = ProblemKind(
    "evidence.unsupported_type",
    415,
    "Only photos can be uploaded: JPEG, PNG, WebP or HEIC",
    "只能上传照片（JPEG、PNG、WebP或HEIC格式）",
)
EVIDENCE_UNREADABLE = ProblemKind(
    "evidence.unreadable",
    415,
    "The photo is damaged or incomplete and cannot be read",
    "照片已损坏或不完整，无法读取，请重新上传",
)
DATABASE_UNAVAILABLE = ProblemKind(
    "database.unavailable", 503, "The database is not answering", "数据库无法连接"
)
DATABASE_NOT_WRITABLE = ProblemKind(
    "database.not_writable",
    503,
    "The database cannot store anything now (read-only or full): try again later",
    "数据库暂时无法写入（只读或磁盘已满），请稍后再试",
)
# What a 503 asks the client to wait before trying again (Retry-After, seconds).
RETRY_AFTER_SECONDS = 30
# The hazard loop (service/hazards/lifecycle.py): every refused transition says why.
HAZARD_NOT_FOUND = ProblemKind("hazard.not_found", 404, "No such hazard", "没有这条隐患")
HAZARD_WRONG_STATE = ProblemKind(
    "hazard.wrong_state",
    409,
    "This step does not follow from the hazard's present state",
    "隐患当前状态下不能进行此操作",
)
HAZARD_NOT_YOURS = ProblemKind(
    "hazard.not_allowed",
    403,
    "This step is not yours to take on this hazard",
    "您无权对这条隐患进行此操作",
)
HAZARD_OWN_RECTIFICATION = ProblemKind(
    "hazard.own_rectification",
    403,
    "The rectification must be verified by someone other than who submitted it",
    "整改须由提交整改以外的人员验收",
)
HAZARD_PLAN_REQUIRED = ProblemKind(
    "hazard.plan_required",
    400,
    "A major hazard needs its rectification plan before it is acknowledged",
    "重大事故隐患须先制定治理方案才能确认整改",
)
HAZARD_INVALID = ProblemKind(
    "hazard.invalid", 400, "Some fields are missing or invalid", "部分内容未填写或不正确"
)
HAZARD_CHANGED = ProblemKind(
    "hazard.changed",
    409,
    "Someone else acted on this hazard meanwhile: see its present state",
    "其他人刚刚处理了这条隐患，请查看最新状态",
)


# An error list echoes the input: 100,000 unknown items once made a 14.8 MB answer.
# Every problem body lists at most this many; its detail says how many more there were.
MAX_LISTED_ERRORS = 100


def capped(
    detail: str | None, errors: list[dict[str, Any]] | None
) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The detail and the error list as a problem body gives them: the first
    MAX_LISTED_ERRORS errors, and a note in the detail of how many more were left out."""
    if errors is None or len(errors) <= MAX_LISTED_ERRORS:
        return detail, errors
    more = len(errors) - MAX_LISTED_ERRORS
    note = f"the first {MAX_LISTED_ERRORS} of {len(errors)} errors are listed, {more} more are not"
    return (f"{detail}; {note}" if detail else note), errors[:MAX_LISTED_ERRORS]


class ApiProblem(HTTPException):
    def __init__(
        self,
        kind: ProblemKind,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        truncated: bool = False,
    ) -> None:
        super().__init__(detail=kind.title, status_code=kind.status)
        self.kind = kind
        self.problem_detail = detail
        self.errors = errors
        self.truncated = truncated


def problem_response(
    kind: ProblemKind,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    truncated: bool = False,
) -> Response[Problem]:
    detail, errors = capped(detail, errors)
    body = Problem(
        type=f"/problems/{kind.code}",
        title=kind.title,
        status=kind.status,
        code=kind.code,
        detail=detail,
        errors=errors,
        truncated=truncated,
    )
    return Response(body, status_code=kind.status, media_type=PROBLEM_MEDIA_TYPE)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem bodies a route can answer with."""
    descriptions = {
        400: "The request or the answers are not valid",
        401: "No valid `Authorization: Bearer` token",
        403: "The token's account may not do this",
        404: "No such form, version or submission",
        409: "A submission with this id exists with different content",
        413: "The photo is larger than PHOTO_MAX_BYTES, or the answers than any form needs",
        415: "Not a JPEG, PNG, WebP or HEIC photo, or a damaged one; or a JSON body "
        "without Content-Type: application/json",
        503: "The database is not answering or cannot store anything now (see Retry-After)",
    }
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=descriptions.get(status, "A problem"),
            media_type=PROBLEM_MEDIA_TYPE,
        )
        for status in statuses
    }


def invalid_answers(exc: InvalidAnswers) -> ApiProblem:
    """The problem of answers that do not validate: every error found, and whether
    checking stopped at its limit (a hostile body is not checked to the end)."""
    count = len(exc.errors)
    detail = (
        f"the first {count} invalid answers; checking stopped there"
        if exc.truncated
        else f"{count} invalid answer(s)"
    )
    errors = [msgspec.to_builtins(error) for error in exc.errors]
    return ApiProblem(INVALID_ANSWERS, detail, errors, truncated=exc.truncated)
