"""Starting a form outside any campaign: an inspection at a hazard point, a hazard
report. The form must list the person's role and the enterprise be theirs to
inspect (`access.inspection_role`); the draft takes the id the page carried, so a
double tap or a retried request lands on the same draft."""

from __future__ import annotations

import uuid
from typing import Any

from service.accounts.principal import Principal
from service.forms import catalog

from . import access, queries


class NotYours(Exception):
    """The form does not exist, or this person does not fill it for this enterprise."""


async def start_outside_campaign(
    principal: Principal,
    form_id: str,
    enterprise_id: int,
    submission_id: uuid.UUID,
    prefill: dict[str, Any] | None = None,
) -> bool:
    """Start the draft with `prefill` answers; False if it exists already (a repeat:
    the caller goes on to it). Raises NotYours when the person may not fill it; a
    submission of that id by someone else counts as not theirs too."""
    existing = await queries.find(submission_id)
    if existing is not None:
        if existing["author_id"] != principal.user_id or existing["form_id"] != form_id:
            raise NotYours(form_id)
        return False
    definition = await catalog.get_form(form_id)
    role = (
        await access.inspection_role(principal, definition, enterprise_id) if definition else None
    )
    if definition is None or role is None:
        raise NotYours(form_id)
    version_id = await catalog.version_id(definition.id, definition.version)
    if version_id is None:
        raise NotYours(form_id)
    draft = queries.Draft(
        id=submission_id,
        form_version_id=version_id,
        author_id=principal.user_id,
        role=role.value,
        enterprise_id=enterprise_id,
    )
    if not await queries.start_draft(draft):
        return False
    if prefill:
        await queries.save_draft(submission_id, prefill)
    return True
