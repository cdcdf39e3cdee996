"""Applying migrations, and opening the database for a command-line task."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from piccolo.engine.base import Engine

from service.settings import Settings


def engine_for(settings: Settings) -> Engine:
    from service.db import create_engine

    return create_engine(
        settings.database_url,
        sqlite_readers=settings.sqlite_readers,
        sqlite_synchronous=settings.sqlite_synchronous,
        pool_max=settings.db_pool_max,
    )


@asynccontextmanager
async def opened_database(
    settings: Settings | None = None, engine: Engine | None = None
) -> AsyncIterator[Engine]:
    """Bind every table to one engine, started for the duration of the block."""
    from service import piccolo_conf
    from service.db import bind_tables, start, stop
    from service.piccolo_app import TABLES

    engine = engine or engine_for(settings or Settings.from_env())
    # Piccolo's migration machinery finds the engine through piccolo_conf.DB.
    piccolo_conf.DB = engine
    bind_tables(engine, TABLES)
    await start(engine)
    try:
        yield engine
    finally:
        await stop(engine)


async def run_migrations(engine: Engine) -> None:
    """Apply every pending migration with this (already bound) engine."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    from service import piccolo_conf

    piccolo_conf.DB = engine
    Migration._meta.db = engine
    result = await run_forwards(app_name="ankang")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")


async def apply_migrations(settings: Settings | None = None, engine: Engine | None = None) -> None:
    async with opened_database(settings, engine) as bound:
        await run_migrations(bound)


class DatabaseNotMigrated(RuntimeError):
    """The database lacks migrations this code needs."""


async def pending_migrations(engine: Engine) -> list[str]:
    """Ids of the migrations in migrations/ that this database has not run."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration

    from service.piccolo_app import APP_CONFIG

    folder = APP_CONFIG.resolved_migrations_folder_path
    available = sorted(BaseMigrationManager().get_migration_modules(folder))
    Migration._meta.db = engine
    if not await Migration.table_exists():
        return available
    ran = set(await Migration.get_migrations_which_ran(APP_CONFIG.app_name))
    return [migration for migration in available if migration not in ran]


async def require_migrated(engine: Engine) -> None:
    """Refuse to serve a database whose schema is behind the code."""
    pending = await pending_migrations(engine)
    if pending:
        raise DatabaseNotMigrated(
            f"the database has {len(pending)} migration(s) not applied "
            f"({', '.join(pending)}); run `python -m service migrate` (or `make run`) first"
        )
