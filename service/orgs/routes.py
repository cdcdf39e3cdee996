"""Pages for the organisation tree: towns and villages, enterprises, teams, supervisors,
importing an enterprise list; and an enterprise's own profile page."""

from __future__ import annotations

from typing import Any, ClassVar

import anyio
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts import audit
from service.accounts.principal import Principal, Role
from service.web.access import SIGNED_IN, access
from service.web.auth import client_ip
from service.web.forms import FormBody, UploadBody, row_id_or_none
from service.web.i18n import gettext_ as _
from service.web.urls import RowId, RowIdOrNone

from . import queries
from .importer import (
    MAX_FILE_BYTES,
    EnterpriseRecord,
    ImportResult,
    Ownership,
    RowError,
    parse_enterprise_fields,
    parse_enterprise_file,
)


async def _managed_enterprise(principal: Principal, enterprise_id: int) -> dict:
    enterprise = await queries.get_enterprise(enterprise_id)
    if enterprise is None:
        raise NotFoundException("No such enterprise")
    if not principal.manages_town(enterprise["town_id"]):
        raise PermissionDeniedException("Not an enterprise of your towns")
    return enterprise


def _managed_town(principal: Principal, town_id: int | None) -> int:
    if town_id is None or not principal.manages_town(town_id):
        raise PermissionDeniedException("Not one of your towns")
    return town_id


