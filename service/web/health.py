"""GET /healthz: is the service up, and does the database answer?"""

from __future__ import annotations

import logging

import msgspec
from litestar import Response, get

from service import db
from service.forms.tables import FormVersion

from .access import PUBLIC, access
from .problems import DATABASE_UNAVAILABLE, problem_response, problem_responses

log = logging.getLogger(__name__)


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


@get(
    "/healthz",
    summary="Liveness and database check",
    tags=["health"],
    responses=problem_responses(503),
    opt=access(PUBLIC),
)
async def healthz() -> Response[Health]:
    engine = FormVersion._meta.db
    try:
        await db.ping(engine)
    except Exception:  # any failure means "not healthy"; the details go to the log only
        log.exception("health check: the database did not answer")
        return problem_response(DATABASE_UNAVAILABLE)  # type: ignore[return-value]
    return Response(Health(status="ok", database="ok", engine=engine.engine_type))
