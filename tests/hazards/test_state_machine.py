"""The lifecycle in the database, through actions.take (what pages and the API call):
every step outside the lifecycle is refused with a clear error and changes nothing,
the whole path is recorded step by step, and two people acting at once cannot both
win."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from service.accounts.users import get_user, principal_for
from service.hazards import actions, queries
from service.hazards.lifecycle import TRANSITIONS, Action, State
from service.hazards.steps import PLAN_FIELDS
from service.hazards.tables import Hazard, HazardEvent
from service.web.problems import (
    HAZARD_CHANGED,
    HAZARD_NOT_FOUND,
    HAZARD_NOT_YOURS,
    HAZARD_OWN_RECTIFICATION,
    HAZARD_PLAN_REQUIRED,
    HAZARD_WRONG_STATE,
)
from tests.factories import in_database, make_user

from .factories import make_hazard

IN_FIVE_DAYS = (dt.date.today() + dt.timedelta(days=5)).isoformat()  # within 一般's 7 days
ACKNOWLEDGE = {"responsible": "张主任", "deadline": IN_FIVE_DAYS, "measures": "清理通道，划线"}
PLAN = {f"plan_{name}": f"方案：{name}" for name, _ in PLAN_FIELDS} | {
    "plan_deadline": IN_FIVE_DAYS
}
# Whatever any step could carry: a refusal must not be for a missing field.
EVERYTHING = {
    **ACKNOWLEDGE,
    **PLAN,
    "rectification": "已清理通道并划线",
    "reason": "照片看不清",
    "note": "现场复核合格",
    "grade": "larger",
}
PHOTO = [str(uuid.uuid4())]


async def _as(user_id: int):
    return await principal_for(await get_user(user_id))


async def _take(user_id: int, hazard_id: int, action: Action, fields=None, **more: Any):
    return await actions.take(
        await _as(user_id), hazard_id, action, dict(fields or {}), after_photos=PHOTO, **more
    )


async def _snapshot(hazard_id: int) -> tuple[dict, list[dict]]:
    """The hazard's row and its timeline, exactly as stored."""
    row = await Hazard.select().where(Hazard.id == hazard_id).first()
    events = await HazardEvent.select().where(HazardEvent.hazard == hazard_id)
    return row, events


async def _in_state(w: dict[str, Any], state: State) -> int:
    """A general hazard of "own" found by the watcher, walked to `state`."""
    u = w["users"]
    hazard_id = await make_hazard(w["own"], u["supervisor"])
    steps = {
        State.reported: [],
        State.withdrawn: [(u["admin"], Action.withdraw)],
        State.rectifying: [(u["enterprise"], Action.acknowledge)],
        State.submitted: [
            (u["enterprise"], Action.acknowledge),
            (u["enterprise"], Action.submit_rectification),
        ],
        State.closed: [
            (u["enterprise"], Action.acknowledge),
            (u["enterprise"], Action.submit_rectification),
            (u["verifier"], Action.verify),
        ],
    }[state]
    for user_id, action in steps:
        assert (await _take(user_id, hazard_id, action, EVERYTHING)).done
    assert (await queries.hazard(hazard_id))["state"] == state
    return hazard_id


def test_every_step_outside_the_lifecycle_is_refused_and_changes_nothing(
    hazard_world: dict[str, Any],
):
    w = hazard_world
    # The town's admin may take every step in principle: only the state refuses.
    admin = w["users"]["admin"]

    async def work() -> list[str]:
        wrong = []
        for state in State:
            hazard_id = await _in_state(w, state)
            for action in Action:
                if state in TRANSITIONS[action][0]:
                    continue
                before = await _snapshot(hazard_id)
                outcome = await _take(admin, hazard_id, action, EVERYTHING)
                if outcome.problem is not HAZARD_WRONG_STATE:
                    wrong.append(f"{action} from {state}: {outcome.problem}")
                if await _snapshot(hazard_id) != before:
                    wrong.append(f"{action} from {state} changed the hazard")
        return wrong

    assert in_database(w["url"], work) == []
    assert HAZARD_WRONG_STATE.status == 409
    assert "present state" in HAZARD_WRONG_STATE.title


