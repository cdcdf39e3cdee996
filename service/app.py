"""create_app(settings): wiring only."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from service import db
from service.accounts.admin_routes import UserAdmin
from service.accounts.api import me
from service.accounts.routes import ROUTES as ACCOUNT_ROUTES
from service.campaigns.routes import ROUTES as CAMPAIGN_ROUTES
from service.collection.presentation import TEMPLATE_GLOBALS as COLLECTION_TEMPLATE_GLOBALS
from service.collection.web import ROUTES as COLLECTION_ROUTES
from service.db.migrate import require_migrated
from service.forms.admin_routes import ROUTES as FORM_ADMIN_ROUTES
from service.forms.catalog import sync_forms
from service.forms.loader import FormFileInvalid, load_forms
from service.forms.presentation import TEMPLATE_GLOBALS as FORM_TEMPLATE_GLOBALS
from service.forms.routes import FormApi, FormPages
from service.hazards.points import inspection_points
from service.hazards.queries import of_submission as hazards_of_submission
from service.hazards.reporting import hazard_reports
from service.hazards.web import ROUTES as HAZARD_ROUTES
from service.hazards.web import TEMPLATE_GLOBALS as HAZARD_TEMPLATE_GLOBALS
from service.home.routes import ROUTES as HOME_ROUTES
from service.orgs.routes import ROUTES as ORG_ROUTES
from service.piccolo_app import TABLES
from service.publication.routes import ROUTES as PUBLICATION_ROUTES
from service.publication.routes import TEMPLATE_GLOBALS as PUBLICATION_TEMPLATE_GLOBALS
from service.rankings.routes import ROUTES as RANKING_ROUTES
from service.rankings.routes import TEMPLATE_GLOBALS as RANKING_TEMPLATE_GLOBALS
from service.series.routes import ROUTES as SERIES_ROUTES
from service.settings import PROJECT_ROOT, Settings
from service.web.access import PUBLIC, access, access_guard
from service.web.auth import auth_middleware_factory
from service.web.csrf import csrf_middleware_factory
from service.web.errors import EXCEPTION_HANDLERS
from service.web.head import answer_head
from service.web.health import healthz
from service.web.json_body import check_json_body
from service.web.language import language_middleware
from service.web.page_posts import page_post_middleware
from service.web.security import security_headers_middleware
from service.web.templating import template_config
from service.web.timeouts import body_deadline_middleware

log = logging.getLogger("service")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # Refuse to start on a broken form file before touching the database.
        forms, errors = load_forms([settings.forms_dir])
        if errors:
            raise FormFileInvalid(errors)
        engine = db.create_engine(
            settings.database_url,
            sqlite_readers=settings.sqlite_readers,
            sqlite_synchronous=settings.sqlite_synchronous,
            pool_max=settings.db_pool_max,
        )
        db.bind_tables(engine, TABLES)
        await db.start(engine)
        try:
            await require_migrated(engine)
            report = await sync_forms(forms)
            log.info(report.summary())
            app.state.engine = engine
            # What start-up made (modules, routes, templates, forms: ~125,000 objects) lives
            # as long as the app; a full garbage collection walking it all took ~80 ms in
            # the middle of a request now and then (bench/rankings.py). Frozen, it is skipped.
            gc.freeze()
            yield
        finally:
            gc.unfreeze()
            await db.stop(engine)

    app = Litestar(
        route_handlers=[
            healthz,
            FormApi,
            FormPages,
            *HOME_ROUTES,
            *ACCOUNT_ROUTES,
            me,
            UserAdmin,
            *FORM_ADMIN_ROUTES,
            *CAMPAIGN_ROUTES,
            *ORG_ROUTES,
            *COLLECTION_ROUTES,
            *RANKING_ROUTES,
            *SERIES_ROUTES,
            *PUBLICATION_ROUTES,
            *HAZARD_ROUTES,
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                include_in_schema=False,
                opt=access(PUBLIC),
            ),
        ],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                # The submit path's hazard step, the hazards a result page links to and
                # the points an offline inspection starts at: handed to collection here,
                # so collection never imports the hazard area (which builds on it).
                "submission_reports": hazard_reports,
                "reported_hazards": hazards_of_submission,
                "inspection_points": inspection_points,
            }
        ),
        # Every route declares who may use it (opt access); this guard enforces it.
        guards=[access_guard],
        # JSON bodies: JSON, sent as JSON, shallow, without NULs, of exactly their types.
        before_request=check_json_body,
        middleware=[
            # Outermost: the body's time counts from the request's arrival.
            DefineMiddleware(body_deadline_middleware(settings)),
            DefineMiddleware(security_headers_middleware, hsts=settings.secure_cookies),
            DefineMiddleware(auth_middleware_factory(settings)),
            DefineMiddleware(language_middleware),
            DefineMiddleware(page_post_middleware),
            # After auth: a signed-in browser's token is bound to its session.
            DefineMiddleware(csrf_middleware_factory(settings)),
        ],
        template_config=template_config(
            {
                **FORM_TEMPLATE_GLOBALS,
                **COLLECTION_TEMPLATE_GLOBALS,
                **RANKING_TEMPLATE_GLOBALS,
                **PUBLICATION_TEMPLATE_GLOBALS,
                **HAZARD_TEMPLATE_GLOBALS,
            }
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        # Level 5: nearly level 9's size at a fraction of its CPU (a scored breakdown is ~20 KB).
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=1024,
            gzip_compress_level=5,
            exclude_opt_key="skip_compression",  # routes that answer with JPEGs
        ),
        openapi_config=OpenAPIConfig(
            title="Ankang API",
            version="1",
            description="安康: scored surveys and inspections for trade unions",
            openapi_router=Router(
                path="/schema", route_handlers=[], opt=access(PUBLIC), include_in_schema=False
            ),
            # Served from static/vendor (npm, at set-up): no CDN, so the docs also
            # work on a union's intranet and behind the Great Firewall.
            render_plugins=[
                SwaggerRenderPlugin(
                    path="/",
                    js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                    css_url="/static/vendor/swagger-ui/swagger-ui.css",
                    standalone_preset_js_url="/static/vendor/swagger-ui/swagger-ui-standalone-preset.js",
                    favicon='<link rel="icon" href="/static/img/icon.svg" type="image/svg+xml">',
                )
            ],
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level.upper(), "handlers": ["queue_listener"]},
            log_exceptions="never",
        ),
    )
    # Inside Litestar's own __call__ (lifespan, the send wrapper), around its router.
    app.asgi_handler = answer_head(app.asgi_handler)
    return app
