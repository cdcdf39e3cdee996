"""ODK / KoboToolbox XLSForms (forms without scores) brought into the form language.

`read_xlsform(data, file)` reads the survey, choices and settings sheets, builds the
language's source and loads it like a hand-written form, so every rule of `forms check`
applies. What the language cannot say (repeats, calculations, most XPath) is listed in
the result's warnings at its sheet and row, never silently dropped; forms/README.md has
the whole mapping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath

from ..imported import CellError, ImportedForm, WorkbookInvalid, load_imported
from .expressions import parse_version, sanitise_id
from .labels import Labeller, read_choices
from .sheets import Row, read_sheets
from .survey import SurveyReader

DEFAULT_ROLES = ["supervisor"]  # ODK forms are filled in the field: the union's inspectors


@dataclass(frozen=True)
class XlsformSource:
    """The language's source built from an XLSForm, with where each part came from."""

    source: dict
    cells: dict[str, CellError]  # path in the source → the cell it came from
    names: dict[str, str]  # XLSForm question name → item id
    carried_rows: set[int]  # survey rows carried over
    warnings: list[CellError]


def read_xlsform(data: bytes, file: str) -> ImportedForm:
    """The form in an XLSForm workbook; WorkbookInvalid with every error when none is usable."""
    built = xlsform_source(data, file)
    return load_imported(built.source, file, built.cells.get, built.warnings)


def xlsform_source(data: bytes, file: str) -> XlsformSource:
    workbook = read_sheets(data, file)
    settings_sheet = workbook.sheets.get("settings")
    settings = settings_sheet.rows[0] if settings_sheet and settings_sheet.rows else None
    labeller = Labeller(settings.text("default_language") if settings else None)
    warnings = list(workbook.warnings)
    lists = read_choices(workbook.sheets.get("choices"), labeller, warnings)
    survey = SurveyReader(workbook.sheets["survey"], lists, labeller).read()
    warnings += survey.warnings
    warnings.sort(key=lambda w: (w.sheet != "survey", w.sheet, w.row or 0, w.column or ""))
    if not survey.sections:
        sheet = workbook.sheets["survey"].name
        nothing = CellError(sheet, None, None, "survey 表中没有可以导入的问题（原因见下面各行）")
        raise WorkbookInvalid([nothing, *warnings])
    stem = sanitise_id(PurePath(file).stem, "-")
    form_id = sanitise_id(settings.text("form_id"), "-") if settings else ""
    title = (settings.text("form_title") if settings else "") or PurePath(file).stem or form_id
    version, note = parse_version(settings.get("version") if settings else None)
    if note and settings:
        warnings.insert(0, settings.at("version", note))
    checks = sum(item["type"] == "check" for s in survey.sections for item in s["items"])
    items = sum(len(s["items"]) for s in survey.sections)
    source = {
        "id": form_id or stem or "xlsform",
        "version": version,
        # A checklist is yes/no checks; a form mostly of other questions is a report.
        "kind": "checklist" if checks * 2 >= items else "report",
        "title": title or "XLSForm",
        "basis": (settings.text("basis") if settings else "") or f"XLSForm {PurePath(file).name}",
        "roles": DEFAULT_ROLES,
        "sections": survey.sections,
    }
    # No object shared between two places, or the YAML would show anchors (&id001).
    source = json.loads(json.dumps(source))
    cells = dict(survey.cells)
    if settings:
        cells.update(_settings_cells(settings))
    return XlsformSource(source, cells, survey.names, survey.carried_rows, warnings)


def _settings_cells(settings: Row) -> dict[str, CellError]:
    where = {"id": "form_id", "title": "form_title", "version": "version", "basis": "basis"}
    return {path: settings.at(h, "") for path, h in where.items() if h in settings.columns}
