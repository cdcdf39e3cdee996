"""The service refuses to start on what it cannot serve, and says why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.db.migrate import DatabaseNotMigrated
from service.forms.loader import FormFileInvalid
from tests.conftest import settings_for
from tests.factories import form_data, form_yaml


def start_error(app) -> BaseException:
    with pytest.raises(BaseException) as caught, TestClient(app):
        pass
    [error] = [e for e in _flatten(caught.value) if not isinstance(e, BaseExceptionGroup)]
    return error


def test_the_app_refuses_to_start_on_a_broken_form_file(tmp_path: Path, database_url: str):
    broken = form_data()
    broken["sections"][0]["points"] = 99
    (tmp_path / "broken.yaml").write_text(form_yaml(broken), encoding="utf-8")
    error = start_error(create_app(settings_for(database_url, forms_dir=tmp_path)))
    assert isinstance(error, FormFileInvalid)
    assert "broken.yaml" in str(error)
    assert "sections[0].points" in str(error)


def _flatten(error: BaseException) -> list[BaseException]:
    """The exception and everything inside exception groups (anyio wraps start-up errors)."""
    if isinstance(error, BaseExceptionGroup):
        return [e for inner in error.exceptions for e in _flatten(inner)]
    return [error]


def test_the_app_refuses_an_unmigrated_database(tmp_path: Path):
    error = start_error(create_app(settings_for(f"sqlite:///{tmp_path / 'empty.sqlite3'}")))
    assert isinstance(error, DatabaseNotMigrated)
    assert re.search(r"\d+ migration\(s\) not applied", str(error))
    assert "python -m service migrate" in str(error)
