"""Settings come from the environment once, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import Settings, SettingsError


def test_defaults_serve_locally_on_sqlite_with_durable_commits():
    settings = Settings.from_env({})
    assert settings.is_sqlite
    assert settings.database_url.endswith("data/ankang.sqlite3")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.sqlite_synchronous == "FULL"


def test_environment_values_are_converted():
    settings = Settings.from_env(
        {
            "PORT": "9000",
            "FORMS_DIR": "/srv/forms",
            "SQLITE_SYNCHRONOUS": "normal",
            "DATABASE_URL": "postgresql://u@h/db",
            "WORKERS": "3",
        }
    )
    assert settings.port == 9000 and settings.workers == 3
    assert settings.forms_dir == Path("/srv/forms")
    assert settings.sqlite_synchronous == "NORMAL"
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "eighty"}, "PORT: Expected `int`"),
        ({"SQLITE_SYNCHRONOUS": "fast"}, "SQLITE_SYNCHRONOUS: Invalid enum value 'FAST'"),
        ({"SQLITE_READERS": "0"}, "SQLITE_READERS: Expected `int` >= 1"),
    ],
)
def test_a_bad_value_names_the_variable(environ: dict[str, str], message: str):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)
