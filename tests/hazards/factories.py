"""Hazards for tests: an inspection that fails hazard-flagged checks, stored the way
the API stores it, and hazards entered directly in any state."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from service.collection import queries as submissions
from service.forms import catalog
from service.forms.loader import load_form_file
from service.forms.model import Check
from service.hazards import queries
from service.hazards.reporting import hazard_reports
from service.scoring.engine import score
from service.settings import PROJECT_ROOT
from tests.collection.factories import draft

INSPECTION_FILE = PROJECT_ROOT / "forms" / "safety-inspection-card.yaml"


async def stored_inspection_form() -> tuple[int, Any]:
    """The built-in prompt card stored as the app stores it (same content hash)."""
    loaded = load_form_file(INSPECTION_FILE)
    await catalog.sync_forms([loaded])
    form_version_id = await catalog.latest_version_id(loaded.definition.id)
    assert form_version_id is not None
    return form_version_id, loaded.definition


def inspection_answers(definition: Any, failed: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every check passed but `failed`; the place is "二车间冲压工段"."""
    answers: dict[str, Any] = {
        "hazard-point": "二车间冲压工段",
        "inspection-date": dt.date.today().isoformat(),
        "uses-hazardous-chemicals": "no",
        "has-special-equipment": "no",
    }
    for section in definition.sections:
        for item in section.items:
            if isinstance(item, Check):
                answers[item.id] = "no" if item.id in failed else "yes"
    return answers


async def inspect(
    form_version_id: int,
    definition: Any,
    supervisor_id: int,
    enterprise_id: int,
    failed: tuple[str, ...] = ("aisles-clear",),
    submission_id: uuid.UUID | None = None,
    remarks: dict[str, str] | None = None,
) -> uuid.UUID:
    """A supervisor's submitted inspection of the enterprise, outside any campaign,
    with the `remarks` written on items (by item id)."""
    answers = inspection_answers(definition, failed)
    answers |= {f"{item}.remark": text for item, text in (remarks or {}).items()}
    breakdown = score(definition, answers)
    row = draft(
        form_version_id,
        supervisor_id,
        id=submission_id,
        role="supervisor",
        enterprise_id=enterprise_id,
    )
    await submissions.insert_submitted(
        row,
        answers,
        breakdown,
        "hash-" + str(row.id),
        photos={},
        definition=definition,
        reports=hazard_reports,
    )
    return row.id


async def make_hazard(enterprise_id: int, found_by: int, **values: Any) -> int:
    """A hazard entered directly, reported now (general grade, due in 7 days)."""
    fields = {
        "enterprise": enterprise_id,
        "grade": "general",
        "description": "叉车通道堆放物料",
        "location": "三号仓库",
        "deadline": dt.date.today() + dt.timedelta(days=7),
        **values,
    }
    return await queries.create(fields, found_by)
