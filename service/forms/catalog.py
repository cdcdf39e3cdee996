"""The form catalogue in the database: syncing files in, reading versions out.

All SQL about form versions lives here.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

import asyncpg
import msgspec

from service.collection.tables import Submission

from .loader import LoadedForm, canonical_json
from .model import FormDefinition, as_text
from .tables import ORIGIN_UPLOAD, FormVersion

log = logging.getLogger(__name__)


class FormVersionInUse(Exception):
    """A file changed a version that submissions already use."""

    def __init__(self, conflicts: list[tuple[str, str, int, int]]):
        self.conflicts = conflicts  # (file, form id, version, submissions)
        lines = [
            f"{file}: form `{form_id}` version {version} changed, but {count} submission(s) "
            f"use that version; raise `version` to {version + 1} to publish the change"
            for file, form_id, version, count in conflicts
        ]
        super().__init__("\n".join(lines))


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Files left out because a clerk's upload holds their form id or version: said, so
    # an engineer gives the file another id or version, never silently.
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"forms: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )
        if self.skipped:
            text += f", {len(self.skipped)} skipped (" + "; ".join(self.skipped) + ")"
        return text


class FormSummary(msgspec.Struct, frozen=True):
    id: str
    version: int
    kind: str
    title_zh: str
    title_en: str | None
    versions: list[int]
    owner_town: int | None = None  # a town's own form (uploaded by its admin); None: everyone's


async def sync_forms(forms: list[LoadedForm], attempts: int = 3) -> SyncReport:
    """Store new versions, refresh unused changed ones, refuse changed used ones.

    Versions uploaded on /admin/forms are never touched: a file whose version an
    upload already holds, or whose form id a town's upload owns, is skipped and named
    in the report. Runs in one transaction: either every file is synced or none is. Several worker
    processes start at once and sync the same files: the one that loses the race to
    insert a version meets the unique index, and simply syncs again.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await _sync_once(forms)
        except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
            if attempt == attempts:
                raise
            log.info("another process synced the forms first; syncing again")
    raise AssertionError("unreachable")


async def _sync_once(forms: list[LoadedForm]) -> SyncReport:
    engine = FormVersion._meta.db
    report = SyncReport()
    async with engine.transaction():
        rows = await FormVersion.select(
            FormVersion.id,
            FormVersion.form_id,
            FormVersion.version,
            FormVersion.content_hash,
            FormVersion.origin,
            FormVersion.owner_town,
        )
        stored = {(r["form_id"], r["version"]): r for r in rows}
        towns_forms = {r["form_id"] for r in rows if r["owner_town"] is not None}
        conflicts = []
        changed: list[tuple[LoadedForm, int]] = []
        kept: list[LoadedForm] = []
        for form in forms:
            key = (form.definition.id, form.definition.version)
            row = stored.get(key)
            if form.definition.id in towns_forms or (row and row["origin"] == ORIGIN_UPLOAD):
                whose = "a town's uploaded form" if key[0] in towns_forms else "an upload"
                report.skipped.append(f"{form.file}: {_name(form)} is held by {whose}")
                log.warning("form file %s skipped: %s is held by %s", form.file, _name(form), whose)
                continue
            kept.append(form)
            if row is None:
                continue
            if row is None:
                continue
            if row["content_hash"] == form.content_hash:
                report.unchanged.append(_name(form))
                continue
            used = await Submission.count().where(Submission.form_version == row["id"])
            if used:
                conflicts.append((form.file, *key, used))
            changed.append((form, row["id"]))
        if conflicts:
            raise FormVersionInUse(conflicts)
        now = dt.datetime.now(dt.UTC)
        for form, row_id in changed:
            await FormVersion.update(**_columns(form, now)).where(FormVersion.id == row_id)
            log.warning(
                "form %s changed without a new version; no submissions use it yet", _name(form)
            )
            report.updated.append(_name(form))
        new = [f for f in kept if (f.definition.id, f.definition.version) not in stored]
        if new:
            await FormVersion.insert(
                *[FormVersion(**_columns(form, now), created_at=now) for form in new]
            )
            report.added += [_name(form) for form in new]
    return report


