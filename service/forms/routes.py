"""HTTP for forms: the JSON API and the read-only preview pages. Handlers stay thin."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import anyio
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Template

from service.scoring.breakdown import Breakdown
from service.scoring.engine import score
from service.web.access import PUBLIC, SIGNED_IN, access
from service.web.problems import (
    ANSWERS_TOO_LARGE,
    FORM_NOT_FOUND,
    FORM_VERSION_NOT_FOUND,
    ApiProblem,
    invalid_answers,
    problem_response,
    problem_responses,
)

from . import catalog
from .answers import MAX_ERRORS, InvalidAnswers
from .model import MAX_VERSION, FormDefinition, Text

VersionQuery = Annotated[
    int | None,
    Parameter(ge=1, le=MAX_VERSION, description="A stored version; the latest when absent"),
]


# The fullest answers of the largest built-in form (chemical-info-card, every text at
# its longest, \u-escaped) are 93 KB; 256 KB leaves room for a longer form of one's own
# and keeps a hostile body from costing the server seconds (tests/web/test_api.py).
SCORE_BODY_MAX = 256 * 1024


class FormListEntry(msgspec.Struct):
    id: str
    version: int
    kind: str
    title: Text
    versions: list[int]


async def _definition(form_id: str, version: int | None) -> FormDefinition:
    definition = await catalog.get_form(form_id, version)
    if definition is None:
        if version is not None and await catalog.get_form(form_id) is not None:
            raise ApiProblem(FORM_VERSION_NOT_FOUND, f"form {form_id} has no version {version}")
        raise ApiProblem(FORM_NOT_FOUND, f"no form with id {form_id}")
    return definition


def answers_too_large(request: Request, exc: HTTPException) -> Response:
    """Litestar's body limit, said as answers no form needs (not as a photo upload)."""
    return problem_response(ANSWERS_TOO_LARGE, f"at most {SCORE_BODY_MAX // 1024} KB of answers")


class FormApi(Controller):
    """Form definitions are public documents (the tables are published by the unions):
    open to anyone. Scoring is for signed-in accounts (see its description)."""

    path = "/api/v1/forms"
    tags: ClassVar[list[str]] = ["forms"]
    opt: ClassVar[dict] = access(PUBLIC)

    @get("/", summary="List forms (latest version of each)", responses=problem_responses(400))
    async def list_forms(self) -> list[FormListEntry]:
        return [
            FormListEntry(
                id=s.id,
                version=s.version,
                kind=s.kind,
                title=Text(zh=s.title_zh, en=s.title_en),
                versions=s.versions,
            )
            for s in await catalog.list_forms()
        ]

    @get("/{form_id:str}", summary="A form definition", responses=problem_responses(400, 404))
    async def get_form(
        self, form_id: FromPath[str], version: FromQuery[VersionQuery] = None
    ) -> FormDefinition:
        return await _definition(form_id, version)

    @post(
        "/{form_id:str}/score",
        summary="Score answers without storing them",
        description=(
            "For signed-in accounts only (`Authorization: Bearer`): no page calls it (the "
            "fill page scores on the server as it saves a draft), so nothing needs it open, "
            "and open it let anyone spend the server's time. The body is at most "
            f"{SCORE_BODY_MAX // 1024} KB (413 `answers.too_large`), more than any form's "
            f"answers. Bad answers give 400 listing at most {MAX_ERRORS} errors, with "
            "`truncated: true` when checking stopped there."
        ),
        status_code=200,
        opt=access(SIGNED_IN),
        request_max_body_size=SCORE_BODY_MAX,
        exception_handlers={413: answers_too_large},
        responses=problem_responses(400, 401, 404, 413, 415),
    )
    async def score_answers(
        self,
        form_id: FromPath[str],
        data: JSONBody[dict[str, Any]],
        version: FromQuery[VersionQuery] = None,
    ) -> Breakdown:
        definition = await _definition(form_id, version)
        try:
            # Milliseconds for a real form, more for a hostile one: never on the event loop.
            return await anyio.to_thread.run_sync(score, definition, data)
        except InvalidAnswers as exc:
            raise invalid_answers(exc) from None


class FormPages(Controller):
    include_in_schema = False
    opt: ClassVar[dict] = access(PUBLIC)

    @get("/forms", name="form_catalogue")
    async def catalogue(self) -> Template:
        """Every form in use; the home page (`/`) is service/home's."""
        forms = await catalog.list_forms()
        return Template("forms/index.html", context={"forms": forms})

    @get("/forms/{form_id:str}", name="form_preview")
    async def preview(
        self, form_id: FromPath[str], version: FromQuery[VersionQuery] = None
    ) -> Template:
        definition = await _definition(form_id, version)
        return Template(
            "forms/preview.html",
            context={"form": definition, "versions": await catalog.versions_of(form_id)},
        )