def test_the_whole_path_is_recorded_with_who_when_and_what(hazard_world: dict[str, Any]):
    w, u = hazard_world, hazard_world["users"]

    async def work():
        hazard_id = await make_hazard(w["own"], u["supervisor"])
        walk = [
            (u["enterprise"], Action.acknowledge, ACKNOWLEDGE),
            (u["colleague"], Action.submit_rectification, {"rectification": "已清理"}),
            (u["supervisor"], Action.send_back, {"reason": "照片看不清"}),
            (u["enterprise"], Action.submit_rectification, {"rectification": "重新清理"}),
            (u["verifier"], Action.verify, {"note": "复核合格"}),
        ]
        for user_id, action, fields in walk:
            outcome = await _take(user_id, hazard_id, action, fields)
            assert outcome.done, (action, outcome.problem, outcome.errors)
        return await queries.hazard(hazard_id), await queries.timeline(hazard_id)

    started = dt.datetime.now(dt.UTC)
    hazard, timeline = in_database(w["url"], work)
    assert [(e["action"], e["from_state"], e["to_state"]) for e in timeline] == [
        ("reported", "", "reported"),
        ("acknowledge", "reported", "rectifying"),
        ("submit_rectification", "rectifying", "submitted"),
        ("send_back", "submitted", "rectifying"),
        ("submit_rectification", "rectifying", "submitted"),
        ("verify", "submitted", "closed"),
    ]
    assert [e["actor"] for e in timeline] == [
        u["supervisor"],
        u["enterprise"],
        u["colleague"],
        u["supervisor"],
        u["enterprise"],
        u["verifier"],
    ]
    times = [e["at"] for e in timeline]
    assert times == sorted(times) and times[1] >= started - dt.timedelta(seconds=1)
    assert timeline[1]["detail"] == {"responsible": "张主任", "deadline": IN_FIVE_DAYS}
    assert timeline[2]["detail"] == {"photos": PHOTO}
    assert timeline[3]["detail"] == {"reason": "照片看不清"}
    assert timeline[5]["detail"] == {"note": "复核合格"}
    assert hazard["state"] == State.closed and hazard["version"] == 6
    assert hazard["rectification"] == "重新清理"
    assert hazard["rectified_by"] == u["enterprise"]
    assert hazard["closed_by"] == u["verifier"] and hazard["closed_at"] is not None


def test_of_two_people_acting_at_once_only_one_wins(hazard_world: dict[str, Any]):
    w, u = hazard_world, hazard_world["users"]

    async def work():
        hazard_id = await _in_state(w, State.submitted)
        version = (await queries.hazard(hazard_id))["version"]
        verify = _take(u["verifier"], hazard_id, Action.verify, version=version)
        send_back = _take(
            u["supervisor"], hazard_id, Action.send_back, {"reason": "不合格"}, version=version
        )
        outcomes = await asyncio.gather(verify, send_back)
        # Someone who saw the old version later is refused too, not applied blindly.
        late = await _take(u["admin"], hazard_id, Action.regrade, EVERYTHING, version=version)
        return outcomes, late, await queries.timeline(hazard_id), await queries.hazard(hazard_id)

    outcomes, late, timeline, hazard = in_database(w["url"], work)
    assert sorted(o.done for o in outcomes) == [False, True]
    [lost] = [o for o in outcomes if not o.done]
    assert lost.problem is HAZARD_CHANGED
    assert late.problem is HAZARD_CHANGED
    assert [e["action"] for e in timeline].count("verify") + [e["action"] for e in timeline].count(
        "send_back"
    ) == 1
    assert hazard["version"] == 4 and hazard["grade"] == "general"


def test_who_submitted_the_rectification_cannot_verify_it(hazard_world: dict[str, Any]):
    w, u = hazard_world, hazard_world["users"]

    async def work():
        hazard_id = await make_hazard(w["own"], u["supervisor"])
        for action, fields in (
            (Action.acknowledge, ACKNOWLEDGE),
            (Action.submit_rectification, EVERYTHING),
        ):
            assert (await _take(u["admin"], hazard_id, action, fields)).done
        before = await _snapshot(hazard_id)
        refused = [
            await _take(u["admin"], hazard_id, a, EVERYTHING)
            for a in (Action.verify, Action.send_back)
        ]
        unchanged = await _snapshot(hazard_id) == before
        verified = await _take(u["verifier"], hazard_id, Action.verify)
        return refused, unchanged, verified

    refused, unchanged, verified = in_database(w["url"], work)
    assert [o.problem for o in refused] == [HAZARD_OWN_RECTIFICATION] * 2
    assert unchanged
    assert verified.done and verified.hazard["state"] == State.closed


