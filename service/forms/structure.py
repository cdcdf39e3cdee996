"""Check raw YAML data against the typed model, collecting every error.

msgspec stops at the first error; a clerk fixing a file wants them all at once.
So we walk the data alongside the struct annotations ourselves, and leave each
leaf value (a number, an enum, a pattern-checked id) to msgspec.
"""

from __future__ import annotations

import difflib
import enum
import math
import types
import typing
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

from .yaml_source import join


class StructureProblem(typing.NamedTuple):
    path: str
    message: str
    # What to take out so that the rest still converts and the rule checks can run:
    # the problem's nearest optional field, list element or top-level field.
    drop: str | None = None
    harmless: bool = False  # an unknown field: taking it out changes nothing else


def check_structure(value: Any, model: type) -> list[StructureProblem]:
    return [*_non_finite(value, ""), *_check(value, model, "", None)]


def _non_finite(value: Any, path: str) -> Iterator[StructureProblem]:
    """`.nan` and `.inf` are YAML floats, but never a score or a threshold."""
    if isinstance(value, float) and not math.isfinite(value):
        yield StructureProblem(path, f"`{value}` is not a usable number")
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _non_finite(child, join(path, str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _non_finite(child, join(path, index))


def _check(value: Any, tp: Any, path: str, drop: str | None) -> Iterator[StructureProblem]:
    base, _ = _unwrap(tp)
    if isinstance(base, type) and issubclass(base, msgspec.Struct):
        yield from _check_struct(value, base, path, drop)
        return
    origin = get_origin(base)
    if origin in (Union, types.UnionType):
        yield from _check_union(value, tp, get_args(base), path, drop)
        return
    if origin is list:
        if not isinstance(value, list):
            yield StructureProblem(path, f"expected a list, got {_describe(value)}", drop)
            return
        try:  # length constraints live on the Annotated list
            msgspec.convert([None] * len(value), _with_any_items(tp))
        except msgspec.ValidationError as exc:
            yield StructureProblem(path, _clean(exc), drop)
        (item_type,) = get_args(base)
        for index, element in enumerate(value):
            yield from _check(element, item_type, join(path, index), join(path, index))
        return
    if isinstance(base, type) and issubclass(base, enum.Enum):
        allowed = [member.value for member in base]
        if value not in allowed:
            close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            yield StructureProblem(
                path, f"unknown value `{value}`{hint}; one of: {', '.join(allowed)}", drop
            )
        return
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError as exc:
        yield StructureProblem(path, _clean(exc), drop)


def _check_struct(
    value: Any, struct: type[msgspec.Struct], path: str, drop: str | None
) -> Iterator[StructureProblem]:
    if not isinstance(value, dict):
        yield StructureProblem(path, f"expected a mapping of fields, got {_describe(value)}", drop)
        return
    fields = _fields(struct)
    tag_field = struct.__struct_config__.tag_field
    for key in value:
        if key not in fields and key != tag_field:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            allowed = ", ".join(fields)
            if set(fields) == {"zh", "en"}:
                # `{zh: 培训, en: Training, publicity}`: a comma in flow style splits the text.
                hint += "; if it is part of a label, put the text in quotes"
            here = join(path, str(key))
            yield StructureProblem(
                here, f"unknown field `{key}`{hint}; allowed here: {allowed}", here, True
            )
    for name, (field_type, required) in fields.items():
        here = join(path, name)
        # Top-level fields can be stood in for; nested required ones take their element.
        own = here if not required or not path else drop
        if name in value:
            yield from _check(value[name], field_type, here, own)
        elif required:
            yield StructureProblem(here, f"missing required field `{name}`", own)


def _check_union(
    value: Any, tp: Any, members: tuple, path: str, drop: str | None
) -> Iterator[StructureProblem]:
    if value is None and type(None) in members:
        return
    tagged = [m for m in members if isinstance(m, type) and issubclass(m, msgspec.Struct)]
    if tagged and all(m.__struct_config__.tag is not None for m in tagged):
        yield from _check_tagged(value, tagged, path, drop)
        return
    if tagged and isinstance(value, dict):  # e.g. `str | Text`: a mapping means the struct
        yield from _check_struct(value, tagged[0], path, drop)
        return
    non_struct = [m for m in members if m not in tagged and m is not type(None)]
    if len(non_struct) == 1 and not tagged:
        yield from _check(value, non_struct[0], path, drop)
        return
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError as exc:
        yield StructureProblem(path, _clean(exc), drop)


def _check_tagged(
    value: Any, members: list, path: str, drop: str | None
) -> Iterator[StructureProblem]:
    tag_field = members[0].__struct_config__.tag_field
    by_tag = {m.__struct_config__.tag: m for m in members}
    choices = ", ".join(by_tag)
    if not isinstance(value, dict):
        yield StructureProblem(
            path, f"expected a mapping with `{tag_field}`, got {_describe(value)}", drop
        )
        return
    if tag_field not in value:
        yield StructureProblem(
            join(path, tag_field), f"missing `{tag_field}`; one of: {choices}", drop
        )
        return
    tag = value[tag_field]
    if tag not in by_tag:
        close = difflib.get_close_matches(str(tag), list(by_tag), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        yield StructureProblem(
            join(path, tag_field), f"unknown {tag_field} `{tag}`{hint}; one of: {choices}", drop
        )
        return
    yield from _check_struct(value, by_tag[tag], path, drop)


@cache
def _fields(struct: type[msgspec.Struct]) -> dict[str, tuple[Any, bool]]:
    hints = typing.get_type_hints(struct, include_extras=True)
    return {f.name: (hints[f.name], f.required) for f in msgspec.structs.fields(struct)}


def _unwrap(tp: Any) -> tuple[Any, tuple]:
    if get_origin(tp) is Annotated:
        base, *metadata = get_args(tp)
        return base, tuple(metadata)
    return tp, ()


def _with_any_items(tp: Any) -> Any:
    _, metadata = _unwrap(tp)
    return Annotated[(list[Any], *metadata)] if metadata else list[Any]


def _clean(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    # msgspec appends " - at `$...`": our own path is more useful.
    if " - at `$" in message:
        message = message[: message.index(" - at `$")]
    return message.replace("Expected", "expected", 1)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{value}`"
