"""Forms a clerk uploads on /admin/forms: the draft kept between checking and
publishing, publishing it as a new version, and the versions an admin may see.

With catalog.py (the files in forms/), all SQL about form versions lives here.
Versions are only ever added: publishing never changes a row that exists.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import asyncpg
import msgspec
from piccolo.query.functions.aggregate import Count

from service.accounts.principal import Principal
from service.collection.tables import Submission

from .catalog import FormSummary
from .imported import CellError, ImportedForm
from .loader import canonical_json, load_form_text, source_hash
from .model import as_text
from .ownership import (
    FormIdFacts,
    PublishRefusal,
    next_version,
    owner_of_new_version,
    publish_refusal,
    visible_to,
)
from .tables import ORIGIN_FILE, ORIGIN_UPLOAD, FormUpload, FormVersion

# A scoring table of 300 rows is ~60 KB as .xlsx and ~120 KB as YAML: 2 MB is room for
# a workbook with pictures in it, and keeps a careless upload cheap to refuse.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

_UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


class Published(msgspec.Struct, frozen=True):
    form_id: str
    version: int
    already: bool  # this upload had been published before (a double click, a retry)


async def form_id_facts(form_id: str) -> FormIdFacts | None:
    """What the catalogue holds under a form id; None for an id not used yet."""
    rows = await FormVersion.select(
        FormVersion.version, FormVersion.origin, FormVersion.owner_town
    ).where(FormVersion.form_id == form_id)
    if not rows:
        return None
    first = min(rows, key=lambda r: r["version"])
    return FormIdFacts(
        form_id=form_id,
        latest_version=max(r["version"] for r in rows),
        builtin=any(r["origin"] == ORIGIN_FILE for r in rows),
        owner_town=first["owner_town"],
    )


async def save_upload(
    uploaded_by: int, town_id: int | None, file_name: str, imported: ImportedForm
) -> int:
    """Keep a checked form until it is published; returns the draft's id."""
    warnings = [
        {"sheet": w.sheet, "row": w.row, "column": w.column, "message": w.message}
        for w in imported.warnings
    ]
    [row] = await FormUpload.insert(
        FormUpload(
            uploaded_by=uploaded_by,
            town=town_id,
            file_name=file_name[-255:],
            form_id=imported.loaded.definition.id,
            source=imported.yaml_text,
            warnings=msgspec.json.encode(warnings).decode() if warnings else "",
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return row["id"]


async def get_upload(upload_id: int, uploader: int) -> dict | None:
    """One of this person's uploads (a draft is its uploader's alone), with the
    version it became once published."""
    row = (
        await FormUpload.select(
            *FormUpload.all_columns(),
            FormUpload.town.name.as_alias("town_name"),
            FormUpload.published_version.version.as_alias("published_as"),
        )
        .where((FormUpload.id == upload_id) & (FormUpload.uploaded_by == uploader))
        .first()
    )
    if row is not None:
        row["warnings"] = [
            CellError(**w)
            for w in (msgspec.json.decode(row["warnings"]) if row["warnings"] else [])
        ]
    return row


async def pending_uploads(uploader: int) -> list[dict]:
    """This person's checked uploads not published yet, newest first."""
    return await (
        FormUpload.select(
            FormUpload.id, FormUpload.form_id, FormUpload.file_name, FormUpload.created_at
        )
        .where((FormUpload.uploaded_by == uploader) & FormUpload.published_version.is_null())
        .order_by(FormUpload.id, ascending=False)
        .limit(20)
    )


async def publish_upload(upload_id: int, principal: Principal) -> Published | PublishRefusal:
    """The upload as the next version of its form id, once: a second call (a double
    click, a retry) finds it published and adds nothing."""
    try:
        return await _publish_once(upload_id, principal)
    except _UNIQUE_VIOLATIONS:
        # Another request took the same next version in the same moment: if it was
        # this very upload, it is published; otherwise something else raced us.
        row = await FormUpload.select(FormUpload.published_version).where(
            FormUpload.id == upload_id
        )
        if row and row[0]["published_version"] is not None:
            return await _published(upload_id, already=True)
        raise


async def _publish_once(upload_id: int, principal: Principal) -> Published | PublishRefusal:
    async with FormVersion._meta.db.transaction():
        upload = await FormUpload.select().where(FormUpload.id == upload_id).first()
        if upload is None:
            raise LookupError(f"no upload {upload_id}")
        if upload["published_version"] is not None:
            return await _published(upload_id, already=True)
        facts = await form_id_facts(upload["form_id"])
        refusal = publish_refusal(principal, facts, upload["town"])
        if refusal is not None:
            return refusal
        version = next_version(facts)
        # Checked again: the language may have grown a rule since the upload.
        loaded = load_form_text(upload["source"], upload["file_name"])
        # The clerk's own `version` gives way to the next free one (the page says so).
        source = {**loaded.source, "version": version}
        title = as_text(loaded.definition.title)
        now = dt.datetime.now(dt.UTC)
        [row] = await FormVersion.insert(
            FormVersion(
                form_id=loaded.definition.id,
                version=version,
                kind=loaded.definition.kind.value,
                title_zh=title.zh,
                title_en=title.en,
                content_hash=source_hash(source),
                definition=canonical_json(source).decode(),
                source_file=upload["file_name"][-255:],
                created_at=now,
                updated_at=now,
                origin=ORIGIN_UPLOAD,
                owner_town=owner_of_new_version(facts, upload["town"]),
                published_by=principal.user_id,
            )
        )
        await FormUpload.update({FormUpload.published_version: row["id"]}).where(
            FormUpload.id == upload_id
        )
    return Published(loaded.definition.id, version, already=False)


async def _published(upload_id: int, *, already: bool) -> Published:
    row = (
        await FormUpload.select(
            FormUpload.form_id, FormUpload.published_version.version.as_alias("version")
        )
        .where(FormUpload.id == upload_id)
        .first()
    )
    assert row is not None
    return Published(row["form_id"], row["version"], already=already)


# ---------------------------------------------------------------- what an admin sees


async def visible_versions(principal: Principal) -> list[dict]:
    """Every form this admin sees, each with its versions (newest first) and how many
    submissions use each version."""
    rows = await FormVersion.select(
        FormVersion.id,
        FormVersion.form_id,
        FormVersion.version,
        FormVersion.kind,
        FormVersion.title_zh,
        FormVersion.title_en,
        FormVersion.origin,
        FormVersion.owner_town,
        FormVersion.owner_town.name.as_alias("owner_town_name"),
        FormVersion.created_at,
    ).order_by(FormVersion.form_id)
    counts = {
        row["form_version"]: row["submissions"]
        for row in await Submission.select(
            Submission.form_version, Count(alias="submissions")
        ).group_by(Submission.form_version)
    }
    forms: dict[str, dict] = {}
    for row in rows:
        form = forms.setdefault(row["form_id"], {"id": row["form_id"], "versions": []})
        form["versions"].append({**row, "submissions": counts.get(row["id"], 0)})
    listed = []
    for form in forms.values():
        versions = sorted(form["versions"], key=lambda v: v["version"], reverse=True)
        first = versions[-1]
        if not visible_to(principal, first["owner_town"]):
            continue
        listed.append(
            {
                **form,
                "versions": versions,
                "latest": versions[0],
                "builtin": any(v["origin"] == ORIGIN_FILE for v in versions),
                "owner_town_name": first["owner_town_name"],
            }
        )
    return listed


async def visible_summaries(principal: Principal) -> list[FormSummary]:
    """The latest version of every form this admin sees: what a campaign can use."""
    return [
        FormSummary(
            id=form["id"],
            version=form["latest"]["version"],
            kind=form["latest"]["kind"],
            title_zh=form["latest"]["title_zh"],
            title_en=form["latest"]["title_en"],
            versions=sorted(v["version"] for v in form["versions"]),
            owner_town=form["versions"][-1]["owner_town"],
        )
        for form in await visible_versions(principal)
    ]
