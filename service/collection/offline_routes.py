"""Filling without signal: the service worker, the app manifest, the outbox page,
a task's offline page (every section at once) and its JSON, and the device token
the phone syncs with.

The phone keeps a task (the page, the JSON, the app shell) while it has signal; the
service worker serves them when it has none. What is filled offline waits on the
phone (IndexedDB) and goes through the idempotent API when the signal is back:
photos first, then the submission, each safe to retry (static/js/outbox.js).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from service.accounts import tokens
from service.accounts.principal import Principal, Role
from service.accounts.sessions import token_hash
from service.accounts.tables import ApiToken
from service.campaigns.queries import OpenCampaign
from service.forms import catalog
from service.orgs import queries as orgs
from service.settings import PROJECT_ROOT
from service.web.access import PUBLIC, SIGNED_IN, access
from service.web.problems import problem_responses
from service.web.urls import RowId, RowIdOrNone

from . import access as rules_of_access
from . import queries
from .filling import fill_state
from .offline import client_plan, etag_of, page_url
from .rules import Status

STATIC = PROJECT_ROOT / "static"
# What the service worker keeps as the app shell: a new version of any replaces it.
SHELL = (
    "css/app.css",
    "vendor/htmx.min.js",
    "js/app.js",
    "js/conditions.js",
    "js/outbox.js",
    "js/offline.js",
    "js/offline-form.js",
    "img/icon.svg",
)
# The checklist's "place inspected": a hazard point's QR code fills it in.
PLACE_ITEM = "hazard-point"
DEVICE_TOKEN_NAME = "离线同步"  # the account page lists it with the personal tokens
DEVICE_TOKENS_KEPT = 10  # live device tokens per person: the oldest goes first


# ---------------------------------------------------------------- the app shell


@functools.cache
def _service_worker() -> str:
    """The worker's script with the shell's version: a hash of every shell file, so a
    change of any file makes a new worker and a new cache, and the old one goes."""
    script = (STATIC / "js" / "sw.js").read_text()
    digest = hashlib.sha256(script.encode())
    for name in SHELL:
        path = STATIC / name
        digest.update(path.read_bytes() if path.exists() else b"")
    version = digest.hexdigest()[:16]
    shell = ", ".join(f'"/static/{name}"' for name in SHELL)
    return script.replace('"__VERSION__"', f'"{version}"').replace('"__SHELL__"', shell)


@get("/sw.js", opt=access(PUBLIC), include_in_schema=False)
async def service_worker() -> Response[str]:
    return Response(
        _service_worker(),
        media_type="text/javascript; charset=utf-8",
        # Browsers check for a new worker at most daily anyway; never later than that.
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/manifest.webmanifest", opt=access(PUBLIC), include_in_schema=False)
async def manifest() -> Response[bytes]:
    body = {
        "name": "安康 · 检查与考核",
        "short_name": "安康",
        "lang": "zh-CN",
        "start_url": "/tasks",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b91c1c",
        "icons": [{"src": "/static/img/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }
    return Response(
        msgspec.json.encode(body),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=86400"},  # browsers ask on every page
    )


@get("/outbox", opt=access(PUBLIC), include_in_schema=False)
async def outbox_page() -> Template:
    """What waits on this phone to be sent: the list is the phone's, drawn by script."""
    return Template("collection/outbox.html")


# ---------------------------------------------------------------- the device token


class DeviceToken(msgspec.Struct):
    token: str
    user_id: int


