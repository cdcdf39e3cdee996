"""Hazards are created with the submission that found them: one per failed
hazard-flagged check, never twice for a retried submission."""

from __future__ import annotations

from typing import Any

from service.collection import queries as submissions
from service.hazards import queries
from service.hazards.detection import found_hazards
from service.hazards.lifecycle import State
from service.hazards.reporting import hazard_reports
from service.scoring.engine import score
from tests.factories import definition, in_database

from .factories import inspect, inspection_answers


def test_a_found_hazard_is_titled_by_its_finding_and_described_by_its_remark():
    form = definition(
        kind="checklist",
        scoring=None,
        sections=[
            {
                "id": "site",
                "title": "现场",
                "items": [
                    {"id": "hazard-point", "type": "text", "label": "检查部位"},
                    {
                        "id": "walkway",
                        "type": "check",
                        "label": "作业通道畅通",
                        "finding": "作业通道堵塞",
                        "hazard": {"grade": "general"},
                    },
                    {"id": "guard", "type": "check", "label": "防护罩完好", "hazard": {}},
                    {"id": "remarks", "type": "long_text", "label": "其他情况"},
                ],
            }
        ],
    )
    answers = {
        "hazard-point": "一车间",
        "walkway": "no",
        "walkway.remark": "冲压机旁堆放纸箱",
        "guard": "no",
        "remarks": "总体良好",  # the visit's remark: not copied into each hazard
    }
    walkway, guard = found_hazards(form, answers, score(form, answers))
    assert (walkway.title, walkway.description) == ("作业通道堵塞", "冲压机旁堆放纸箱")
    assert (guard.title, guard.description) == ("不符合：防护罩完好", "")
    assert walkway.location == "一车间"


def test_each_failed_hazard_check_becomes_one_reported_hazard(hazard_world: dict[str, Any]):
    w = hazard_world

    async def work():
        submission = await inspect(
            w["inspection_form"],
            w["inspection"],
            w["users"]["supervisor"],
            w["own"],
            failed=("aisles-clear", "edge-protection"),
            remarks={"aisles-clear": "冲压机旁通道堆放纸箱"},
        )
        return await queries.of_submission(submission), submission

    hazards, _ = in_database(w["url"], work)
    assert [(h["item"], h["grade"], h["state"]) for h in hazards] == [
        ("aisles-clear", "general", State.reported),
        ("edge-protection", "larger", State.reported),
    ]
    first = hazards[0]
    assert first["enterprise"] == w["own"]
    assert first["location"] == "二车间冲压工段"
    # Titled by what is wrong (the check's finding), described by the remark written
    # on the item (none on the second).
    assert first["description"] == "作业通道堵塞\n冲压机旁通道堆放纸箱"
    assert hazards[1]["description"] == "临边、洞口或高处平台防护缺失"
    assert first["found_by"] == w["users"]["supervisor"]
    assert first["deadline"] is not None

    async def timeline():
        return await queries.timeline(first["id"])

    [event] = in_database(w["url"], timeline)
    assert (event["action"], event["to_state"]) == ("reported", "reported")


def test_a_retried_submission_makes_no_second_hazard(hazard_world: dict[str, Any]):
    w = hazard_world

    async def work():
        submission = await inspect(
            w["inspection_form"], w["inspection"], w["users"]["supervisor"], w["own"]
        )
        await inspect(
            w["inspection_form"],
            w["inspection"],
            w["users"]["supervisor"],
            w["own"],
            submission_id=submission,
        )
        return await queries.count(queries.Filters(enterprise_id=w["own"]))

    assert in_database(w["url"], work) == 1


def test_an_inspection_that_passes_reports_nothing(hazard_world: dict[str, Any]):
    w = hazard_world

    async def work():
        await inspect(
            w["inspection_form"], w["inspection"], w["users"]["supervisor"], w["own"], failed=()
        )
        return await queries.count(queries.Filters())

    assert in_database(w["url"], work) == 0


def test_a_correction_that_passes_the_item_withdraws_its_unacknowledged_hazard(
    hazard_world: dict[str, Any],
):
    w = hazard_world
    supervisor = w["users"]["supervisor"]

    async def work():
        submission = await inspect(
            w["inspection_form"],
            w["inspection"],
            supervisor,
            w["own"],
            failed=("aisles-clear", "edge-protection"),
        )
        # The enterprise has acknowledged the edge: that one runs its course.
        [aisle, edge] = await queries.of_submission(submission)
        await queries.transition(
            edge["id"], 1, "acknowledge", "reported", "rectifying", {}, supervisor, {}
        )
        await submissions.start_correction(submission, supervisor)
        row = await submissions.find(submission)
        answers = inspection_answers(w["inspection"], failed=())
        breakdown = score(w["inspection"], answers)
        assert await submissions.submit(
            row,
            answers,
            breakdown,
            supervisor,
            reason="通道已当场清理",
            definition=w["inspection"],
            reports=hazard_reports,
        )
        return await queries.hazards_by_id([aisle["id"], edge["id"]]), await queries.timeline(
            aisle["id"]
        )

    (aisle, edge), timeline = in_database(w["url"], work)
    assert aisle["state"] == State.withdrawn
    assert edge["state"] == State.rectifying
    assert timeline[-1]["action"] == "withdraw" and timeline[-1]["detail"] == {"corrected": True}
