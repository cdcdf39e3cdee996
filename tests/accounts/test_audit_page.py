"""The audit log reads as sentences: who did what to what, in Beijing time."""

from __future__ import annotations

import datetime as dt
import re

from litestar.testing import TestClient

from service.accounts.principal import Role
from service.accounts.tables import AuditEvent
from service.accounts.users import create_user
from tests.factories import PASSWORD, csrf_token, in_database, sign_in, two_enterprises


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_audit_log_names_people_and_says_what_happened_in_beijing_time(
    client: TestClient, database_url: str
):
    places = in_database(database_url, two_enterprises)
    in_database(
        database_url,
        lambda: create_user("county", "县总工会 王主任", PASSWORD, [(Role.admin, None, None)]),
    )
    sign_in(client, "county")
    client.post(
        "/admin/users",
        data={
            "username": "dongfeng",
            "display_name": "东风工会",
            "role": "enterprise",
            "enterprise_id": str(places["own"]),
            "_csrf_token": csrf_token(client, "/admin/users"),
        },
    )
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "北京时间" in page.text
    rows = _rows(page.text)
    created = next(r for r in rows if "创建了账号" in r[2])
    assert created[1] == "县总工会 王主任"  # a name, not a user id
    assert created[3] == "东风工会（dongfeng）：企业"  # the role it was given
    signed_in = next(r for r in rows if r[2] == "登录")
    assert signed_in[1] == "县总工会 王主任" and signed_in[3] == ""
    stored = in_database(
        database_url,
        lambda: AuditEvent.select().where(AuditEvent.event == "user_created").first(),
    )
    moment = stored["at"] if stored["at"].tzinfo else stored["at"].replace(tzinfo=dt.UTC)
    beijing = moment.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert created[0] == beijing.strftime("%Y-%m-%d %H:%M")
    assert "user_created" not in page.text.split("<tbody>", 1)[1].replace("event=user_created", "")

    only = client.get("/admin/audit", params={"event": "user_created"})
    assert "只看：创建了账号" in only.text and len(_rows(only.text)) == 1


def test_campaign_and_token_events_name_the_campaign_and_the_token():
    from service.accounts.audit_view import Names, describe
    from service.web.i18n import current_language

    names = Names(users={7: "县总工会 王主任"}, campaigns={3: "2026年安康杯"})
    at = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)
    language = current_language.set("zh")
    frozen = describe(
        {
            "event": "result_frozen",
            "subject": "campaign 3",
            "actor_id": 7,
            "at": at,
            "ip": "10.0.0.1",
            "detail": '{"number": 2}',
        },
        names,
    )
    assert (frozen.at, frozen.who, frozen.what) == (
        "2026-03-02 00:30",
        "县总工会 王主任",
        "冻结了结果",
    )
    assert frozen.target == "2026年安康杯 · 第 2 版结果"
    used = describe(
        {
            "event": "token_used",
            "subject": "ak_1234",
            "actor_id": 8,
            "at": at,
            "ip": None,
            "detail": "",
        },
        names,
    )
    current_language.reset(language)
    assert used.target == "令牌 ak_1234…" and used.who == "#8"
