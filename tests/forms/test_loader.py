"""A broken form file names the file, the path inside it and the line; all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from service.forms.loader import FormFileInvalid, load_form_text, load_forms
from service.forms.model import Check, Choice, FormKind
from tests.conftest import FORMS_DIR
from tests.factories import form_data, form_yaml, load

BUILT_IN = [
    "ankang-cup-enterprise",
    "ankang-cup-team",
    "safety-inspection-card",
    "hazard-report",
    "hazard-point-card",
    "chemical-info-card",
    "harmonious-enterprise",
    "workers-home",
]


def errors_of(source: str, file: str = "broken.yaml") -> list:
    with pytest.raises(FormFileInvalid) as caught:
        load_form_text(source, file)
    return caught.value.errors


def messages(errors: list) -> list[str]:
    return [f"{e.path}: {e.message}" for e in errors]


def test_the_eight_built_in_forms_load_without_errors():
    forms, errors = load_forms([FORMS_DIR])
    assert errors == []
    assert sorted(f.definition.id for f in forms) == sorted(BUILT_IN)


@pytest.mark.parametrize("form_id", BUILT_IN)
def test_each_built_in_form_cites_its_basis_and_scored_points_add_up(form_id: str):
    form = load_forms([FORMS_DIR / f"{form_id}.yaml"])[0][0].definition
    assert form.basis
    if form.kind is FormKind.scored:
        assert form.scoring is not None and form.scoring.max == 100
        assert form.scoring.grades, "a scored table has grade bands"


def test_yes_and_no_are_words_not_booleans():
    source = form_yaml(form_data()).replace("points: 4", "points: 4\n    good: no")
    form = load_form_text(source).definition
    check = form.sections[0].items[0]
    assert isinstance(check, Check) and check.good.value == "no"


def test_syntax_error_names_file_and_line():
    source = "id: x\nversion: 1\ntitle: [unclosed\nbasis: y\n"
    [error] = errors_of(source)
    assert error.file == "broken.yaml"
    assert error.line in (3, 4)
    assert "YAML syntax error" in error.message
    assert str(error).startswith("broken.yaml:")


def test_every_structural_error_is_reported_at_once_with_path_and_line():
    source = textwrap.dedent(
        """\
        id: Bad_Id
        version: one
        kind: scored
        title: 表
        basis: 依据
        roles: [enterprise, judgee]
        scoring: {max: 10}
        sections:
          - id: s
            title: 部分
            points: 10
            items:
              - id: a
                type: chek
                label: 甲
              - id: b
                type: check
                label: 乙
                pionts: 10
        """
    )
    errors = errors_of(source)
    found = {(e.path, e.line) for e in errors}
    assert ("id", 1) in found
    assert ("version", 2) in found
    assert ("roles[1]", 6) in found
    assert ("sections[0].items[0].type", 14) in found
    assert ("sections[0].items[1].pionts", 19) in found
    text = "\n".join(messages(errors))
    assert "did you mean `check`" in text
    assert "did you mean `points`" in text
    assert "one of: admin, supervisor, enterprise, judge" in text


def test_rule_errors_are_reported_together_with_unknown_fields():
    data = form_data()
    data["sections"][0]["items"][1]["id"] = "a"  # duplicate item id
    data["sections"][1]["points"] = 12  # items add up to 10
    data["sections"][1]["items"][0]["colour"] = "red"  # unknown field
    data["sections"][1]["items"][1] = {
        "id": "e",
        "type": "choice",
        "label": "选",
        "options": [],
        "show_if": {"item": "nowhere", "equals": "yes"},
    }
    data["scoring"] = {
        "max": 20,
        "grades": [
            {"id": "low", "min": 10, "label": "低"},
            {"id": "high", "min": 15, "label": "高"},
        ],
    }
    errors = load_errors(data)
    text = "\n".join(messages(errors))
    assert "sections[0].items[1].id: duplicate item id `a`" in text
    assert (
        "sections[1].points: section `second` declares 12 points but its items add up to 5" in text
    )
    assert "sections[1].items[0].colour: unknown field `colour`" in text
    assert "sections[1].items[1].options: item `e` has no options" in text
    assert "sections[1].items[1].show_if.item: show_if of `e` points at item `nowhere`" in text
    assert "scoring.max: scoring.max is 20 but the sections' points add up to 22" in text
    assert "scoring.grades[1].min: grade thresholds must go from highest to lowest" in text
    assert all(e.line for e in errors), "every rule error carries a line"


def load_errors(data: dict) -> list:
    with pytest.raises(FormFileInvalid) as caught:
        load(data)
    return caught.value.errors


def test_show_if_must_point_at_an_earlier_item_with_a_real_answer():
    data = form_data()
    data["sections"][0]["items"][0]["show_if"] = {"item": "b", "equals": "yes"}
    data["sections"][1]["items"][0]["show_if"] = {"item": "a", "equals": "maybe"}
    text = "\n".join(messages(load_errors(data)))
    assert "points at item `b`, which comes later" in text
    assert "show_if value `maybe` is not an answer of `a`" in text


def test_gates_and_sections_rules():
    data = form_data(
        scoring={"max": 20, "gates": [{"min_total": 10, "section": "first", "min_points": 1}]}
    )
    data["sections"].append({"id": "bonus", "title": "加分", "kind": "bonus", "items": []})
    text = "\n".join(messages(load_errors(data)))
    assert "scoring.gates[0]: a gate needs exactly one rule" in text
    assert "sections[2].cap: bonus section `bonus` needs a cap" in text


def test_unscored_forms_may_not_carry_points():
    data = form_data(kind="checklist")
    data.pop("scoring")
    text = "\n".join(messages(load_errors(data)))
    assert "only kind: scored forms score" in text


def test_a_comma_in_a_short_label_gets_a_hint():
    source = form_yaml(form_data()).replace(
        "title:\n  zh: 测试表\n  en: Test form", "title: {zh: 测试表, en: Training, publicity}"
    )
    [error] = errors_of(source)
    assert error.path == "title.publicity"
    assert "put the text in quotes" in error.message


def test_duplicate_keys_are_errors():
    source = form_yaml(form_data()).replace("version: 1", "version: 1\nversion: 2")
    errors = errors_of(source)
    assert any(e.message == "duplicate key `version`" and e.line == 3 for e in errors)


def test_same_id_and_version_in_two_files(tmp_path: Path):
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_text(form_yaml(form_data()), encoding="utf-8")
    forms, errors = load_forms([tmp_path])
    assert len(forms) == 2
    [error] = errors
    assert error.file.endswith("two.yaml") and "also defined in" in error.message


def test_content_hash_ignores_comments_and_layout():
    plain = load(form_data())
    commented = load_form_text("# 注释\n" + form_yaml(form_data()).replace(": ", ":   "))
    changed = load(form_data(basis="另一依据"))
    assert plain.content_hash == commented.content_hash
    assert plain.content_hash != changed.content_hash


def test_choice_options_keep_their_scores():
    data = form_data()
    data["sections"][1]["items"][1] = {
        "id": "d",
        "type": "choice",
        "label": "丁",
        "options": [
            {"id": "full", "label": "齐全", "score": 5},
            {"id": "part", "label": "部分", "score": 2.5},
        ],
    }
    choice = load(data).definition.item_map()["d"]
    assert isinstance(choice, Choice)
    assert [o.score for o in choice.options] == [5, 2.5]


def test_type_errors_and_rule_errors_are_reported_in_one_run():
    data = form_data(version="one")
    data["sections"][0]["items"][0]["type"] = "chek"  # unknown type
    data["sections"][0]["items"][1]["points"] = "six"  # wrong type
    data["sections"][1]["items"][0]["id"] = "a"  # duplicate id
    data["sections"][1]["items"].append({"id": "e", "type": "choice", "label": "戊", "options": []})
    data["sections"][1]["points"] = 12  # items add up to 10
    text = "\n".join(messages(load_errors(data)))
    assert "version: expected `int`, got `str`" in text
    assert "sections[0].items[0].type: unknown type `chek`" in text
    assert "sections[0].items[1].points: expected `float`, got `str`" in text
    assert "sections[1].items[0].id: duplicate item id `a`" in text
    assert "sections[1].items[2].options: item `e` has no options" in text
    assert "sections[1].points: section `second` declares 12 points" in text
    # Echoes of the repairs are not reported: section 0's total and scoring.max.
    assert "sections[0].points" not in text
    assert "scoring.max" not in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["sections"][0]["items"][0].update(label=""), "sections[0].items[0].label"),
        (
            lambda d: d["sections"][0]["items"][0].update(points=float("nan")),
            "`nan` is not a usable number",
        ),
        (
            lambda d: (
                d["sections"][0]["items"].insert(0, {"id": "n", "type": "number", "label": "人数"})
                or d["sections"][0]["items"][1].update(show_if={"item": "n", "equals": 1})
            ),
            "show_if can depend on a check, choice or multi",
        ),
        (
            lambda d: d["sections"][0]["items"].append(
                {
                    "id": "e",
                    "type": "choice",
                    "label": "戊",
                    "options": [{"id": "na", "label": "不适用"}],
                }
            ),
            "`na` is the answer 不适用",
        ),
    ],
)
def test_mistakes_a_clerk_makes_are_caught(change, expected: str):
    data = form_data()
    change(data)
    assert expected in "\n".join(messages(load_errors(data)))


def test_deduction_and_bonus_section_rules():
    data = form_data()
    data["sections"].append(
        {
            "id": "plus",
            "title": "加分",
            "kind": "bonus",
            "cap": 2,
            "items": [
                {
                    "id": "m",
                    "type": "multi",
                    "label": "多选",
                    "options": [
                        {"id": "x", "label": "甲", "score": 1},
                        {"id": "y", "label": "乙", "score": -1},
                    ],
                }
            ],
        }
    )
    data["sections"].append(
        {
            "id": "minus",
            "title": "扣分",
            "kind": "deduction",
            "cap": 2,
            "items": [{"id": "r", "type": "rate", "label": "率"}],
        }
    )
    text = "\n".join(messages(load_errors(data)))
    assert "bonus item `m` has a negative option score" in text
    assert "rate `r` in a deduction section needs minus (pro rata) or deduct" in text


def test_a_section_show_if_must_point_at_an_item_of_an_earlier_section():
    data = form_data()
    data["sections"][0]["show_if"] = {"item": "c", "equals": "yes"}
    data["sections"][1]["show_if"] = {"item": "d", "equals": "yes"}
    errors = load_errors(data)
    text = "\n".join(messages(errors))
    assert "show_if of section `first` points at item `c`, which comes later" in text
    assert "section `second` depends on its own item `d`" in text
    assert all(e.line for e in errors)  # each said where it is in the file

    good = form_data()
    good["sections"][1]["show_if"] = {"item": "a", "any_of": ["yes", "na"]}
    assert load(good).definition.sections[1].show_if is not None


def test_a_check_carries_the_finding_shown_when_it_fails():
    data = form_data()
    data["sections"][0]["items"][0]["finding"] = {"zh": "作业通道堵塞", "en": "Walkway blocked"}
    item = load(data).definition.sections[0].items[0]
    assert isinstance(item, Check)
    assert item.finding is not None and item.finding.zh == "作业通道堵塞"
    data["sections"][0]["items"][0]["finding"] = ""
    assert load_errors(data)
