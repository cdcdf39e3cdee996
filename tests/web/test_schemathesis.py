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
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.app import create_app
from tests.conftest import settings_for

CASES_PER_OPERATION = 30
# Answers are a JSON object whose valid keys depend on the form, which no schema can
# say: any object is schema-valid, and most are rightly refused with 400.
FORM_DEPENDENT = [positive_data_acceptance]
# Random ids only ever find 404s; half the cases use real forms instead.
REAL_FORM_IDS = st.sampled_from(["workers-home", "ankang-cup-enterprise", "safety-inspection-card"])


def _with_real_form(case: schemathesis.Case, form_id: str) -> schemathesis.Case:
    if case.path_parameters and "form_id" in case.path_parameters:
        case.path_parameters["form_id"] = form_id
    return case


def test_api_matches_its_document(database_url: str) -> None:
    app = create_app(settings_for(database_url))
    try:
        schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 4
        for operation, mode in itertools.product(operations, GenerationMode):
            cases = operation.as_strategy(generation_mode=mode)
            if "{form_id}" in operation.path:
                cases = st.one_of(cases, st.builds(_with_real_form, cases, REAL_FORM_IDS))

            @given(case=cases)
            @settings(
                max_examples=CASES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(excluded_checks=FORM_DEPENDENT)

            try:
                call()
            except Unsatisfiable:
                # Nothing to make invalid (e.g. /healthz takes no input).
                assert mode is GenerationMode.NEGATIVE, operation.label
    finally:
        shutdown_lifespans()  # closes the app's database before the next engine's run
