"""create_engine / parse_database_url, and the PostgreSQL test-database helpers."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import asyncpg
import pytest
from piccolo.engine.postgres import PostgresEngine

from service.db import (
    PoolSizedPostgresEngine,
    SQLiteWALEngine,
    create_engine,
    parse_database_url,
    ping,
    start,
    stop,
)
from service.db.testing import (
    create_fresh_postgres_database,
    drop_postgres_database,
    with_database,
)

POSTGRES_SERVER = os.environ.get("TEST_DATABASE_URL")
needs_postgres = pytest.mark.skipif(not POSTGRES_SERVER, reason="TEST_DATABASE_URL is not set")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///data/ankang.sqlite3", "data/ankang.sqlite3"),
        ("sqlite:///ankang.sqlite3", "ankang.sqlite3"),
        ("sqlite:////var/lib/ankang/db.sqlite3", "/var/lib/ankang/db.sqlite3"),
        ("sqlite:////tmp/with%20space.sqlite3", "/tmp/with space.sqlite3"),
        ("SQLITE:///x.db", "x.db"),
    ],
)
def test_parse_sqlite_urls(url: str, path: str) -> None:
    parsed = parse_database_url(url)
    assert parsed.kind == "sqlite"
    assert parsed.path == path


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:5432/ankang",
        "postgres://user:secret@db.example:6543/ankang?sslmode=require",
    ],
)
def test_parse_postgres_urls(url: str) -> None:
    parsed = parse_database_url(url)
    assert parsed.kind == "postgres"
    assert parsed.dsn == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/ankang", "scheme 'mysql'"),
        ("postgresql+asyncpg://u@h/db", "scheme"),
        ("ankang.sqlite3", "Unsupported database URL"),
        ("", "Unsupported database URL"),
        ("sqlite://relative.sqlite3", "three slashes"),
        ("sqlite:///", "does not name a file"),
        ("sqlite:///:memory:", "In-memory"),
        ("sqlite:///x.sqlite3?mode=ro", "query strings"),
        ("postgresql://postgres@127.0.0.1:5432", "does not name a database"),
    ],
)
def test_bad_urls_are_rejected_clearly(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_database_url(url)
    with pytest.raises(ValueError, match=message):
        create_engine(url)


def test_create_engine_sqlite_relative_path_creates_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = create_engine(
        "sqlite:///nested/dir/app.sqlite3", sqlite_readers=2, sqlite_synchronous="full"
    )
    assert isinstance(engine, SQLiteWALEngine)
    assert engine.engine_type == "sqlite"
    assert engine.path == "nested/dir/app.sqlite3"
    assert engine.readers == 2
    assert engine.synchronous == "FULL"
    assert (tmp_path / "nested" / "dir").is_dir()
    assert not (tmp_path / "nested" / "dir" / "app.sqlite3").exists()  # opened lazily


async def test_create_engine_sqlite_absolute_path(tmp_path: Path) -> None:
    target = tmp_path / "abs" / "app.sqlite3"
    engine = create_engine(f"sqlite:///{target}")  # tmp_path is absolute: four slashes
    assert engine.path == str(target)
    await start(engine)
    try:
        await ping(engine)
        assert target.exists()
    finally:
        await stop(engine)


def test_create_engine_postgres_without_a_server() -> None:
    with warnings.catch_warnings():
        # Like any Piccolo PostgresEngine it asks the server for its version
        # when built, and only warns when nobody answers.
        warnings.simplefilter("ignore")
        engine = create_engine("postgresql://nobody@127.0.0.1:1/ankang", pool_max=3)
    assert isinstance(engine, PostgresEngine)
    assert isinstance(engine, PoolSizedPostgresEngine)
    assert engine.engine_type == "postgres"
    assert engine.config == {"dsn": "postgresql://nobody@127.0.0.1:1/ankang"}
    assert engine.pool_max == 3


def test_with_database() -> None:
    assert (
        with_database("postgresql://u:p@h:5432/test?sslmode=disable", "other")
        == "postgresql://u:p@h:5432/other?sslmode=disable"
    )
    with pytest.raises(ValueError):
        with_database("sqlite:///x", "other")


async def test_drop_refuses_databases_it_did_not_make() -> None:
    with pytest.raises(ValueError, match="Refusing"):
        await drop_postgres_database("postgresql://postgres@127.0.0.1:5432/production")


@needs_postgres
async def test_postgres_engine_lifecycle_on_a_fresh_database() -> None:
    assert POSTGRES_SERVER is not None
    url = await create_fresh_postgres_database(POSTGRES_SERVER)
    name = url.rsplit("/", 1)[1]
    assert name.startswith("ankang_test_")
    try:
        engine = create_engine(url, pool_max=4)
        await start(engine)
        assert engine.pool is not None
        assert engine.pool.get_max_size() == 4
        await start(engine)  # already started: nothing happens
        await ping(engine)
        await stop(engine)
        await stop(engine)  # idempotent
        assert engine.pool is None
        await start(engine)  # and it can be started again
        await ping(engine)
        await stop(engine)
    finally:
        await drop_postgres_database(url)
    connection = await asyncpg.connect(with_database(POSTGRES_SERVER, "postgres"))
    try:
        exists = await connection.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname = $1", name
        )
    finally:
        await connection.close()
    assert exists == 0
