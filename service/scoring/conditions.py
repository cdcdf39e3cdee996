"""Conditions on a check or choice answer: a grade's `requires` (`equals: yes`) and the
grade caps (最高评为…). Pure: the answer, the item, the words to say it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.forms.answers import NA, visible_items
from service.forms.model import Check, Choice, FormDefinition, ItemBase, MultiChoice, Text, as_text


def answer_of(definition: FormDefinition, answers: Mapping[str, Any], item_id: str) -> Any:
    """The answer as scoring sees it: a hidden item (show_if) has none."""
    if item_id not in visible_items(definition, answers):
        return None
    return answers.get(item_id)


def answer_matches(value: Any, wanted: list[str]) -> bool:
    """Whether the answer is one of `wanted`; for a multi, whether any chosen option is.
    An unanswered item matches nothing."""
    chosen = value if isinstance(value, list) else [value]
    return any(str(v) in wanted for v in chosen if v not in (None, ""))


def wanted_answers(equals: str | None, any_of: list[str] | None) -> list[str]:
    return [equals] if any_of is None and equals is not None else list(any_of or [])


def answer_words(item: ItemBase, value: Any) -> Text:
    """An answer in words, both languages: 是/Yes, an option's label, 未作答/no answer."""
    if value is None or value == "" or value == []:
        return Text(zh="未作答", en="no answer")
    if value == NA and not isinstance(item, (Choice, MultiChoice)):
        return Text(zh="不适用", en="not applicable")
    if isinstance(item, Check):
        return {"yes": Text(zh="是", en="yes"), "no": Text(zh="否", en="no")}.get(
            str(value), Text(zh=str(value))
        )
    if isinstance(item, (Choice, MultiChoice)):
        labels = {option.id: as_text(option.label) for option in item.options}
        chosen = [labels.get(str(v), Text(zh=str(v))) for v in _as_list(value)]
        return Text(zh="、".join(t.zh for t in chosen), en=", ".join(t.en or t.zh for t in chosen))
    return Text(zh=str(value))


def words_of(item: ItemBase, values: list[str]) -> Text:
    """Several possible answers, joined by 或 / or."""
    each = [answer_words(item, v) for v in values]
    return Text(zh="或".join(t.zh for t in each), en=" or ".join(t.en or t.zh for t in each))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
