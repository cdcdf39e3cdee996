"""The authorization matrix: every route, every role, and a visitor.

RULES lists every route of the app with who may use it. The first test fails on a
route that is not listed (so a new route cannot be forgotten) and on a listed one that
no longer exists. The second walks every route with every kind of actor and checks the
answer: allowed, 403, or sent to sign in (401 for the API). The routes about one
person ({victim}) are walked for two accounts with no grant: one that once found a
hazard in the test town, one never tied to any town (the county's to manage).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.orgs.queries import assign_supervisor, ensure_town
from tests.conftest import settings_for
from tests.factories import csrf_token, in_database, make_user, sign_in, two_enterprises
from tests.hazards.factories import make_hazard

PUBLIC = "public"
SIGNED_IN = "signed_in"
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class Rule:
    access: str | frozenset[str]
    example: str  # a concrete path to request; {victim}, {own}, {team} are filled in
    form: dict | None = None  # the body of a POST
    # For data of one enterprise: exactly these signed-in actors may (others get 403).
    only: frozenset[str] | None = None
    county: bool = False  # for county-level admins only

    @property
    def town_data(self) -> bool:
        """About the test town's data ({own}, {town}): an admin of another town gets 403."""
        return any("{own}" in text or "{town}" in text for text in (self.example, str(self.form)))


# Campaign 999 does not exist: an admin gets past the guard (404), anyone else not.
CAMPAIGN_ADMIN_RULES = {
    "GET /admin/campaigns": Rule(ADMIN, "/admin/campaigns"),
    "POST /admin/campaigns": Rule(ADMIN, "/admin/campaigns", {"name": ""}),
    "GET /admin/campaigns/{campaign_id:int}": Rule(ADMIN, "/admin/campaigns/999"),
    "GET /admin/campaigns/{campaign_id:int}/progress": Rule(ADMIN, "/admin/campaigns/999/progress"),
    "GET /admin/campaigns/{campaign_id:int}/rankings": Rule(ADMIN, "/admin/campaigns/999/rankings"),
    "GET /admin/campaigns/{campaign_id:int}/charts": Rule(ADMIN, "/admin/campaigns/999/charts"),
    "GET /admin/campaigns/{campaign_id:int}/rankings/{enterprise_id:int}": Rule(
        ADMIN, "/admin/campaigns/999/rankings/1"
    ),
    "GET /admin/campaigns/{campaign_id:int}/rankings.xlsx": Rule(
        ADMIN, "/admin/campaigns/999/rankings.xlsx"
    ),
    "GET /admin/campaigns/{campaign_id:int}/rankings.csv": Rule(
        ADMIN, "/admin/campaigns/999/rankings.csv"
    ),
    "GET /admin/campaigns/{campaign_id:int}/answers.csv": Rule(
        ADMIN, "/admin/campaigns/999/answers.csv"
    ),
    "GET /admin/campaigns/{campaign_id:int}/answers.xlsx": Rule(
        ADMIN, "/admin/campaigns/999/answers.xlsx"
    ),
    "GET /api/v1/campaigns": Rule(ADMIN, "/api/v1/campaigns"),
    "GET /api/v1/campaigns/{campaign_id:int}/rankings": Rule(
        ADMIN, "/api/v1/campaigns/999/rankings"
    ),
    "POST /admin/campaigns/{campaign_id:int}/judges": Rule(ADMIN, "/admin/campaigns/999/judges"),
    "POST /admin/campaigns/{campaign_id:int}/judges/{assignment_id:int}/remove": Rule(
        ADMIN, "/admin/campaigns/999/judges/1/remove"
    ),
    "POST /admin/campaigns/{campaign_id:int}/participants": Rule(
        ADMIN, "/admin/campaigns/999/participants"
    ),
    "POST /admin/campaigns/{campaign_id:int}/participants/{participant_id:int}/remove": Rule(
        ADMIN, "/admin/campaigns/999/participants/1/remove"
    ),
    "POST /admin/campaigns/{campaign_id:int}/policy": Rule(ADMIN, "/admin/campaigns/999/policy"),
    "POST /admin/campaigns/{campaign_id:int}/policy/grades/reset": Rule(
        ADMIN, "/admin/campaigns/999/policy/grades/reset"
    ),
    "POST /admin/campaigns/{campaign_id:int}/status": Rule(
        ADMIN, "/admin/campaigns/999/status", {"status": "open"}
    ),
}

