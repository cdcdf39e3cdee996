"""Signing in and out, one's own account (password, API tokens), the language switch."""

from __future__ import annotations

import math
from typing import Any

import anyio
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.web.access import PUBLIC, SIGNED_IN, access
from service.web.auth import client_ip
from service.web.forms import FormBody
from service.web.i18n import LANGUAGES, current_language
from service.web.i18n import gettext_ as _
from service.web.i18n import ngettext_ as ngettext
from service.web.language import LANGUAGE_COOKIE
from service.web.urls import RowId, safe_next

from . import audit, sessions, throttle, tokens
from .passwords import needs_rehash, password_problem, verify_password
from .principal import Principal
from .users import find_by_username, set_password


def session_cookie(request: Request, token: str, max_age: int | None) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "key": sessions.COOKIE_NAME,
        "value": token,
        "httponly": True,
        "samesite": "lax",
        "secure": settings.secure_cookies,
        "max_age": max_age,
        "path": "/",
    }


@get("/login", opt=access(PUBLIC), include_in_schema=False, name="login")
async def login_page(target: FromQuery[str | None] = None) -> Template:
    return Template(
        "accounts/login.html", context={"next": safe_next(target or "/"), "error": None}
    )


@post("/login", opt=access(PUBLIC), include_in_schema=False, status_code=303)
async def login(request: Request, data: FormBody) -> Response:
    username = str(data.get("username", "")).strip().lower()[:64]
    password = str(data.get("password", ""))
    target = safe_next(str(data.get("next") or "/"))
    ip = client_ip(request.scope)

    def again(message: str, status: int, wait: int = 0) -> Template:
        context = {"next": target, "error": message, "username": username}
        headers = {"Retry-After": str(wait)} if wait else None
        return Template("accounts/login.html", context=context, status_code=status, headers=headers)

    wait = await throttle.attempt(username, ip)
    if wait:
        return again(wait_message(wait), 429, wait)
    user = await find_by_username(username)
    stored = user["password_hash"] if user else None
    # argon2 takes ~0.1 s of CPU: off the event loop, so other requests go on meanwhile.
    matches = await anyio.to_thread.run_sync(verify_password, stored, password)
    if not matches or not (user and user["is_active"]):
        await audit.record("login_failed", subject=username, ip=ip)
        return again(_("Wrong user name or password."), 400)
    if needs_rehash(user["password_hash"]):
        await set_password(user["id"], password)
    await throttle.succeeded(username, ip)
    principal: Principal | None = request.scope.get("user")  # type: ignore[assignment]
    if principal is not None and principal.session_id is not None:
        await sessions.end_session(principal.session_id)  # a new id at every sign-in
    token = await sessions.start_session(user["id"], ip=ip, language=current_language.get())
    await audit.record("login", actor_id=user["id"], subject=username, ip=ip)
    max_age = request.app.state.settings.session_max_hours * 3600
    response = Redirect(target, status_code=303)
    response.set_cookie(**session_cookie(request, token, max_age))
    return response


def wait_message(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Too many failed attempts. Wait %(num)s second and try again.",
            "Too many failed attempts. Wait %(num)s seconds and try again.",
            seconds,
        ) % {"num": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many failed attempts. Wait %(num)s minute and try again.",
        "Too many failed attempts. Wait %(num)s minutes and try again.",
        minutes,
    ) % {"num": minutes}


@post("/logout", opt=access(SIGNED_IN), include_in_schema=False, status_code=303)
async def logout(request: Request) -> Response:
    principal: Principal = request.user
    if principal.session_id is not None:
        await sessions.end_session(principal.session_id)
    await audit.record("logout", actor_id=principal.user_id, ip=client_ip(request.scope))
    response = Redirect("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


@get("/account", opt=access(SIGNED_IN), include_in_schema=False, name="account")
async def account_page(request: Request) -> Template:
    return await _account(request)


async def _account(
    request: Request,
    *,
    message: str | None = None,
    error: str | None = None,
    new_token: str | None = None,
    status: int = 200,
) -> Template:
    principal: Principal = request.user
    context = {
        "tokens": await tokens.list_tokens(principal.user_id),
        "message": message,
        "error": error,
        "new_token": new_token,
        "token_days": request.app.state.settings.api_token_days,
    }
    return Template("accounts/account.html", context=context, status_code=status)


@post("/account/password", opt=access(SIGNED_IN), include_in_schema=False, status_code=200)
async def change_password(request: Request, data: FormBody) -> Template:
    principal: Principal = request.user
    current = str(data.get("current_password", ""))
    new = str(data.get("new_password", ""))
    ip = client_ip(request.scope)
    # A stolen session must not become a way to guess the password: the same throttle
    # as signing in, counted together with it.
    wait = await throttle.attempt(principal.username, ip)
    if wait:
        return await _account(request, error=wait_message(wait), status=429)
    user = await find_by_username(principal.username)
    stored = user["password_hash"] if user else None
    if not await anyio.to_thread.run_sync(verify_password, stored, current):
        await audit.record("password_change_failed", actor_id=principal.user_id, ip=ip)
        return await _account(request, error=_("The current password is wrong."), status=400)
    await throttle.succeeded(principal.username, ip)
    if new != str(data.get("new_password_again", "")):
        return await _account(request, error=_("The two new passwords differ."), status=400)
    problem = password_problem(new, principal.username)
    if problem:
        return await _account(request, error=_(problem), status=400)
    await set_password(principal.user_id, new)
    # Whoever else was signed in as this person (a lost phone) is signed out, and the
    # programs and devices holding their tokens lose access.
    await sessions.end_other_sessions(principal.user_id, keep=principal.session_id)
    await tokens.revoke_all_tokens(principal.user_id)
    await audit.record("password_changed", actor_id=principal.user_id, ip=ip)
    return await _account(request, message=_("Your password has been changed."))


@post("/account/tokens", opt=access(SIGNED_IN), include_in_schema=False, status_code=200)
async def create_token(request: Request, data: FormBody) -> Template:
    principal: Principal = request.user
    days = request.app.state.settings.api_token_days
    token = await tokens.create_token(principal.user_id, str(data.get("name", "")), days=days)
    await audit.record(
        "token_created", actor_id=principal.user_id, subject=token[:10], ip=client_ip(request.scope)
    )
    return await _account(request, new_token=token)


@post(
    "/account/tokens/{token_id:int}/revoke",
    opt=access(SIGNED_IN),
    include_in_schema=False,
    status_code=303,
)
async def revoke_token(request: Request, token_id: FromPath[RowId]) -> Redirect:
    principal: Principal = request.user
    if await tokens.revoke_token(principal.user_id, token_id):
        await audit.record(
            "token_revoked",
            actor_id=principal.user_id,
            subject=str(token_id),
            ip=client_ip(request.scope),
        )
    return Redirect("/account", status_code=303)


@post("/language", opt=access(PUBLIC), include_in_schema=False, status_code=303)
async def switch_language(request: Request, data: FormBody) -> Response:
    """The language switch: kept in the session when signed in, else in a cookie."""
    language = str(data.get("language", ""))
    response = Redirect(safe_next(str(data.get("next") or "/")), status_code=303)
    if language not in LANGUAGES:
        return response
    principal: Principal | None = request.scope.get("user")  # type: ignore[assignment]
    if principal is not None and principal.session_id is not None:
        await sessions.set_language(principal.session_id, language)
    else:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    return response


ROUTES = [
    login_page,
    login,
    logout,
    account_page,
    change_password,
    create_token,
    revoke_token,
    switch_language,
]
