"""Piccolo's configuration module (PICCOLO_CONF=service.piccolo_conf).

Piccolo's own commands (`piccolo migrations new ankang --auto`) and our `migrate`
read DB from here; `service.db.use_engine` replaces it at run time.
"""

from piccolo.conf.apps import AppRegistry

from service.db import create_engine
from service.settings import Settings

_settings = Settings.from_env()

DB = create_engine(
    _settings.database_url,
    sqlite_readers=_settings.sqlite_readers,
    sqlite_synchronous=_settings.sqlite_synchronous,
    pool_max=_settings.db_pool_max,
)

APP_REGISTRY = AppRegistry(apps=["service.piccolo_app"])
