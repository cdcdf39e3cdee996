"""Every route of the hazard loop, for app.py."""

from .api import ROUTES as API_ROUTES
from .chemicals_routes import ROUTES as CHEMICAL_ROUTES
from .dashboards import ROUTES as DASHBOARD_ROUTES
from .notices_routes import ROUTES as NOTICE_ROUTES
from .points_routes import ROUTES as POINT_ROUTES
from .presentation import TEMPLATE_GLOBALS
from .report_routes import ROUTES as REPORT_ROUTES
from .routes import ROUTES as HAZARD_PAGES

ROUTES = [
    *REPORT_ROUTES,  # before /hazards/{id}: "report" is not an id
    *HAZARD_PAGES,
    *NOTICE_ROUTES,
    *DASHBOARD_ROUTES,
    *POINT_ROUTES,
    *CHEMICAL_ROUTES,
    *API_ROUTES,
]

__all__ = ["ROUTES", "TEMPLATE_GLOBALS"]