# Results (service/publication/routes.py): the admin pages freeze, publish and confirm;
# the public notice needs no sign-in and shows published snapshots only.
RESULT_RULES = {
    "GET /admin/campaigns/{campaign_id:int}/results": Rule(ADMIN, "/admin/campaigns/999/results"),
    "POST /admin/campaigns/{campaign_id:int}/results": Rule(
        ADMIN, "/admin/campaigns/999/results", {"reason": ""}
    ),
    "GET /admin/campaigns/{campaign_id:int}/results/{number:int}": Rule(
        ADMIN, "/admin/campaigns/999/results/1"
    ),
    "POST /admin/campaigns/{campaign_id:int}/results/{number:int}/publish": Rule(
        ADMIN, "/admin/campaigns/999/results/1/publish", {"days": "7"}
    ),
    "POST /admin/campaigns/{campaign_id:int}/results/{number:int}/final": Rule(
        ADMIN, "/admin/campaigns/999/results/1/final"
    ),
    "GET /results": Rule(PUBLIC, "/results"),
    "GET /results/{campaign_id:int}": Rule(PUBLIC, "/results/999"),
    "GET /results/{campaign_id:int}/{number:int}": Rule(PUBLIC, "/results/999/1"),
    "GET /api/v1/results/{campaign_id:int}": Rule(PUBLIC, "/api/v1/results/999"),
}

# Filling forms: tasks, drafts, submitting, corrections (service/collection/routes.py).
# Who may see or change one submission is tested in tests/collection/test_pages.py;
# here an unknown id answers 404 to every signed-in actor.
COLLECTION_PAGE_RULES: dict[str, Rule] = {
    "GET /tasks": Rule(SIGNED_IN, "/tasks"),
    "POST /tasks/start": Rule(SIGNED_IN, "/tasks/start", {"submission_id": "x"}),
    "GET /submissions/{submission_id:uuid}": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000"
    ),
    "POST /submissions/{submission_id:uuid}/answers": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/answers"
    ),
    "GET /submissions/{submission_id:uuid}/items/{item_id:str}/photos": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/items/a/photos"
    ),
    "GET /submissions/{submission_id:uuid}/review": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/review"
    ),
    "POST /submissions/{submission_id:uuid}/submit": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/submit"
    ),
    "POST /submissions/{submission_id:uuid}/correction": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/correction"
    ),
    "POST /submissions/{submission_id:uuid}/correction/cancel": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/correction/cancel"
    ),
    "GET /submissions/{submission_id:uuid}/revisions": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/revisions"
    ),
}

# Photo evidence (service/collection/evidence_routes.py). Submission and photo 0000…
# do not exist: anyone signed in gets past the guard (404; an API upload with no photo
# in it, 400), and who may see an existing photo is tested in
# tests/collection/test_evidence_routes.py.
EVIDENCE_RULES: dict[str, Rule] = {
    "POST /submissions/{submission_id:uuid}/items/{item_id:str}/photos": Rule(
        SIGNED_IN, "/submissions/00000000-0000-4000-8000-000000000000/items/a/photos"
    ),
    "POST /submissions/{submission_id:uuid}/photos/{evidence_id:uuid}/remove": Rule(
        SIGNED_IN,
        "/submissions/00000000-0000-4000-8000-000000000000"
        "/photos/00000000-0000-4000-8000-000000000001/remove",
    ),
    "GET /evidence/{evidence_id:uuid}": Rule(
        SIGNED_IN, "/evidence/00000000-0000-4000-8000-000000000001"
    ),
    "GET /evidence/{evidence_id:uuid}/thumbnail": Rule(
        SIGNED_IN, "/evidence/00000000-0000-4000-8000-000000000001/thumbnail"
    ),
    "POST /api/v1/submissions/{submission_id:uuid}/evidence": Rule(
        SIGNED_IN, "/api/v1/submissions/00000000-0000-4000-8000-000000000000/evidence?item=a"
    ),
}