async def list_forms() -> list[FormSummary]:
    """The latest version of every form, with the list of all its versions."""
    rows = await FormVersion.select(
        FormVersion.form_id,
        FormVersion.version,
        FormVersion.kind,
        FormVersion.title_zh,
        FormVersion.title_en,
    ).order_by(FormVersion.form_id)
    versions: dict[str, list[dict]] = {}
    for row in rows:
        versions.setdefault(row["form_id"], []).append(row)
    summaries = []
    for form_id, group in versions.items():
        latest = max(group, key=lambda r: r["version"])
        summaries.append(
            FormSummary(
                id=form_id,
                version=latest["version"],
                kind=latest["kind"],
                title_zh=latest["title_zh"],
                title_en=latest["title_en"],
                versions=sorted(r["version"] for r in group),
            )
        )
    return summaries


async def get_form(form_id: str, version: int | None = None) -> FormDefinition | None:
    """A stored definition: the given version, or the latest."""
    query = FormVersion.select(FormVersion.definition, FormVersion.content_hash).where(
        FormVersion.form_id == form_id
    )
    if version is not None:
        query = query.where(FormVersion.version == version)
    row = await query.order_by(FormVersion.version, ascending=False).first()
    if row is None:
        return None
    return _decode(row["content_hash"], row["definition"])


async def latest_version_id(form_id: str) -> int | None:
    """The row of a form's newest version: what a new campaign is pinned to."""
    row = (
        await FormVersion.select(FormVersion.id)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version, ascending=False)
        .first()
    )
    return row["id"] if row else None


async def version_id(form_id: str, version: int) -> int | None:
    """The row of one version of a form (what a submission outside a campaign uses)."""
    row = (
        await FormVersion.select(FormVersion.id)
        .where((FormVersion.form_id == form_id) & (FormVersion.version == version))
        .first()
    )
    return row["id"] if row else None


async def versions_of(form_id: str) -> list[int]:
    rows = await FormVersion.select(FormVersion.version).where(FormVersion.form_id == form_id)
    return sorted(row["version"] for row in rows)


@lru_cache(maxsize=256)
def _decode(content_hash: str, definition: str) -> FormDefinition:
    # Keyed by the hash too, so a refreshed version is never served stale. Defaults of
    # fields added to the language since the form was stored come from today's model.
    return msgspec.json.decode(definition, type=FormDefinition)


def _columns(form: LoadedForm, now: dt.datetime) -> dict:
    title = as_text(form.definition.title)
    return {
        "form_id": form.definition.id,
        "version": form.definition.version,
        "kind": form.definition.kind.value,
        "title_zh": title.zh,
        "title_en": title.en,
        "content_hash": form.content_hash,
        "definition": canonical_json(form.source).decode(),
        "source_file": form.file[-255:],
        "updated_at": now,
    }


def _name(form: LoadedForm) -> str:
    return f"{form.definition.id}@{form.definition.version}"


async def definition_by_id(
    form_version_id: int, content_hash: str | None = None
) -> FormDefinition | None:
    """The definition stored in one form-version row (what a campaign is pinned to).

    With the row's `content_hash` (which callers often have from a join), a definition
    decoded before is served without reading its text again: every submission of a
    250-item table needs it.
    """
    if content_hash is not None and content_hash in _BY_HASH:
        return _BY_HASH[content_hash]
    row = (
        await FormVersion.select(FormVersion.definition, FormVersion.content_hash)
        .where(FormVersion.id == form_version_id)
        .first()
    )
    if row is None:
        return None
    definition = _decode(row["content_hash"], row["definition"])
    if len(_BY_HASH) >= 256:
        _BY_HASH.clear()
    _BY_HASH[row["content_hash"]] = definition
    return definition


# A version's content never changes under its hash (the hash is of the source).
_BY_HASH: dict[str, FormDefinition] = {}
