"""The JSON API: health, form catalogue, scoring without storing."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.accounts import tokens
from service.forms import model
from service.forms.answers import MAX_ERRORS
from service.forms.loader import load_forms
from service.forms.routes import SCORE_BODY_MAX
from tests.conftest import FORMS_DIR
from tests.factories import best_answers, in_database, make_user


@pytest.fixture
def scorer(database_url: str) -> dict[str, str]:
    """A signed-in API client's headers: scoring is for accounts, not for anyone."""
    user_id = make_user(database_url, "scorer", "judge")
    token = in_database(database_url, lambda: tokens.create_token(user_id, "app"))
    return {"Authorization": f"Bearer {token}"}


def test_healthz_checks_the_database(client: TestClient):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["engine"] in ("sqlite", "postgres")


def test_forms_list_gives_id_version_kind_and_titles(client: TestClient):
    response = client.get("/api/v1/forms")
    assert response.status_code == 200
    forms = {f["id"]: f for f in response.json()}
    assert len(forms) == 8
    cup = forms["ankang-cup-enterprise"]
    assert cup["version"] == 1 and cup["kind"] == "scored" and cup["versions"] == [1]
    assert cup["title"]["zh"].startswith("安康杯")
    assert cup["title"]["en"]


def test_form_definition_latest_and_by_version(client: TestClient):
    body = client.get("/api/v1/forms/workers-home").json()
    assert body["id"] == "workers-home" and body["version"] == 1
    assert body["sections"][0]["items"][0]["type"]
    assert client.get("/api/v1/forms/workers-home?version=1").json() == body
    missing = client.get("/api/v1/forms/workers-home?version=9")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "form.version_not_found"
    unknown = client.get("/api/v1/forms/no-such-form")
    assert unknown.status_code == 404 and unknown.json()["code"] == "form.not_found"


def test_score_returns_the_breakdown_and_stores_nothing(client: TestClient, scorer):
    before = client.get("/api/v1/forms").json()
    definition = client.get("/api/v1/forms/workers-home").json()
    answers = best_answers(definition)
    response = client.post("/api/v1/forms/workers-home/score", json=answers, headers=scorer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["form_id"] == "workers-home" and body["form_version"] == 1
    assert body["eligible"] is True
    assert body["total"] == body["max"] == 100
    assert body["grade"]["id"]
    assert {s["id"] for s in body["sections"]} == {s["id"] for s in definition["sections"]}
    listed = client.get("/api/v1/forms").json()
    assert len(listed) == 8 and listed == before  # nothing new stored


def test_score_rejects_bad_answers_listing_every_item(client: TestClient, scorer):
    response = client.post(
        "/api/v1/forms/ankang-cup-enterprise/score",
        json={"no-such-item": "yes", "competition-carried-out": "perhaps"},
        headers=scorer,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "answers.invalid"
    codes = {(e["item"], e["code"]) for e in body["errors"]}
    assert ("no-such-item", "unknown_item") in codes
    assert any(code == "wrong_type" for _, code in codes)
    assert all(e["message_zh"] for e in body["errors"])
    assert "truncated" not in body  # every error is there


def test_score_needs_an_account(client: TestClient):
    """Nothing of the pages calls it; open, anyone could spend the server's CPU on it."""
    response = client.post("/api/v1/forms/workers-home/score", json={})
    assert response.status_code == 401 and response.json()["code"] == "auth.required"
    document = client.get("/schema/openapi.json").json()
    operation = document["paths"]["/api/v1/forms/{form_id}/score"]["post"]
    assert "sign" in operation["description"].lower()


def test_score_refuses_a_body_no_form_needs(client: TestClient, scorer):
    padding = "x" * SCORE_BODY_MAX
    response = client.post(
        "/api/v1/forms/workers-home/score", json={"remarks": padding}, headers=scorer
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "answers.too_large" and "256 KB" in body["detail"]


def test_score_lists_at_most_a_bounded_number_of_errors_and_says_so(client: TestClient, scorer):
    unknown = {f"k{n}": n for n in range(5000)}
    response = client.post("/api/v1/forms/workers-home/score", json=unknown, headers=scorer)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "answers.invalid"
    assert len(body["errors"]) == MAX_ERRORS and body["truncated"] is True
    assert f"first {MAX_ERRORS}" in body["detail"]
    assert len(response.content) < 100_000


def test_scoring_runs_off_the_event_loop(client: TestClient, scorer, monkeypatch):
    from service.forms import routes
    from service.scoring.engine import score

    threads = []

    def watched(definition, answers):
        try:
            asyncio.get_running_loop()
            threads.append("event loop")
        except RuntimeError:
            threads.append("worker")
        return score(definition, answers)

    monkeypatch.setattr(routes, "score", watched)
    response = client.post("/api/v1/forms/workers-home/score", json={}, headers=scorer)
    assert response.status_code == 200 and threads == ["worker"]


def _fullest(definition: model.FormDefinition) -> dict:
    """Answers as long as a form lets them be: every text at its longest."""
    answers: dict = {}
    for _, item in definition.items():
        if isinstance(item, (model.ShortText, model.LongText)):
            answers[item.id] = "隐" * item.max_length
        elif isinstance(item, (model.Choice, model.MultiChoice)):
            answers[item.id] = [option.id for option in item.options]
        elif isinstance(item, model.Photo):
            answers[item.id] = [str(uuid.uuid4()) for _ in range(item.max_count)]
        elif isinstance(item, model.Location):
            answers[item.id] = {"lat": -89.1234567890123, "lon": -179.123456789012, "accuracy": 1e9}
        else:
            answers[item.id] = -123456.123456789
    return answers


def test_every_built_in_form_fits_the_body_limit_twice():
    loaded, errors = load_forms([Path(FORMS_DIR)])
    assert not errors
    for form in loaded:
        # ASCII-escaped (\uXXXX, 6 bytes a Chinese character): the largest a client sends.
        size = len(json.dumps(_fullest(form.definition)))
        assert 2 * size < SCORE_BODY_MAX, (form.definition.id, size)


def test_score_needs_a_json_object(client: TestClient, scorer):
    response = client.post("/api/v1/forms/workers-home/score", json=["yes"], headers=scorer)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"


def test_openapi_document_and_docs_page(client: TestClient):
    document = client.get("/schema/openapi.json").json()
    assert {
        "/healthz",
        "/api/v1/forms",
        "/api/v1/forms/{form_id}",
        "/api/v1/forms/{form_id}/score",
    } <= set(document["paths"])
    assert "/" not in document["paths"], "pages stay out of the API document"
    docs = client.get("/schema")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.text.replace("https://swagger.io", "")  # no CDN


def test_a_client_that_hangs_up_is_no_server_error(caplog):
    """A phone losing signal mid-upload is routine: logged without a traceback."""
    import logging

    from litestar.exceptions import InternalServerException
    from litestar.testing import RequestFactory

    from service.web.errors import CLIENT_GONE, handle_internal_error

    request = RequestFactory().post("/api/v1/submissions")
    logger = logging.getLogger("service.web.errors")
    logger.addHandler(caplog.handler)  # the app's logging config may not propagate
    try:
        with caplog.at_level(logging.INFO, logger="service.web.errors"):
            response = handle_internal_error(request, InternalServerException(CLIENT_GONE))
    finally:
        logger.removeHandler(caplog.handler)
    assert response.status_code == 400
    assert not any(record.exc_info for record in caplog.records)
    assert "went away" in caplog.text