@post("/offline/device", opt=access(SIGNED_IN), include_in_schema=False, status_code=201)
async def device_token(request: Request) -> DeviceToken:
    """A token for this phone's outbox: it sends what was filled offline through the
    API even when the page that filled it is closed (the service worker has no
    session cookie of its own to rely on: the session may have ended by then)."""
    principal: Principal = request.user
    token = await tokens.create_token(
        principal.user_id, DEVICE_TOKEN_NAME, days=request.app.state.settings.api_token_days
    )
    live = (
        await ApiToken.select(ApiToken.id)
        .where(
            (ApiToken.user == principal.user_id)
            & (ApiToken.name == DEVICE_TOKEN_NAME)
            & ApiToken.revoked_at.is_null()
        )
        .order_by(ApiToken.id, ascending=False)
    )
    old = [row["id"] for row in live[DEVICE_TOKENS_KEPT:]]
    if old:
        await ApiToken.update(revoked_at=dt.datetime.now(dt.UTC)).where(ApiToken.id.is_in(old))
    return DeviceToken(token=token, user_id=principal.user_id)


@delete(
    "/api/v1/offline/device",
    summary="Revoke the token this request is signed with (a phone signing out)",
    tags=["offline"],
    opt=access(SIGNED_IN),
    status_code=204,
    responses=problem_responses(401),
)
async def revoke_device_token(request: Request) -> None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:  # pragma: no cover - the API needs one
        raise NotAuthorizedException()
    await ApiToken.update(revoked_at=dt.datetime.now(dt.UTC)).where(
        (ApiToken.token_hash == token_hash(token.strip())) & ApiToken.revoked_at.is_null()
    )


# ---------------------------------------------------------------- a task kept offline


async def _task(
    principal: Principal, campaign_id: int, enterprise_id: int, team_id: int | None
) -> OpenCampaign:
    task = await rules_of_access.campaign_task(principal, campaign_id, enterprise_id, team_id)
    if task is None:
        raise NotFoundException("Not a task of yours")
    return task


def _not_modified(request: Request, etag: str) -> Response | None:
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(b"", status_code=304, headers={"ETag": etag})
    return None


@get(
    "/offline/tasks/{campaign_id:int}/{enterprise_id:int}",
    opt=access(SIGNED_IN),
    include_in_schema=False,
)
async def offline_page(
    request: Request,
    campaign_id: FromPath[RowId],
    enterprise_id: FromPath[RowId],
    team: FromQuery[RowIdOrNone] = None,
) -> Template:
    """The whole form, every section, for filling on this phone without signal."""
    task = await _task(request.user, campaign_id, enterprise_id, team)
    definition = await catalog.definition_by_id(task.form_version_id, task.content_hash)
    if definition is None:  # pragma: no cover - a campaign's version is never deleted
        raise NotFoundException("No form")
    enterprise = await orgs.get_enterprise(enterprise_id)
    team_name = next(
        (t["name"] for t in await orgs.teams_of(enterprise_id) if t["id"] == team), None
    )
    context: dict[str, Any] = {
        "task": task,
        "form": definition,
        "enterprise_name": enterprise["name"] if enterprise else "",
        "team_name": team_name,
        "target": {
            "campaign_id": campaign_id,
            "enterprise_id": enterprise_id,
            "team_id": team,
            "repeatable": task.as_role == Role.supervisor,
            "api": "/api/v1" + page_url(campaign_id, enterprise_id, team),
            "page": page_url(campaign_id, enterprise_id, team),
            "scored": definition.scoring is not None,
        },
        "plan": client_plan(definition),
        "state": fill_state(definition, {}),
        "answers": {},
        "evidence": {},
    }
    return Template("collection/offline.html", context=context)


class OfflineSubmission(msgspec.Struct, kw_only=True):
    """The server's copy of the task's draft (or its one submission)."""

    id: str
    status: Status
    answers: dict[str, Any]
    photos: dict[str, list[str]]  # the draft's photos on the server, by item
    updated_at: dt.datetime


class OfflinePoint(msgspec.Struct, kw_only=True):
    """A hazard point of the enterprise: its QR code opens the kept task there."""

    id: int
    place: str  # what the checklist's "place inspected" is filled with


