"""/admin/forms: a clerk uploads a form file, reads every error, previews the draft and
publishes it as a new version; campaigns can then use it. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import TestClient

from service.accounts.tables import AuditEvent
from service.collection.tables import Submission
from service.forms.tables import FormUpload, FormVersion
from service.forms.uploads import MAX_UPLOAD_BYTES
from tests.campaigns.factories import add_town
from tests.factories import csrf_token, form_data, form_yaml, in_database, make_user, sign_in


def _town(database_url: str, name: str) -> int:
    return in_database(database_url, lambda: add_town(name, {}))["town"]


def _admin(client: TestClient, database_url: str, name: str, town_id: int | None = None) -> None:
    make_user(database_url, name, "admin", town_id=town_id)
    assert sign_in(client, name).status_code == 303


def _upload(client: TestClient, text: str | bytes, name: str = "table.yaml", **fields: Any):
    token = csrf_token(client, "/admin/forms")
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/admin/forms/upload",
        data={"_csrf_token": token, **fields},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _publish(client: TestClient, draft_path: str):
    token = csrf_token(client, draft_path)
    return client.post(f"{draft_path}/publish", data={"_csrf_token": token}, follow_redirects=False)


def _table(form_id: str = "town-table", version: int = 7, **overrides: Any) -> str:
    return form_yaml(form_data(id=form_id, version=version, **overrides))


def _rows(database_url: str, table: Any, *where: Any) -> list[dict]:
    async def read() -> list[dict]:
        query = table.select()
        for condition in where:
            query = query.where(condition)
        return await query

    return in_database(database_url, read)


def _english(client: TestClient, path: str) -> Any:
    return client.get(path, params={"lang": "en"})


def _text(response: Any) -> str:
    return html.unescape(re.sub(r">\s+<", "><", re.sub(r"\s+", " ", response.text)))


def test_list_shows_built_in_forms_with_versions_and_submission_counts(
    client: TestClient, database_url: str
):
    _admin(client, database_url, "county")
    page = client.get("/admin/forms")
    assert page.status_code == 200
    assert 'href="/forms/ankang-cup-enterprise?version=1"' in page.text
    assert 'data-submissions="ankang-cup-enterprise@1">0<' in page.text
    # The admin navigation leads here.
    assert 'href="/admin/forms"' in client.get("/admin/campaigns").text


def test_every_error_shown_at_its_line_then_fix_preview_publish(
    client: TestClient, database_url: str
):
    _admin(client, database_url, "county")
    broken = form_data(id="town-table", version=7)
    broken["sections"][0]["items"][1]["points"] = -6
    broken["sections"][1]["items"][1]["type"] = "chek"
    refused = _upload(client, form_yaml(broken), "县表.yaml")
    assert refused.status_code == 400
    text = _text(refused)
    assert "县表.yaml" in text
    assert '<td>25</td><td><code class="error-path">sections[0].items[1].points</code><br>' in text
    assert '<td>35</td><td><code class="error-path">sections[1].items[1].type</code><br>' in text
    assert "did you mean `check`?" in text
    assert _rows(database_url, FormUpload) == []

    checked = _upload(client, _table(), "县表.yaml")
    assert checked.status_code == 303
    draft_path = checked.headers["location"]
    preview = client.get(draft_path)
    assert preview.status_code == 200
    text = _text(preview)
    # The file's version 7 gives way to the next free one, 1; the page says so.
    assert "文件写的是第7版；将发布为第1版" in text
    assert text.count("data-section-sum=") == 2
    assert _rows(database_url, FormVersion, FormVersion.form_id == "town-table") == []

    published = _publish(client, draft_path)
    assert published.status_code == 303
    [row] = _rows(database_url, FormVersion, FormVersion.form_id == "town-table")
    assert (row["version"], row["origin"], row["owner_town"]) == (1, "upload", None)
    assert "Published as version 1 of town-table." in _text(_english(client, draft_path))
    events = [e["event"] for e in _rows(database_url, AuditEvent)]
    assert "form_uploaded" in events and "form_published" in events

    # A double click or a retry publishes nothing more.
    assert _publish(client, draft_path).status_code == 303
    assert len(_rows(database_url, FormVersion, FormVersion.form_id == "town-table")) == 1
    assert [e["event"] for e in _rows(database_url, AuditEvent)].count("form_published") == 1

    # The campaign page can pick it, with its version.
    _town(database_url, "东镇")
    campaigns = client.get("/admin/campaigns")
    assert 'value="town-table"' in campaigns.text
    # And the read-only preview of the version reads it.
    assert client.get("/forms/town-table?version=1").status_code == 200


def test_section_sums_show_on_the_preview(client: TestClient, database_url: str):
    _admin(client, database_url, "county")
    draft = _upload(client, _table()).headers["location"]
    text = _text(_english(client, draft))
    assert "Items add up to 10 of 10 pts" in text
    assert "Sections add up to 20; the form's full marks are 20." in text


def test_new_version_never_changes_one_with_submissions(client: TestClient, database_url: str):
    _admin(client, database_url, "county")
    _publish(client, _upload(client, _table(version=1)).headers["location"])
    [first] = _rows(database_url, FormVersion, FormVersion.form_id == "town-table")
    user = make_user(database_url, "filler", "supervisor")

    async def submit() -> None:
        import datetime as dt
        import uuid

        now = dt.datetime.now(dt.UTC)
        await Submission.insert(
            Submission(
                id=uuid.uuid4(),
                form_version=first["id"],
                author=user,
                answers="{}",
                created_at=now,
                updated_at=now,
            )
        )

    in_database(database_url, submit)
    changed = form_data(id="town-table", version=1, title={"zh": "新表", "en": "New"})
    draft = _upload(client, form_yaml(changed)).headers["location"]
    assert "Publish as version 2" in _text(_english(client, draft))
    assert _publish(client, draft).status_code == 303
    rows = _rows(database_url, FormVersion, FormVersion.form_id == "town-table")
    assert sorted(r["version"] for r in rows) == [1, 2]
    [again] = [r for r in rows if r["version"] == 1]
    assert (again["content_hash"], again["title_zh"]) == (first["content_hash"], "测试表")
    page = client.get("/admin/forms")
    assert 'data-submissions="town-table@1">1<' in page.text
    assert 'data-submissions="town-table@2">0<' in page.text


def test_a_towns_form_is_its_own(database_url: str, client: TestClient):
    east, west = _town(database_url, "东镇"), _town(database_url, "西镇")
    _admin(client, database_url, "east-admin", east)
    _publish(client, _upload(client, _table("east-table")).headers["location"])
    [row] = _rows(database_url, FormVersion, FormVersion.form_id == "east-table")
    assert row["owner_town"] == east
    assert 'value="east-table"' in client.get("/admin/campaigns").text

    # Not over a built-in form: said clearly, nothing published.
    draft = _upload(client, _table("ankang-cup-enterprise")).headers["location"]
    refused = _publish(client, draft)
    assert refused.status_code == 403
    assert 'id="refusal"' in refused.text
    assert (
        len(_rows(database_url, FormVersion, FormVersion.form_id == "ankang-cup-enterprise")) == 1
    )

    client.cookies.clear()
    _admin(client, database_url, "west-admin", west)
    assert "east-table" not in client.get("/admin/forms").text
    assert 'value="east-table"' not in client.get("/admin/campaigns").text
    # Nor over another town's form.
    draft = _upload(client, _table("east-table")).headers["location"]
    assert _publish(client, draft).status_code == 403
    assert len(_rows(database_url, FormVersion, FormVersion.form_id == "east-table")) == 1
    # Another admin's draft is not hers to read.
    [east_draft, *_] = _rows(database_url, FormUpload, FormUpload.form_id == "east-table")
    assert client.get(f"/admin/forms/uploads/{east_draft['id']}").status_code == 404


def test_county_campaign_in_another_town_cannot_use_a_towns_form(
    database_url: str, client: TestClient
):
    east, west = _town(database_url, "东镇"), _town(database_url, "西镇")
    _admin(client, database_url, "east-admin", east)
    _publish(client, _upload(client, _table("east-table")).headers["location"])
    client.cookies.clear()
    _admin(client, database_url, "county")
    token = csrf_token(client, "/admin/campaigns")
    fields = {
        "_csrf_token": token,
        "name": "西镇检查",
        "form_id": "east-table",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "judges": "1",
    }
    refused = client.post("/admin/campaigns", data={**fields, "town_id": str(west)})
    assert refused.status_code == 400
    assert 'id="err-form_id"' in refused.text
    created = client.post(
        "/admin/campaigns", data={**fields, "town_id": str(east)}, follow_redirects=False
    )
    assert created.status_code == 303


def test_only_admins(client: TestClient, database_url: str):
    make_user(database_url, "judge", "judge")
    sign_in(client, "judge")
    assert client.get("/admin/forms").status_code == 403


def test_oversize_upload_refused_with_a_clear_message(client: TestClient, database_url: str):
    _admin(client, database_url, "county")
    big = b"# " + b"x" * MAX_UPLOAD_BYTES + b"\n"
    response = _upload(client, big)
    assert response.status_code == 413
    assert "2 MB" in _text(response)
    assert _rows(database_url, FormUpload) == []


def test_forms_sync_leaves_uploaded_versions_alone(client: TestClient, database_url: str):
    from service.forms.catalog import sync_forms
    from tests.factories import load

    _admin(client, database_url, "county")
    _publish(client, _upload(client, _table("ankang-cup-enterprise")).headers["location"])
    [uploaded] = _rows(
        database_url,
        FormVersion,
        (FormVersion.form_id == "ankang-cup-enterprise") & (FormVersion.version == 2),
    )
    # An engineer's file later says version 2 too: the upload holds it; the file is
    # named in the report, not stored, and nothing is refused.
    file_form = load(form_data(id="ankang-cup-enterprise", version=2), "forms/ankang.yaml")
    report = in_database(database_url, lambda: sync_forms([file_form]))
    assert report.added == [] and report.updated == []
    assert "forms/ankang.yaml: ankang-cup-enterprise@2 is held by an upload" in report.skipped
    [after] = _rows(database_url, FormVersion, FormVersion.id == uploaded["id"])
    assert after["content_hash"] == uploaded["content_hash"]
