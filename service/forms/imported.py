"""What the importers share: an error at a cell of a workbook, and a form made from one.

A clerk's spreadsheet (service.forms.spreadsheet) and an ODK XLSForm
(service.forms.xlsform) both become the form language's source (a dict), written out
as readable YAML and loaded by the same loader as a hand-written file, so every rule of
`forms check` applies to them too. An error the loader finds at a path of the form
(`sections[1].items[3].points`) is said at the cell that path came from (`评分表!E14`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from .loader import FormFileInvalid, LoadedForm, load_form_text


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None  # 1-based, as the spreadsheet shows it
    column: str | None  # a letter, as the spreadsheet shows it ("E")
    message: str
    # The row's own words (its 考核内容, a question's label), so a clerk finds the row
    # in her table; filled in by imports.with_row_content when it is shown on a page.
    content: str | None = None

    @property
    def cell(self) -> str:
        return f"{self.column or ''}{self.row or ''}"

    def __str__(self) -> str:
        where = self.sheet + (f"!{self.cell}" if self.cell else "")
        return f"{where}: {self.message}"


class WorkbookInvalid(Exception):
    """Nothing was imported: every error, all at once."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class ImportedForm:
    loaded: LoadedForm
    yaml_text: str  # what `forms import -o` writes and what the admin page stores
    # Rows that were read but could not be carried over (an XLSForm's calculate, say):
    # listed, never silently dropped.
    warnings: list[CellError] = field(default_factory=list)


# The cell a path of the form came from; None for a path made up by the importer.
CellOf = Callable[[str], CellError | None]


FLOW_WIDTH = 90  # a small mapping or list of plain values this short stays on one line


class _FormDumper(yaml.SafeDumper):
    """Block style for the structure, one line for small leaves (`{zh: …, en: …}`,
    `{id: a, label: 好, score: 3}`, `[enterprise, judge]`), lists indented under their key,
    as the hand-written forms are."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _is_leaf(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flow = all(_is_leaf(v) for v in data.values()) and len(str(data)) <= FLOW_WIDTH
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(_is_leaf(v) for v in data) and len(str(data)) <= FLOW_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_FormDumper.add_representer(dict, _represent_dict)
_FormDumper.add_representer(list, _represent_list)


def form_yaml(source: dict) -> str:
    """The form source as YAML a person can read: keys in the order given, Chinese as is."""
    return yaml.dump(source, Dumper=_FormDumper, allow_unicode=True, sort_keys=False, width=100)


def load_imported(
    source: dict, file: str, cell_of: CellOf, warnings: list[CellError] | None = None
) -> ImportedForm:
    """Load the source like a form file; raise WorkbookInvalid with each error at its cell.

    `cell_of(path)` gives the cell a path came from, with an empty message; the nearest
    ancestor path that has a cell is used, and the whole sheet when none has.
    """
    text = form_yaml(source)
    try:
        loaded = load_form_text(text, file)
    except FormFileInvalid as exc:
        raise WorkbookInvalid([_at_cell(e.path, e.message, cell_of) for e in exc.errors]) from None
    return ImportedForm(loaded, text, warnings or [])


def _at_cell(path: str, message: str, cell_of: CellOf) -> CellError:
    probe = path
    while True:
        cell = cell_of(probe)
        if cell is not None:
            detail = f" ({path})" if path and probe != path else ""
            return CellError(cell.sheet, cell.row, cell.column, message + detail)
        if not probe:
            return CellError("", None, None, f"{path}: {message}" if path else message)
        probe = _parent(probe)


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""