class OfflineTask(msgspec.Struct, kw_only=True):
    """What a phone keeps of a task besides its page: the draft to go on with."""

    campaign_id: int
    enterprise_id: int
    team_id: int | None
    form_id: str
    form_version: int
    role: str
    repeatable: bool  # a supervisor inspects again and again: a new id each time
    page: str  # the offline page of the task
    closes_at: dt.datetime
    submission: OfflineSubmission | None  # None: nothing started on the server
    points: list[OfflinePoint] = []  # for a checklist asking the place inspected


async def _server_copy(
    principal: Principal, task: OpenCampaign, enterprise_id: int, team_id: int | None
) -> OfflineSubmission | None:
    """The draft a phone goes on with: the task's one submission (a self-assessment, a
    judge's evaluation), or a supervisor's newest draft of it."""
    if task.as_role == Role.supervisor:  # the newest draft of mine, if any
        rows = await queries.submissions_of(
            author_id=principal.user_id,
            campaign_ids=[task.campaign_id],
            enterprise_ids=[enterprise_id],
            status=Status.draft.value,
        )
        found = next((r["id"] for r in rows if r["team_id"] == team_id), None)
    else:
        found = await queries.task_submission(
            task.as_role.value, task.campaign_id, enterprise_id, team_id, principal.user_id
        )
    row = await queries.find(found) if found else None
    if row is None:
        return None
    photos = {
        item: [str(photo["id"]) for photo in listed]
        for item, listed in (await queries.evidence_by_item(row["id"])).items()
    }
    return OfflineSubmission(
        id=str(row["id"]),
        status=row["status"],
        answers=row["answers"],
        photos=photos,
        updated_at=row["updated_at"],
    )


async def _points(request: Request, enterprise_id: int) -> list[OfflinePoint]:
    """The enterprise's active hazard points (the task is the caller's: they may see
    them), as (id, place) pairs from the hazard area, wired by the app (service/app.py)."""
    pairs = await request.app.state.inspection_points(enterprise_id)
    return [OfflinePoint(id=point_id, place=place) for point_id, place in pairs]


@get(
    "/api/v1/offline/tasks/{campaign_id:int}/{enterprise_id:int}",
    summary="A task as a phone keeps it for filling offline (with ETag)",
    description=(
        "The task's form version and the server's copy of its draft (answers, photos, "
        "last change). Send the ETag back as If-None-Match: 304 when nothing changed."
    ),
    tags=["offline"],
    opt=access(SIGNED_IN),
    responses=problem_responses(400, 401, 404),
)
async def offline_task(
    request: Request,
    campaign_id: FromPath[RowId],
    enterprise_id: FromPath[RowId],
    team: FromQuery[RowIdOrNone] = None,
) -> Response[OfflineTask]:
    principal: Principal = request.user
    task = await _task(principal, campaign_id, enterprise_id, team)
    definition = await catalog.definition_by_id(task.form_version_id, task.content_hash)
    if definition is None:  # pragma: no cover - a campaign's version is never deleted
        raise NotFoundException("No form")
    body = OfflineTask(
        campaign_id=campaign_id,
        enterprise_id=enterprise_id,
        team_id=team,
        form_id=task.form_id,
        form_version=task.version,
        role=task.as_role.value,
        repeatable=task.as_role == Role.supervisor,
        page=page_url(campaign_id, enterprise_id, team),
        closes_at=task.closes_at,
        submission=await _server_copy(principal, task, enterprise_id, team),
        # Supervisors inspect at hazard points; nobody else is sent them.
        points=await _points(request, enterprise_id)
        if task.as_role == Role.supervisor and PLACE_ITEM in definition.item_map()
        else [],
    )
    etag = etag_of(msgspec.to_builtins(body))
    return _not_modified(request, etag) or Response(
        body, headers={"ETag": etag, "Cache-Control": "private, no-cache"}
    )


ROUTES = [
    service_worker,
    manifest,
    outbox_page,
    device_token,
    revoke_device_token,
    offline_page,
    offline_task,
]
