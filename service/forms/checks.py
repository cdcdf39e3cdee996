"""Rules a well-typed form must still keep: unique ids, points that add up,
conditions that point at real items, grades in order.

Each check yields (path, message); the loader adds the file and the line.
"""

from __future__ import annotations

from collections.abc import Iterator

from .grade_checks import answer_gate_problems, grade_cap_problems
from .model import (
    Check,
    Choice,
    DefectCount,
    FormDefinition,
    FormKind,
    Gate,
    ItemBase,
    MultiChoice,
    Number,
    Photo,
    Rate,
    Section,
    SectionKind,
    ShowIf,
    allows_na,
    item_type_name,
)
from .points import EPSILON, bonus_cap, declared_sections_total, item_max, item_max_deduction

Problem = tuple[str, str]


def check_definition(definition: FormDefinition) -> list[Problem]:
    return [
        *_unique_ids(definition),
        *_items(definition),
        *_show_if(definition),
        *_points(definition),
        *_scoring(definition),
    ]


def _unique_ids(definition: FormDefinition) -> Iterator[Problem]:
    sections: dict[str, str] = {}
    items: dict[str, str] = {}
    for s_index, section in enumerate(definition.sections):
        s_path = f"sections[{s_index}]"
        if section.id in sections:
            yield (
                f"{s_path}.id",
                f"duplicate section id `{section.id}` (first at {sections[section.id]})",
            )
        sections.setdefault(section.id, s_path)
        for i_index, item in enumerate(section.items):
            i_path = f"{s_path}.items[{i_index}]"
            if item.id in items:
                yield f"{i_path}.id", f"duplicate item id `{item.id}` (first at {items[item.id]})"
            items.setdefault(item.id, i_path)
            if isinstance(item, (Choice, MultiChoice)):
                seen: set[str] = set()
                for o_index, option in enumerate(item.options):
                    if option.id == "na":
                        yield (
                            f"{i_path}.options[{o_index}].id",
                            "`na` is the answer 不适用 and cannot be an option id; "
                            "use allow_na: true instead",
                        )
                    if option.id in seen:
                        yield (
                            f"{i_path}.options[{o_index}].id",
                            f"duplicate option id `{option.id}` in item `{item.id}`",
                        )
                    seen.add(option.id)


def _items(definition: FormDefinition) -> Iterator[Problem]:
    for path, section, item in _walk(definition):
        if isinstance(item, (Choice, MultiChoice)) and not item.options:
            yield f"{path}.options", f"item `{item.id}` has no options"
        if isinstance(item, MultiChoice):
            top = item.max_selected if item.max_selected is not None else len(item.options)
            if item.min_selected > top or (top > len(item.options) and item.options):
                yield (
                    f"{path}.max_selected",
                    f"min_selected {item.min_selected} / max_selected {top} do not fit "
                    f"{len(item.options)} options",
                )
        number_range = isinstance(item, Number) and item.min is not None and item.max is not None
        if number_range and item.min > item.max:  # type: ignore[union-attr,operator]
            yield f"{path}.min", f"min {item.min} is greater than max {item.max}"
        if isinstance(item, Photo) and item.min_count > item.max_count:
            yield f"{path}.min_count", f"min_count {item.min_count} > max_count {item.max_count}"
        if isinstance(item, Check):
            if item.points and item.deduct:
                yield f"{path}.deduct", f"item `{item.id}` has both points and deduct; give one"
            if item.veto and item.veto.when == item.good:
                yield (
                    f"{path}.veto.when",
                    f"item `{item.id}` vetoes on its good answer `{item.good.value}`",
                )
            yield from _veto_and_info(path, item)
        if isinstance(item, Rate) and item.minus:
            if item.deduct:
                yield (
                    f"{path}.minus",
                    f"rate `{item.id}` has both minus (pro rata) and deduct (whole steps); "
                    "give one",
                )
            if item.part_step_counts:
                yield (
                    f"{path}.part_step_counts",
                    f"rate `{item.id}` deducts pro rata (minus): it has no steps to count",
                )
        yield from _item_in_section(path, section, item)


def _veto_and_info(path: str, item: Check) -> Iterator[Problem]:
    # A veto question offering 不适用 lets 不适用 mean "no veto": only on purpose.
    # (The one-line `veto: "…"` sets allow_na: false; an absent one is None here.)
    if item.veto is not None and item.allow_na is None:
        yield (
            f"{path}.veto",
            f"veto question `{item.id}` offers 不适用, which would mean no veto; write "
            f'the one-line veto: "reason" (answering yes vetoes, no 不适用), or '
            "allow_na: false, or allow_na: true if 不适用 really means no veto",
        )
    if not item.info:
        return
    for field, value in (
        ("points", item.points),
        ("deduct", item.deduct),
        ("veto", item.veto),
        ("mandatory", item.mandatory),
        ("evidence_on_fail", item.evidence_on_fail),
        ("hazard", item.hazard),
    ):
        if value:
            yield (
                f"{path}.{field}",
                f"item `{item.id}` is for information only (info: true), so it has no "
                f"{field}; remove one of the two",
            )


