"""Labels and choice lists: XLSForm's translated columns → the language's {zh, en}.

`label::Chinese (zh)` (or any `zh…` code, `Chinese`, `中文`) fills zh, `label::English
(en)` fills en. A plain `label` fills the language named by settings' default_language,
else zh when it has Chinese characters and en when not. A label with no Chinese stands
as it is (the language requires zh; the English text takes its place).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..imported import CellError
from .sheets import Row, Sheet, cell_text, language_of

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Labeller:
    def __init__(self, default_language: str | None) -> None:
        self.default = language_of(default_language) if default_language else None

    def columns(self, sheet: Sheet, base: str, warnings: list[CellError]) -> None:
        """Warn once per sheet about `base::` columns in languages that are not read."""
        for header, letter in sheet.headers.items():
            prefix, sep, language = header.partition("::")
            if prefix == base and sep and language_of(language) is None:
                warnings.append(
                    CellError(sheet.name, 1, letter, f"列 `{header}` 未导入：只导入中文和英文")
                )

    def label(self, row: Row, base: str = "label") -> tuple[object | None, str | None]:
        """The label for the language, and the header of the column it mostly came from."""
        found: dict[str, tuple[str, str]] = {}
        plain = row.get(base)
        for header, value in row.values.items():
            prefix, sep, language = header.partition("::")
            if prefix == base and sep:
                lang = language_of(language)
                if lang and lang not in found:
                    found[lang] = (cell_text(value).strip(), header)
        if plain is not None:
            text = cell_text(plain).strip()
            lang = self.default or ("zh" if _CJK.search(text) else "en")
            if lang in found:
                lang = "en" if lang == "zh" else "zh"
            found.setdefault(lang, (text, base))
        zh, en = found.get("zh"), found.get("en")
        if zh and en and zh[0] != en[0]:
            return {"zh": zh[0], "en": en[0]}, zh[1]
        chosen = zh or en
        return (chosen[0], chosen[1]) if chosen else (None, None)


def references_in(label: object) -> list[str]:
    texts = label.values() if isinstance(label, dict) else [label]
    return sorted({name for text in texts for name in re.findall(r"\$\{([^}]+)\}", str(text))})


@dataclass(frozen=True)
class ChoiceRow:
    name: str  # as the XLSForm names it (the value `relevant` compares with)
    label: object  # a label of the language
    row: Row
    column: str | None  # the header the label came from


def read_choices(
    sheet: Sheet | None, labeller: Labeller, warnings: list[CellError]
) -> dict[str, list[ChoiceRow]]:
    """Choice lists by list name; rows without a list or a name, and repeated names, listed."""
    lists: dict[str, list[ChoiceRow]] = {}
    if sheet is None:
        return lists
    labeller.columns(sheet, "label", warnings)
    for row in sheet.rows:
        list_name, name = row.text("list_name"), row.text("name")
        if not list_name or not name:
            if row.values.keys() & {"list_name", "name", "label"}:
                missing = "list_name" if not list_name else "name"
                warnings.append(row.at(missing, f"选项缺少 {missing}，未导入"))
            continue
        choices = lists.setdefault(list_name, [])
        if any(choice.name == name for choice in choices):
            warnings.append(
                row.at("name", f'选项 "{name}" 在列表 {list_name} 中重复，只保留第一个')
            )
            continue
        label, column = labeller.label(row)
        choices.append(ChoiceRow(name, label if label is not None else name, row, column))
    return lists
