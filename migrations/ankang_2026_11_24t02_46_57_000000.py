from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T02:46:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "one result snapshot per number in a campaign"

# A unique index rather than a constraint (SQLite cannot add constraints to a table).
INDEXES = {
    # Two admins freezing at once ask for the same number: one of them gets it.
    "result_snapshot_number": "result_snapshot (campaign, number)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    async def add_indexes() -> None:
        engine = engine_finder()
        for name, target in INDEXES.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes() -> None:
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
