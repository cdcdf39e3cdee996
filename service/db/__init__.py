"""Database access: engine construction, lifecycle and helpers.

    engine = create_engine(settings.database_url, sqlite_readers=...,
                           sqlite_synchronous=..., pool_max=...)
    bind_tables(engine, ALL_TABLES)
    await start(engine)      # in the app's lifespan start-up
    ...
    await stop(engine)       # in the app's lifespan shutdown

SQLite URLs get :class:`service.db.sqlite.SQLiteWALEngine` (WAL, one
group-committing writer, a pool of readers; see that package).  PostgreSQL URLs
get Piccolo's ``PostgresEngine`` whose asyncpg pool is opened by ``start`` and
closed by ``stop``.

``with inline_reads(): ...`` runs the SQLite reads of the block (outside
transactions) on the event loop thread, skipping the hop to a reader thread;
only for short indexed lookups on hot paths (see ``service.db.sqlite.inline``).
On PostgreSQL it does nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from service.db.postgres import PoolSizedPostgresEngine
from service.db.sqlite import EngineClosedError, SQLiteWALEngine, inline_reads

__all__ = [
    "DatabaseURL",
    "EngineClosedError",
    "PoolSizedPostgresEngine",
    "SQLiteWALEngine",
    "Statement",
    "bind_tables",
    "create_engine",
    "inline_reads",
    "parse_database_url",
    "ping",
    "start",
    "stop",
    "write_atomically",
    "write_probe",
]

_POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class DatabaseURL:
    kind: str  # "sqlite" or "postgres"
    path: str = ""  # sqlite: the file path (relative to the working directory, or absolute)
    dsn: str = ""  # postgres: the URL, passed to asyncpg as is


def parse_database_url(database_url: str) -> DatabaseURL:
    """Understand ``sqlite:///relative/path``, ``sqlite:////absolute/path``,
    ``postgresql://...`` and ``postgres://...``; raise ``ValueError`` otherwise."""
    if not isinstance(database_url, str) or "://" not in database_url:
        raise ValueError(
            f"Unsupported database URL {database_url!r}: expected "
            "'sqlite:///path/to/file.sqlite3' or 'postgresql://user@host:port/dbname'."
        )
    scheme = database_url.split("://", 1)[0].lower()
    if scheme == "sqlite":
        rest = database_url[len("sqlite://") :]
        if not rest.startswith("/"):
            raise ValueError(
                f"Unsupported SQLite URL {database_url!r}: use three slashes for a "
                "relative path ('sqlite:///data/app.sqlite3') and four for an absolute "
                "one ('sqlite:////srv/app.sqlite3')."
            )
        if "?" in rest or "#" in rest:
            raise ValueError(f"SQLite URL {database_url!r}: query strings are not supported.")
        path = unquote(rest[1:])
        if not path or path.endswith("/"):
            raise ValueError(f"SQLite URL {database_url!r} does not name a file.")
        if path == ":memory:":
            raise ValueError(
                "In-memory SQLite is not supported (the engine needs a file for WAL "
                "and several connections); use a file in a temporary directory."
            )
        return DatabaseURL(kind="sqlite", path=path)
    if scheme in _POSTGRES_SCHEMES:
        parts = urlsplit(database_url)
        if not parts.path.strip("/"):
            raise ValueError(f"PostgreSQL URL {database_url!r} does not name a database.")
        return DatabaseURL(kind="postgres", dsn=database_url)
    raise ValueError(
        f"Unsupported database URL scheme {scheme!r} in {database_url!r}: "
        "use 'sqlite:///...' or 'postgresql://...'."
    )


def create_engine(
    database_url: str,
    *,
    sqlite_readers: int = 4,
    sqlite_synchronous: str = "NORMAL",
    pool_max: int = 10,
) -> Engine:
    """Build the engine for ``database_url`` (see ``parse_database_url``).

    SQLite: creates the file's parent directory; connections open on first use
    or in ``start``.  PostgreSQL: like any Piccolo ``PostgresEngine`` this asks
    the server for its version once (it warns if the server is unreachable).
    """
    url = parse_database_url(database_url)
    if url.kind == "sqlite":
        parent = os.path.dirname(url.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        return SQLiteWALEngine(
            path=url.path, readers=sqlite_readers, synchronous=sqlite_synchronous
        )
    return PoolSizedPostgresEngine(config={"dsn": url.dsn}, pool_max=pool_max)


async def start(engine: Engine) -> None:
    """Open the PostgreSQL pool / the SQLite connections.  Calling it on an
    engine that is already started does nothing."""
    if isinstance(engine, SQLiteWALEngine):
        await engine.open()
    elif isinstance(engine, PostgresEngine):
        if engine.pool is None:
            max_size = getattr(engine, "pool_max", 10)
            await engine.start_connection_pool(min_size=min(2, max_size), max_size=max_size)
    else:
        raise TypeError(f"Unsupported engine {type(engine).__name__}")


async def stop(engine: Engine) -> None:
    """Close the pool / all SQLite connections and their threads (queued
    SQLite writes are committed first).  Idempotent; ``start`` may be called
    again afterwards."""
    if isinstance(engine, SQLiteWALEngine):
        await engine.close()
    elif isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            await engine.close_connection_pool()
    else:
        raise TypeError(f"Unsupported engine {type(engine).__name__}")


def bind_tables(engine: Engine, tables: Iterable[Any]) -> None:
    """Point each Piccolo ``Table`` class at ``engine``."""
    for table in tables:
        table._meta.db = engine


async def ping(engine: Engine) -> None:
    """Run ``SELECT 1``; raises if the database cannot answer."""
    rows = await engine.run_querystring(QueryString("SELECT 1 AS ok"))
    rows = engine.transform_response_to_dicts(rows)
    if not rows or rows[0].get("ok") != 1:
        raise RuntimeError(f"Unexpected answer to SELECT 1: {rows!r}")


# One row, rewritten by every health check: a read-only database, a full disk or a
# PostgreSQL standby fail it as they fail real writes (a SELECT succeeds on all three).
_PROBE_SQL = (
    "INSERT INTO health_probe (id, checked_at) VALUES (1, ?) "
    "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at"
)


async def write_probe(engine: Engine) -> None:
    """Write the health probe's row; raises if the database cannot store anything."""
    await write_atomically(engine, [(_PROBE_SQL, [datetime.now(UTC).isoformat()])])


# A statement for write_atomically: a Piccolo QueryString, or (sql, args) with `?`
# placeholders, which skips QueryString's per-argument work (a 250-row INSERT has
# 1,750 arguments; building it as a QueryString took longer than running it).
Statement = QueryString | tuple[str, list[Any]]


@functools.lru_cache(maxsize=64)
def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's $1, $2, … (our statements have no other `?`)."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


async def write_atomically(engine: Engine, statements: list[Statement]) -> None:
    """Run ``statements`` so that all or none take effect; raise the first error
    (e.g. a unique violation).  On SQLite they travel to the writer thread as one
    group-committed unit; on PostgreSQL they run in one transaction, and (sql, args)
    statements go to asyncpg as they are (a prepared statement, no per-argument work)."""
    if isinstance(engine, SQLiteWALEngine):
        await engine.write_atomically(statements)
        return
    async with engine.transaction() as transaction:
        for statement in statements:
            if isinstance(statement, QueryString):
                await engine.run_querystring(statement)
            else:
                sql, args = statement
                await transaction.connection.execute(_numbered(sql), *args)