def test_a_supervisor_not_watching_the_enterprise_cannot_verify(hazard_world: dict[str, Any]):
    w, u = hazard_world, hazard_world["users"]
    outsider = make_user(w["url"], "outsider", "supervisor")

    async def work():
        hazard_id = await _in_state(w, State.submitted)
        # One the outsider found elsewhere: they see it, but may not verify it.
        found = await make_hazard(w["own"], outsider)
        for action in (Action.acknowledge, Action.submit_rectification):
            assert (await _take(u["enterprise"], found, action, EVERYTHING)).done
        before = await _snapshot(hazard_id), await _snapshot(found)
        unseen = await _take(outsider, hazard_id, Action.verify)
        own_finding = await _take(outsider, found, Action.verify)
        after = await _snapshot(hazard_id), await _snapshot(found)
        return unseen, own_finding, before == after

    unseen, own_finding, unchanged = in_database(w["url"], work)
    assert unseen.problem is HAZARD_NOT_FOUND  # not theirs to see: not even that it exists
    assert own_finding.problem is HAZARD_NOT_YOURS
    assert unchanged


def test_a_major_hazard_needs_its_plan(hazard_world: dict[str, Any]):
    w, u = hazard_world, hazard_world["users"]

    async def work():
        hazard_id = await make_hazard(w["own"], u["supervisor"], grade="major")
        before = await _snapshot(hazard_id)
        bare = await _take(u["enterprise"], hazard_id, Action.acknowledge, ACKNOWLEDGE)
        half = {**ACKNOWLEDGE, "plan_goal": "消除隐患", "plan_funds": "5万元"}
        partial = await _take(u["enterprise"], hazard_id, Action.acknowledge, half)
        unchanged = await _snapshot(hazard_id) == before
        full = await _take(u["enterprise"], hazard_id, Action.acknowledge, {**ACKNOWLEDGE, **PLAN})
        return bare, partial, unchanged, full

    bare, partial, unchanged, full = in_database(w["url"], work)
    every_plan_field = {f"plan_{name}" for name, _ in PLAN_FIELDS}
    assert bare.problem is HAZARD_PLAN_REQUIRED
    assert set(bare.errors) == every_plan_field
    assert partial.problem is HAZARD_PLAN_REQUIRED
    assert set(partial.errors) == every_plan_field - {"plan_goal", "plan_funds"}
    assert unchanged
    assert full.done and full.hazard["state"] == State.rectifying
    assert full.hazard["plan"]["goal"] == "方案：goal"
    assert full.hazard["plan"]["deadline"] == IN_FIVE_DAYS


def test_raised_to_major_while_rectifying_it_is_acknowledged_again_with_a_plan(
    hazard_world: dict[str, Any],
):
    w, u = hazard_world, hazard_world["users"]

    async def work():
        hazard_id = await _in_state(w, State.rectifying)
        raised = await _take(
            u["verifier"], hazard_id, Action.regrade, {"grade": "major", "reason": "储罐区"}
        )
        bare = await _take(u["enterprise"], hazard_id, Action.acknowledge, ACKNOWLEDGE)
        planned = await _take(
            u["enterprise"], hazard_id, Action.acknowledge, {**ACKNOWLEDGE, **PLAN}
        )
        return raised, bare, planned

    raised, bare, planned = in_database(w["url"], work)
    assert raised.done and raised.hazard["state"] == State.reported
    assert raised.hazard["grade"] == "major"
    assert bare.problem is HAZARD_PLAN_REQUIRED
    assert planned.done and planned.hazard["plan"]["goal"] == "方案：goal"


def test_an_enterprise_never_withdraws_a_hazard_it_found_itself(hazard_world: dict[str, Any]):
    w, u = hazard_world, hazard_world["users"]

    async def work():
        hazard_id = await make_hazard(w["own"], u["enterprise"], grade="major")
        return await _take(u["enterprise"], hazard_id, Action.withdraw, {"reason": "不算"})

    refused = in_database(w["url"], work)
    assert refused.problem is HAZARD_NOT_YOURS
    assert refused.hazard["state"] == State.reported
