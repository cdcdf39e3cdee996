"""GET /healthz: is the service up, does the database answer, and can it store?"""

from __future__ import annotations

import msgspec
from litestar import Request, Response, get

from service import db
from service.db.faults import unavailable_kind
from service.forms.tables import FormVersion

from .access import PUBLIC, access
from .errors import FAULTS, unavailable
from .problems import problem_responses


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str
    writes: str  # "ok": a row was written just now (a read-only or full database fails)


@get(
    "/healthz",
    summary="Liveness, database and write check",
    description=(
        "200 when the database answers and a one-row write succeeds; 503 with Retry-After "
        "and `database.unavailable` or `database.not_writable` otherwise."
    ),
    tags=["health"],
    responses=problem_responses(503),
    opt=access(PUBLIC),
)
async def healthz(request: Request) -> Response[Health]:
    engine = FormVersion._meta.db
    try:
        await db.ping(engine)
        await db.write_probe(engine)
    except Exception as exc:  # any failure means "not healthy"; one log line, no traceback
        kind = unavailable_kind(exc) or "unavailable"
        FAULTS.note(kind, "health check", exc)
        return unavailable(request, kind)  # type: ignore[return-value]
    return Response(Health(status="ok", database="ok", engine=engine.engine_type, writes="ok"))
