"""Who may use a route: every route declares it, and one guard enforces it.

    @get("/admin/users", opt=access(Role.admin))

A route without a declaration is refused with 500 and named in the log, so a new
route cannot be left open by mistake; the authorization test also fails on it.
"""

from __future__ import annotations

import logging

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.accounts.principal import Principal, Role

log = logging.getLogger(__name__)

PUBLIC = "public"
SIGNED_IN = "signed_in"


def access(*roles: Role | str) -> dict[str, object]:
    """The opt of a route: access(PUBLIC), access(SIGNED_IN) or access(Role.admin, …)."""
    if roles in ((PUBLIC,), (SIGNED_IN,)):
        return {"access": roles[0]}
    return {"access": frozenset(Role(role) for role in roles)}


def current_principal(connection: ASGIConnection) -> Principal | None:
    return connection.scope.get("user")  # type: ignore[return-value]


def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    rule = handler.opt.get("access")
    if rule is None and connection.scope.get("method") == "OPTIONS":
        return  # Litestar's own answer to OPTIONS: the allowed methods, nothing else
    if rule is None:
        log.error("route %s declares no access rule", connection.url.path)
        raise RuntimeError(f"route {handler} declares no access rule")
    if rule == PUBLIC:
        return
    principal = current_principal(connection)
    if principal is None:
        raise NotAuthorizedException("Sign in first")
    if rule == SIGNED_IN:
        return
    if not principal.has(*rule):
        raise PermissionDeniedException("Not allowed for your role")
