"""Every route of the collection area, for the app to register."""

from .api import ROUTES as API_ROUTES
from .evidence_routes import ROUTES as EVIDENCE_ROUTES
from .offline_routes import ROUTES as OFFLINE_ROUTES
from .routes import ROUTES as PAGE_ROUTES

ROUTES = [*PAGE_ROUTES, *EVIDENCE_ROUTES, *API_ROUTES, *OFFLINE_ROUTES]
