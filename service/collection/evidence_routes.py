"""Photo evidence: uploading photos to an item, removing them, and serving them.

Pages: a plain multipart POST answers 303 back to the item on the fill page; with
htmx it answers the item's photo list (templates/collection/_photos.html). The API
takes one photo per request, before or after the submission exists.

A retried upload never stores a photo twice: the sha256 of the uploaded bytes is
unique per submission and item (a unique index), so the same photo sent again finds
its row (and brings it back if it was removed). Files are named by that hash too, so
two racing requests write the same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Sequence
from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, FromQuery, Parameter
from litestar.response import Redirect, Template

from service.accounts.principal import Principal
from service.forms import catalog
from service.forms.model import ITEM_ID_PATTERN, Check, FormDefinition, Photo, Section
from service.settings import PHOTO_MAX_BYTES_LIMIT, Settings
from service.web.access import SIGNED_IN, access
from service.web.forms import UploadBody, is_htmx
from service.web.i18n import current_language
from service.web.i18n import gettext_ as _
from service.web.problems import (
    EVIDENCE_ITEM_INVALID,
    EVIDENCE_MISSING,
    EVIDENCE_SUBMISSION_CLOSED,
    EVIDENCE_TOO_LARGE,
    EVIDENCE_TOO_MANY,
    EVIDENCE_TOO_MANY_PENDING,
    EVIDENCE_TOO_MANY_PIXELS,
    EVIDENCE_UNREADABLE,
    EVIDENCE_UNSUPPORTED_TYPE,
    ApiProblem,
    ProblemKind,
    problem_response,
    problem_responses,
)

from . import access as rules_of_access
from . import evidence, photos, queries
from .storage import MissingObject, Storage, storage_for

PHOTOS_PER_POST = 5  # files one page upload may carry (the phone's multiple choice)
CHECK_PHOTOS = 5  # photos a check item takes (photo items say their own max_count)
PENDING_PHOTOS = 50  # per item of a submission the API has not posted yet
# Photos for submissions not posted yet (offline sync uploads them first), per account
# over every id and item: without it an account could store photos without end.
# Abandoned ones stop counting after PENDING_DAYS, so they never block an account.
PENDING_PER_ACCOUNT = 200
PENDING_DAYS = 30
_FORM_OVERHEAD = 64 * 1024  # multipart headers and the other fields
# Hard ceilings for Litestar (fixed when the routes are made); the limits that follow
# the PHOTO_MAX_BYTES setting are checked from Content-Length before the body is read.
PAGE_BODY_CEILING = PHOTOS_PER_POST * PHOTO_MAX_BYTES_LIMIT + _FORM_OVERHEAD
API_BODY_CEILING = PHOTO_MAX_BYTES_LIMIT + _FORM_OVERHEAD
# JPEGs do not shrink under gzip: compressing them again only costs CPU.
JPEG_OPT = {**access(SIGNED_IN), "skip_compression": True}
# A photo never changes, but who may see it can (and a phone may be shared): the
# browser keeps it and asks again each time; the answer is a 304 when still allowed.
CACHE_CONTROL = "private, no-cache"
_ITEM_ID = re.compile(ITEM_ID_PATTERN)
_REJECTIONS = {
    "unsupported_type": EVIDENCE_UNSUPPORTED_TYPE,
    "unreadable": EVIDENCE_UNREADABLE,
    "too_many_pixels": EVIDENCE_TOO_MANY_PIXELS,
}


class EvidenceOut(msgspec.Struct):
    """A stored photo: `id` is what a Photo item's answer lists."""

    id: uuid.UUID
    item: str
    width: int
    height: int
    size: int
    sha256: str


class PhotoUpload(msgspec.Struct):
    photo: UploadFile


# ---------------------------------------------------------------- storing photos


def storage(request: Request) -> Storage:
    """The app's storage, made from its settings on first use."""
    state = request.app.state
    found = state.get("storage")
    if found is None:
        found = state.storage = storage_for(state.settings)
    return found


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def read_uploads(request: Request, files: Sequence[object]) -> list[evidence.Upload]:
    """The chosen files (an empty file input sends one empty part), once each."""
    limit = _settings(request).photo_max_bytes
    uploads: dict[str, evidence.Upload] = {}
    for file in files:
        if not isinstance(file, UploadFile):
            continue
        content = await file.read(limit + 1)
        if len(content) > limit:
            raise ApiProblem(EVIDENCE_TOO_LARGE, _limit_detail(request))
        if content:
            digest = hashlib.sha256(content).hexdigest()
            uploads.setdefault(digest, evidence.Upload(content, digest))
    if not uploads:
        raise ApiProblem(EVIDENCE_MISSING)
    for upload in uploads.values():  # cheap, before any decoding: all or nothing
        if photos.sniff(upload.content) is None:
            raise ApiProblem(EVIDENCE_UNSUPPORTED_TYPE)
    return list(uploads.values())


