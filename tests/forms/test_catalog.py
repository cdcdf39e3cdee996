"""Syncing form files into the database by content hash, on every engine."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
import pytest

from service.collection.tables import Submission
from service.forms import catalog
from service.forms.catalog import FormVersionInUse, sync_forms
from service.forms.loader import load_forms
from service.forms.tables import FormVersion
from tests.conftest import FORMS_DIR
from tests.factories import form_data, load


async def submit_against(form_id: str, version: int) -> None:
    row = (
        await FormVersion.select(FormVersion.id)
        .where((FormVersion.form_id == form_id) & (FormVersion.version == version))
        .first()
    )
    await Submission.insert(
        Submission(
            id=uuid.uuid4(),
            form_version=row["id"],
            status="submitted",
            created_at=dt.datetime.now(dt.UTC),
        )
    )


async def test_built_in_forms_sync_once_then_stay_unchanged(database):
    forms, errors = load_forms([FORMS_DIR])
    assert not errors
    first = await sync_forms(forms)
    assert len(first.added) == 8 and not first.updated
    again = await sync_forms(forms)
    assert len(again.unchanged) == 8 and not again.added and not again.updated
    assert await FormVersion.count() == 8
    listed = await catalog.list_forms()
    assert [f.id for f in listed] == sorted(f.definition.id for f in forms)


async def test_a_changed_file_without_submissions_replaces_its_version(database):
    await sync_forms([load(form_data())])
    report = await sync_forms([load(form_data(basis="新依据"))])
    assert report.updated == ["test-form@1"]
    stored = await catalog.get_form("test-form")
    assert stored is not None and stored.basis == "新依据"


async def test_a_changed_file_is_refused_once_submissions_use_its_version(database):
    await sync_forms([load(form_data())])
    await submit_against("test-form", 1)
    with pytest.raises(FormVersionInUse) as caught:
        await sync_forms([load(form_data(basis="改过的依据"), file="forms/test-form.yaml")])
    message = str(caught.value)
    assert "forms/test-form.yaml" in message
    assert "version 1" in message and "raise `version` to 2" in message
    stored = await catalog.get_form("test-form", 1)
    assert stored is not None and stored.basis == "测试依据"  # untouched


async def test_a_new_version_is_stored_beside_the_old_one(database):
    await sync_forms([load(form_data())])
    await submit_against("test-form", 1)
    report = await sync_forms([load(form_data(version=2, basis="第二版依据"))])
    assert report.added == ["test-form@2"]
    old, new = await catalog.get_form("test-form", 1), await catalog.get_form("test-form")
    assert old is not None and old.version == 1 and old.basis == "测试依据"
    assert new is not None and new.version == 2
    [summary] = await catalog.list_forms()
    assert summary.version == 2 and summary.versions == [1, 2]


async def test_sync_is_all_or_nothing(database):
    await sync_forms([load(form_data())])
    await submit_against("test-form", 1)
    other = load(form_data(id="other-form"))
    with pytest.raises(FormVersionInUse):
        await sync_forms([other, load(form_data(basis="改"))])
    assert await catalog.get_form("other-form") is None


async def test_the_database_refuses_a_second_row_for_one_version(database):
    await sync_forms([load(form_data())])
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(Exception, match=r"(?i)unique"):
        await FormVersion.insert(
            FormVersion(
                form_id="test-form",
                version=1,
                kind="scored",
                title_zh="重复",
                content_hash="x",
                definition="{}",
                source_file="x",
                created_at=now,
                updated_at=now,
            )
        )


async def test_the_stored_form_is_what_its_author_wrote(database):
    """No defaults are frozen into the stored form, so a new optional field in the
    language changes neither its hash nor its meaning."""
    await sync_forms([load(form_data())])
    row = await FormVersion.select(FormVersion.definition).first()
    stored = msgspec.json.decode(row["definition"])
    assert stored == form_data()
    assert "allow_na" not in row["definition"]
