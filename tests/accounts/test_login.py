"""Signing in and out, sessions, throttling, passwords and API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.testing import TestClient

from service.accounts import throttle
from service.accounts.passwords import password_problem
from service.accounts.tables import AuditEvent, LoginFailure, WebSession
from service.app import create_app
from service.settings import Settings
from tests.conftest import settings_for
from tests.factories import PASSWORD, csrf_token, in_database, make_user, sign_in


def test_the_login_page_is_in_chinese(client: TestClient):
    response = client.get("/login")
    assert response.status_code == 200
    assert '<h1 class="page-title">登录</h1>' in response.text
    assert 'name="_csrf_token"' in response.text
    assert "ankang_csrf" in response.headers.get("set-cookie", "")


def test_signing_in_makes_a_new_session_and_signing_out_ends_it(client: TestClient, database_url):
    make_user(database_url, "zhang", "supervisor")
    assert client.get("/account", follow_redirects=False).status_code == 303
    response = sign_in(client, "zhang")
    # Everyone lands on the home page: a block per role with what waits for them.
    assert response.status_code == 303 and response.headers["location"] == "/"
    first = client.cookies.get("ankang_session")
    assert first
    page = client.get("/account")
    assert page.status_code == 200 and "zhang" in page.text
    # Signing in again replaces the session id.
    sign_in(client, "zhang")
    assert client.cookies.get("ankang_session") not in (None, first)
    logout = client.post(
        "/logout", data={"_csrf_token": csrf_token(client, "/account")}, follow_redirects=False
    )
    assert logout.status_code == 303 and logout.headers["location"] == "/login"
    assert in_database(database_url, WebSession.count) == 0  # ended on the server
    assert client.get("/account", follow_redirects=False).headers["location"].startswith("/login")


def test_an_old_session_cookie_is_useless_after_sign_out(client: TestClient, database_url):
    make_user(database_url, "li", "judge")
    sign_in(client, "li")
    stolen = client.cookies.get("ankang_session")
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/account")})
    client.cookies.set("ankang_session", stolen)
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_posting_without_the_csrf_token_is_refused(client: TestClient, database_url):
    make_user(database_url, "wang", "admin")
    response = client.post("/login", data={"username": "wang", "password": PASSWORD})
    assert response.status_code == 403
    assert client.cookies.get("ankang_session") is None


def failures(database_url: str, username: str, ip: str, *seconds_ago: float) -> None:
    """Failed sign-ins of one account from one address, this long ago."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        LoginFailure(at=now - dt.timedelta(seconds=ago), username=username, ip=ip)
        for ago in seconds_ago
    ]
    in_database(database_url, lambda: LoginFailure.insert(*rows))


TEN_FAILURES = (600, 500, 400, 300, 250, 200, 150, 100, 50, 8)  # seconds ago


