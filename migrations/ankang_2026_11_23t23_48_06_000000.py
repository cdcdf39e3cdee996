from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T23:48:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "no duplicate revisions, scores or photos"

# Unique indexes rather than constraints (SQLite cannot add constraints to a table).
INDEXES = {
    "submission_revision_unique": "submission_revision (submission, number)",
    "section_score_unique": "section_score (submission, section)",
    "item_score_unique": "item_score (submission, item)",
    # A retried upload of the same photo for the same item is stored once.
    "evidence_unique": "evidence (submission, item, sha256)",
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
