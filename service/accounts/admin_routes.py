"""Admin pages for people: list, create, reset a password, disable, roles; the audit log."""

from __future__ import annotations

import re
from typing import ClassVar

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.orgs.queries import get_enterprise, towns_for
from service.web.access import access
from service.web.auth import client_ip
from service.web.forms import FormBody, row_id_or_none
from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.urls import RowId

from . import audit, audit_view, sessions, tokens, users
from .passwords import temporary_password
from .principal import Principal, Role
from .reach import manageable

USERNAME = re.compile(r"[a-z0-9._-]{2,64}")


async def _grant_problem(
    actor: Principal, role: Role, town_id: int | None, enterprise_id: int | None
) -> str | None:
    """Why this admin may not give this role (a msgid), or None. A town's admin gives
    roles within the town: admin of that town, accounts of its enterprises; only a
    county-level admin makes county-level admins."""
    if role is Role.admin:
        if town_id is None and actor.admin_towns is not None:
            return _l("Only a county-level admin can make a county-level admin.")
        if town_id is not None and not actor.manages_town(town_id):
            return _l("That town is not one of yours.")
    if role is Role.enterprise:
        enterprise = await get_enterprise(enterprise_id) if enterprise_id else None
        if enterprise is None:
            return _l("An enterprise account needs the number of an enterprise.")
        if not actor.manages_town(enterprise["town_id"]):
            return _l("That enterprise is not in your towns.")
    return None


async def _may_manage(actor: Principal, user_id: int) -> bool:
    return user_id in await manageable(actor, [user_id])


def _grant_town(actor: Principal, role: Role, posted: object) -> int | None:
    """The town a grant is made in. An admin grant's is its scope. A supervisor or
    judge made by a town's admin is tied to that town (the posted one of theirs, else
    their first), so that they keep managing them before any work ties them there."""
    town_id = row_id_or_none(posted)
    if role is Role.admin:
        return town_id
    if role is Role.enterprise or actor.admin_towns is None:
        return None
    if town_id is not None and actor.manages_town(town_id):
        return town_id
    return min(actor.admin_towns, default=None)