def _item_in_section(path: str, section: Section, item: ItemBase) -> Iterator[Problem]:
    if section.kind is SectionKind.deduction and item_max(item) > 0:
        yield (
            path,
            f"item `{item.id}` earns points inside deduction section `{section.id}`; use "
            "deduct (checks), deduct_each (counts) or negative option scores (choices)",
        )
    rate = isinstance(item, Rate)
    if section.kind is SectionKind.deduction and rate and not (item.deduct or item.minus):  # type: ignore[union-attr]
        yield (
            f"{path}.minus",
            f"rate `{item.id}` in a deduction section needs minus (pro rata) or deduct",
        )
    if section.kind is not SectionKind.deduction and isinstance(item, Check) and item.deduct:
        yield (
            f"{path}.deduct",
            f"item `{item.id}` deducts but section `{section.id}` is {section.kind.value}; "
            "deductions belong in a section with kind: deduction",
        )
    negative = isinstance(item, (Choice, MultiChoice)) and any(
        option.score < 0 for option in item.options
    )
    if section.kind is SectionKind.bonus and negative:
        yield f"{path}.options", f"bonus item `{item.id}` has a negative option score"


def _show_if(definition: FormDefinition) -> Iterator[Problem]:
    earlier: dict[str, ItemBase] = {}
    all_ids = {item.id for _, item in definition.items()}
    for s_index, section in enumerate(definition.sections):
        if section.show_if is not None:
            own = {item.id for item in section.items}
            yield from _condition(
                f"sections[{s_index}]",
                f"section `{section.id}`",
                section.show_if,
                earlier,
                all_ids,
                own,
            )
        for i_index, item in enumerate(section.items):
            if item.show_if is not None:
                yield from _condition(
                    f"sections[{s_index}].items[{i_index}]",
                    f"`{item.id}`",
                    item.show_if,
                    earlier,
                    all_ids,
                    {item.id},
                )
            earlier[item.id] = item


def _condition(
    path: str,
    what: str,
    condition: ShowIf,
    earlier: dict[str, ItemBase],
    all_ids: set[str],
    own: set[str],
) -> Iterator[Problem]:
    """One show_if (of an item or of a section): an earlier item outside what it hides."""
    target = earlier.get(condition.item)
    if condition.item in own:
        where = "depends on itself" if len(own) == 1 else "depends on its own item"
        yield f"{path}.show_if.item", f"{what} {where} `{condition.item}`; use an earlier item"
    elif target is None:
        where = "comes later" if condition.item in all_ids else "does not exist"
        yield (
            f"{path}.show_if.item",
            f"show_if of {what} points at item `{condition.item}`, which {where}; "
            "it must be an earlier item",
        )
    elif not isinstance(target, (Check, Choice, MultiChoice)):
        yield (
            f"{path}.show_if.item",
            f"show_if can depend on a check, choice or multi item; "
            f"`{condition.item}` is a {item_type_name(target)} item",
        )
    else:
        yield from _show_if_values(path, condition, target)
    if (condition.equals is None) == (condition.any_of is None):
        yield f"{path}.show_if", "show_if needs exactly one of `equals` or `any_of`"


def _show_if_values(path: str, condition, target: ItemBase) -> Iterator[Problem]:
    values = [condition.equals] if condition.any_of is None else list(condition.any_of)
    allowed: set | None = None
    if isinstance(target, Check):
        allowed = {"yes", "no"} | ({"na"} if allows_na(target) else set())
    elif isinstance(target, (Choice, MultiChoice)):
        allowed = {option.id for option in target.options}
    if allowed is None:
        return
    for value in values:
        if value is not None and str(value) not in allowed:
            yield (
                f"{path}.show_if",
                f"show_if value `{value}` is not an answer of `{target.id}`; "
                f"one of: {', '.join(sorted(allowed))}",
            )


