"""Fixtures for the database-layer tests: real SQLite files and, when
TEST_DATABASE_URL names a PostgreSQL server, a fresh PostgreSQL database for
this run (created on the server, dropped at the end)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from service.db import create_engine, start, stop
from service.db.sqlite import SQLiteWALEngine
from service.db.testing import create_fresh_postgres_database, drop_postgres_database
from tests.db.tables import reset_tables

POSTGRES_SERVER = os.environ.get("TEST_DATABASE_URL")
ENGINE_KINDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not POSTGRES_SERVER, reason="TEST_DATABASE_URL is not set"),
    ),
]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One fresh PostgreSQL database for this test run, dropped at the end."""
    if not POSTGRES_SERVER:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = asyncio.run(create_fresh_postgres_database(POSTGRES_SERVER))
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(url))


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "test.sqlite3"


@pytest.fixture
async def sqlite_engine(sqlite_path: Path) -> AsyncIterator[SQLiteWALEngine]:
    """Our SQLite engine on a fresh file, started, test tables bound and empty."""
    engine = create_engine(f"sqlite:///{sqlite_path}")
    assert isinstance(engine, SQLiteWALEngine)
    await start(engine)
    await reset_tables(engine)
    try:
        yield engine
    finally:
        await stop(engine)


@pytest.fixture(params=ENGINE_KINDS)
def db_url(request: pytest.FixtureRequest, sqlite_path: Path) -> str:
    """The URL of a database of each kind (a sync fixture, so the run's
    PostgreSQL database can be made with asyncio.run outside any loop)."""
    if request.param == "sqlite":
        return f"sqlite:///{sqlite_path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[object]:
    """A started engine of each kind with the test tables bound and empty."""
    engine = create_engine(db_url)
    await start(engine)
    await reset_tables(engine)
    try:
        yield engine
    finally:
        await stop(engine)
