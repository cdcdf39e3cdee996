"""Admin pages for people: list, create, reset a password, disable, roles; the audit log."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from service.web.access import access
from service.web.auth import client_ip
from service.web.i18n import gettext_ as _

from . import audit, sessions, users
from .passwords import temporary_password
from .principal import Principal, Role

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value)) if str(value).strip() else None
    except ValueError:
        return None


class UserAdmin(Controller):
    path = "/admin"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/users", name="admin_users")
    async def list_page(self) -> Template:
        return await _page()

    @post("/users", status_code=200)
    async def create(self, request: Request, data: FormBody) -> Template:
        actor: Principal = request.user
        username = str(data.get("username", "")).strip().lower()
        role = str(data.get("role", ""))
        if not username or role not in Role.__members__:
            return await _page(error=_("Give a user name and a role."), status=400)
        password = temporary_password()
        grant = (
            Role(role),
            _int_or_none(data.get("town_id")),
            _int_or_none(data.get("enterprise_id")),
        )
        try:
            user_id = await users.create_user(
                username, str(data.get("display_name", "")), password, [grant]
            )
        except users.UserExists:
            return await _page(error=_("That user name is taken."), status=400)
        await audit.record(
            "user_created",
            actor_id=actor.user_id,
            subject=username,
            ip=client_ip(request.scope),
            role=role,
        )
        return await _page(shown_password=(username, password), highlight=user_id)

    @post("/users/{user_id:int}/password", status_code=200)
    async def reset_password(self, request: Request, user_id: FromPath[int]) -> Template:
        actor: Principal = request.user
        user = await _user(user_id)
        password = temporary_password()
        await users.set_password(user_id, password)
        await sessions.end_all_sessions(user_id)
        await audit.record(
            "password_reset",
            actor_id=actor.user_id,
            subject=user["username"],
            ip=client_ip(request.scope),
        )
        return await _page(shown_password=(user["username"], password), highlight=user_id)

    @post("/users/{user_id:int}/active", status_code=303)
    async def set_active(
        self, request: Request, user_id: FromPath[int], data: FormBody
    ) -> Redirect:
        actor: Principal = request.user
        user = await _user(user_id)
        active = str(data.get("active")) == "1"
        if user_id == actor.user_id and not active:
            return Redirect("/admin/users", status_code=303)  # never lock oneself out
        await users.set_active(user_id, active)
        if not active:
            await sessions.end_all_sessions(user_id)
        await audit.record(
            "user_enabled" if active else "user_disabled",
            actor_id=actor.user_id,
            subject=user["username"],
            ip=client_ip(request.scope),
        )
        return Redirect("/admin/users", status_code=303)

    @post("/users/{user_id:int}/roles", status_code=303)
    async def change_role(
        self, request: Request, user_id: FromPath[int], data: FormBody
    ) -> Redirect:
        actor: Principal = request.user
        user = await _user(user_id)
        role = str(data.get("role", ""))
        if role not in Role.__members__:
            return Redirect("/admin/users", status_code=303)
        if str(data.get("action")) == "revoke":
            changed = await users.revoke_role(user_id, Role(role)) > 0
            event = "role_revoked"
        else:
            changed = await users.grant_role(
                user_id,
                Role(role),
                town_id=_int_or_none(data.get("town_id")),
                enterprise_id=_int_or_none(data.get("enterprise_id")),
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
    async def audit_log(self, event: FromQuery[str | None] = None) -> Template:
        events = await audit.recent(event=event or None)
        return Template("admin/audit.html", context={"events": events, "event": event})


async def _user(user_id: int) -> dict:
    user = await users.get_user(user_id)
    if user is None:
        raise NotFoundException("No such user")
    return user


async def _page(
    *,
    error: str | None = None,
    shown_password: tuple[str, str] | None = None,
    highlight: int | None = None,
    status: int = 200,
) -> Template:
    context = {
        "users": await users.list_users(),
        "roles": [role.value for role in Role],
        "error": error,
        "shown_password": shown_password,
        "highlight": highlight,
    }
    return Template("admin/users.html", context=context, status_code=status)