# ---------------------------------------------------------------- access


async def _visible_submission(principal: Principal, submission_id: uuid.UUID) -> dict:
    """The submission if `principal` may see it; 404 otherwise (never tell others it exists)."""
    submission = await queries.find(submission_id)
    if submission is None or not await rules_of_access.may_view(principal, submission):
        raise NotFoundException("No such submission")
    return submission


async def _require_editable(principal: Principal, submission: dict) -> None:
    if await rules_of_access.may_change(principal, submission):
        return
    if submission["author_id"] != principal.user_id:
        raise PermissionDeniedException("Only the author changes the photos of a draft")
    raise ApiProblem(EVIDENCE_SUBMISSION_CLOSED)


async def _photo_item(submission: dict, item_id: str) -> tuple[Section, Photo | Check, int]:
    """The item (a photo item, or a check item), its section and how many photos it takes."""
    definition: FormDefinition | None = await catalog.definition_by_id(
        submission["form_version_id"]
    )
    for section, item in definition.items() if definition else []:
        if item.id == item_id and isinstance(item, Photo):
            return section, item, item.max_count
        if item.id == item_id and isinstance(item, Check):
            return section, item, CHECK_PHOTOS
    raise ApiProblem(EVIDENCE_ITEM_INVALID, f"item {item_id} takes no photos")


# ---------------------------------------------------------------- answers


def _megabytes(request: Request) -> str:
    return f"{_settings(request).photo_max_bytes / (1024 * 1024):.1f}".removesuffix(".0")


def _limit_detail(request: Request) -> str:
    """The API's detail of a too-large problem (English, like every API detail)."""
    return f"at most {_megabytes(request)} MB per photo (PHOTO_MAX_BYTES)"


def _message(kind: ProblemKind, request: Request) -> str:
    """What a person reads: the catalogue's title, with the limit for a too-large photo."""
    chinese = current_language.get() == "zh"
    title = kind.title_zh if chinese else kind.title
    if kind is EVIDENCE_TOO_LARGE:
        limit = _("At most %(size)s MB per photo.") % {"size": _megabytes(request)}
        return f"{title}{'：' if chinese else ': '}{limit}"
    return title


def _fill_page(submission_id: uuid.UUID, section: Section | None, item_id: str) -> str:
    query = f"?section={section.id}" if section is not None else ""
    return f"/submissions/{submission_id}{query}#item-{item_id}"


async def _photos_partial(
    request: Request,
    submission: dict,
    item: Photo | Check,
    error: str | None = None,
    status_code: int = 200,
    added: Sequence[dict] = (),
) -> Template:
    by_item = await queries.evidence_by_item(submission["id"])
    context = {
        "submission": submission,
        "item": item,
        "photos": by_item.get(item.id, []),
        "editable": await rules_of_access.may_change(request.user, submission),
        "photo_error": error,
        "added": added,
    }
    return Template("collection/_photos.html", context=context, status_code=status_code)


async def _refused(
    request: Request, submission: dict, item: Photo | Check, exc: ApiProblem
) -> Template:
    """A refused upload or removal: in the item's photos (htmx), or as a page."""
    if is_htmx(request):
        message = _message(exc.kind, request)
        return await _photos_partial(request, submission, item, message, exc.kind.status)
    return _error_page(request, exc.kind)


def _error_page(request: Request, kind: ProblemKind) -> Template:
    context = {"status": kind.status, "title": _message(kind, request), "detail": None}
    return Template("error.html", context=context, status_code=kind.status)


def too_large(request: Request, exc: HTTPException) -> Response:
    """413 from the size checks or from Litestar's body limit, said with our limit."""
    kind = exc.kind if isinstance(exc, ApiProblem) else EVIDENCE_TOO_LARGE
    if request.url.path.startswith("/api/"):
        detail = exc.problem_detail if isinstance(exc, ApiProblem) else None
        return problem_response(kind, detail or _limit_detail(request))
    if is_htmx(request):
        # Refused before the handler (a body without Content-Length over the ceiling):
        # the message is added to the item's photos, which stay as they are.
        item_id = str(request.path_params.get("item_id", ""))
        return Template(
            "collection/_photos.html",
            context={"only_error": True, "photo_error": _message(kind, request)},
            status_code=413,
            headers={"HX-Retarget": f"#photos-{item_id}", "HX-Reswap": "beforeend"},
        )  # type: ignore[return-value]
    return _error_page(request, kind)  # type: ignore[return-value]


