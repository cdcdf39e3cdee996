"""Union staff manage accounts within their own scope."""

from __future__ import annotations

from litestar.testing import TestClient

from service.accounts.tables import AuditEvent, User
from service.orgs import queries
from tests.factories import csrf_token, in_database, make_user, sign_in, two_enterprises


def post(client: TestClient, path: str, form: dict):
    return client.post(
        path,
        data={**form, "_csrf_token": csrf_token(client, "/admin/users")},
        follow_redirects=False,
    )


def test_a_county_admin_creates_accounts_and_resets_passwords(client: TestClient, database_url):
    places = in_database(database_url, two_enterprises)
    make_user(database_url, "county", "admin")
    sign_in(client, "county")
    created = post(
        client,
        "/admin/users",
        {
            "username": "dongfeng",
            "display_name": "东风工会",
            "role": "enterprise",
            "enterprise_id": str(places["own"]),
        },
    )
    assert created.status_code == 200 and "临时密码" in created.text
    user = in_database(
        database_url, lambda: User.select().where(User.username == "dongfeng").first()
    )
    reset = post(client, f"/admin/users/{user['id']}/password", {})
    assert reset.status_code == 200 and "临时密码" in reset.text
    events = {
        e["event"] for e in in_database(database_url, lambda: AuditEvent.select(AuditEvent.event))
    }
    assert {"user_created", "password_reset"} <= events


def test_a_town_admin_stays_within_the_town(client: TestClient, database_url):
    places = in_database(database_url, two_enterprises)
    other_town = in_database(database_url, lambda: queries.ensure_town("别的镇"))
    make_user(database_url, "townadmin", "admin", town_id=places["town"])
    county = make_user(database_url, "county", "admin")
    sign_in(client, "townadmin")
    # No county-level admins, no admins of another town …
    assert post(client, "/admin/users", {"username": "x1", "role": "admin"}).status_code == 403
    assert (
        post(
            client, "/admin/users", {"username": "x2", "role": "admin", "town_id": str(other_town)}
        ).status_code
        == 403
    )
    # … no reset or disabling of a county admin, but a judge is fine.
    assert post(client, f"/admin/users/{county}/password", {}).status_code == 403
    assert post(client, f"/admin/users/{county}/active", {"active": "0"}).status_code == 403
    assert post(client, "/admin/users", {"username": "judge2", "role": "judge"}).status_code == 200
    assert (
        post(
            client,
            "/admin/users",
            {"username": "a2", "role": "admin", "town_id": str(places["town"])},
        ).status_code
        == 200
    )


def test_a_town_admin_cannot_take_over_another_towns_supervisor(client: TestClient, database_url):
    places = in_database(database_url, two_enterprises)
    other_town = in_database(database_url, lambda: queries.ensure_town("别的镇"))
    watcher = make_user(database_url, "watcher", "supervisor")
    in_database(database_url, lambda: queries.assign_supervisor(places["own"], watcher))
    make_user(database_url, "townadmin", "admin", town_id=other_town)
    sign_in(client, "townadmin")
    assert post(client, f"/admin/users/{watcher}/password", {}).status_code == 403
    assert "watcher" not in client.get("/admin/users").text
    assert client.get("/admin/audit").status_code == 403  # the county's to read


def test_a_reset_signs_the_person_out_and_revokes_their_tokens(client: TestClient, database_url):
    from service.accounts import tokens

    user = make_user(database_url, "lost-phone", "judge")
    token = in_database(database_url, lambda: tokens.create_token(user, "phone"))
    make_user(database_url, "county", "admin")
    sign_in(client, "county")
    post(client, f"/admin/users/{user}/password", {})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_an_unwatched_supervisor_stays_with_the_town_of_their_hazards(
    client: TestClient, database_url
):
    """No current assignment, but the hazards they found still show them town A's data:
    an admin of town B may not take the account over (issue 15, item 1)."""
    from tests.hazards.factories import make_hazard

    places = in_database(database_url, two_enterprises)
    other_town = in_database(database_url, lambda: queries.ensure_town("别的镇"))
    finder = make_user(database_url, "finder", "supervisor")
    in_database(database_url, lambda: make_hazard(places["own"], finder))
    make_user(database_url, "townb", "admin", town_id=other_town)
    make_user(database_url, "towna", "admin", town_id=places["town"])
    sign_in(client, "townb")
    assert post(client, f"/admin/users/{finder}/password", {}).status_code == 403
    assert post(client, f"/admin/users/{finder}/active", {"active": "0"}).status_code == 403
    assert "finder" not in client.get("/admin/users").text
    sign_in(client, "towna")
    assert post(client, f"/admin/users/{finder}/password", {}).status_code == 200


def test_an_account_tied_to_no_town_is_the_countys_to_manage(client: TestClient, database_url):
    places = in_database(database_url, two_enterprises)
    loose = make_user(database_url, "loose", "judge")
    make_user(database_url, "towna", "admin", town_id=places["town"])
    make_user(database_url, "county", "admin")
    sign_in(client, "towna")
    assert post(client, f"/admin/users/{loose}/password", {}).status_code == 403
    assert "loose" not in client.get("/admin/users").text
    sign_in(client, "county")
    assert post(client, f"/admin/users/{loose}/password", {}).status_code == 200


def test_a_town_admin_keeps_the_judge_they_made(client: TestClient, database_url):
    """A judge or supervisor made by a town's admin belongs to that town until given work."""
    places = in_database(database_url, two_enterprises)
    make_user(database_url, "towna", "admin", town_id=places["town"])
    sign_in(client, "towna")
    made = post(
        client,
        "/admin/users",
        {"username": "judge2", "role": "judge", "town_id": str(places["town"])},
    )
    assert made.status_code == 200 and "judge2" in client.get("/admin/users").text
    judge = in_database(
        database_url, lambda: User.select(User.id).where(User.username == "judge2").first()
    )
    assert post(client, f"/admin/users/{judge['id']}/password", {}).status_code == 200