# The submissions API (service/collection/api.py).
SUBMISSION_API_RULES: dict[str, Rule] = {
    # An empty body: 400 for every account (the guard let it through), 401 for a visitor.
    "POST /api/v1/submissions": Rule(SIGNED_IN, "/api/v1/submissions"),
    "GET /api/v1/submissions": Rule(SIGNED_IN, "/api/v1/submissions"),
    # No such submission: 404 for every account (another's would be 404 too).
    "GET /api/v1/submissions/{submission_id:uuid}": Rule(
        SIGNED_IN, "/api/v1/submissions/00000000-0000-4000-8000-000000000000"
    ),
}

# Filling without signal (service/collection/offline_routes.py). Campaign 999 does not
# exist: anyone signed in gets past the guard (404).
OFFLINE_RULES: dict[str, Rule] = {
    "GET /sw.js": Rule(PUBLIC, "/sw.js"),
    "GET /manifest.webmanifest": Rule(PUBLIC, "/manifest.webmanifest"),
    "GET /outbox": Rule(PUBLIC, "/outbox"),
    "POST /offline/device": Rule(SIGNED_IN, "/offline/device"),
    "GET /offline/tasks/{campaign_id:int}/{enterprise_id:int}": Rule(
        SIGNED_IN, "/offline/tasks/999/999"
    ),
    "GET /api/v1/offline/tasks/{campaign_id:int}/{enterprise_id:int}": Rule(
        SIGNED_IN, "/api/v1/offline/tasks/999/999"
    ),
}

ORG_ADMIN_RULES = {
    "GET /admin/towns": Rule(ADMIN, "/admin/towns"),
    "POST /admin/towns": Rule(ADMIN, "/admin/towns", {"name": ""}, county=True),
    "POST /admin/towns/{town_id:int}/villages": Rule(
        ADMIN, "/admin/towns/{town}/villages", {"name": ""}
    ),
    "GET /admin/enterprises": Rule(ADMIN, "/admin/enterprises"),
    "GET /admin/enterprises/new": Rule(ADMIN, "/admin/enterprises/new"),
    "POST /admin/enterprises": Rule(ADMIN, "/admin/enterprises", {"name": ""}),
    "GET /admin/enterprises/{enterprise_id:int}": Rule(ADMIN, "/admin/enterprises/{own}"),
    "POST /admin/enterprises/{enterprise_id:int}": Rule(
        ADMIN, "/admin/enterprises/{own}", {"name": ""}
    ),
    "POST /admin/enterprises/{enterprise_id:int}/teams": Rule(
        ADMIN, "/admin/enterprises/{own}/teams", {"name": ""}
    ),
    "POST /admin/enterprises/{enterprise_id:int}/teams/{team_id:int}/delete": Rule(
        ADMIN, "/admin/enterprises/{own}/teams/999/delete"
    ),
    "POST /admin/enterprises/{enterprise_id:int}/supervisors": Rule(
        ADMIN, "/admin/enterprises/{own}/supervisors", {"user_id": "0"}
    ),
    "POST /admin/enterprises/{enterprise_id:int}/supervisors/{user_id:int}/remove": Rule(
        ADMIN, "/admin/enterprises/{own}/supervisors/999/remove"
    ),
    "GET /admin/import": Rule(ADMIN, "/admin/import"),
    "POST /admin/import": Rule(ADMIN, "/admin/import", {"town_id": "{town}"}),
    # One enterprise's profile: its account, a supervisor watching it, its town's admins.
    "GET /enterprises/{enterprise_id:int}": Rule(
        SIGNED_IN, "/enterprises/{own}", only=frozenset({"admin", "enterprise", "supervisor"})
    ),
}


