"""How form definitions read on a page: helpers the templates call."""

from __future__ import annotations

from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.templating import localize, number

from .model import (
    Check,
    Choice,
    FormDefinition,
    Gate,
    ItemBase,
    MultiChoice,
    Section,
    allows_na,
    item_type_name,
)
from .points import bonus_cap, item_max

HAZARD_LABELS = {
    "general": _l("General hazard"),
    "larger": _l("Larger hazard"),
    "major": _l("Major hazard"),
}


def hazard_label(grade: str) -> str:
    return _(HAZARD_LABELS.get(grade, grade))


def gate_text(gate: Gate, form: FormDefinition) -> str:
    """A gate in plain words, e.g. 总分不低于80分."""
    if gate.label:
        return localize(gate.label)
    if gate.min_total is not None:
        return _("Total at least %(points)s") % {"points": number(gate.min_total)}
    if gate.min_section_percent is not None:
        return _("Every section at least %(percent)s%% of its points") % {
            "percent": number(gate.min_section_percent)
        }
    if gate.section is not None:
        section = next((s for s in form.sections if s.id == gate.section), None)
        name = localize(section.title) if section else gate.section
        if gate.min_points is not None:
            return _("%(section)s at least %(points)s") % {
                "section": name,
                "points": number(gate.min_points),
            }
        return _("%(section)s at least %(percent)s%%") % {
            "section": name,
            "percent": number(gate.min_percent),
        }
    item = form.item_map().get(gate.item or "")
    name = localize(item.label) if item else gate.item
    return _("%(item)s at least %(value)s") % {"item": name, "value": number(gate.at_least)}


def condition_text(item: ItemBase | Section, form: FormDefinition) -> str:
    """When a show_if item (or section) is asked, e.g. 当“使用危险化学品”为“是”时填写."""
    condition = item.show_if
    if condition is None:
        return ""
    target = form.item_map().get(condition.item)
    if target is None:
        return condition.item
    wanted = [condition.equals] if condition.any_of is None else list(condition.any_of)
    return _("Asked when “%(item)s” is “%(answer)s”") % {
        "item": localize(target.label),
        "answer": _("” or “").join(answer_label(target, value) for value in wanted),
    }


def answer_label(item: ItemBase, value: object) -> str:
    """An answer as the form shows it: 是/否/不适用, or the option's label."""
    if isinstance(item, Check):
        return {"yes": _("Yes"), "no": _("No"), "na": _("N/A")}.get(str(value), str(value))
    if isinstance(item, (Choice, MultiChoice)):
        for option in item.options:
            if option.id == str(value):
                return localize(option.label)
    return str(value)


TEMPLATE_GLOBALS = {
    "item_type": item_type_name,
    "item_max": item_max,
    "allows_na": allows_na,
    "bonus_cap": bonus_cap,
    "hazard_label": hazard_label,
    "gate_text": gate_text,
    "condition_text": condition_text,
}
