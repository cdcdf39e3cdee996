from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T05:15:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "the hazard loop's unique indexes"

# One hazard per failed item of a submission: a retried or corrected submission's
# INSERT … ON CONFLICT (submission, item) DO NOTHING leaves the first one alone.
# A notice's number is unique within its year.
UNIQUE = {
    "hazard_submission_item": "hazard (submission, item)",
    "rectification_notice_number": "rectification_notice (year, sequence)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    async def add_indexes() -> None:
        engine = engine_finder()
        for name, target in UNIQUE.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes() -> None:
        engine = engine_finder()
        for name in UNIQUE:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
