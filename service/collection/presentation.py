"""How a stored answer reads on a page (the result, the review, a comparison)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from service.campaigns.rules import LOCAL_TIME, day, local_time
from service.forms.answers import MAX_REMARK, REMARK_SUFFIX, remark_of
from service.forms.model import (
    Check,
    Choice,
    FormDefinition,
    ItemBase,
    Location,
    MultiChoice,
    Number,
    Photo,
    Rate,
    Section,
)
from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.templating import localize, number

from .offline import page_url
from .rules import TaskState


def answer_text(item: ItemBase, value: Any) -> str:
    """One answer as plain text (escaped by the template like any text)."""
    if value is None or value == "" or value == []:
        return "—"
    if value == "na" and not isinstance(item, (Choice, MultiChoice)):
        return _("N/A")
    if isinstance(item, Check):
        return {"yes": _("Yes"), "no": _("No")}.get(str(value), str(value))
    if isinstance(item, (Choice, MultiChoice)):
        labels = {option.id: localize(option.label) for option in item.options}
        chosen = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(v), str(v)) for v in chosen)
    if isinstance(item, Rate) and isinstance(value, (int, float)):
        return f"{number(value)}%"
    if isinstance(item, Number) and isinstance(value, (int, float)):
        unit = localize(item.unit) if item.unit else ""
        return f"{number(value)} {unit}".strip()
    if isinstance(item, Location) and isinstance(value, Mapping):
        return location_text(value)
    if isinstance(item, Photo) and isinstance(value, list):
        return _("%(count)s photos") % {"count": len(value)}
    return str(value)


def location_text(value: Mapping[str, Any]) -> str:
    if value.get("refused"):
        return _("Location not shared")
    lat, lon = value.get("lat"), value.get("lon")
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
        text = f"{lat:.6f}, {lon:.6f}"  # as the phone shows it: about 0.1 m
    else:
        text = f"{lat}, {lon}"
    if value.get("accuracy") is not None:
        text += " " + _("(±%(metres)s m)") % {"metres": number(value["accuracy"])}
    return text


class Located(NamedTuple):
    section: str
    label: str
    item: ItemBase | None


def locate(form: FormDefinition, item_id: str) -> Located:
    """Where an item is, for links from a list of problems to the question (a remark's
    problem links to its item)."""
    item_id = item_id.removesuffix(REMARK_SUFFIX)
    for section, item in form.items():
        if item.id == item_id:
            return Located(section.id, localize(item.label), item)
    return Located(form.sections[0].id, item_id or _("The whole form"), None)


def photo_items(section: Section) -> list[ItemBase]:
    """Items of a section that take photos: photo items and checks."""
    return [item for item in section.items if isinstance(item, (Photo, Check))]


def clock(moment: dt.datetime | None) -> str:
    """Local time of day, for "saved 14:05"."""
    return "" if moment is None else moment.astimezone(LOCAL_TIME).strftime("%H:%M")


TASK_STATE_LABELS = {
    TaskState.to_do: _l("To do"),
    TaskState.draft: _l("Draft"),
    TaskState.submitted: _l("Submitted"),
    TaskState.overdue: _l("Overdue"),
    TaskState.due_soon: _l("Due soon"),
}


def task_state_label(state: str) -> str:
    try:
        return _(TASK_STATE_LABELS[TaskState(state)])
    except ValueError:
        return state


TEMPLATE_GLOBALS = {
    "answer_text": answer_text,
    "location_text": location_text,
    "locate": locate,
    "photo_items": photo_items,
    "local_time": local_time,
    "clock": clock,
    "day": day,
    "task_state_label": task_state_label,
    "offline_page_url": page_url,
    "max_remark": MAX_REMARK,
    "remark_of": remark_of,
}