async def refuse_oversized_page(request: Request) -> Response | None:
    """before_request: 413 at once when Content-Length is over what the settings allow
    (Litestar's own limit is the fixed ceiling); with htmx, in the item's photos."""
    settings = _settings(request)
    if (request.content_length or 0) <= PHOTOS_PER_POST * settings.photo_max_bytes + _FORM_OVERHEAD:
        return None
    if not is_htmx(request):
        raise ApiProblem(EVIDENCE_TOO_LARGE, _limit_detail(request))
    submission = await _visible_submission(request.user, request.path_params["submission_id"])
    _, item, _limit = await _photo_item(submission, request.path_params["item_id"])
    return await _photos_partial(
        request, submission, item, _message(EVIDENCE_TOO_LARGE, request), 413
    )


async def refuse_oversized_api(request: Request) -> None:
    if (request.content_length or 0) > _settings(request).photo_max_bytes + _FORM_OVERHEAD:
        raise ApiProblem(EVIDENCE_TOO_LARGE, _limit_detail(request))


# ---------------------------------------------------------------- pages


@post(
    "/submissions/{submission_id:uuid}/items/{item_id:str}/photos",
    status_code=303,
    opt=access(SIGNED_IN),
    include_in_schema=False,
    request_max_body_size=PAGE_BODY_CEILING,
    before_request=refuse_oversized_page,
    exception_handlers={413: too_large},
)
async def upload_photos(
    request: Request, submission_id: FromPath[uuid.UUID], item_id: FromPath[str], data: UploadBody
) -> Response:
    principal: Principal = request.user
    submission = await _visible_submission(principal, submission_id)
    section, item, limit = await _photo_item(submission, item_id)
    try:
        await _require_editable(principal, submission)
        files = data.get("photo")
        files = files if isinstance(files, list) else [files]
        if len(files) > PHOTOS_PER_POST:
            raise ApiProblem(EVIDENCE_TOO_MANY, f"at most {PHOTOS_PER_POST} photos at once")
        uploads = await read_uploads(request, files)
        attached = await evidence.attach(
            storage(request), submission_id, item_id, uploads, principal.user_id, limit
        )
        await evidence.sync_answer(submission, item)
    except ApiProblem as exc:
        return await _refused(request, submission, item, exc)
    if is_htmx(request):
        return await _photos_partial(request, submission, item, added=[r for r, _ in attached])
    return Redirect(_fill_page(submission_id, section, item_id), status_code=303)


@post(
    "/submissions/{submission_id:uuid}/photos/{evidence_id:uuid}/remove",
    status_code=303,
    opt=access(SIGNED_IN),
    include_in_schema=False,
)
async def remove_photo(
    request: Request, submission_id: FromPath[uuid.UUID], evidence_id: FromPath[uuid.UUID]
) -> Response:
    """Take a photo off the draft; the file and the row stay (an earlier revision may
    show it, and uploading it again brings the same row back)."""
    principal: Principal = request.user
    submission = await _visible_submission(principal, submission_id)
    row = await evidence.find_evidence(evidence_id)
    if row is None or row["submission"] != submission_id:
        raise NotFoundException("No such photo")
    section, item, _limit = await _photo_item(submission, row["item"])
    try:
        await _require_editable(principal, submission)
        await evidence.set_removed(evidence_id, True)
        await evidence.sync_answer(submission, item)
    except ApiProblem as exc:
        return await _refused(request, submission, item, exc)
    if is_htmx(request):
        return await _photos_partial(request, submission, item)
    return Redirect(_fill_page(submission_id, section, item.id), status_code=303)


async def _viewable_evidence(principal: Principal, evidence_id: uuid.UUID) -> dict:
    row = await evidence.find_evidence(evidence_id)
    if row is None:
        raise NotFoundException("No such photo")
    submission = await queries.find(row["submission"])
    if submission is None:  # uploaded through the API ahead of its submission
        allowed = row["uploaded_by"] == principal.user_id
    else:
        allowed = await rules_of_access.may_view(principal, submission)
    if not allowed:
        raise NotFoundException("No such photo")
    return row


async def serve(request: Request, key: str) -> Response[bytes]:
    etag = f'"{key.rsplit("/", 1)[-1]}"'  # named by the photo's hash: immutable
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    try:
        content = await storage(request).get(key)
    except MissingObject:
        raise NotFoundException("The photo file is missing") from None
    return Response(content, media_type=photos.STORED_CONTENT_TYPE, headers=headers)


