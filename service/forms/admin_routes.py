"""/admin/forms: a union clerk brings in a form herself. Upload a workbook or a YAML
file, see every error at once, preview the draft, publish it as the next version.

Thin handlers: reading a file is `imports.import_file`, the SQL is in `uploads`, who may
do what is in `ownership`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import anyio
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.accounts import audit
from service.accounts.principal import Principal, Role
from service.orgs.queries import towns_for
from service.web.access import access
from service.web.auth import client_ip
from service.web.forms import UploadBody, row_id_or_none
from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.urls import RowId

from . import uploads
from .imported import CellError, WorkbookInvalid
from .imports import import_file, with_row_content
from .loader import FormFileInvalid, load_form_text
from .ownership import PublishRefusal, next_version, publish_refusal
from .points import counts_toward_max, declared_sections_total, item_max

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the multipart envelope and the other fields around the file.
_ENVELOPE = 64 * 1024

REFUSALS = {
    PublishRefusal.shared: _l(
        "This form id is a built-in or county-level form: a town cannot publish a version "
        "of it. Give your table a new id (表编号 on the 设置 sheet of a workbook, the id: line of "
        "a YAML file) and upload it again."
    ),
    PublishRefusal.other_town: _l(
        "This form id belongs to another town. Give your table a new id (表编号 on the 设置 "
        "sheet of a workbook, the id: line of a YAML file) and upload it again."
    ),
    PublishRefusal.town_not_yours: _l("Choose one of your towns."),
}


def _too_large_message() -> str:
    return _("The file is too large: at most %(mb)s MB.") % {
        "mb": uploads.MAX_UPLOAD_BYTES // (1024 * 1024)
    }


async def _refuse_too_large(request: Request, exc: HTTPException) -> Response:
    """Litestar's body limit, said on the page as the clerk's file being too large."""
    page = await _list_page(request.user, error=_too_large_message(), status=413)
    return page.to_asgi_response(request=request)  # type: ignore[return-value]


class FormAdmin(Controller):
    path = "/admin/forms"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    @get("/", name="admin_forms")
    async def list_page(self, request: Request) -> Template:
        return await _list_page(request.user)

    @post(
        "/upload",
        status_code=303,
        request_max_body_size=uploads.MAX_UPLOAD_BYTES + _ENVELOPE,
        exception_handlers={413: _refuse_too_large},
    )
    async def upload(self, request: Request, data: UploadBody) -> Template | Redirect:
        principal: Principal = request.user
        file = data.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return await _list_page(principal, error=_("Choose a file to upload."), status=400)
        content = await file.read()
        name = file.filename[-255:]
        if len(content) > uploads.MAX_UPLOAD_BYTES:
            return await _list_page(principal, error=_too_large_message(), status=413)
        town_id = await _upload_town(principal, data.get("town_id"))
        if town_id is False:
            return await _list_page(
                principal, error=_(REFUSALS[PublishRefusal.town_not_yours]), status=403
            )
        try:
            imported = await anyio.to_thread.run_sync(import_file, content, name)
        except WorkbookInvalid as exc:
            errors = await anyio.to_thread.run_sync(with_row_content, content, exc.errors)
            return await _list_page(
                principal, file_name=name, cell_errors=_by_sheet_and_row(errors), status=400
            )
        except FormFileInvalid as exc:
            return await _list_page(principal, file_name=name, line_errors=exc.errors, status=400)
        upload_id = await uploads.save_upload(principal.user_id, town_id, name, imported)
        await audit.record(
            "form_uploaded",
            actor_id=principal.user_id,
            subject=imported.loaded.definition.id,
            ip=client_ip(request.scope),
            file=name,
            upload=upload_id,
        )
        return Redirect(f"/admin/forms/uploads/{upload_id}", status_code=303)

    @get("/uploads/{upload_id:int}", name="admin_form_upload")
    async def upload_page(self, request: Request, upload_id: FromPath[RowId]) -> Template:
        return await _upload_page(request.user, await _upload(request.user, upload_id))

    @post("/uploads/{upload_id:int}/publish", status_code=303)
    async def publish(self, request: Request, upload_id: FromPath[RowId]) -> Template | Redirect:
        principal: Principal = request.user
        upload = await _upload(principal, upload_id)
        try:
            outcome = await uploads.publish_upload(upload_id, principal)
        except FormFileInvalid:  # the language grew a rule this draft breaks
            return await _upload_page(principal, upload, status=400)
        if isinstance(outcome, PublishRefusal):
            return await _upload_page(principal, upload, refusal=outcome, status=403)
        if not outcome.already:
            await audit.record(
                "form_published",
                actor_id=principal.user_id,
                subject=f"{outcome.form_id}@{outcome.version}",
                ip=client_ip(request.scope),
                file=upload["file_name"],
                upload=upload_id,
            )
        return Redirect(f"/admin/forms/uploads/{upload_id}", status_code=303)

    @get("/template.xlsx", name="admin_form_template")
    async def template(self) -> Response:
        """The workbook a clerk fills in: the columns the spreadsheet reader expects."""
        from .spreadsheet import template_workbook  # type: ignore[import-not-found]

        return Response(
            await anyio.to_thread.run_sync(template_workbook),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="form-template.xlsx"'},
        )


def _by_sheet_and_row(errors: list[CellError]) -> list[CellError]:
    """Down the table as she reads it: sheet by sheet (in the order they first come up),
    whole-sheet problems first, then row by row."""
    sheets: dict[str, int] = {}
    for error in errors:
        sheets.setdefault(error.sheet, len(sheets))
    return sorted(
        errors,
        key=lambda e: (sheets[e.sheet], e.row or 0, len(e.column or ""), e.column or ""),
    )


async def _upload_town(principal: Principal, posted: object) -> int | bool | None:
    """The town an upload is for: None for a county-level admin (everyone's form), one
    of a town admin's towns (the posted one, or her only one); False when not hers."""
    if principal.admin_towns is None:
        return None
    town_id = row_id_or_none(posted)
    if town_id is None and len(principal.admin_towns) == 1:
        [town_id] = principal.admin_towns
    return town_id if town_id is not None and principal.manages_town(town_id) else False


async def _upload(principal: Principal, upload_id: int) -> dict:
    upload = await uploads.get_upload(upload_id, principal.user_id)
    if upload is None:
        raise NotFoundException("No such upload of yours")
    return upload


async def _list_page(
    principal: Principal,
    *,
    error: str | None = None,
    file_name: str | None = None,
    cell_errors: list | None = None,
    line_errors: list | None = None,
    status: int = 200,
) -> Template:
    context: dict[str, Any] = {
        "forms": await uploads.visible_versions(principal),
        "pending": await uploads.pending_uploads(principal.user_id),
        "towns": await towns_for(principal) if principal.admin_towns is not None else [],
        "max_mb": uploads.MAX_UPLOAD_BYTES // (1024 * 1024),
        "error": error,
        "file_name": file_name,
        "cell_errors": cell_errors or [],
        "line_errors": line_errors or [],
    }
    return Template("forms/admin_list.html", context=context, status_code=status)


async def _upload_page(
    principal: Principal,
    upload: dict,
    *,
    refusal: PublishRefusal | None = None,
    status: int = 200,
) -> Template:
    context: dict[str, Any] = {"upload": upload, "refusal": None, "line_errors": []}
    try:
        loaded = load_form_text(upload["source"], upload["file_name"])
    except FormFileInvalid as exc:
        context["line_errors"] = exc.errors
        return Template("forms/admin_upload.html", context=context, status_code=400)
    form = loaded.definition
    facts = await uploads.form_id_facts(form.id)
    if upload["published_as"] is None:
        refusal = refusal or publish_refusal(principal, facts, upload["town"])
    shown_version = upload["published_as"] or next_version(facts)
    context.update(
        # Read as it will be published: with its version number, not the file's.
        form=msgspec.structs.replace(form, version=shown_version),
        facts=facts,
        upload_version=form.version,
        next_version=next_version(facts),
        refusal=_(REFUSALS[refusal]) if refusal else None,
        section_sums={s.id: sum(item_max(i) for i in s.items) for s in form.sections},
        counted={s.id for s in form.sections if counts_toward_max(s)},
        declared_total=declared_sections_total(form),
    )
    return Template("forms/admin_upload.html", context=context, status_code=status)


ROUTES = [FormAdmin]
