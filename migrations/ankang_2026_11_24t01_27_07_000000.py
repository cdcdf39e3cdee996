from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T01:27:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "an index covering the rankings aggregate"

# Unique indexes rather than constraints (SQLite cannot add constraints to a table).
INDEXES = {
    # Rankings read every counted submission of a campaign: this index covers that
    # aggregate, so the table itself is never visited (bench/rankings.py).
    "submission_ranking": (
        "submission (campaign, status, role, enterprise, team, total, eligible, vetoed, "
        "min_section_percent)"
    ),
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