class UserAdmin(Controller):
    path = "/admin"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/users", name="admin_users")
    async def list_page(self, request: Request) -> Template:
        return await _page(request.user)

    @post("/users", status_code=200)
    async def create(self, request: Request, data: FormBody) -> Template:
        actor: Principal = request.user
        username = str(data.get("username", "")).strip().lower()
        role = str(data.get("role", ""))
        if not USERNAME.fullmatch(username) or role not in Role.__members__:
            return await _page(
                actor,
                error=_("Give a user name (2–64 letters, digits, . _ -) and a role."),
                status=400,
            )
        if len(str(data.get("display_name", ""))) > 100:
            return await _page(
                actor, error=_("The name is too long (at most 100 characters)."), status=400
            )
        password = temporary_password()
        grant = (  # a town belongs to an admin grant, an enterprise to an enterprise account
            Role(role),
            _grant_town(actor, Role(role), data.get("town_id")),
            row_id_or_none(data.get("enterprise_id")) if role == Role.enterprise else None,
        )
        problem = await _grant_problem(actor, *grant)
        if problem:
            return await _page(actor, error=_(problem), status=403)
        try:
            user_id = await users.create_user(
                username, str(data.get("display_name", "")), password, [grant]
            )
        except users.UserExists:
            return await _page(actor, error=_("That user name is taken."), status=400)
        await audit.record(
            "user_created",
            actor_id=actor.user_id,
            subject=username,
            ip=client_ip(request.scope),
            role=role,
        )
        return await _page(actor, shown_password=(username, password), highlight=user_id)

    @post("/users/{user_id:int}/password", status_code=200)
    async def reset_password(self, request: Request, user_id: FromPath[RowId]) -> Template:
        actor: Principal = request.user
        user = await _user(user_id)
        if not await _may_manage(actor, user_id):
            raise PermissionDeniedException("That person's roles reach beyond your towns")
        password = temporary_password()
        await users.set_password(user_id, password)
        await sessions.end_all_sessions(user_id)
        await tokens.revoke_all_tokens(user_id)
        await audit.record(
            "password_reset",
            actor_id=actor.user_id,
            subject=user["username"],
            ip=client_ip(request.scope),
        )
        return await _page(actor, shown_password=(user["username"], password), highlight=user_id)

    @post("/users/{user_id:int}/active", status_code=303)
    async def set_active(
        self, request: Request, user_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        actor: Principal = request.user
        user = await _user(user_id)
        if not await _may_manage(actor, user_id):
            raise PermissionDeniedException("That person's roles reach beyond your towns")
        active = str(data.get("active")) == "1"
        if user_id == actor.user_id and not active:
            return Redirect("/admin/users", status_code=303)  # never lock oneself out
        await users.set_active(user_id, active)
        if not active:
            await sessions.end_all_sessions(user_id)
            await tokens.revoke_all_tokens(user_id)
        await audit.record(
            "user_enabled" if active else "user_disabled",
            actor_id=actor.user_id,
            subject=user["username"],
            ip=client_ip(request.scope),
        )
        return Redirect("/admin/users", status_code=303)

    @post("/users/{user_id:int}/roles", status_code=303)
    async def change_role(
        self, request: Request, user_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        actor: Principal = request.user
        user = await _user(user_id)
        role = str(data.get("role", ""))
        if role not in Role.__members__:
            return Redirect("/admin/users", status_code=303)
        if not await _may_manage(actor, user_id):
            raise PermissionDeniedException("That person's roles reach beyond your towns")
        if str(data.get("action")) == "revoke":
            changed = await users.revoke_role(user_id, Role(role)) > 0
            event = "role_revoked"
        else:
            town_id = _grant_town(actor, Role(role), data.get("town_id"))
            enterprise_id = row_id_or_none(data.get("enterprise_id"))
            if await _grant_problem(actor, Role(role), town_id, enterprise_id):
                raise PermissionDeniedException("Not a role you can give")
            changed = await users.grant_role(
                user_id, Role(role), town_id=town_id, enterprise_id=enterprise_id
            )
            event = "role_granted"
        if changed:
            await audit.record(
                event,
                actor_id=actor.user_id,
                subject=user["username"],
                ip=client_ip(request.scope),
                role=role,
            )
        return Redirect("/admin/users", status_code=303)

    @get("/audit", name="admin_audit")
    async def audit_log(self, request: Request, event: FromQuery[str | None] = None) -> Template:
        # Events name people and addresses from every town: the county's to read.
        if request.user.admin_towns is not None:
            raise PermissionDeniedException("The audit log is for county-level admins")
        rows = await audit.recent(event=event or None)
        names = await audit_view.names_for(rows)
        lines = [audit_view.describe(row, names) for row in rows]
        context = {
            "lines": lines,
            "event": event,
            "event_label": audit_view.event_label,
        }
        return Template("admin/audit.html", context=context)


async def _user(user_id: int) -> dict:
    user = await users.get_user(user_id)
    if user is None:
        raise NotFoundException("No such user")
    return user


async def _page(
    actor: Principal,
    *,
    error: str | None = None,
    shown_password: tuple[str, str] | None = None,
    highlight: int | None = None,
    status: int = 200,
) -> Template:
    everyone = await users.list_users()
    managed = await manageable(actor, [u["id"] for u in everyone])
    context = {
        "users": [u for u in everyone if u["id"] in managed],
        "roles": [role.value for role in Role],
        "towns": await towns_for(actor),
        "county_level": actor.admin_towns is None,
        "error": error,
        "shown_password": shown_password,
        "highlight": highlight,
    }
    return Template("admin/users.html", context=context, status_code=status)