class OrganisationAdmin(Controller):
    path = "/admin"
    include_in_schema = False
    opt: ClassVar[dict] = access(Role.admin)

    # ------------------------------------------------------------ towns and villages

    @get("/towns", name="admin_towns")
    async def towns(self, request: Request) -> Template:
        towns = await queries.towns_for(request.user)
        for town in towns:
            town["villages"] = await queries.villages_of(town["id"])
        return Template("orgs/towns.html", context={"towns": towns})

    @post("/towns", status_code=303)
    async def add_town(self, request: Request, data: FormBody) -> Redirect:
        principal: Principal = request.user
        if principal.admin_towns is not None:  # only a county-level admin adds towns
            raise PermissionDeniedException("Only a county-level admin adds towns")
        name = str(data.get("name", "")).strip()[:100]
        if name:
            await queries.ensure_town(name, str(data.get("county", "")).strip() or None)
        return Redirect("/admin/towns", status_code=303)

    @post("/towns/{town_id:int}/villages", status_code=303)
    async def add_village(
        self, request: Request, town_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        _managed_town(request.user, town_id)
        name = str(data.get("name", "")).strip()[:100]
        if name:
            await queries.ensure_village(town_id, name)
        return Redirect("/admin/towns", status_code=303)

    # ------------------------------------------------------------ enterprises

    @get("/enterprises", name="admin_enterprises")
    async def enterprises(
        self,
        request: Request,
        village: FromQuery[RowIdOrNone] = None,
        q: FromQuery[str] = "",
    ) -> Template:
        principal: Principal = request.user
        towns = await queries.towns_for(principal)
        town_ids = None if principal.admin_towns is None else [t["id"] for t in towns]
        rows = await queries.list_enterprises(town_ids, village_id=village, search=q)
        villages = [v for t in towns for v in await queries.villages_of(t["id"])]
        context = {"enterprises": rows, "villages": villages, "village": village, "q": q}
        return Template("orgs/enterprises.html", context=context)

    @get("/enterprises/new")
    async def new_enterprise(self, request: Request) -> Template:
        return await _edit_page(request.user, None, {}, {})

    @post("/enterprises", status_code=303)
    async def create_enterprise(self, request: Request, data: FormBody) -> Template | Redirect:
        return await _save(request, None, data)

    @get("/enterprises/{enterprise_id:int}")
    async def enterprise(
        self,
        request: Request,
        enterprise_id: FromPath[RowId],
        refused: FromQuery[str | None] = None,
    ) -> Template:
        enterprise = await _managed_enterprise(request.user, enterprise_id)
        page = await _edit_page(request.user, enterprise, enterprise, {})
        if refused == "team_in_use":
            page.context["notice"] = _("A campaign lists this team, so it stays.")
        return page

    @post("/enterprises/{enterprise_id:int}", status_code=303)
    async def update_enterprise(
        self, request: Request, enterprise_id: FromPath[RowId], data: FormBody
    ) -> Template | Redirect:
        await _managed_enterprise(request.user, enterprise_id)
        return await _save(request, enterprise_id, data)

    @post("/enterprises/{enterprise_id:int}/teams", status_code=303)
    async def add_team(
        self, request: Request, enterprise_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        await _managed_enterprise(request.user, enterprise_id)
        if str(data.get("name", "")).strip():
            await queries.add_team(enterprise_id, str(data["name"]))
        return Redirect(f"/admin/enterprises/{enterprise_id}", status_code=303)

    @post("/enterprises/{enterprise_id:int}/teams/{team_id:int}/delete", status_code=303)
    async def remove_team(
        self, request: Request, enterprise_id: FromPath[RowId], team_id: FromPath[RowId]
    ) -> Redirect:
        await _managed_enterprise(request.user, enterprise_id)
        if not await queries.remove_team(enterprise_id, team_id):
            return Redirect(
                f"/admin/enterprises/{enterprise_id}?refused=team_in_use", status_code=303
            )
        return Redirect(f"/admin/enterprises/{enterprise_id}", status_code=303)

    @post("/enterprises/{enterprise_id:int}/supervisors", status_code=303)
    async def assign_supervisor(
        self, request: Request, enterprise_id: FromPath[RowId], data: FormBody
    ) -> Redirect:
        principal: Principal = request.user
        await _managed_enterprise(principal, enterprise_id)
        user_id = row_id_or_none(data.get("user_id"))
        supervisors = {u["id"] for u in await queries.users_with_role(Role.supervisor)}
        if user_id in supervisors and await queries.assign_supervisor(enterprise_id, user_id):
            await audit.record(
                "supervisor_assigned",
                actor_id=principal.user_id,
                subject=str(user_id),
                ip=client_ip(request.scope),
                enterprise=enterprise_id,
            )
        return Redirect(f"/admin/enterprises/{enterprise_id}", status_code=303)

    @post("/enterprises/{enterprise_id:int}/supervisors/{user_id:int}/remove", status_code=303)
    async def unassign_supervisor(
        self, request: Request, enterprise_id: FromPath[RowId], user_id: FromPath[RowId]
    ) -> Redirect:
        await _managed_enterprise(request.user, enterprise_id)
        await queries.unassign_supervisor(enterprise_id, user_id)
        return Redirect(f"/admin/enterprises/{enterprise_id}", status_code=303)

    # ------------------------------------------------------------ import

    @get("/import", name="admin_import")
    async def import_page(self, request: Request) -> Template:
        towns = await queries.towns_for(request.user)
        return Template("orgs/import.html", context={"towns": towns, "result": None})

    @post("/import", status_code=200, request_max_body_size=MAX_FILE_BYTES + 65536)
    async def import_file(self, request: Request, data: UploadBody) -> Template:
        principal: Principal = request.user
        towns = await queries.towns_for(principal)
        town_id = _managed_town(principal, row_id_or_none(data.get("town_id")))
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        name = upload.filename if isinstance(upload, UploadFile) else ""
        result = await anyio.to_thread.run_sync(parse_enterprise_file, content, name)
        summary = None
        if result.ok:
            try:
                summary = await queries.import_enterprises(town_id, result.records)
            except queries.OtherTownsEnterprises as exc:
                result = ImportResult(
                    errors=[_other_town(record, town) for record, town in exc.rows]
                )
        if summary is not None:
            await audit.record(
                "enterprises_imported",
                actor_id=principal.user_id,
                subject=name,
                ip=client_ip(request.scope),
                added=len(summary.added),
                updated=len(summary.updated),
            )
        context = {"towns": towns, "result": result, "summary": summary, "town_id": town_id}
        return Template("orgs/import.html", context=context, status_code=200 if result.ok else 400)


def _other_town(record: EnterpriseRecord, town: str) -> RowError:
    return RowError(
        line=record.line,
        column="统一社会信用代码",
        code="other_town",
        message=f"this credit code belongs to an enterprise of {town}",
        message_zh=f"该统一社会信用代码属于{town}的企业，不能在本镇导入",
    )


async def _save(request: Request, enterprise_id: int | None, data: dict) -> Template | Redirect:
    """Check every field at once (the importer's rules); store, or show the errors."""
    principal: Principal = request.user
    texts = {key: str(value) for key, value in data.items()}
    fields, errors = parse_enterprise_fields({**texts, "village": texts.get("village_id", "")})
    village_id = row_id_or_none(texts.get("village_id"))
    villages = {
        v["id"]: v
        for t in await queries.towns_for(principal)
        for v in await queries.villages_of(t["id"])
    }
    if village_id not in villages:
        errors.pop("village", None)
        errors["village"] = _("Choose a village or community of your towns.")  # type: ignore[assignment]
    owner = (
        await queries.credit_code_owner(fields.get("credit_code", ""))
        if "credit_code" in fields
        else None
    )
    if owner is not None and owner != enterprise_id:
        errors["credit_code"] = _("Another enterprise has this credit code.")  # type: ignore[assignment]
    if errors:
        page = await _edit_page(principal, await _maybe(enterprise_id), texts, errors)
        page.status_code = 400
        return page
    fields["ownership"] = Ownership(fields["ownership"]).value
    saved = await queries.save_enterprise(fields, village_id, enterprise_id)  # type: ignore[arg-type]
    await audit.record(
        "enterprise_created" if enterprise_id is None else "enterprise_changed",
        actor_id=principal.user_id,
        subject=fields["credit_code"],
        ip=client_ip(request.scope),
    )
    return Redirect(f"/admin/enterprises/{saved}", status_code=303)


async def _maybe(enterprise_id: int | None) -> dict | None:
    return None if enterprise_id is None else await queries.get_enterprise(enterprise_id)


async def _edit_page(
    principal: Principal, enterprise: dict | None, values: dict, errors: dict
) -> Template:
    towns = await queries.towns_for(principal)
    villages = [
        {**v, "town_name": t["name"]} for t in towns for v in await queries.villages_of(t["id"])
    ]
    context: dict[str, Any] = {
        "enterprise": enterprise,
        "values": values,
        "errors": {k: getattr(e, "message_zh", e) for k, e in errors.items()},
        "errors_en": {k: getattr(e, "message", e) for k, e in errors.items()},
        "villages": villages,
        "ownerships": list(Ownership),
        "teams": [],
        "supervisors": [],
        "accounts": [],
        "all_supervisors": [],
    }
    if enterprise is not None:
        context["teams"] = await queries.teams_of(enterprise["id"])
        context["supervisors"] = await queries.supervisors_of(enterprise["id"])
        context["accounts"] = await queries.accounts_of(enterprise["id"])
        context["all_supervisors"] = await queries.users_with_role(Role.supervisor)
    return Template("orgs/enterprise_edit.html", context=context)


@get("/enterprises/{enterprise_id:int}", opt=access(SIGNED_IN), include_in_schema=False)
async def enterprise_profile(request: Request, enterprise_id: FromPath[RowId]) -> Template:
    """An enterprise's profile: its own accounts, its supervisors and its town's admins."""
    principal: Principal = request.user
    enterprise = await queries.get_enterprise(enterprise_id)
    if enterprise is None:
        raise NotFoundException("No such enterprise")
    if not queries.may_see_enterprise(
        principal, enterprise, await queries.watched_by(principal.user_id)
    ):
        raise PermissionDeniedException("Not your enterprise")
    context = {"enterprise": enterprise, "teams": await queries.teams_of(enterprise_id)}
    return Template("orgs/enterprise.html", context=context)


ROUTES = [OrganisationAdmin, enterprise_profile]