def _points(definition: FormDefinition) -> Iterator[Problem]:
    scored = definition.kind is FormKind.scored
    for s_index, section in enumerate(definition.sections):
        s_path = f"sections[{s_index}]"
        if not scored:
            if section.points or section.cap or section.kind is not SectionKind.standard:
                yield (
                    s_path,
                    f"section `{section.id}` has points, but only kind: scored forms score",
                )
            for i_index, item in enumerate(section.items):
                if item_max(item) or item_max_deduction(item):
                    yield (
                        f"{s_path}.items[{i_index}]",
                        f"item `{item.id}` has points, but only kind: scored forms score",
                    )
            continue
        items_total = sum(item_max(item) for item in section.items)
        if section.kind is SectionKind.standard:
            if abs(items_total - section.points) > EPSILON:
                yield (
                    f"{s_path}.points",
                    f"section `{section.id}` declares {_n(section.points)} points but its items "
                    f"add up to {_n(items_total)}",
                )
            if section.cap is not None:
                yield f"{s_path}.cap", "cap is for bonus and deduction sections"
        elif section.kind is SectionKind.bonus:
            if section.cap is None:
                yield f"{s_path}.cap", f"bonus section `{section.id}` needs a cap"
            if section.points:
                yield f"{s_path}.points", "a bonus section adds on top: give cap, not points"
        elif section.points == 0 and section.cap is None:
            yield (
                f"{s_path}.cap",
                f"deduction section `{section.id}` has no points to start from, so it needs a cap",
            )


def _scoring(definition: FormDefinition) -> Iterator[Problem]:
    scoring = definition.scoring
    if definition.kind is not FormKind.scored:
        if scoring is not None:
            yield "scoring", "scoring is only for kind: scored forms"
        return
    if scoring is None:
        yield "scoring", "a kind: scored form needs a scoring block (at least max)"
        return
    total = declared_sections_total(definition)
    if abs(total - scoring.max) > EPSILON:
        yield (
            "scoring.max",
            f"scoring.max is {_n(scoring.max)} but the sections' points add up to {_n(total)}",
        )
    for g_index, gate in enumerate(scoring.gates):
        yield from _gate(definition, gate, f"scoring.gates[{g_index}]")
    ceiling = scoring.max + bonus_cap(definition)
    if scoring.out_of is not None:  # grades and gates read the total on that scale
        ceiling = ceiling * scoring.out_of / scoring.max
    yield from grade_cap_problems(definition)
    previous: float | None = None
    grade_ids: set[str] = set()
    for g_index, grade in enumerate(scoring.grades):
        path = f"scoring.grades[{g_index}]"
        if grade.id in grade_ids:
            yield f"{path}.id", f"duplicate grade id `{grade.id}`"
        grade_ids.add(grade.id)
        if previous is not None and grade.min >= previous:
            yield (
                f"{path}.min",
                f"grade thresholds must go from highest to lowest: {_n(grade.min)} "
                f"comes after {_n(previous)}",
            )
        if grade.min > ceiling:
            yield (
                f"{path}.min",
                f"grade `{grade.id}` needs {_n(grade.min)}, above the possible {_n(ceiling)}",
            )
        previous = grade.min
        for r_index, gate in enumerate(grade.requires):
            yield from _gate(definition, gate, f"{path}.requires[{r_index}]")


def _gate(definition: FormDefinition, gate: Gate, path: str) -> Iterator[Problem]:
    rules = [
        gate.min_total is not None,
        gate.min_section_percent is not None,
        gate.section is not None,
        gate.item is not None,
    ]
    if sum(rules) != 1:
        yield (
            path,
            (
                "a gate needs exactly one rule: min_total, min_section_percent, "
                "section (with min_points or min_percent), or item (with at_least, "
                "equals, any_of or none_of)"
            ),
        )
        return
    if gate.section is not None:
        if gate.section not in {s.id for s in definition.sections}:
            yield f"{path}.section", f"gate names section `{gate.section}`, which does not exist"
        if (gate.min_points is None) == (gate.min_percent is None):
            yield path, "a section gate needs exactly one of min_points or min_percent"
    elif gate.min_points is not None or gate.min_percent is not None:
        yield path, "min_points and min_percent go with section"
    if gate.item is not None and gate.at_least is not None:
        target = definition.item_map().get(gate.item)
        if target is None:
            yield f"{path}.item", f"gate names item `{gate.item}`, which does not exist"
        elif not isinstance(target, (Number, Rate, DefectCount)):
            yield (
                f"{path}.item",
                f"at_least needs a number, rate or count item; for the answer of "
                f"`{gate.item}` use equals, any_of or none_of",
            )
    yield from answer_gate_problems(definition, gate, path)


def _walk(definition: FormDefinition) -> Iterator[tuple[str, Section, ItemBase]]:
    for s_index, section in enumerate(definition.sections):
        for i_index, item in enumerate(section.items):
            yield f"sections[{s_index}].items[{i_index}]", section, item


def _n(value: float) -> str:
    return f"{value:g}"