# The hazards API (service/hazards/api.py): the hazard roles (a judge as such has no
# hazards). Hazard 999999 does not exist: 404 past the guard; an empty body, 400.
HAZARD_API_ROLES = frozenset({"admin", "supervisor", "enterprise"})
HAZARD_API_RULES: dict[str, Rule] = {
    "GET /api/v1/hazards": Rule(HAZARD_API_ROLES, "/api/v1/hazards"),
    "GET /api/v1/hazards/{hazard_id:int}": Rule(HAZARD_API_ROLES, "/api/v1/hazards/999999"),
    "POST /api/v1/hazards/{hazard_id:int}/transitions": Rule(
        HAZARD_API_ROLES, "/api/v1/hazards/999999/transitions"
    ),
    "POST /api/v1/hazards/{hazard_id:int}/photos": Rule(
        HAZARD_API_ROLES, "/api/v1/hazards/999999/photos"
    ),
}

# Hazard pages (service/hazards/routes.py, report_routes.py): the register, one hazard,
# its steps and photos. Hazard 999999 does not exist: 404 past the guard. Who sees and
# does what on one hazard is tested in tests/hazards/test_pages.py and the state machine.
HAZARD_PAGE_RULES: dict[str, Rule] = {
    "GET /hazards": Rule(HAZARD_API_ROLES, "/hazards"),
    "GET /hazards/{hazard_id:int}": Rule(HAZARD_API_ROLES, "/hazards/999999"),
    "POST /hazards/{hazard_id:int}/steps/{action:str}": Rule(
        HAZARD_API_ROLES, "/hazards/999999/steps/verify"
    ),
    "GET /hazards/{hazard_id:int}/photos/{evidence_id:uuid}": Rule(
        HAZARD_API_ROLES, "/hazards/999999/photos/6f1c2f4e-8d6a-4a51-9f43-3b8f6ad0e0a1"
    ),
    "GET /hazards/report": Rule(frozenset({"admin", "supervisor"}), "/hazards/report"),
    "POST /hazards/report": Rule(
        frozenset({"admin", "supervisor"}), "/hazards/report", {"submission_id": "x"}
    ),
}

# The hazard overview and rectification notices (service/hazards/dashboards.py,
# notices_routes.py). Notice 999999 and enterprise 999999 do not exist: 404 past the
# guard. Who sees which notice is tested in tests/hazards/test_notices.py.
NOTICE_ISSUERS = frozenset({"admin", "supervisor"})
DASHBOARD_NOTICE_RULES: dict[str, Rule] = {
    "GET /hazards/overview": Rule(HAZARD_API_ROLES, "/hazards/overview"),
    "GET /hazards/notices": Rule(HAZARD_API_ROLES, "/hazards/notices"),
    "GET /hazards/notices/new": Rule(NOTICE_ISSUERS, "/hazards/notices/new"),
    "POST /hazards/notices": Rule(NOTICE_ISSUERS, "/hazards/notices", {"enterprise": "999999"}),
    "GET /hazards/notices/{notice_id:int}": Rule(HAZARD_API_ROLES, "/hazards/notices/999999"),
}