def test_the_wait_doubles_with_each_failure_up_to_a_cap():
    assert [throttle.delay(n).total_seconds() for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    assert throttle.delay(40) == throttle.MAX_DELAY == dt.timedelta(minutes=15)


def test_wrong_passwords_from_one_address_wait_longer_each_time(client: TestClient, database_url):
    make_user(database_url, "zhao", "enterprise")
    make_user(database_url, "qin", "enterprise")
    wrong = sign_in(client, "zhao", "not-the-password")
    assert wrong.status_code == 400 and "用户名或密码错误" in wrong.text
    in_database(database_url, lambda: LoginFailure.delete(force=True))
    # Ten failures: the next attempt waits 128 s after the last, two minutes from now.
    failures(database_url, "zhao", "testclient", *TEN_FAILURES)
    throttled = sign_in(client, "zhao")  # even the right password waits now
    assert throttled.status_code == 429
    assert "尝试次数过多" in throttled.text and "2 分钟" in throttled.text
    assert 100 < int(throttled.headers["retry-after"]) <= 120
    assert sign_in(client, "qin").status_code == 303  # another account from there: no wait
    events = in_database(database_url, lambda: AuditEvent.select(AuditEvent.event))
    assert {"login_failed", "login_throttled"} <= {e["event"] for e in events}
    earlier = dt.timedelta(seconds=125)
    in_database(
        database_url,
        lambda: LoginFailure.update({LoginFailure.at: LoginFailure.at - earlier}, force=True),
    )
    assert sign_in(client, "zhao").status_code == 303  # waited long enough
    assert (
        in_database(
            database_url, lambda: LoginFailure.count().where(LoginFailure.username == "zhao")
        )
        == 0
    )  # and a success forgets them


def test_an_attacker_elsewhere_cannot_lock_a_person_out(client: TestClient, database_url):
    make_user(database_url, "zhao", "enterprise")
    failures(database_url, "zhao", "203.0.113.9", *range(1, 31))  # thirty in half a minute
    assert sign_in(client, "zhao").status_code == 303


def test_a_crowd_of_addresses_meets_a_generous_cap_per_account(client: TestClient, database_url):
    make_user(database_url, "zhao", "enterprise")
    rows = [
        LoginFailure(at=dt.datetime.now(dt.UTC), username="zhao", ip=f"198.51.100.{n}")
        for n in range(throttle.MAX_PER_ACCOUNT)
    ]
    in_database(database_url, lambda: LoginFailure.insert(*rows))
    refused = sign_in(client, "zhao")
    assert refused.status_code == 429 and "15 分钟" in refused.text


def test_an_idle_session_expires(client: TestClient, database_url):
    make_user(database_url, "sun", "judge")
    sign_in(client, "sun")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    in_database(database_url, lambda: WebSession.update(last_seen_at=long_ago, force=True))
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert in_database(database_url, WebSession.count) == 0


def test_changing_the_password(client: TestClient, database_url):
    make_user(database_url, "qian", "supervisor")
    sign_in(client, "qian")
    token = csrf_token(client, "/account")
    form = {
        "current_password": PASSWORD,
        "new_password": "new-secret-77",
        "new_password_again": "new-secret-77",
        "_csrf_token": token,
    }
    assert "密码已修改" in client.post("/account/password", data=form).text
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/account")})
    assert sign_in(client, "qian", "new-secret-77").status_code == 303
    client.post("/logout", data={"_csrf_token": csrf_token(client, "/account")})
    assert sign_in(client, "qian").status_code == 400  # the old one no more


def test_api_tokens_are_shown_once_work_as_bearer_and_can_be_revoked(
    client: TestClient, database_url
):
    make_user(database_url, "zhou", "judge")
    assert client.get("/api/v1/me").status_code == 401
    sign_in(client, "zhou")
    assert client.get("/api/v1/me").status_code == 401  # the session cookie is not enough
    page = client.post(
        "/account/tokens", data={"name": "统计", "_csrf_token": csrf_token(client, "/account")}
    )
    token = page.text.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("ak_")
    assert token not in client.get("/account").text  # shown once only
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "zhou"
    token_id = page.text.split("/account/tokens/")[1].split("/revoke")[0]
    client.post(
        f"/account/tokens/{token_id}/revoke", data={"_csrf_token": csrf_token(client, "/account")}
    )
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_language_choice_is_kept_in_the_session(client: TestClient, database_url):
    make_user(database_url, "wu", "judge")
    sign_in(client, "wu")
    client.post(
        "/language",
        data={"language": "en", "next": "/account", "_csrf_token": csrf_token(client, "/account")},
    )
    assert "Change password" in client.get("/account").text
    assert (
        in_database(database_url, lambda: WebSession.select(WebSession.language))[0]["language"]
        == "en"
    )


@pytest.mark.parametrize(
    "password",
    [
        "123456",
        "12345678",
        "password",
        "88888888",
        "66666666",
        "qwerty123",
        "a1234567",
        "woaini1314",
        "Password",
        "WOAINI1314",
    ],
)
def test_common_passwords_are_refused(password: str):
    expected = (
        "This password is one of the most common ones."
        if len(password) >= 8
        else "The password needs at least 8 characters."
    )
    assert password_problem(password, "zhao") == expected


def test_short_passwords_and_the_user_name_are_refused():
    assert password_problem("x7#kQ2", "zhao") == "The password needs at least 8 characters."
    assert password_problem("zhaozhao1", "zhaozhao1") is not None
    assert password_problem("lantern-quiet-91", "zhao") is None


def change_password(client: TestClient, current: str, new: str):
    form = {
        "current_password": current,
        "new_password": new,
        "new_password_again": new,
        "_csrf_token": csrf_token(client, "/account"),
    }
    return client.post("/account/password", data=form)


def test_a_common_new_password_is_refused_in_chinese(client: TestClient, database_url):
    make_user(database_url, "feng", "judge")
    sign_in(client, "feng")
    refused = change_password(client, PASSWORD, "woaini1314")
    assert refused.status_code == 400 and "常见" in refused.text


def test_guessing_the_current_password_is_throttled(client: TestClient, database_url):
    make_user(database_url, "chen", "judge")
    sign_in(client, "chen")
    assert change_password(client, "guess-number-1", "lantern-quiet-91").status_code == 400
    failures(database_url, "chen", "testclient", *TEN_FAILURES)
    throttled = change_password(client, PASSWORD, "lantern-quiet-91")  # even the right one
    assert throttled.status_code == 429 and "尝试次数过多" in throttled.text
    assert sign_in(client, "chen", "lantern-quiet-91").status_code != 303  # nothing changed


def test_a_password_change_ends_the_persons_tokens(client: TestClient, database_url):
    from service.accounts import tokens

    user = make_user(database_url, "han", "judge")
    token = in_database(database_url, lambda: tokens.create_token(user, "phone"))
    sign_in(client, "han")
    assert change_password(client, PASSWORD, "lantern-quiet-91").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_tokens_expire_after_the_configured_days(database_url):
    from service.accounts import tokens
    from service.accounts.tables import ApiToken

    user = make_user(database_url, "yang", "judge")
    old = in_database(database_url, lambda: tokens.create_token(user, "sync"))  # the default
    settings = Settings(
        database_url=database_url, forms_dir=settings_for(database_url).forms_dir, api_token_days=30
    )
    with TestClient(create_app(settings)) as client:
        sign_in(client, "yang")
        page = client.post(
            "/account/tokens", data={"name": "统计", "_csrf_token": csrf_token(client, "/account")}
        )
        new = page.text.split('<code class="token">')[1].split("</code>")[0]
        rows = in_database(database_url, lambda: ApiToken.select().order_by(ApiToken.id))
        lives = [(row["expires_at"] - row["created_at"]).days for row in rows]
        assert lives == [90, 30]
        in_30_days = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%d")
        assert f"有效期至 {in_30_days}" in client.get("/account").text
        bearer = {"Authorization": f"Bearer {new}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        in_database(database_url, lambda: ApiToken.update(expires_at=past, force=True))
        assert client.get("/api/v1/me", headers=bearer).status_code == 401
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
        )
        assert "已过期" in client.get("/account").text
    # Tokens made before they ended by themselves end the default 90 days after.
    for made_days_ago, status in ((100, 401), (10, 200)):
        made = dt.datetime.now(dt.UTC) - dt.timedelta(days=made_days_ago)
        in_database(
            database_url,
            lambda made=made: ApiToken.update(expires_at=None, created_at=made, force=True),
        )
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/v1/me", headers=bearer).status_code == status
