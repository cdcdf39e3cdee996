"""Shared fixtures: a real database per engine, the app, and the built-in forms.

Each run makes its own databases (a temporary SQLite file; a fresh PostgreSQL
database when TEST_DATABASE_URL names a server), migrates them once, and empties
every table before each test, so tests and runs never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from litestar.testing import TestClient

from service import db
from service.accounts import passwords
from service.app import create_app
from service.db.migrate import apply_migrations
from service.db.testing import create_fresh_postgres_database, drop_postgres_database
from service.piccolo_app import TABLES
from service.settings import PROJECT_ROOT, Settings

# CI machines have 2 busy cores: generation speed is not what the properties test.
hypothesis_settings.register_profile(
    "ankang", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("ankang")

# Argon2id at its recommended costs takes ~0.16 s of CPU and 64 MiB for every hash and
# every check, and the suite makes and signs in thousands of accounts: that was the
# largest single cost of the run. What the tests check is which passwords open which
# accounts, not what a guess costs, so in-process they hash at argon2id's cheapest costs
# (real hashes, really verified). Servers run as subprocesses (tests/e2e) keep the real
# costs; tests/accounts/test_password_costs.py checks those.
PRODUCTION_PASSWORD_HASHER = passwords._hasher
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("nobody's password")

T = TypeVar("T")
FORMS_DIR = PROJECT_ROOT / "forms"
POSTGRES_SERVER = os.environ.get("TEST_DATABASE_URL")
ENGINES = ["sqlite", *(["postgres"] if POSTGRES_SERVER else [])]


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (pytest-asyncio sets up an async test's fixtures inside its loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'ankang.sqlite3'}"}
    if POSTGRES_SERVER:
        urls["postgres"] = run_sync(create_fresh_postgres_database(POSTGRES_SERVER))
    try:
        for url in urls.values():
            run_sync(apply_migrations(engine=db.create_engine(url)))
        yield urls
    finally:
        if "postgres" in urls:
            run_sync(drop_postgres_database(urls["postgres"]))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, migrated_databases: dict[str, str]) -> str:
    """A migrated database with empty tables, once per engine."""
    url = migrated_databases[request.param]
    run_sync(_empty_tables(url))
    return url


async def _empty_tables(url: str) -> None:
    names = [table._meta.tablename for table in reversed(TABLES)]  # children first
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            for name in names:
                connection.execute(f'DELETE FROM "{name}"')
        return
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[object]:
    """The engine, started, with every table bound to it."""
    engine = db.create_engine(database_url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        yield engine
    finally:
        await db.stop(engine)


def settings_for(database_url: str, forms_dir: Path = FORMS_DIR) -> Settings:
    return Settings(database_url=database_url, forms_dir=forms_dir)


_SHARED_APPS: dict[Settings, Litestar] = {}


def shared_app(settings: Settings) -> Litestar:
    """`create_app(settings)`, built once per settings for the whole run.

    Building the app (registering ~280 handlers) costs more than most tests. Sharing it
    keeps each test's isolation: the app keeps nothing of a test but its settings; every
    `TestClient(app)` runs start-up again (a started engine, the forms synced into the
    emptied tables) and brings its own cookies."""
    if settings not in _SHARED_APPS:
        _SHARED_APPS[settings] = create_app(settings)
    return _SHARED_APPS[settings]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(app=shared_app(settings_for(database_url))) as test_client:
        yield test_client
