"""The Piccolo app: every table of the service, and the top-level migrations/ folder.

One app for all areas, so all migrations live in one ordered folder.
"""

from piccolo.conf.apps import AppConfig

from service.collection.tables import Submission
from service.forms.tables import FormVersion
from service.settings import PROJECT_ROOT

TABLES = [FormVersion, Submission]

APP_CONFIG = AppConfig(
    app_name="ankang",
    migrations_folder_path=PROJECT_ROOT / "migrations",
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
