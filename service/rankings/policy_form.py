"""A campaign's scoring policy from the fields of its admin page. Pure.

The page edits the numbers a clerk changes (weights, how judges combine, the spread
flag, the gates); grade bands, awards and tie-breaks keep what the policy has (the
form's grades by default) until the page learns to edit lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec.structs import replace

from .policy import Combine, FormEligibility, Policy, check_policy

FIELDS = (
    "self_percent",
    "combine",
    "trim_from",
    "spread_limit",
    "min_self_total",
    "min_self_section_percent",
    "require_form_eligibility",
)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def policy_from_fields(
    current: Policy, fields: Mapping[str, Any]
) -> tuple[Policy | None, dict[str, str]]:
    """The edited policy, or None and every problem by field name (English codes the
    page translates)."""
    text = {name: str(fields.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        self_percent = _number(text["self_percent"]) or 0.0
        if not 0 <= self_percent <= 100:
            raise ValueError
        values["self_weight"] = round(self_percent / 100, 4)
        values["judges_weight"] = round(1 - values["self_weight"], 4)
    except ValueError:
        errors["self_percent"] = "percent"
    try:
        values["combine"] = Combine(text["combine"])
    except ValueError:
        errors["combine"] = "choice"
    try:
        values["trim_from"] = int(text["trim_from"])
    except ValueError:
        errors["trim_from"] = "whole_number"
    for name in ("spread_limit", "min_self_total", "min_self_section_percent"):
        try:
            values[name] = _number(text[name])
        except ValueError:
            errors[name] = "number"
    try:
        values["require_form_eligibility"] = FormEligibility(text["require_form_eligibility"])
    except ValueError:
        errors["require_form_eligibility"] = "choice"
    if errors:
        return None, errors
    policy = replace(current, **values)
    problems = check_policy(policy)
    if problems:
        return None, {"": "; ".join(problems)}
    return policy, {}
