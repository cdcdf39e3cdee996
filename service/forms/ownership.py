"""Whose a form is, who sees it and who may publish a version of it. Pure.

A built-in form (a file in forms/) and a county-level admin's upload are everyone's; a
town admin's upload is her town's alone. Every version of a form id keeps the owner of
its first version, so a form id never changes hands: a town's admin publishes new
versions of her town's forms and of new ids, never of a built-in form or another town's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from service.accounts.principal import Principal


@dataclass(frozen=True)
class FormIdFacts:
    """What the catalogue holds under one form id."""

    form_id: str
    latest_version: int
    builtin: bool  # some version came from a file in forms/
    owner_town: int | None  # None: everyone's


class PublishRefusal(enum.StrEnum):
    shared = "shared"  # a town's admin over a built-in or county-level form
    other_town = "other_town"  # over a form another town owns
    town_not_yours = "town_not_yours"  # the upload's town is not one of hers


def visible_to(principal: Principal, owner_town: int | None) -> bool:
    """Whether an admin sees (lists, runs campaigns with) a form of this owner."""
    if owner_town is None or principal.admin_towns is None:
        return True
    return owner_town in principal.admin_towns


def publish_refusal(
    principal: Principal, facts: FormIdFacts | None, upload_town: int | None
) -> PublishRefusal | None:
    """Why this admin may not publish an upload under its form id; None when she may.

    `facts`: the form id's versions so far (None: a new id); `upload_town`: the town
    the upload is for (None: a county-level admin's, for everyone).
    """
    if principal.admin_towns is None:
        return None
    if upload_town is None or upload_town not in principal.admin_towns:
        return PublishRefusal.town_not_yours
    if facts is None:
        return None
    if facts.builtin or facts.owner_town is None:
        return PublishRefusal.shared
    if facts.owner_town not in principal.admin_towns:
        return PublishRefusal.other_town
    return None


def next_version(facts: FormIdFacts | None) -> int:
    """The version a new upload becomes: one past the newest, whatever the file says."""
    return 1 if facts is None else facts.latest_version + 1


def owner_of_new_version(facts: FormIdFacts | None, upload_town: int | None) -> int | None:
    return upload_town if facts is None else facts.owner_town
