"""Rows for collection tests: a stored form version and submissions of it."""

from __future__ import annotations

import uuid
from typing import Any

from service.collection import queries
from service.forms import catalog
from service.forms.model import FormDefinition
from tests.factories import form_data, load


async def stored_form(data: dict[str, Any] | None = None) -> tuple[int, FormDefinition]:
    """Store a form (the small scored test form by default); its version row id and definition."""
    loaded = load(data or form_data())
    await catalog.sync_forms([loaded])
    form_version_id = await catalog.latest_version_id(loaded.definition.id)
    assert form_version_id is not None
    return form_version_id, loaded.definition


def draft(form_version_id: int, author_id: int, **fields: Any) -> queries.Draft:
    return queries.Draft(
        id=fields.pop("id", None) or uuid.uuid4(),
        form_version_id=form_version_id,
        author_id=author_id,
        role=fields.pop("role", "enterprise"),
        **fields,
    )
