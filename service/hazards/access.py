"""Who sees which hazards and what they are to one.

- An admin sees the hazards of the enterprises in their towns (a county admin: all).
- An enterprise account sees its own enterprise's hazards.
- A supervisor sees the hazards of the enterprises they watch, and those they found.
- A judge as such sees none.
"""

from __future__ import annotations

from typing import Any

import msgspec

from service.accounts.principal import Principal, Role
from service.orgs import queries as orgs

from .lifecycle import Actor
from .queries import Filters

# Who works with hazards at all: a judge, as such, has none to see.
HAZARD_ROLES = (Role.admin, Role.supervisor, Role.enterprise)


class Reach(msgspec.Struct, frozen=True):
    """The enterprises one person works with: those listed, and every enterprise of
    the towns listed; `enterprise_ids` None: every enterprise (a county admin)."""

    enterprise_ids: frozenset[int] | None
    town_ids: frozenset[int] = frozenset()


async def reach(
    principal: Principal, roles: tuple[Role, ...] = (Role.admin, Role.enterprise, Role.supervisor)
) -> Reach:
    """Whose hazards, points and cards `principal` sees, counting only `roles`: an
    admin's towns, an enterprise account's own enterprise, a supervisor's watched ones."""
    if Role.admin in roles and principal.has(Role.admin) and principal.admin_towns is None:
        return Reach(None)
    enterprises: set[int] = set()
    if Role.enterprise in roles and principal.has(Role.enterprise):
        enterprises |= principal.enterprises
    if Role.supervisor in roles and principal.has(Role.supervisor):
        enterprises |= await orgs.watched_by(principal.user_id)
    towns = principal.admin_towns if Role.admin in roles and principal.has(Role.admin) else None
    return Reach(frozenset(enterprises), towns or frozenset())


def within(reach: Reach, enterprise_column: Any, town_column: Any) -> Any:
    """The WHERE clause keeping a query to `reach`; None when it is everything."""
    if reach.enterprise_ids is None:
        return None
    clause = enterprise_column.is_in(list(reach.enterprise_ids) or [-1])
    if reach.town_ids:
        clause = clause | town_column.is_in(list(reach.town_ids))
    return clause


def reach_filters(reach: Reach, **narrowing: Any) -> Filters:
    """The register's filters for `reach`, plus a page's own narrowing."""
    if reach.enterprise_ids is None:
        return Filters(**narrowing)
    return Filters(
        enterprise_ids=reach.enterprise_ids, town_ids=reach.town_ids or None, **narrowing
    )


async def scope(principal: Principal, **narrowing: Any) -> Filters:
    """The register filters that keep `principal` to what they may see (and, for a
    supervisor, the hazards they found), plus the page's own `narrowing`."""
    seen = await reach(principal)
    if seen.enterprise_ids is not None and principal.has(Role.supervisor):
        narrowing["found_by"] = principal.user_id
    return reach_filters(seen, **narrowing)


async def actor(principal: Principal, hazard: dict) -> Actor:
    enterprise = hazard["enterprise"]
    watching = principal.has(Role.supervisor) and enterprise in await orgs.watched_by(
        principal.user_id
    )
    return Actor(
        user_id=principal.user_id,
        town_admin=principal.manages_town(hazard["town_id"]),
        enterprise_account=principal.has(Role.enterprise) and enterprise in principal.enterprises,
        watching=watching,
    )


def may_view(principal: Principal, who: Actor, hazard: dict) -> bool:
    return (
        who.town_admin
        or who.enterprise_account
        or who.watching
        or hazard["found_by"] == principal.user_id
    )
