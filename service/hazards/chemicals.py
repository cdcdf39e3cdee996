"""Chemical information cards (有毒有害化学物质信息卡): reading a posted card (the CAS
number checked by its check digit) and their SQL. Who may see and keep them is the
hazard points' rule (`access.Reach`, `points.rights`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from service.web.forms import text_of
from service.web.i18n import gettext_ as _

from .access import Reach, within
from .cas import normalise_cas, valid_cas
from .points import read_texts
from .tables import ChemicalCard

TEXT_LIMITS = {
    "name_zh": 100,
    "name_en": 200,
    "cas": 12,
    "location": 200,
    "properties": 2000,
    "health_hazards": 2000,
    "exposure_limits": 2000,
    "protection": 2000,
    "first_aid": 2000,
    "emergency_handling": 2000,
    "emergency_phones": 2000,
}
REQUIRED = ("name_zh", "cas", "health_hazards")
# What a new card offers: the national numbers; the clerk adds the local ones.
DEFAULT_PHONES = "急救 120　火警 119　报警 110　当地中毒急救咨询：　企业应急电话："


def read_card(data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """A posted card: its values (kept for the form) and every error by field."""
    values = {name: text_of(data.get(name)).strip() for name in TEXT_LIMITS}
    if values["cas"]:
        values["cas"] = normalise_cas(values["cas"])
    errors = read_texts(values, TEXT_LIMITS, REQUIRED)
    if values["cas"] and "cas" not in errors and not valid_cas(values["cas"]):
        errors["cas"] = _("Not a valid CAS number (e.g. 7664-41-7): check the digits.")
    return values, errors


def _columns() -> tuple:
    return (
        ChemicalCard.all_columns(),
        ChemicalCard.enterprise.name.as_alias("enterprise_name"),
        ChemicalCard.enterprise.village.town.id.as_alias("town_id"),
    )


async def card(card_id: int) -> dict | None:
    return await ChemicalCard.select(*_columns()).where(ChemicalCard.id == card_id).first()


async def cards_in(scope: Reach, *, enterprise_id: int | None = None) -> list[dict]:
    query = ChemicalCard.select(*_columns())
    where = within(scope, ChemicalCard.enterprise, ChemicalCard.enterprise.village.town.id)
    if where is not None:
        query = query.where(where)
    if enterprise_id is not None:
        query = query.where(ChemicalCard.enterprise == enterprise_id)
    return await query.order_by(ChemicalCard.enterprise.name).order_by(ChemicalCard.name_zh)


async def save_card(
    values: Mapping[str, Any], *, enterprise_id: int | None = None, card_id: int | None = None
) -> int:
    """Register a card for `enterprise_id`, or change card `card_id`."""
    now = dt.datetime.now(dt.UTC)
    fields = {name: values[name] for name in TEXT_LIMITS}
    if card_id is None:
        [row] = await ChemicalCard.insert(
            ChemicalCard(**fields, enterprise=enterprise_id, created_at=now, updated_at=now)
        )
        return row["id"]
    await ChemicalCard.update(**fields, updated_at=now).where(ChemicalCard.id == card_id)
    return card_id
