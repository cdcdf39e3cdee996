from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Real
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-24T01:27:06:623831"
VERSION = "1.38.0"
DESCRIPTION = "the lowest section percentage on the submission"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Submission",
        tablename="submission",
        column_name="min_section_percent",
        db_column_name="min_section_percent",
        column_class_name="Real",
        column_class=Real,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
