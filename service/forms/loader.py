"""Load form files: YAML → typed definition, or every error with file, path and line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import msgspec

from .checks import check_definition
from .model import FormDefinition
from .repair import is_echo, repair
from .structure import check_structure
from .yaml_source import YamlSyntaxError, parse_yaml

FORM_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FormFileError:
    file: str
    path: str  # e.g. sections[2].items[4].points; "" for the whole file
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        inside = f" {self.path}:" if self.path else ""
        return f"{where}:{inside} {self.message}"


@dataclass(frozen=True)
class LoadedForm:
    definition: FormDefinition
    file: str
    # The form as its author wrote it (parsed YAML), stored and hashed as canonical JSON:
    # comments and layout do not change the hash, and neither does a new optional field
    # in the language (its default is not written into old forms).
    source: dict
    content_hash: str


class FormFileInvalid(Exception):
    def __init__(self, errors: list[FormFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def load_form_text(source: str, file: str = "<text>") -> LoadedForm:
    """Parse and check one form; raise FormFileInvalid listing every problem."""
    try:
        document = parse_yaml(source)
    except YamlSyntaxError as exc:
        raise FormFileInvalid([FormFileError(file, "", exc.message, exc.line)]) from None
    errors = [
        FormFileError(file, path, f"duplicate key `{path.rsplit('.', 1)[-1]}`", line)
        for path, line in document.duplicate_keys
    ]
    if not isinstance(document.data, dict):
        errors.append(
            FormFileError(file, "", "a form file must be a mapping (id:, version:, …)", 1)
        )
        raise FormFileInvalid(errors)
    structure = check_structure(document.data, FormDefinition)
    errors += [FormFileError(file, p.path, p.message, document.line_of(p.path)) for p in structure]
    data, repaired = document.data, set()
    if structure:
        # Keep going past type errors, so the rule errors show up in the same run.
        outcome = repair(document.data, structure)
        if outcome is None:
            raise FormFileInvalid(errors)
        data, repaired = outcome
    try:
        definition = msgspec.convert(data, FormDefinition)
    except msgspec.ValidationError:
        raise FormFileInvalid(errors) from None  # the repair could not save it
    errors += [
        FormFileError(file, path, message, document.line_of(path))
        for path, message in check_definition(definition)
        if not is_echo(path, message, repaired, document.data)
    ]
    if errors:
        raise FormFileInvalid(sorted(errors, key=lambda e: e.line or 0))
    return LoadedForm(definition, file, document.data, source_hash(document.data))


def load_form_file(path: Path) -> LoadedForm:
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FormFileInvalid(
            [FormFileError(str(path), "", f"not UTF-8 text: {exc.reason}")]
        ) from None
    return load_form_text(source, str(path))


def canonical_json(source: dict) -> bytes:
    return msgspec.json.encode(source, order="sorted")


def source_hash(source: dict) -> str:
    return hashlib.sha256(canonical_json(source)).hexdigest()


def form_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their form files, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in FORM_FILE_SUFFIXES)
        else:
            files.append(path)
    return files


def load_forms(paths: list[Path]) -> tuple[list[LoadedForm], list[FormFileError]]:
    """Load every form file; also catch the same id and version in two files."""
    loaded: list[LoadedForm] = []
    errors: list[FormFileError] = []
    for file in form_files(paths):
        if not file.exists():
            errors.append(FormFileError(str(file), "", "no such file"))
            continue
        try:
            loaded.append(load_form_file(file))
        except FormFileInvalid as exc:
            errors += exc.errors
    seen: dict[tuple[str, int], str] = {}
    for form in loaded:
        key = (form.definition.id, form.definition.version)
        if key in seen:
            errors.append(
                FormFileError(
                    form.file,
                    "version",
                    f"form `{key[0]}` version {key[1]} is also defined in {seen[key]}",
                )
            )
        seen.setdefault(key, form.file)
    return loaded, errors
