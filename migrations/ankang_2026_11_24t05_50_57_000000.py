from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T05:50:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "a notice's issuing token is unique"

# Two posts of the same issuing page store one notice. NULLs (the notices from before
# the token) do not collide. Piccolo runs raw steps before added columns, hence a
# migration of its own after the column's.


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    async def add_index() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS rectification_notice_token "
            "ON rectification_notice (token)"
        )

    async def drop_index() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS rectification_notice_token")

    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
