"""The hazard lifecycle as a pure state machine (发现→定级→整改→验收→销号).

    reported ──acknowledge──▶ rectifying ──submit_rectification──▶ submitted ──verify──▶ closed
        │                         ▲                                    │
        └──withdraw──▶ withdrawn  └─────────────send_back──────────────┘

`regrade` changes the grade (and so the default deadline) without changing the
state, except that a hazard raised to a grade that needs a plan, and has none, goes
back to reported: the enterprise acknowledges it again with the plan. Who may take which step:

- acknowledge and submit_rectification: the enterprise's own accounts, or an admin
  of its town. A major hazard (重大) needs its rectification plan to acknowledge.
- verify and send_back: a supervisor watching the enterprise or an admin of its
  town, and never the person who submitted the rectification.
- withdraw (a wrong report): whoever found it (not an enterprise account), or an
  admin of the town.
- regrade: a supervisor watching the enterprise, or an admin of the town.

`refusal` answers why a step is refused, or None; `fields_problems` checks what a
step carries. Nothing here touches the database: `queries.transition` applies a
permitted step in one conditional update.
"""

from __future__ import annotations

import datetime as dt
import enum

import msgspec

from service.web.problems import (
    HAZARD_NOT_YOURS,
    HAZARD_OWN_RECTIFICATION,
    HAZARD_PLAN_REQUIRED,
    HAZARD_WRONG_STATE,
    ProblemKind,
)


class State(enum.StrEnum):
    reported = "reported"  # 待确认: found, the enterprise has not acknowledged it yet
    rectifying = "rectifying"  # 整改中
    submitted = "submitted"  # 待验收: the rectification awaits verification
    closed = "closed"  # 已销号
    withdrawn = "withdrawn"  # 已撤销: reported by mistake


OPEN_STATES = (State.reported, State.rectifying, State.submitted)
# Overdue counts only while the enterprise still has to act.
OVERDUE_STATES = (State.reported, State.rectifying)


class Action(enum.StrEnum):
    acknowledge = "acknowledge"
    submit_rectification = "submit_rectification"
    verify = "verify"
    send_back = "send_back"
    withdraw = "withdraw"
    regrade = "regrade"


# Action -> (states it may start from, the state it leads to; None: unchanged).
TRANSITIONS: dict[Action, tuple[tuple[State, ...], State | None]] = {
    Action.acknowledge: ((State.reported,), State.rectifying),
    Action.submit_rectification: ((State.rectifying,), State.submitted),
    Action.verify: ((State.submitted,), State.closed),
    Action.send_back: ((State.submitted,), State.rectifying),
    Action.withdraw: ((State.reported,), State.withdrawn),
    Action.regrade: (OPEN_STATES, None),
}


class Actor(msgspec.Struct, frozen=True):
    """What the person taking a step is to this hazard."""

    user_id: int
    town_admin: bool = False  # an admin of the enterprise's town
    enterprise_account: bool = False  # one of the enterprise's own accounts
    watching: bool = False  # a supervisor watching the enterprise


class Facts(msgspec.Struct, frozen=True):
    """What a step depends on of the hazard itself."""

    state: State
    major: bool  # graded major: a plan is needed to acknowledge
    has_plan: bool
    found_by: int | None = None
    rectified_by: int | None = None


def _permitted(action: Action, actor: Actor, facts: Facts) -> bool:
    if action in (Action.acknowledge, Action.submit_rectification):
        return actor.enterprise_account or actor.town_admin
    if action in (Action.verify, Action.send_back, Action.regrade):
        return actor.watching or actor.town_admin
    if action is Action.withdraw:
        # The finder takes back a wrong report; an enterprise never withdraws a hazard,
        # not even one from its own self-inspection (it would leave the rankings).
        finder = facts.found_by is not None and facts.found_by == actor.user_id
        return actor.town_admin or (finder and not actor.enterprise_account)
    return False


def refusal(
    action: Action, actor: Actor, facts: Facts, *, plan_given: bool = False
) -> ProblemKind | None:
    """Why `actor` may not take `action` now, or None when they may.

    `plan_given`: the step itself carries a major hazard's plan (acknowledging with
    the plan filled in on the same page)."""
    starts, _ = TRANSITIONS[action]
    if facts.state not in starts:
        return HAZARD_WRONG_STATE
    if not _permitted(action, actor, facts):
        return HAZARD_NOT_YOURS
    if action in (Action.verify, Action.send_back) and facts.rectified_by == actor.user_id:
        return HAZARD_OWN_RECTIFICATION
    if action is Action.acknowledge and facts.major and not (facts.has_plan or plan_given):
        return HAZARD_PLAN_REQUIRED
    return None


def next_state(action: Action, state: State) -> State:
    return TRANSITIONS[action][1] or state


def allowed_actions(actor: Actor, facts: Facts) -> list[Action]:
    """The steps `actor` may take now, in the order a page offers them. A major
    hazard's acknowledgement is offered with its plan, so it counts as allowed."""
    return [
        action
        for action in Action
        if refusal(action, actor, facts, plan_given=action is Action.acknowledge) is None
    ]


def overdue(state: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Past its deadline while the enterprise still has to act."""
    return deadline is not None and state in OVERDUE_STATES and deadline < today
