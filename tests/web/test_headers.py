"""Security headers: HSTS over HTTPS, the permissions a page may ask for, and what
browsers and proxies may keep (nothing of a signed-in page, an export or the API)."""

from __future__ import annotations

from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings
from tests.collection.test_pages import app, signed_in, world  # noqa: F401 - fixtures
from tests.conftest import FORMS_DIR


def test_pages_may_use_the_camera_and_position_and_nothing_else(client: TestClient):
    policy = client.get("/").headers["permissions-policy"]
    rules = dict(rule.strip().split("=", 1) for rule in policy.split(","))
    assert rules.pop("camera") == "(self)" and rules.pop("geolocation") == "(self)"
    assert {"microphone", "payment", "usb"} <= set(rules)
    assert set(rules.values()) == {"()"}


def test_hsts_only_when_the_service_is_reached_over_https(database_url: str):
    plain = Settings(database_url=database_url, forms_dir=FORMS_DIR)
    with TestClient(create_app(plain)) as client:
        assert "strict-transport-security" not in client.get("/").headers
    secure = Settings(database_url=database_url, forms_dir=FORMS_DIR, secure_cookies=True)
    with TestClient(create_app(secure), base_url="https://testserver.local") as client:
        hsts = client.get("/").headers["strict-transport-security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 15552000


def test_api_answers_are_never_stored(client: TestClient):
    for path in ("/api/v1/forms", "/api/v1/forms/no-such-form", "/healthz"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_signed_in_pages_and_exports_are_never_stored_but_static_files_are(app, world):  # noqa: F811
    with signed_in(app, "clerk") as admin:
        for path in ("/tasks", "/account", f"/admin/campaigns/{world['campaign']}/rankings"):
            response = admin.get(path)
            assert response.status_code == 200, path
            assert response.headers["cache-control"] == "no-store", path
        for extension in ("csv", "xlsx"):
            for what in ("rankings", "answers"):
                download = admin.get(f"/admin/campaigns/{world['campaign']}/{what}.{extension}")
                assert download.headers["cache-control"] == "no-store", (what, extension)
                if extension == "csv":
                    assert download.headers["content-type"] == "text/csv; charset=utf-8"
        static = admin.get("/static/css/app.css")
        assert static.status_code == 200 and "no-store" not in static.headers.get(
            "cache-control", ""
        )
