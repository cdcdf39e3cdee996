"""Filling without signal: what a phone needs to fill a form offline. Pure.

The offline page is the fill page's markup for every section at once; this module
gives the small script beside it the rules as data (the plan): which items show
when (show_if), what is required, which items take photos. The script applies
them while there is no server to ask; the server stays the judge when the
submission arrives and validates, scores and checks completeness again.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from service.forms.model import (
    Check,
    FormDefinition,
    ItemBase,
    MultiChoice,
    Photo,
    Section,
    item_type_name,
)

CHECK_PHOTOS = 5  # photos a check item takes (photo items say their own max_count)


def condition_of(item: ItemBase | Section) -> dict[str, Any] | None:
    """show_if (of an item or a section) as data: the item it depends on and the
    answers (as text) that show it. Text as the server compares it (`str` of each),
    so both sides agree."""
    condition = item.show_if
    if condition is None:
        return None
    wanted = [condition.equals] if condition.any_of is None else list(condition.any_of)
    return {"item": condition.item, "values": [str(w) for w in wanted]}


def _item_plan(item: ItemBase, section_id: str) -> dict[str, Any]:
    """What the script needs of one item; what it does not say is false or none (a
    phone downloads the plan of every item: 60 items and more)."""
    plan: dict[str, Any] = {"section": section_id, "type": item_type_name(item)}
    if item.required:
        plan["required"] = True
    if item.show_if is not None:
        plan["show_if"] = condition_of(item)
    if isinstance(item, Photo):
        plan["photos"] = {"min": item.min_count, "max": item.max_count}
    if isinstance(item, Check):
        plan["good"] = item.good.value
        if item.info:  # no answer fails an informational question
            plan["info"] = True
        plan["photos"] = {"min": 0, "max": CHECK_PHOTOS}
        if item.evidence_on_fail:
            plan["evidence_on_fail"] = True
    if isinstance(item, MultiChoice) and item.min_selected:
        plan["min_selected"] = item.min_selected
    return plan


def _section_plan(section: Section) -> dict[str, Any]:
    plan: dict[str, Any] = {"id": section.id, "items": [item.id for item in section.items]}
    if section.show_if is not None:
        plan["show_if"] = condition_of(section)
    return plan


def client_plan(definition: FormDefinition) -> dict[str, Any]:
    """The form's rules as the offline script needs them, in form order (show_if is
    evaluated in that order: an item shows only if what it depends on shows)."""
    return {
        "form": {"id": definition.id, "version": definition.version},
        "sections": [_section_plan(section) for section in definition.sections],
        "items": {
            item.id: _item_plan(item, section.id)
            for section in definition.sections
            for item in section.items
        },
    }


def page_url(campaign_id: int, enterprise_id: int, team_id: int | None = None) -> str:
    """A task's offline page (its JSON is the same path under /api/v1)."""
    url = f"/offline/tasks/{campaign_id}/{enterprise_id}"
    return url + (f"?team={team_id}" if team_id else "")


def etag_of(*parts: Any) -> str:
    """A strong ETag over what a response is made of (JSON-encodable parts)."""
    digest = hashlib.sha256(msgspec.json.encode(parts, order="sorted")).hexdigest()
    return f'"{digest[:32]}"'
