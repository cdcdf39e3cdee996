"""Who is asking: the signed-in person with their roles and scopes. Pure."""

from __future__ import annotations

import enum

import msgspec


class Role(enum.StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    enterprise = "enterprise"
    judge = "judge"


class Principal(msgspec.Struct, frozen=True):
    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    # Towns an admin may manage; None: every town (a county-level admin).
    admin_towns: frozenset[int] | None = frozenset()
    enterprises: frozenset[int] = frozenset()  # an enterprise account's enterprise(s)
    language: str | None = None
    session_id: int | None = None  # the web session, when signed in through a browser
    via_token: bool = False  # signed in with a personal API token

    def has(self, *roles: Role | str) -> bool:
        return any(Role(role) in self.roles for role in roles)

    def manages_town(self, town_id: int) -> bool:
        if Role.admin not in self.roles:
            return False
        return self.admin_towns is None or town_id in self.admin_towns
