"""Helpers for test suites that need a PostgreSQL database of their own.

    url = await create_fresh_postgres_database(os.environ["TEST_DATABASE_URL"])
    try:
        engine = create_engine(url)
        ...
    finally:
        await stop(engine)
        await drop_postgres_database(url)

``server_url`` may name any database on the server (e.g.
``postgresql://postgres@127.0.0.1:5432/test``); the helpers connect to the
``postgres`` maintenance database of the same server to create/drop
``ankang_test_<random hex>``.  The role in the URL needs CREATEDB.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg

__all__ = [
    "TEST_DATABASE_PREFIX",
    "create_fresh_postgres_database",
    "drop_postgres_database",
    "with_database",
]

TEST_DATABASE_PREFIX = "ankang_test_"
MAINTENANCE_DATABASE = "postgres"


def with_database(url: str, database: str) -> str:
    """``url`` with its database name replaced (query string kept)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"Not a PostgreSQL URL: {url!r}")
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def create_fresh_postgres_database(server_url: str) -> str:
    """Create an empty database ``ankang_test_<hex>``; return its URL."""
    name = f"{TEST_DATABASE_PREFIX}{secrets.token_hex(6)}"
    connection = await asyncpg.connect(dsn=with_database(server_url, MAINTENANCE_DATABASE))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return with_database(server_url, name)


async def drop_postgres_database(url: str) -> None:
    """Drop the database named in ``url`` (only ``ankang_test_*`` ones), even if
    connections to it are still open."""
    name = _database_name(url)
    if not name.startswith(TEST_DATABASE_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"Refusing to drop {name!r}: not a database made by these helpers.")
    connection = await asyncpg.connect(dsn=with_database(url, MAINTENANCE_DATABASE))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