# Hazard points and chemical cards (service/hazards/points_routes.py, chemicals_routes.py):
# enterprise accounts, supervisors and admins keep registers (a judge: 403); point and
# card 999 do not exist (404); who sees one of another enterprise is tested in
# tests/hazards/test_points.py and test_chemicals.py. The prompt card: anyone signed in.
REGISTERS = frozenset({"admin", "enterprise", "supervisor"})
HAZARD_POINT_RULES: dict[str, Rule] = {
    "GET /hazard-points": Rule(REGISTERS, "/hazard-points"),
    "GET /hazard-points/new": Rule(REGISTERS, "/hazard-points/new"),
    "POST /hazard-points": Rule(REGISTERS, "/hazard-points", {"name": ""}),
    "GET /hazard-points/{point_id:int}": Rule(REGISTERS, "/hazard-points/999"),
    "GET /hazard-points/{point_id:int}/edit": Rule(REGISTERS, "/hazard-points/999/edit"),
    "POST /hazard-points/{point_id:int}/edit": Rule(REGISTERS, "/hazard-points/999/edit"),
    "POST /hazard-points/{point_id:int}/active": Rule(REGISTERS, "/hazard-points/999/active"),
    "GET /hazard-points/{point_id:int}/card": Rule(REGISTERS, "/hazard-points/999/card"),
    "GET /hazard-points/{point_id:int}/qr.svg": Rule(REGISTERS, "/hazard-points/999/qr.svg"),
    "GET /hazard-points/{point_id:int}/inspect": Rule(REGISTERS, "/hazard-points/999/inspect"),
    "POST /hazard-points/{point_id:int}/inspect": Rule(
        REGISTERS, "/hazard-points/999/inspect", {"submission_id": "x"}
    ),
    "GET /prompt-cards/{form_id:str}": Rule(SIGNED_IN, "/prompt-cards/no-such-form"),
    "GET /chemical-cards": Rule(REGISTERS, "/chemical-cards"),
    "GET /chemical-cards/new": Rule(REGISTERS, "/chemical-cards/new"),
    "POST /chemical-cards": Rule(REGISTERS, "/chemical-cards", {"name_zh": ""}),
    "GET /chemical-cards/{card_id:int}": Rule(REGISTERS, "/chemical-cards/999"),
    "GET /chemical-cards/{card_id:int}/edit": Rule(REGISTERS, "/chemical-cards/999/edit"),
    "POST /chemical-cards/{card_id:int}/edit": Rule(REGISTERS, "/chemical-cards/999/edit"),
    "GET /chemical-cards/{card_id:int}/print": Rule(REGISTERS, "/chemical-cards/999/print"),
}

