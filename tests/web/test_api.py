"""The JSON API: health, form catalogue, scoring without storing."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.factories import best_answers


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


def test_score_returns_the_breakdown_and_stores_nothing(client: TestClient):
    definition = client.get("/api/v1/forms/workers-home").json()
    answers = best_answers(definition)
    response = client.post("/api/v1/forms/workers-home/score", json=answers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["form_id"] == "workers-home" and body["form_version"] == 1
    assert body["eligible"] is True
    assert body["total"] == body["max"] == 100
    assert body["grade"]["id"]
    assert {s["id"] for s in body["sections"]} == {s["id"] for s in definition["sections"]}
    listed = client.get("/api/v1/forms").json()
    assert [f["versions"] for f in listed] == [[1]] * 8  # nothing new stored


def test_score_rejects_bad_answers_listing_every_item(client: TestClient):
    response = client.post(
        "/api/v1/forms/ankang-cup-enterprise/score",
        json={"no-such-item": "yes", "competition-carried-out": "perhaps"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "answers.invalid"
    codes = {(e["item"], e["code"]) for e in body["errors"]}
    assert ("no-such-item", "unknown_item") in codes
    assert any(code == "wrong_type" for _, code in codes)
    assert all(e["message_zh"] for e in body["errors"])


def test_score_needs_a_json_object(client: TestClient):
    response = client.post("/api/v1/forms/workers-home/score", json=["yes"])
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
