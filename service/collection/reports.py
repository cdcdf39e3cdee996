"""What a submission reports beyond its own answers and scores, written in the same
atomic unit as the submission: today, the hazards a failed check marks.

Collection does not know what is reported: the caller of the submit path passes a
`Reports` step (the app wires the hazard loop's at start-up, service/app.py), so
this area never imports the hazard area, and the reported rows still ride the
submission's own transaction (stored once, or not at all).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from service.db import Statement
from service.forms.model import FormDefinition
from service.scoring.breakdown import Breakdown


class Submitted(msgspec.Struct, frozen=True, kw_only=True):
    """A submission as it is being stored: what a report step may look at."""

    submission_id: uuid.UUID
    enterprise_id: int | None
    author_id: int | None  # who filled it in
    role: str
    definition: FormDefinition
    answers: dict[str, Any]
    breakdown: Breakdown
    photos: dict[str, list[str]]  # the photo snapshot of this revision, by item
    now: dt.datetime
    correction: bool = False  # a revision after the first


Reports = Callable[[Submitted], Sequence[Statement]]


def no_reports(_submitted: Submitted) -> Sequence[Statement]:
    """Report nothing: a submission on its own."""
    return ()
