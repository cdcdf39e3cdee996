"""Which hazards a submitted form reports. Pure: definition + answers + breakdown.

- A checklist (or any form) reports one hazard per failed check that is flagged as
  a hazard (`hazard: {grade: …}`), titled by what is wrong (the check's `finding`, or
  "不符合：" + its label), described by the remark written on that item, with the
  check's standard and the place inspected. The inspection's general remark is not
  copied into each hazard: it is about the visit, not about one hazard.
- A hazard report (a `report` form with `hazard-description` and `hazard-grade`)
  reports one hazard, graded as the supervisor suggests.

Photos are filled in by the caller from the submission's photo snapshot, by item.
"""

from __future__ import annotations

from typing import Any

import msgspec

from service.forms.answers import remark_of
from service.forms.model import Check, FormDefinition, FormKind
from service.scoring.breakdown import Breakdown

# Item ids the hazard loop reads from built-in and custom forms alike.
PLACE_ITEM = "hazard-point"  # the place or hazard point inspected (text)
GPS_ITEM = "gps-location"
NOT_MET = "不符合："  # a failed check without a finding: "不符合：" + what it checks
REPORT_DESCRIPTION = "hazard-description"
REPORT_GRADE = "hazard-grade"
REPORT_PHOTOS = "hazard-photos"
REPORT_MEASURES = "suggested-measures"


class Found(msgspec.Struct, frozen=True):
    """A hazard a submission reports, before it is stored."""

    item: str  # the failed check, or the report's description item
    grade: str
    description: str  # what was seen: the item's remark, or the report's description
    title: str = ""  # what is wrong, in a few words (a failed check's finding)
    standard: str = ""
    location: str = ""
    gps: str = ""
    measures: str = ""
    photo_items: tuple[str, ...] = ()  # the items whose photos show it
    source: str = "inspection"  # inspection | report


def _zh(label: object) -> str:
    return label if isinstance(label, str) else getattr(label, "zh", "") if label else ""


def _text(answers: dict[str, Any], item: str) -> str:
    value = answers.get(item)
    return value.strip() if isinstance(value, str) else ""


def _gps(answers: dict[str, Any]) -> str:
    value = answers.get(GPS_ITEM)
    if isinstance(value, dict) and isinstance(value.get("lat"), (int, float)):
        return f"{value['lat']:.6f},{value.get('lon', 0):.6f}"
    return ""


def found_hazards(
    definition: FormDefinition, answers: dict[str, Any], breakdown: Breakdown
) -> list[Found]:
    """The hazards this submission reports, in the form's order."""
    location, gps = _text(answers, PLACE_ITEM)[:200], _gps(answers)
    if definition.kind == FormKind.report and REPORT_DESCRIPTION in answers:
        grade = _text(answers, REPORT_GRADE) or "general"
        return [
            Found(
                item=REPORT_DESCRIPTION,
                grade=grade,
                description=_text(answers, REPORT_DESCRIPTION),
                location=location,
                gps=gps,
                measures=_text(answers, REPORT_MEASURES),
                photo_items=(REPORT_PHOTOS,),
                source="report",
            )
        ]
    failed = {r.id: r.hazard for r in breakdown.items if r.hazard}
    if not failed:
        return []
    found = []
    for section in definition.sections:
        for item in section.items:
            if isinstance(item, Check) and item.id in failed:
                found.append(
                    Found(
                        item=item.id,
                        grade=failed[item.id] or "general",
                        title=finding_of(item),
                        description=remark_of(answers, item.id),
                        standard=_zh(item.standard),
                        location=location,
                        gps=gps,
                        photo_items=(item.id,),
                    )
                )
    return found


def finding_of(item: Check) -> str:
    """What is wrong when `item` fails, in Chinese (the register and the notice are)."""
    return _zh(item.finding) if item.finding else NOT_MET + _zh(item.label)
