from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T01:33:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "the newest change in a campaign, by index"

# Unique indexes rather than constraints (SQLite cannot add constraints to a table).
INDEXES = {
    # The newest change in a campaign: whether its cached ranking is still good.
    "submission_campaign_changed": "submission (campaign, updated_at)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    async def add_indexes() -> None:
        engine = engine_finder()
        for name, target in INDEXES.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes() -> None:
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
