"""Taking a step on a hazard: the one path pages and the API share.

Read the hazard, check who may take the step now (`lifecycle.refusal`), check what
it carries (`steps.read_step`), then apply it as one conditional update. Every
refusal leaves the hazard exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from service.accounts.principal import Principal
from service.campaigns.rules import local_date
from service.web.problems import (
    HAZARD_CHANGED,
    HAZARD_INVALID,
    HAZARD_NOT_FOUND,
    HAZARD_PLAN_REQUIRED,
    ProblemKind,
)

from . import access, grades, queries
from .lifecycle import Action, Facts, State, next_state, refusal
from .steps import PLAN_FIELDS, latest_deadline, read_step


class Outcome(msgspec.Struct):
    hazard: dict | None
    problem: ProblemKind | None = None
    errors: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.problem is None


def facts_of(hazard: dict) -> Facts:
    return Facts(
        state=State(hazard["state"]),
        major=grades.needs_plan(hazard["grade"]),
        has_plan=bool(hazard["plan"]),
        found_by=hazard["found_by"],
        rectified_by=hazard["rectified_by"],
    )


async def visible_hazard(principal: Principal, hazard_id: int) -> tuple[dict, Any] | None:
    """The hazard and what `principal` is to it, if they may see it."""
    hazard = await queries.hazard(hazard_id)
    if hazard is None:
        return None
    who = await access.actor(principal, hazard)
    if not access.may_view(principal, who, hazard):
        return None
    return hazard, who


async def take(
    principal: Principal,
    hazard_id: int,
    action: Action,
    fields: dict[str, Any],
    *,
    version: int | None = None,
    after_photos: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Take `action` on the hazard as `principal`, with the posted `fields`.

    `version`: the hazard's version the person saw; a step taken on a state that
    has moved on since is refused (HAZARD_CHANGED) rather than applied blindly."""
    now = now or dt.datetime.now(dt.UTC)
    found = await visible_hazard(principal, hazard_id)
    if found is None:
        return Outcome(None, HAZARD_NOT_FOUND)
    hazard, who = found
    if version is not None and version != hazard["version"]:
        return Outcome(hazard, HAZARD_CHANGED)
    plan_given = all(str(fields.get(f"plan_{name}") or "").strip() for name, _ in PLAN_FIELDS)
    problem = refusal(action, who, facts_of(hazard), plan_given=plan_given)
    step = read_step(
        action,
        fields,
        hazard,
        local_date(now),
        user_id=principal.user_id,
        now=now,
        after_photos=after_photos,
        latest_deadline=None if who.town_admin else latest_deadline(hazard, local_date(now)),
    )
    if problem is HAZARD_PLAN_REQUIRED:
        return Outcome(hazard, problem, step.errors)
    if problem is not None:
        return Outcome(hazard, problem)
    if step.errors:
        return Outcome(hazard, HAZARD_INVALID, step.errors)
    to_state = next_state(action, State(hazard["state"]))
    if (
        action is Action.regrade
        and grades.needs_plan(step.values["grade"])
        and not hazard["plan"]
        and to_state is not State.reported
    ):
        # Raised to major while being rectified: the enterprise acknowledges it
        # again, with the plan a major hazard needs.
        to_state = State.reported
        step.detail["plan_needed"] = True
    applied = await queries.transition(
        hazard_id,
        hazard["version"],
        action.value,
        hazard["state"],
        to_state.value,
        step.values,
        principal.user_id,
        step.detail,
        now,
    )
    if not applied:
        return Outcome(await queries.hazard(hazard_id), HAZARD_CHANGED)
    return Outcome(await queries.hazard(hazard_id))
