from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T22:43:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "no duplicate roles, assignments or participants"

# Unique indexes rather than constraints (SQLite cannot add constraints to a table).
# COALESCE makes "no team" / "no town" one value, so NULLs cannot slip duplicates past.
INDEXES = {
    "role_grant_unique": (
        'role_grant ("user", role, COALESCE(town_id, 0), COALESCE(enterprise_id, 0))'
    ),
    "supervisor_assignment_unique": 'supervisor_assignment ("user", enterprise)',
    "campaign_participant_unique": "campaign_participant (campaign, enterprise, COALESCE(team, 0))",
    "judge_assignment_unique": ('judge_assignment (campaign, "user", COALESCE(enterprise, 0))'),
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
