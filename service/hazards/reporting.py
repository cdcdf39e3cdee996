"""The hazard loop's step in the submit path (collection.reports.Reports): the hazards
a submission found, as statements for the submission's own atomic write. Wired by
service/app.py; tests that store submissions directly pass it themselves."""

from __future__ import annotations

from collections.abc import Sequence

from service.campaigns.rules import local_date
from service.collection.reports import Submitted
from service.db import Statement

from .detection import found_hazards
from .queries import creation_statements


def hazard_reports(submitted: Submitted) -> Sequence[Statement]:
    # A judge's scoring is blind until the campaign closes: it reports no hazards.
    found = (
        []
        if submitted.role == "judge"
        else found_hazards(submitted.definition, submitted.answers, submitted.breakdown)
    )
    return creation_statements(
        submitted.submission_id,
        submitted.enterprise_id,
        submitted.author_id,
        found,
        submitted.photos,
        submitted.now,
        local_date(submitted.now),
        correction=submitted.correction,
    )
