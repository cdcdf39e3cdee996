"""Build form definitions for tests: a valid small form, changed where a test needs."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import yaml

from service.forms.loader import LoadedForm, load_form_text
from service.forms.model import FormDefinition


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid scored form: two standard sections of 10 points, max 20."""
    data: dict[str, Any] = {
        "id": "test-form",
        "version": 1,
        "kind": "scored",
        "title": {"zh": "测试表", "en": "Test form"},
        "basis": "测试依据",
        "roles": ["enterprise", "judge"],
        "scoring": {"max": 20},
        "sections": [
            {
                "id": "first",
                "title": "第一部分",
                "points": 10,
                "items": [
                    {"id": "a", "type": "check", "label": "甲", "points": 4},
                    {"id": "b", "type": "check", "label": "乙", "points": 6},
                ],
            },
            {
                "id": "second",
                "title": "第二部分",
                "points": 10,
                "items": [
                    {"id": "c", "type": "check", "label": "丙", "points": 5},
                    {"id": "d", "type": "check", "label": "丁", "points": 5},
                ],
            },
        ],
    }
    data.update(copy.deepcopy(overrides))
    return data


def form_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load(data: dict[str, Any], file: str = "test-form.yaml") -> LoadedForm:
    return load_form_text(form_yaml(data), file)


def definition(**overrides: Any) -> FormDefinition:
    return load(form_data(**overrides)).definition


def section(id: str, items: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": id, "title": id, "items": items, **fields}


def scored_form(*sections: dict[str, Any], max: float, **scoring: Any) -> FormDefinition:
    """A scored form made of the given sections."""
    return definition(sections=list(sections), scoring={"max": max, **scoring})


def as_dict(value: Any) -> Any:
    return msgspec.to_builtins(value)


def best_answers(definition: dict[str, Any]) -> dict[str, Any]:
    """Answers that earn every point of a definition given as JSON (the API's shape)."""
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        for item in section["items"]:
            kind = item["type"]
            if kind == "check":
                answers[item["id"]] = item.get("good", "yes")
            elif kind == "rate":
                answers[item["id"]] = 100
            elif kind == "count":
                answers[item["id"]] = 0
            elif kind == "choice":
                answers[item["id"]] = max(item["options"], key=lambda o: o["score"])["id"]
            elif kind == "multi":
                answers[item["id"]] = [o["id"] for o in item["options"] if o["score"] > 0]
    return answers


# ---------------------------------------------------------------- accounts

PASSWORD = "correct-horse-42"


async def _with_engine(database_url: str, work: Any) -> Any:
    from service import db
    from service.piccolo_app import TABLES

    engine = db.create_engine(database_url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        return await work()
    finally:
        await db.stop(engine)


def in_database(database_url: str, work: Any) -> Any:
    """Run `await work()` with every table bound to a fresh engine on this database
    (from sync test code, before or between app clients)."""
    from tests.conftest import run_sync

    return run_sync(_with_engine(database_url, work))


def make_user(
    database_url: str,
    username: str,
    *roles: str,
    enterprise_id: int | None = None,
    town_id: int | None = None,
    password: str = PASSWORD,
) -> int:
    from service.accounts.principal import Role
    from service.accounts.users import create_user

    grants = [
        (Role(r), town_id if r == "admin" else None, enterprise_id if r == "enterprise" else None)
        for r in roles
    ]
    return in_database(database_url, lambda: create_user(username, username, password, grants))


def csrf_token(client: Any, path: str = "/login") -> str:
    """The CSRF token a page's forms carry (and the cookie that goes with it)."""
    import re

    html = client.get(path).text
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": token},
        follow_redirects=False,
    )


# ---------------------------------------------------------------- organisations


async def two_enterprises() -> dict[str, int]:
    """A town with a village and two enterprises: ids of "town", "own" and "other"."""
    from service.orgs import queries
    from service.orgs.credit_code import make_credit_code

    town = await queries.ensure_town("测试镇")
    village, _ = await queries.ensure_village(town, "测试村")
    ids = {}
    for key, serial in (("own", "00001"), ("other", "00002")):
        code = make_credit_code(f"91330199MA2{serial}X")
        ids[key] = await queries.save_enterprise(
            {
                "name": f"测试企业{serial}",
                "credit_code": code,
                "industry": "机械制造",
                "ownership": "non_public",
                "head_count": 50,
            },
            village,
        )
    return {"town": town, **ids}
