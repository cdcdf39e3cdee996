from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T22:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "health_probe: the one row /healthz writes to learn that writes succeed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    # Not a Piccolo table: only service.db.write_probe touches it, with the same SQL on
    # both engines, and no test needs to empty it.
    async def create() -> None:
        await engine_finder().run_ddl(
            "CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, checked_at TEXT)"
        )

    async def drop() -> None:
        await engine_finder().run_ddl("DROP TABLE IF EXISTS health_probe")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
