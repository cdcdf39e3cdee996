"""HTTP for forms: the JSON API and the read-only preview pages. Handlers stay thin."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Template

from service.scoring.breakdown import Breakdown
from service.scoring.engine import score
from service.web.access import PUBLIC, access
from service.web.problems import (
    FORM_NOT_FOUND,
    FORM_VERSION_NOT_FOUND,
    INVALID_ANSWERS,
    ApiProblem,
    problem_responses,
)

from . import catalog
from .answers import InvalidAnswers
from .model import MAX_VERSION, FormDefinition, Text

VersionQuery = Annotated[
    int | None,
    Parameter(ge=1, le=MAX_VERSION, description="A stored version; the latest when absent"),
]


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


class FormApi(Controller):
    """Form definitions are public documents (the tables are published by the unions),
    and scoring answers stores nothing: open to anyone."""

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
        status_code=200,
        responses=problem_responses(400, 404, 415),
    )
    async def score_answers(
        self,
        form_id: FromPath[str],
        data: JSONBody[dict[str, Any]],
        version: FromQuery[VersionQuery] = None,
    ) -> Breakdown:
        definition = await _definition(form_id, version)
        try:
            return score(definition, data)
        except InvalidAnswers as exc:
            raise ApiProblem(
                INVALID_ANSWERS,
                f"{len(exc.errors)} invalid answer(s)",
                [msgspec.to_builtins(error) for error in exc.errors],
            ) from None


class FormPages(Controller):
    include_in_schema = False
    opt: ClassVar[dict] = access(PUBLIC)

    @get("/", name="home")
    async def home(self) -> Template:
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
