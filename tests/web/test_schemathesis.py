"""Property-based API testing from our own OpenAPI document, in-process.

Every operation gets generated requests (valid and invalid); no answer may be a
5xx, and every answer must match the document's schemas, status codes and headers.
(Schemathesis's lazy pytest fixture does not run on pytest 9.2, so the cases are
driven with hypothesis directly.)
"""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans

from service.app import create_app
from tests.conftest import settings_for

CASES_PER_OPERATION = 30


def test_api_matches_its_document(database_url: str) -> None:
    app = create_app(settings_for(database_url))
    try:
        schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 4
        for operation, mode in itertools.product(operations, GenerationMode):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=CASES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate()

            try:
                call()
            except Unsatisfiable:
                # Nothing to make invalid (e.g. /healthz takes no input).
                assert mode is GenerationMode.NEGATIVE, operation.label
    finally:
        shutdown_lifespans()  # closes the app's database before the next engine's run
