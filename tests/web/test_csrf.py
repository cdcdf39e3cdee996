"""CSRF tokens: bound to the session (a secret per session, new at every sign-in),
masked anew in every response, a visitor's bound to a cookie of their own."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from service.accounts.tables import WebSession
from tests.conftest import settings_for, shared_app
from tests.factories import csrf_token, in_database, make_user, sign_in

LANGUAGE = {"language": "en", "next": "/"}


def switch(client: TestClient, token: str | None, **headers: str):
    data = {**LANGUAGE, **({"_csrf_token": token} if token else {})}
    return client.post("/language", data=data, headers=headers, follow_redirects=False)


def test_every_page_masks_the_token_anew_and_each_works(client: TestClient):
    first, second = csrf_token(client), csrf_token(client)
    assert first != second
    assert switch(client, first).status_code == 303
    assert switch(client, second).status_code == 303


def test_missing_or_forged_tokens_are_refused(client: TestClient):
    csrf_token(client)
    assert switch(client, None).status_code == 403
    assert switch(client, "x" * 86).status_code == 403
    assert switch(client, "not base64 at all!").status_code == 403


def test_htmx_sends_the_token_as_a_header(client: TestClient, database_url):
    make_user(database_url, "hua", "judge")
    login = client.get("/login").text
    sign_in(client, "hua")
    page = client.get("/account").text
    [token] = re.findall(r'<body hx-boost="true" hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', page)
    assert switch(client, None, **{"x-csrftoken": token}).status_code == 303
    # A boosted page keeps the <body> it came with, and its token: signing in and out,
    # which change the secret, load a whole page.
    assert '<form method="post" action="/login" class="stack" hx-boost="false">' in login
    assert '<form method="post" action="/logout" class="inline-form" hx-boost="false">' in page


def test_a_token_of_another_session_is_refused_even_with_its_cookie(database_url):
    """Double-submit alone trusts whoever can plant a cookie; the session decides now."""
    make_user(database_url, "attacker", "judge")
    make_user(database_url, "victim", "judge")
    settings = settings_for(database_url)
    with TestClient(shared_app(settings)) as attacker:
        sign_in(attacker, "attacker")
        planted = csrf_token(attacker, "/account")
        cookie = attacker.cookies.get("ankang_csrf")
    with TestClient(shared_app(settings)) as victim:
        sign_in(victim, "victim")
        victim.cookies.set("ankang_csrf", cookie)
        assert switch(victim, planted).status_code == 403
        assert switch(victim, csrf_token(victim, "/account")).status_code == 303


def test_signing_in_renews_the_secret(client: TestClient, database_url):
    make_user(database_url, "lu", "judge")
    visitor_token = csrf_token(client)
    sign_in(client, "lu")
    assert switch(client, visitor_token).status_code == 403  # the visitor's no more
    first_session = csrf_token(client, "/account")
    assert switch(client, first_session).status_code == 303
    sign_in(client, "lu")
    assert switch(client, first_session).status_code == 403  # nor the last session's
    assert switch(client, csrf_token(client, "/account")).status_code == 303


def test_the_api_takes_bearer_tokens_and_no_csrf_token(client: TestClient):
    answer = client.post("/api/v1/submissions", json={})
    assert answer.status_code == 401  # not 403: the CSRF check leaves /api/ alone


def test_a_post_after_the_session_ended_is_sent_to_sign_in(client: TestClient, database_url):
    """Its token was the ended session's: no use refusing it as forged, the guard sends
    the person to sign in again (nothing can change without a session)."""
    make_user(database_url, "ma", "judge")
    sign_in(client, "ma")
    token = csrf_token(client, "/account")
    in_database(database_url, lambda: WebSession.delete(force=True))
    answer = client.post(
        "/account/tokens", data={"name": "x", "_csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    # A public form still needs a token of the visitor it now is.
    assert switch(client, token).status_code == 403
