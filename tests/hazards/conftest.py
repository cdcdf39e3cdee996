"""The hazard tests' world: the collection pages' world (a town, enterprises "own"
and "other", one account per role, the supervisor watching "own"), the safety
inspection prompt card stored, and a second supervisor watching "own" (a verifier
who did not submit the rectification)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.campaigns.factories import watch
from tests.collection.test_pages import app, world  # noqa: F401 - fixtures
from tests.factories import in_database, make_user

from .factories import stored_inspection_form


@pytest.fixture
def hazard_world(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    url = world["url"]
    form_version_id, definition = in_database(url, stored_inspection_form)
    verifier = make_user(url, "verifier", "supervisor")
    in_database(url, lambda: watch(verifier, world["own"]))
    world["users"]["verifier"] = verifier
    return {**world, "inspection_form": form_version_id, "inspection": definition}