RULES: dict[str, Rule] = {
    "GET /healthz": Rule(PUBLIC, "/healthz"),
    "GET /api/v1/forms": Rule(PUBLIC, "/api/v1/forms"),
    "GET /api/v1/forms/{form_id:str}": Rule(PUBLIC, "/api/v1/forms/workers-home"),
    "POST /api/v1/forms/{form_id:str}/score": Rule(SIGNED_IN, "/api/v1/forms/workers-home/score"),
    "GET /": Rule(PUBLIC, "/"),
    "GET /forms/{form_id:str}": Rule(PUBLIC, "/forms/workers-home"),
    "GET /login": Rule(PUBLIC, "/login"),
    "POST /login": Rule(PUBLIC, "/login", {"username": "nobody", "password": "x"}),
    "POST /language": Rule(PUBLIC, "/language", {"language": "zh", "next": "/"}),
    "GET /account": Rule(SIGNED_IN, "/account"),
    "POST /account/password": Rule(SIGNED_IN, "/account/password", {"current_password": "x"}),
    "POST /account/tokens": Rule(SIGNED_IN, "/account/tokens", {"name": "matrix"}),
    "POST /account/tokens/{token_id:int}/revoke": Rule(SIGNED_IN, "/account/tokens/999/revoke"),
    "GET /api/v1/me": Rule(SIGNED_IN, "/api/v1/me"),
    "GET /admin/users": Rule(ADMIN, "/admin/users"),
    "POST /admin/users": Rule(ADMIN, "/admin/users", {"username": "", "role": ""}),
    "POST /admin/users/{user_id:int}/password": Rule(ADMIN, "/admin/users/{victim}/password"),
    "POST /admin/users/{user_id:int}/active": Rule(
        ADMIN, "/admin/users/{victim}/active", {"active": "1"}
    ),
    "POST /admin/users/{user_id:int}/roles": Rule(
        ADMIN, "/admin/users/{victim}/roles", {"role": "judge", "action": "grant"}
    ),
    "GET /admin/audit": Rule(ADMIN, "/admin/audit", county=True),
    "GET /admin/forms": Rule(ADMIN, "/admin/forms"),
    "GET /admin/forms/template.xlsx": Rule(ADMIN, "/admin/forms/template.xlsx"),
    "POST /admin/forms/upload": Rule(ADMIN, "/admin/forms/upload"),
    "GET /admin/forms/uploads/{upload_id:int}": Rule(ADMIN, "/admin/forms/uploads/999"),
    "POST /admin/forms/uploads/{upload_id:int}/publish": Rule(
        ADMIN, "/admin/forms/uploads/999/publish"
    ),
    "GET /admin/series": Rule(ADMIN, "/admin/series"),
    "POST /admin/series": Rule(ADMIN, "/admin/series", {"name": ""}),
    "GET /admin/series/{series_id:int}": Rule(ADMIN, "/admin/series/999"),
    "POST /admin/series/{series_id:int}/history": Rule(ADMIN, "/admin/series/999/history"),
    "POST /admin/campaigns/{campaign_id:int}/round": Rule(ADMIN, "/admin/campaigns/999/round"),
    "GET /static/{file_path:path}": Rule(PUBLIC, "/static/css/app.css"),
    "HEAD /static/{file_path:path}": Rule(PUBLIC, "/static/css/app.css"),
    "GET /schema": Rule(PUBLIC, "/schema"),
    "GET /schema/openapi.json": Rule(PUBLIC, "/schema/openapi.json"),
    "GET /schema/{path:str}": Rule(PUBLIC, "/schema/openapi.json"),
    "GET /schema/oauth2-redirect.html": Rule(PUBLIC, "/schema/oauth2-redirect.html"),
    **ORG_ADMIN_RULES,
    **CAMPAIGN_ADMIN_RULES,
    **RESULT_RULES,
    **COLLECTION_PAGE_RULES,
    **EVIDENCE_RULES,
    **SUBMISSION_API_RULES,
    **HAZARD_API_RULES,
    **HAZARD_PAGE_RULES,
    **DASHBOARD_NOTICE_RULES,
    **HAZARD_POINT_RULES,
    **OFFLINE_RULES,
    # Next to last: it revokes the token the API rules are requested with.
    "DELETE /api/v1/offline/device": Rule(SIGNED_IN, "/api/v1/offline/device"),
    # Sign-out last: it ends the actor's session.
    "POST /logout": Rule(SIGNED_IN, "/logout"),
}

# Every kind of actor: a visitor, each role, an enterprise account of another
# enterprise (for routes about one enterprise's data), admins of the test town and of
# another, and accounts with no grant: one once tied to the test town, one never tied.
ACTORS = [
    "anonymous",
    "admin",
    "supervisor",
    "enterprise",
    "judge",
    "other_enterprise",
    "town_admin",
    "other_town_admin",
    "unassigned",
    "untied",
]
ACTOR_ROLES: dict[str, tuple[str, ...]] = {
    "admin": ("admin",),
    "town_admin": ("admin",),
    "other_town_admin": ("admin",),
    "supervisor": ("supervisor",),
    "enterprise": ("enterprise",),
    "judge": ("judge",),
    "other_enterprise": ("enterprise",),
    "unassigned": (),
    "untied": (),
}
# The people the user-admin routes act on: no grant either; "tied_victim" found a
# hazard in the test town (it still sees it), "loose_victim" never did anything.
VICTIMS = ("tied_victim", "loose_victim")


def app_routes(app) -> set[str]:
    return {
        f"{method} {route.path}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        for method in handler.http_methods
        if method != "OPTIONS"
    }


