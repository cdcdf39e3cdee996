"""The organisation pages through the real app: import, edit, seed."""

from __future__ import annotations

import csv
import io
import re

from litestar.testing import TestClient

from service.orgs import queries
from service.orgs.tables import Enterprise
from service.seed import DEMO_FILE, seed_demo_data
from tests.factories import csrf_token, in_database, make_user, sign_in, two_enterprises


def admin_client(client: TestClient, database_url: str) -> dict:
    places = in_database(database_url, two_enterprises)
    make_user(database_url, "admin", "admin")
    assert sign_in(client, "admin").status_code == 303
    return places


def upload(client: TestClient, town: int, name: str, data: bytes):
    return client.post(
        "/admin/import",
        data={"town_id": str(town), "_csrf_token": csrf_token(client, "/admin/import")},
        files={"file": (name, data, "text/csv")},
    )


def test_importing_the_same_list_twice_changes_nothing(client: TestClient, database_url):
    places = admin_client(client, database_url)
    first = upload(client, places["town"], "demo.csv", DEMO_FILE.read_bytes())
    assert first.status_code == 200, first.text
    assert "新增32家，更新0家，未变0家" in first.text
    again = upload(client, places["town"], "demo.csv", DEMO_FILE.read_bytes())
    assert "新增0家，更新0家，未变32家" in again.text
    assert in_database(database_url, Enterprise.count) == 2 + 32


def test_a_broken_file_is_refused_whole_with_every_bad_row(client: TestClient, database_url):
    places = admin_client(client, database_url)
    rows = list(csv.reader(io.StringIO(DEMO_FILE.read_text(encoding="utf-8"))))
    rows[3][1] = rows[3][1][:-1] + ("0" if rows[3][1][-1] != "0" else "1")  # check character
    rows[7][0] = ""  # no name
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = upload(client, places["town"], "broken.csv", buffer.getvalue().encode("utf-8"))
    assert response.status_code == 400
    assert re.search(r"<td>4</td><td>统一社会信用代码</td>", response.text)
    assert re.search(r"<td>8</td><td>企业名称</td>", response.text)
    assert in_database(database_url, Enterprise.count) == 2  # nothing from the file


def test_the_enterprise_form_shows_every_error_at_once(client: TestClient, database_url):
    admin_client(client, database_url)
    page = client.get("/admin/enterprises/new")
    village = re.search(r'<option value="(\d+)"', page.text).group(1)
    form = {
        "name": "",
        "credit_code": "91330199MA2000010X",
        "village_id": village,
        "industry": "化工",
        "ownership": "mixed",
        "head_count": "-3",
        "_csrf_token": csrf_token(client, "/admin/enterprises/new"),
    }
    response = client.post("/admin/enterprises", data=form, follow_redirects=False)
    assert response.status_code == 400
    errors = re.findall(r'<small class="field-error" id="err-(\w+)">', response.text)
    assert {"name", "credit_code", "head_count"} <= set(errors)
    assert 'value="化工"' in response.text  # what was typed is kept
    form.update(name="新建化工有限公司", credit_code="91350100M000100Y43", head_count="30")
    saved = client.post("/admin/enterprises", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith("/admin/enterprises/")
    assert "新建化工有限公司" in client.get(saved.headers["location"]).text


def test_an_enterprise_account_sees_its_own_enterprise_only(client: TestClient, database_url):
    places = in_database(database_url, two_enterprises)
    make_user(database_url, "qiye", "enterprise", enterprise_id=places["own"])
    sign_in(client, "qiye")
    assert client.get(f"/enterprises/{places['own']}").status_code == 200
    assert client.get(f"/enterprises/{places['other']}").status_code == 403
    assert client.get("/admin/enterprises").status_code == 403


def test_the_demo_seed_is_complete_and_idempotent(database_url):
    first = in_database(database_url, seed_demo_data)
    assert any("32 enterprises" in line for line in first)
    assert in_database(database_url, seed_demo_data) == ["demo data already there: nothing added"]
    assert in_database(database_url, Enterprise.count) == 32


def test_a_town_cannot_import_another_towns_enterprise(client: TestClient, database_url):
    places = in_database(database_url, two_enterprises)
    other_town = in_database(database_url, lambda: queries.ensure_town("别的镇"))
    make_user(database_url, "townadmin", "admin", town_id=other_town)
    sign_in(client, "townadmin")
    own = in_database(database_url, lambda: queries.get_enterprise(places["own"]))
    header = "企业名称,统一社会信用代码,所属村/社区,行业,所有制\n"
    row = f"改名公司,{own['credit_code']},别的村,化工,国有\n"
    response = upload(client, other_town, "takeover.csv", (header + row).encode())
    assert response.status_code == 400
    assert "属于测试镇的企业" in response.text
    after = in_database(database_url, lambda: queries.get_enterprise(places["own"]))
    assert after["name"] == own["name"] and after["town_id"] == places["town"]
