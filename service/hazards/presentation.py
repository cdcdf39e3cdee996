"""How hazards read on a page: names of states, steps and grades; template helpers."""

from __future__ import annotations

import datetime as dt

from service.campaigns.rules import today
from service.web.i18n import _l
from service.web.i18n import gettext_ as _

from . import grades
from .lifecycle import Action, State, overdue

STATE_LABELS = {
    State.reported: _l("Awaiting acknowledgement"),
    State.rectifying: _l("Being rectified"),
    State.submitted: _l("Awaiting verification"),
    State.closed: _l("Verified and closed"),
    State.withdrawn: _l("Withdrawn"),
}
ACTION_LABELS = {
    "reported": _l("Reported"),
    Action.acknowledge: _l("Acknowledged: rectification begins"),
    Action.submit_rectification: _l("Rectification submitted"),
    Action.verify: _l("Verified and closed"),
    Action.send_back: _l("Sent back"),
    Action.withdraw: _l("Withdrawn"),
    Action.regrade: _l("Regraded"),
}
# The button each step is taken with.
ACTION_BUTTONS = {
    Action.acknowledge: _l("Acknowledge and start rectifying"),
    Action.submit_rectification: _l("Submit the rectification"),
    Action.verify: _l("Verify and close"),
    Action.send_back: _l("Send back"),
    Action.withdraw: _l("Withdraw this hazard"),
    Action.regrade: _l("Change the grade"),
}


def state_label(state: str) -> str:
    return _(STATE_LABELS.get(state, state))  # type: ignore[call-overload]


def action_label(action: str) -> str:
    return _(ACTION_LABELS.get(action, action))  # type: ignore[call-overload]


def action_button(action: str) -> str:
    return _(ACTION_BUTTONS.get(action, action))  # type: ignore[call-overload]


def is_overdue(hazard: dict, on: dt.date | None = None) -> bool:
    return overdue(hazard["state"], hazard["deadline"], on or today())


def grade_colour(grade_id: str) -> str:
    g = grades.grade(grade_id)
    return g.colour if g else "blue"


TEMPLATE_GLOBALS = {
    "hazard_state_label": state_label,
    "hazard_action_label": action_label,
    "hazard_action_button": action_button,
    "hazard_grade_label": grades.grade_label,
    "hazard_grade_colour": grade_colour,
    "hazard_overdue": is_overdue,
}