def test_every_route_has_a_rule(tmp_path):
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'unused.sqlite3'}"))
    routes = app_routes(app)
    unknown = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)
    assert not unknown, f"routes without a rule in RULES (add them): {unknown}"
    assert not stale, f"rules for routes that no longer exist: {stale}"
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods != {"OPTIONS"}:  # Litestar's own OPTIONS answer
                assert "access" in handler.opt, f"{route.path} declares no access rule"


def expected(rule: Rule, actor: str, victim: str | None = None) -> str:
    if rule.access == PUBLIC:
        return "allowed"
    if actor == "anonymous":
        return "sign_in"
    if rule.only is not None:  # the test town's admin is one of its "admin"
        return "allowed" if actor.replace("town_", "") in rule.only else "forbidden"
    if actor == "other_town_admin" and (rule.town_data or rule.county or victim):
        return "forbidden"
    if actor == "town_admin" and (rule.county or victim == "loose_victim"):
        return "forbidden"
    if rule.access == SIGNED_IN or set(ACTOR_ROLES[actor]) & set(rule.access):
        return "allowed"
    return "forbidden"


def outcome(response, path: str) -> str:
    assert response.status_code < 500, f"{path}: {response.status_code}"
    if response.status_code == 401:
        return "sign_in"
    location = response.headers.get("location", "")
    if response.status_code in (302, 303) and location.startswith("/login?target="):
        return "sign_in"
    if response.status_code == 403:
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_answers_every_actor_as_intended(actor: str, database_url: str):
    places = in_database(database_url, two_enterprises)
    victims = {name: make_user(database_url, name) for name in VICTIMS}
    in_database(database_url, lambda: make_hazard(places["own"], victims["tied_victim"]))
    if actor != "anonymous":
        enterprise = places["other"] if actor == "other_enterprise" else places["own"]
        town = places["town"] if actor == "town_admin" else None
        if actor == "other_town_admin":
            town = in_database(database_url, lambda: ensure_town("别的镇"))
        user_id = make_user(
            database_url, actor, *ACTOR_ROLES[actor], enterprise_id=enterprise, town_id=town
        )
        if actor == "supervisor":  # watches the actor-enterprise's "own" enterprise
            in_database(database_url, lambda: assign_supervisor(places["own"], user_id))
        if actor == "unassigned":  # found a hazard there once; no grant now
            in_database(database_url, lambda: make_hazard(places["own"], user_id))
    api_token = None
    with TestClient(create_app(settings_for(database_url))) as client:
        if actor != "anonymous":
            assert sign_in(client, actor).status_code == 303
            page = client.post(
                "/account/tokens",
                data={"name": "matrix", "_csrf_token": csrf_token(client, "/account")},
            )
            api_token = page.text.split('<code class="token">')[1].split("</code>")[0]
        wrong = []
        cases = [
            (key, rule, victim)
            for key, rule in RULES.items()
            for victim in (VICTIMS if "{victim}" in rule.example else (None,))
        ]
        for key, rule, victim in cases:
            method, _ = key.split(" ", 1)
            path = rule.example.format(victim=victims.get(victim), **places)
            headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
            if method == "POST" and not path.startswith("/api/"):
                form = {k: v.format(**places) for k, v in (rule.form or {}).items()}
                form["_csrf_token"] = csrf_token(client, "/login")
                response = client.post(path, data=form, follow_redirects=False)
            elif method == "POST":
                response = client.post(path, json={}, headers=headers)
            else:
                response = client.request(method, path, headers=headers, follow_redirects=False)
            got, want = outcome(response, path), expected(rule, actor, victim)
            if got != want:
                who = f"{actor} on {victim}" if victim else actor
                wrong.append(f"{key} as {who}: {got} ({response.status_code}), wanted {want}")
        assert not wrong, "\n".join(wrong)


def test_options_requests_are_answered_not_refused(client: TestClient):
    """Litestar answers OPTIONS itself; the access guard must not turn that into a 500."""
    assert client.options("/admin/users").status_code < 500
    assert client.options("/api/v1/forms").status_code < 500