@get("/evidence/{evidence_id:uuid}", opt=JPEG_OPT, include_in_schema=False)
async def evidence_image(request: Request, evidence_id: FromPath[uuid.UUID]) -> Response[bytes]:
    row = await _viewable_evidence(request.user, evidence_id)
    return await serve(request, row["image_key"])


@get("/evidence/{evidence_id:uuid}/thumbnail", opt=JPEG_OPT, include_in_schema=False)
async def evidence_thumbnail(request: Request, evidence_id: FromPath[uuid.UUID]) -> Response[bytes]:
    row = await _viewable_evidence(request.user, evidence_id)
    return await serve(request, row["thumbnail_key"])


# ---------------------------------------------------------------- API


async def _within_pending_cap(
    principal: Principal, submission_id: uuid.UUID, item: str, upload: evidence.Upload
) -> None:
    """409 when the account's pending photos are at the cap, unless this photo is one
    of them already (a retry is answered as before)."""
    stored = await evidence.evidence_of(submission_id, item)
    if any(row["sha256"] == upload.sha256 for row in stored):
        return
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=PENDING_DAYS)
    if await evidence.pending_photos(principal.user_id, since) >= PENDING_PER_ACCOUNT:
        raise ApiProblem(
            EVIDENCE_TOO_MANY_PENDING,
            f"at most {PENDING_PER_ACCOUNT} photos for submissions not yet posted "
            f"(uploaded in the last {PENDING_DAYS} days)",
        )


@post(
    "/api/v1/submissions/{submission_id:uuid}/evidence",
    summary="Upload one photo for an item of a submission",
    description=(
        "Multipart, one file in the field `photo` (JPEG, PNG, WebP or HEIC, at most "
        "PHOTO_MAX_BYTES: 10 MB unless configured). Stored without metadata (no GPS), "
        "at most 1600 px on the long edge. 201 the first time; 200 with the same body "
        "when the same photo is sent again for the same submission and item (safe to "
        "retry). Upload before posting the submission, and list the returned `id` in a "
        "photo item's answer; only the account that uploaded a photo may use it. Before "
        f"the submission exists: at most {PENDING_PHOTOS} photos per item, and at most "
        f"{PENDING_PER_ACCOUNT} photos per account for submissions not yet posted, over "
        f"every id (uploaded in the last {PENDING_DAYS} days; 409 "
        "`evidence.too_many_pending`: post those submissions first). Once the submission "
        "exists, only its author adds photos, while it is a draft or a correction. "
        "Pictures over 50 megapixels or 8192 px on a side (PNG and WebP: 16 megapixels) "
        "are refused (413 `evidence.too_many_pixels`)."
    ),
    tags=["submissions"],
    status_code=201,
    opt=access(SIGNED_IN),
    request_max_body_size=API_BODY_CEILING,
    before_request=refuse_oversized_api,
    exception_handlers={413: too_large},
    responses={
        200: ResponseSpec(EvidenceOut, description="This photo was already uploaded"),
        **problem_responses(400, 401, 403, 404, 409, 413, 415),
    },
)
async def upload_evidence(
    request: Request,
    submission_id: FromPath[uuid.UUID],
    item: FromQuery[Annotated[str, Parameter(description="The item id", max_length=64)]],
    data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Response[EvidenceOut]:
    principal: Principal = request.user
    if not _ITEM_ID.fullmatch(item):
        raise ApiProblem(EVIDENCE_ITEM_INVALID, f"not an item id: {item}")
    submission = await queries.find(submission_id)
    if submission is None:
        limit = PENDING_PHOTOS
        if await evidence.others_uploaded(submission_id, principal.user_id):
            raise NotFoundException("Another account uploads for this submission")
    else:
        if not await rules_of_access.may_view(principal, submission):
            raise NotFoundException("No such submission")
        await _require_editable(principal, submission)
        _, _item, limit = await _photo_item(submission, item)
    uploads = await read_uploads(request, [data.photo])
    if submission is None:
        await _within_pending_cap(principal, submission_id, item, uploads[0])
    [(row, created)] = await evidence.attach(
        storage(request), submission_id, item, uploads, principal.user_id, limit
    )
    body = EvidenceOut(
        id=row["id"],
        item=row["item"],
        width=row["width"],
        height=row["height"],
        size=row["size"],
        sha256=row["sha256"],
    )
    return Response(body, status_code=201 if created else 200)


ROUTES = [upload_photos, remove_photo, evidence_image, evidence_thumbnail, upload_evidence]
