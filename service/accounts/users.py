"""All SQL about people and their roles."""

from __future__ import annotations

import datetime as dt

from .passwords import hash_password
from .principal import Principal, Role
from .tables import RoleGrant, User


class UserExists(Exception):
    pass


async def create_user(
    username: str,
    display_name: str,
    password: str,
    roles: list[tuple[Role, int | None, int | None]] = (),  # type: ignore[assignment]
) -> int:
    """A new active user with (role, town_id, enterprise_id) grants; returns the id."""
    username = username.strip().lower()
    if await User.exists().where(User.username == username):
        raise UserExists(username)
    now = dt.datetime.now(dt.UTC)
    [row] = await User.insert(
        User(
            username=username,
            display_name=display_name.strip() or username,
            password_hash=hash_password(password),
            is_active=True,
            created_at=now,
            password_changed_at=now,
        )
    )
    for role, town_id, enterprise_id in roles:
        await grant_role(row["id"], role, town_id=town_id, enterprise_id=enterprise_id)
    return row["id"]


async def grant_role(
    user_id: int, role: Role, *, town_id: int | None = None, enterprise_id: int | None = None
) -> bool:
    """Add a role (idempotent); True when it was new."""
    query = RoleGrant.exists().where(
        (RoleGrant.user == user_id) & (RoleGrant.role == Role(role).value)
    )
    query = query.where(
        RoleGrant.town_id.is_null() if town_id is None else RoleGrant.town_id == town_id
    )
    query = query.where(
        RoleGrant.enterprise_id.is_null()
        if enterprise_id is None
        else RoleGrant.enterprise_id == enterprise_id
    )
    if await query:
        return False
    await RoleGrant.insert(
        RoleGrant(user=user_id, role=Role(role).value, town_id=town_id, enterprise_id=enterprise_id)
    )
    return True


async def revoke_role(user_id: int, role: Role) -> int:
    """Remove every grant of a role; returns how many there were."""
    rows = await RoleGrant.select(RoleGrant.id).where(
        (RoleGrant.user == user_id) & (RoleGrant.role == Role(role).value)
    )
    if rows:
        await RoleGrant.delete().where(RoleGrant.id.is_in([r["id"] for r in rows]))
    return len(rows)


async def find_by_username(username: str) -> dict | None:
    return await User.select().where(User.username == username.strip().lower()).first()


async def get_user(user_id: int) -> dict | None:
    return await User.select().where(User.id == user_id).first()


async def list_users() -> list[dict]:
    users = await User.select(
        User.id, User.username, User.display_name, User.is_active, User.created_at
    ).order_by(User.username)
    grants = await RoleGrant.select()
    by_user: dict[int, list[dict]] = {}
    for grant in grants:
        by_user.setdefault(grant["user"], []).append(grant)
    for user in users:
        user["grants"] = by_user.get(user["id"], [])
    return users


async def set_password(user_id: int, password: str) -> None:
    await User.update(
        password_hash=hash_password(password), password_changed_at=dt.datetime.now(dt.UTC)
    ).where(User.id == user_id)


async def set_active(user_id: int, active: bool) -> None:
    await User.update(is_active=active).where(User.id == user_id)


async def principal_for(user: dict, **extra: object) -> Principal:
    """The Principal of a user row: roles and scopes from their grants."""
    grants = await RoleGrant.select().where(RoleGrant.user == user["id"])
    return principal_from(user, grants, **extra)


def principal_from(user: dict, grants: list[dict], **extra: object) -> Principal:
    """The Principal of a user row and their grant rows (role, town_id, enterprise_id)."""
    roles = frozenset(Role(g["role"]) for g in grants)
    admin_grants = [g for g in grants if g["role"] == Role.admin]
    admin_towns: frozenset[int] | None = frozenset(
        g["town_id"] for g in admin_grants if g["town_id"] is not None
    )
    if any(g["town_id"] is None for g in admin_grants):
        admin_towns = None  # a county-level admin manages every town
    enterprises = frozenset(
        g["enterprise_id"]
        for g in grants
        if g["role"] == Role.enterprise and g["enterprise_id"] is not None
    )
    return Principal(
        user_id=user["id"],
        username=user["username"],
        display_name=user["display_name"],
        roles=roles,
        admin_towns=admin_towns,
        enterprises=enterprises,
        **extra,  # type: ignore[arg-type]
    )
