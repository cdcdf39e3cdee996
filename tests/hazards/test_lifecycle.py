"""The hazard lifecycle as a pure state machine: which step follows which state, who
may take it, and why one is refused."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from service.hazards.lifecycle import (
    TRANSITIONS,
    Action,
    Actor,
    Facts,
    State,
    allowed_actions,
    next_state,
    overdue,
    refusal,
)
from service.web.problems import (
    HAZARD_NOT_YOURS,
    HAZARD_OWN_RECTIFICATION,
    HAZARD_PLAN_REQUIRED,
    HAZARD_WRONG_STATE,
)

FINDER = 7
ACTORS = {
    "enterprise": Actor(user_id=1, enterprise_account=True),
    "town_admin": Actor(user_id=2, town_admin=True),
    "watcher": Actor(user_id=3, watching=True),
    "finder": Actor(user_id=FINDER),  # found it, no longer watches the enterprise
    "stranger": Actor(user_id=9),
}


def facts(state: State, **more: object) -> Facts:
    return Facts(state=state, major=False, has_plan=False, found_by=FINDER, **more)  # type: ignore[arg-type]


NOT_IN_LIFECYCLE = [
    (state, action)
    for state, action in itertools.product(State, Action)
    if state not in TRANSITIONS[action][0]
]


def test_the_lifecycle_leaves_steps_out():
    # The closed and withdrawn hazards take no step at all; verification only after
    # a submitted rectification.
    assert (State.closed, Action.regrade) in NOT_IN_LIFECYCLE
    assert (State.reported, Action.verify) in NOT_IN_LIFECYCLE
    assert all((s, a) in NOT_IN_LIFECYCLE for s in (State.closed, State.withdrawn) for a in Action)


@pytest.mark.parametrize(("state", "action"), NOT_IN_LIFECYCLE)
def test_every_step_not_in_the_lifecycle_is_the_wrong_state_for_everyone(state, action):
    for actor in ACTORS.values():
        assert refusal(action, actor, facts(state), plan_given=True) is HAZARD_WRONG_STATE


def test_each_step_leads_where_the_method_says():
    assert next_state(Action.acknowledge, State.reported) is State.rectifying
    assert next_state(Action.submit_rectification, State.rectifying) is State.submitted
    assert next_state(Action.verify, State.submitted) is State.closed
    assert next_state(Action.send_back, State.submitted) is State.rectifying
    assert next_state(Action.withdraw, State.reported) is State.withdrawn
    for state in (State.reported, State.rectifying, State.submitted):
        assert next_state(Action.regrade, state) is state


# Who may take each step (from a state it starts from).
PERMITTED = {
    Action.acknowledge: {"enterprise", "town_admin"},
    Action.submit_rectification: {"enterprise", "town_admin"},
    Action.verify: {"watcher", "town_admin"},
    Action.send_back: {"watcher", "town_admin"},
    Action.withdraw: {"finder", "town_admin"},
    Action.regrade: {"watcher", "town_admin"},
}


@pytest.mark.parametrize("action", list(Action))
def test_permissions_per_actor_kind(action: Action):
    state = TRANSITIONS[action][0][0]
    for name, actor in ACTORS.items():
        got = refusal(action, actor, facts(state))
        want = None if name in PERMITTED[action] else HAZARD_NOT_YOURS
        assert got is want, (action, name)


def test_the_verifier_is_not_who_submitted_the_rectification():
    admin = ACTORS["town_admin"]
    rectified_by_admin = facts(State.submitted, rectified_by=admin.user_id)
    for action in (Action.verify, Action.send_back):
        assert refusal(action, admin, rectified_by_admin) is HAZARD_OWN_RECTIFICATION
        other_admin = Actor(user_id=20, town_admin=True)
        assert refusal(action, other_admin, rectified_by_admin) is None
        assert refusal(action, ACTORS["watcher"], rectified_by_admin) is None
    assert Action.verify not in allowed_actions(admin, rectified_by_admin)


def test_a_major_hazard_needs_its_plan_to_be_acknowledged():
    enterprise = ACTORS["enterprise"]
    major = Facts(state=State.reported, major=True, has_plan=False)
    assert refusal(Action.acknowledge, enterprise, major) is HAZARD_PLAN_REQUIRED
    assert refusal(Action.acknowledge, enterprise, major, plan_given=True) is None
    planned = Facts(state=State.reported, major=True, has_plan=True)
    assert refusal(Action.acknowledge, enterprise, planned) is None
    # A general hazard needs none; a wrong person is told so before any plan.
    assert refusal(Action.acknowledge, enterprise, facts(State.reported)) is None
    assert refusal(Action.acknowledge, ACTORS["watcher"], major) is HAZARD_NOT_YOURS


def test_allowed_actions_per_actor():
    def allowed(name: str, state: State, **more: object) -> list[Action]:
        return allowed_actions(ACTORS[name], facts(state, **more))

    assert allowed("enterprise", State.reported) == [Action.acknowledge]
    assert allowed("enterprise", State.rectifying) == [Action.submit_rectification]
    assert allowed("enterprise", State.submitted) == []
    assert allowed("watcher", State.reported) == [Action.regrade]
    assert allowed("watcher", State.submitted) == [Action.verify, Action.send_back, Action.regrade]
    assert allowed("finder", State.reported) == [Action.withdraw]
    assert allowed("finder", State.rectifying) == []
    assert allowed("town_admin", State.reported) == [
        Action.acknowledge,
        Action.withdraw,
        Action.regrade,
    ]
    assert allowed("town_admin", State.submitted, rectified_by=2) == [Action.regrade]
    assert allowed("stranger", State.reported) == []
    for name in ACTORS:
        assert allowed(name, State.closed) == []
        assert allowed(name, State.withdrawn) == []
    # A major hazard's acknowledgement is offered: its plan comes with the step.
    major = Facts(state=State.reported, major=True, has_plan=False)
    assert allowed_actions(ACTORS["enterprise"], major) == [Action.acknowledge]


def test_overdue_only_while_the_enterprise_still_has_to_act():
    today = dt.date(2026, 5, 10)
    past, due_today = dt.date(2026, 5, 9), today
    assert overdue(State.reported, past, today)
    assert overdue(State.rectifying, past, today)
    assert not overdue(State.rectifying, due_today, today)
    assert not overdue(State.submitted, past, today)  # waiting for the verifier
    assert not overdue(State.closed, past, today)
    assert not overdue(State.rectifying, None, today)


def test_an_enterprise_account_that_found_a_hazard_cannot_withdraw_it():
    own_finder = Actor(user_id=FINDER, enterprise_account=True)
    assert refusal(Action.withdraw, own_finder, facts(State.reported)) is HAZARD_NOT_YOURS
