from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T22:06:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "one row per form id and version"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    # SQLite cannot ALTER TABLE … ADD CONSTRAINT, so the (form_id, version)
    # uniqueness is a unique index, which both engines create the same way.
    # Raw steps run before a migration's table changes, hence a migration of its own.
    async def add_unique_index() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS form_version_form_id_version "
            "ON form_version (form_id, version)"
        )

    async def drop_unique_index() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS form_version_form_id_version")

    manager.add_raw(add_unique_index)
    manager.add_raw_backwards(drop_unique_index)
    return manager
