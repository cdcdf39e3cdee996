"""Checks of the conditions on answers: a gate's `equals` / `any_of` / `none_of`, and
the grade caps (最高评为…). Each yields (path, message), like checks.py."""

from __future__ import annotations

from collections.abc import Iterator

from .model import Check, Choice, FormDefinition, Gate, GradeCap, MultiChoice, allows_na

Problem = tuple[str, str]


def answer_gate_problems(definition: FormDefinition, gate: Gate, path: str) -> Iterator[Problem]:
    """A gate on an item's answer: exactly one way to say it, on a check or choice."""
    given = [
        name
        for name, value in (
            ("at_least", gate.at_least),
            ("equals", gate.equals),
            ("any_of", gate.any_of),
            ("none_of", gate.none_of),
        )
        if value is not None
    ]
    if gate.item is None:
        if given and given != ["at_least"]:
            yield path, f"{', '.join(given)} goes with item"
        return
    if len(given) != 1:
        yield path, "an item gate needs exactly one of at_least, equals, any_of or none_of"
        return
    if given == ["at_least"]:
        return
    values = [gate.equals] if gate.equals is not None else list(gate.any_of or gate.none_of or [])
    yield from _answer_condition(definition, gate.item, values, path, given[0])


def grade_cap_problems(definition: FormDefinition) -> Iterator[Problem]:
    scoring = definition.scoring
    if scoring is None:
        return
    grades = [grade.id for grade in scoring.grades]
    for index, cap in enumerate(scoring.grade_caps):
        path = f"scoring.grade_caps[{index}]"
        if cap.at_most not in grades:
            known = ", ".join(grades) or "none declared"
            yield (
                f"{path}.at_most",
                f"grade cap names grade `{cap.at_most}`, which does not exist; grades: {known}",
            )
        yield from _cap_condition(definition, cap, path)


def _cap_condition(definition: FormDefinition, cap: GradeCap, path: str) -> Iterator[Problem]:
    if (cap.equals is None) == (cap.any_of is None):
        yield path, "a grade cap needs exactly one of equals or any_of"
        return
    values = [cap.equals] if cap.equals is not None else list(cap.any_of or [])
    yield from _answer_condition(
        definition, cap.item, values, path, "equals" if cap.equals is not None else "any_of"
    )


def _answer_condition(
    definition: FormDefinition, item_id: str, values: list[str], path: str, key: str
) -> Iterator[Problem]:
    target = definition.item_map().get(item_id)
    if target is None:
        yield f"{path}.item", f"names item `{item_id}`, which does not exist"
        return
    if isinstance(target, Check):
        allowed = {"yes", "no"} | ({"na"} if allows_na(target) else set())
    elif isinstance(target, (Choice, MultiChoice)):
        allowed = {option.id for option in target.options}
    else:
        yield (
            f"{path}.{key}",
            f"{key} needs a check, choice or multi item; `{item_id}` is not one "
            "(a number, rate or count item takes at_least)",
        )
        return
    if not values:
        yield f"{path}.{key}", f"{key} lists no answers"
    for value in values:
        if value not in allowed:
            yield (
                f"{path}.{key}",
                f"`{value}` is not an answer of `{item_id}`; one of: {', '.join(sorted(allowed))}",
            )
