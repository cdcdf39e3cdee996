from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T01:00:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one self-assessment and one evaluation per participant"

# Unique indexes rather than constraints (SQLite cannot add constraints to a table).
INDEXES = {
    # One self-assessment per participant of a campaign, and one evaluation per judge
    # and participant (supervisors inspect as often as they like). Partial indexes:
    # SQLite and PostgreSQL both have them.
    "submission_one_self_assessment": (
        "submission (campaign, enterprise, COALESCE(team, 0)) "
        "WHERE role = 'enterprise' AND campaign IS NOT NULL"
    ),
    "submission_one_evaluation": (
        "submission (campaign, author, enterprise, COALESCE(team, 0)) "
        "WHERE role = 'judge' AND campaign IS NOT NULL"
    ),
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
