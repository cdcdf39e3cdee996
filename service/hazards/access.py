"""Who sees which hazards and what they are to one.

- An admin sees the hazards of the enterprises in their towns (a county admin: all).
- An enterprise account sees its own enterprise's hazards.
- A supervisor sees the hazards of the enterprises they watch, and those they found.
- A judge as such sees none.
"""

from __future__ import annotations

from service.accounts.principal import Principal, Role
from service.orgs import queries as orgs

from .lifecycle import Actor
from .queries import Filters

# Who works with hazards at all: a judge, as such, has none to see.
HAZARD_ROLES = (Role.admin, Role.supervisor, Role.enterprise)


async def scope(principal: Principal, **narrowing: object) -> Filters:
    """The register filters that keep `principal` to what they may see, plus the
    page's own `narrowing` (states, grade, enterprise, …)."""
    if principal.has(Role.admin) and principal.admin_towns is None:
        return Filters(**narrowing)  # type: ignore[arg-type]
    enterprises: set[int] = set()
    towns: frozenset[int] | None = None
    found_by = None
    if principal.has(Role.admin):
        towns = principal.admin_towns
    if principal.has(Role.enterprise):
        enterprises |= principal.enterprises
    if principal.has(Role.supervisor):
        enterprises |= await orgs.watched_by(principal.user_id)
        found_by = principal.user_id
    return Filters(
        enterprise_ids=frozenset(enterprises),
        town_ids=towns,
        found_by=found_by,
        **narrowing,  # type: ignore[arg-type]
    )


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
