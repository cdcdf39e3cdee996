"""What the database itself refuses, whatever the code above it forgets."""

from __future__ import annotations

import pytest

from service.accounts.tables import RoleGrant
from service.orgs.tables import SupervisorAssignment
from tests.factories import in_database, make_user, two_enterprises


def test_duplicate_roles_and_assignments_are_refused(database_url: str):
    places = in_database(database_url, two_enterprises)
    user = make_user(database_url, "dup", "supervisor")

    async def assign_twice() -> None:
        row = SupervisorAssignment(user=user, enterprise=places["own"])
        await SupervisorAssignment.insert(row)
        await SupervisorAssignment.insert(SupervisorAssignment(user=user, enterprise=places["own"]))

    async def grant_twice() -> None:  # no town, no enterprise: NULLs must still collide
        await RoleGrant.insert(RoleGrant(user=user, role="judge"))
        await RoleGrant.insert(RoleGrant(user=user, role="judge"))

    for attempt in (assign_twice, grant_twice):
        with pytest.raises(Exception, match=r"(?i)unique"):
            in_database(database_url, attempt)
