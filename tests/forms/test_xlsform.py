"""ODK / KoboToolbox XLSForms brought in: small workbooks built here, and the real
XLSForms of pyxform's test suite (read from the shared folder), compared with pyxform."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import openpyxl
import pytest

from service.forms.imported import WorkbookInvalid
from service.forms.imports import import_file
from service.forms.model import Check, Choice, Number, ShowIf, Text
from service.forms.xlsform import read_xlsform, xlsform_source
from service.forms.xlsform.expressions import parse_relevant

SURVEY_HEADER = ["type", "name", "label", "relevant", "required", "constraint", "hint"]


def xlsx(survey, choices=None, settings=None, header=None, sheets=None) -> bytes:
    """A workbook: survey rows under `header`, choices (list_name, name, label), settings."""
    book = openpyxl.Workbook()
    names = sheets or {}
    sheet = book.active
    sheet.title = names.get("survey", "survey")
    sheet.append(header or SURVEY_HEADER)
    for row in survey:
        sheet.append(list(row))
    if choices is not None:
        sheet = book.create_sheet(names.get("choices", "choices"))
        sheet.append(["list_name", "name", "label"])
        for row in choices:
            sheet.append(list(row))
    if settings is not None:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


YES_NO = [("yn", "yes", "是"), ("yn", "no", "否")]


def items(form):
    return form.loaded.definition.item_map()


def warning_texts(form) -> list[str]:
    return [str(w) for w in form.warnings]


def test_common_question_types_map_to_the_language():
    form = read_xlsform(
        xlsx(
            [
                ("text", "name", "姓名"),
                ("integer", "workers", "职工人数"),
                ("decimal", "area", "面积"),
                ("date", "visited", "检查日期"),
                ("image", "site_photo", "现场照片"),
                ("geopoint", "where", "位置"),
                ("select_one yn", "guard_ok", "防护栏完好"),
                ("select_one level", "level", "等级"),
                ("select_multiple level", "levels", "涉及等级"),
            ],
            [*YES_NO, ("level", "a", "一般"), ("level", "b", "较大")],
        ),
        "checks.xlsx",
    )
    by_id = items(form)
    assert [type(i).__name__ for i in by_id.values()] == [
        "ShortText",
        "Number",
        "Number",
        "DateItem",
        "Photo",
        "Location",
        "Check",
        "Choice",
        "MultiChoice",
    ]
    assert by_id["workers"].integer and not by_id["area"].integer
    assert by_id["site_photo"].max_count == 1
    assert by_id["guard_ok"].allow_na is False  # ODK's yes/no has no 不适用
    assert [o.id for o in by_id["levels"].options] == ["a", "b"]
    assert form.loaded.definition.kind.value == "report"  # mostly not yes/no checks
    assert form.loaded.definition.roles[0].value == "supervisor"
    assert form.loaded.definition.basis == "XLSForm checks.xlsx"
    assert form.warnings == []


def test_a_yes_no_list_is_a_check_only_when_that_is_faithful():
    form = read_xlsform(
        xlsx(
            [
                ("select_one yn", "a", "A"),
                ("select_one yn3", "b", "B"),
                ("select_one yn or_other", "c", "C"),
            ],
            [*YES_NO, ("yn3", "yes", "是"), ("yn3", "no", "否"), ("yn3", "dk", "不知道")],
        ),
        "f.xlsx",
    )
    by_id = items(form)
    assert isinstance(by_id["a"], Check)
    assert isinstance(by_id["b"], Choice)
    assert [o.id for o in by_id["c"].options] == ["yes", "no", "other"]
    assert by_id["c_other"].show_if == ShowIf(item="c", equals="other")


def test_groups_become_sections_nested_ones_flattened():
    form = read_xlsform(
        xlsx(
            [
                ("text", "first", "开头"),
                ("begin group", "site", "现场"),
                ("text", "a", "A"),
                ("begin_group", "fire", "消防"),
                ("text", "b", "B"),
                ("end group",),
                ("text", "c", "C"),
                ("end_group",),
            ]
        ),
        "f.xlsx",
    )
    sections = form.loaded.definition.sections
    assert [(s.id, s.title, [i.id for i in s.items]) for s in sections] == [
        ("general", Text(zh="一般问题", en="General questions"), ["first"]),
        ("site", "现场", ["a"]),
        ("fire", "现场 / 消防", ["b"]),
        ("site-2", "现场", ["c"]),
    ]


def test_simple_relevant_conditions_become_show_if():
    form = read_xlsform(
        xlsx(
            [
                ("select_one yn", "chem", "使用化学品"),
                ("text", "cards", "信息卡", "${chem} = 'yes'"),
                ("select_one level", "level", "等级"),
                ("text", "why", "原因", "${level}='a' or ${level} = 'b'"),
                ("select_multiple level", "many", "多选"),
                ("text", "which", "哪个", "selected(${many}, 'b')"),
                ("select_one num", "n", "数"),
                ("text", "three", "三", "${n} = 3"),
            ],
            [
                *YES_NO,
                ("level", "a", "甲"),
                ("level", "b", "乙"),
                ("level", "c", "丙"),
                ("num", 3, "三"),
                ("num", 4, "四"),
            ],
        ),
        "f.xlsx",
    )
    by_id = items(form)
    assert by_id["cards"].show_if == ShowIf(item="chem", equals="yes")
    assert by_id["why"].show_if == ShowIf(item="level", any_of=["a", "b"])
    assert by_id["which"].show_if == ShowIf(item="many", equals="b")
    assert by_id["three"].show_if == ShowIf(item="n", equals="3")
    assert form.warnings == []


def test_conditions_the_language_cannot_say_are_listed_and_the_question_kept():
    form = read_xlsform(
        xlsx(
            [
                ("select_one yn", "a", "A"),
                ("integer", "age", "年龄"),
                ("text", "t1", "T1", "${a} = 'yes' and ${age} > 3"),
                ("text", "t2", "T2", "${age} = 3"),
                ("text", "t3", "T3", "${later} = 'yes'"),
                ("select_one yn", "later", "L"),
            ],
            YES_NO,
        ),
        "f.xlsx",
    )
    by_id = items(form)
    assert all(by_id[i].show_if is None for i in ("t1", "t2", "t3"))
    texts = warning_texts(form)
    assert texts[0].startswith("survey!D4: relevant \"${a} = 'yes' and ${age} > 3\" 无法导入")
    assert "本题导入后不带此条件" in texts[0]
    assert texts[1].startswith("survey!D5:") and "是 number 题" in texts[1]
    assert texts[2].startswith("survey!D6:") and "在本题之后" in texts[2]


def test_a_group_condition_applies_to_its_questions():
    form = read_xlsform(
        xlsx(
            [
                ("select_one yn", "has_boiler", "有锅炉"),
                ("begin group", "boiler", "锅炉", "${has_boiler} = 'yes'"),
                ("text", "cert", "合格证"),
                ("end group",),
            ],
            YES_NO,
        ),
        "f.xlsx",
    )
    assert items(form)["cert"].show_if == ShowIf(item="has_boiler", equals="yes")


@pytest.mark.parametrize("value", ["yes", "TRUE", "true()", 1, True, "Yes"])
def test_required_in_its_usual_spellings(value):
    form = read_xlsform(xlsx([("text", "a", "A", None, value)]), "f.xlsx")
    assert items(form)["a"].required is True


def test_a_required_expression_is_listed_and_left_optional():
    form = read_xlsform(xlsx([("text", "a", "A", None, "${b} = 'x'")]), "f.xlsx")
    assert items(form)["a"].required is False
    assert warning_texts(form) == ["survey!E2: required \"${b} = 'x'\" 无法导入：导入为非必填"]


def test_number_range_constraints_become_min_and_max():
    form = read_xlsform(
        xlsx(
            [
                ("integer", "a", "A", None, None, ". >= 0 and . <= 100"),
                ("integer", "b", "B", None, None, ". > 0"),
                ("decimal", "c", "C", None, None, ".<=1.5"),
                ("decimal", "d", "D", None, None, ". > ${a}"),
                ("text", "e", "E", None, None, "string-length(.) <= 20"),
            ]
        ),
        "f.xlsx",
    )
    by_id = items(form)
    assert (by_id["a"].min, by_id["a"].max) == (0, 100)
    assert (by_id["b"].min, by_id["b"].max) == (1, None)
    assert (by_id["c"].min, by_id["c"].max) == (None, 1.5)
    assert isinstance(by_id["d"], Number) and by_id["d"].min is None
    assert by_id["e"].max_length == 20
    assert warning_texts(form) == ['survey!F5: constraint ". > ${a}" 无法导入：不支持此约束']


def test_labels_in_chinese_and_english_and_hint_as_standard():
    header = ["type", "name", "label::English (en)", "label::Chinese (zh)", "hint::Chinese (zh)"]
    form = read_xlsform(
        xlsx([("text", "a", "Fire exits", "安全出口", "查现场")], header=header), "f.xlsx"
    )
    item = items(form)["a"]
    assert item.label == Text(zh="安全出口", en="Fire exits")
    assert item.standard == "查现场"
    plain = read_xlsform(xlsx([("text", "a", "Fire exits", None, None, None, "Look")]), "f.xlsx")
    assert items(plain)["a"].label == "Fire exits"  # English stands in for the Chinese


def test_names_become_ids_and_references_follow_them():
    source = xlsform_source(
        xlsx(
            [
                ("select_one yn", "Has.Boiler", "锅炉"),
                ("text", "has_boiler", "同名", "${Has.Boiler} = 'no'"),
                ("text", "姓名", "中文名"),
            ],
            YES_NO,
        ),
        "f.xlsx",
    )
    assert source.names == {"Has.Boiler": "has-boiler", "has_boiler": "has_boiler", "姓名": "q4"}
    second = source.source["sections"][0]["items"][1]
    assert second["show_if"] == {"item": "has-boiler", "equals": "no"}


def test_settings_title_id_and_a_date_like_version():
    form = read_xlsform(
        xlsx(
            [("text", "a", "A")],
            settings={"form_title": "消防检查", "form_id": "Fire_Check", "version": "2024031502"},
        ),
        "f.xlsx",
    )
    definition = form.loaded.definition
    assert (definition.id, definition.title) == ("fire-check", "消防检查")
    assert definition.version == 88402  # (2024-03-15 − 2000-01-01) days × 10 + revision 2
    later = read_xlsform(
        xlsx([("text", "a", "A")], settings={"form_id": "x", "version": "2024031601"}), "f.xlsx"
    )
    assert later.loaded.definition.version > definition.version
    assert str(form.warnings[0]).startswith("settings!C2: 日期版本 2024031502 换算为整数")


def test_unmappable_rows_are_listed_by_sheet_and_row():
    form = read_xlsform(
        xlsx(
            [
                ("text", "a", "A"),
                ("calculate", "total", None),
                ("begin repeat", "people", "人员"),
                ("text", "who", "姓名"),
                ("end repeat",),
                ("time", "when", "时间"),
                ("select_one_from_file towns.csv", "town", "镇"),
            ]
        ),
        "f.xlsx",
    )
    assert list(items(form)) == ["a"]
    assert warning_texts(form) == [
        'survey!A3: calculate "total" 无法导入：不支持计算字段',
        'survey!A4: begin repeat "people" 无法导入：不支持重复组，组内问题均未导入',
        'survey!A5: text "who" 无法导入：在重复组 "people" 内',
        'survey!A7: time "when" 无法导入：不支持时间题（只支持日期）',
        'survey!A8: select_one_from_file towns.csv "town" 无法导入：不支持外部选项文件',
    ]


def test_nothing_usable_raises_with_every_reason():
    with pytest.raises(WorkbookInvalid) as caught:
        read_xlsform(xlsx([("calculate", "x", None), ("start", "start", None)]), "f.xlsx")
    assert [str(e) for e in caught.value.errors] == [
        "survey: survey 表中没有可以导入的问题（原因见下面各行）",
        'survey!A2: calculate "x" 无法导入：不支持计算字段',
        'survey!A3: start "start" 无法导入：不支持元数据字段（提交人和时间由本服务记录）',
    ]


def test_a_language_error_is_said_at_the_cell_it_came_from():
    with pytest.raises(WorkbookInvalid) as caught:
        read_xlsform(xlsx([("select_one long", "a", "A")], [("long", "x" * 70, "X")]), "f.xlsx")
    assert [(e.sheet, e.cell) for e in caught.value.errors] == [("choices", "B2")]


def test_sheet_and_header_names_in_any_case_and_dispatch_by_content():
    data = xlsx(
        [("SELECT_ONE yn", "a", "A")],
        YES_NO,
        header=["TYPE", "Name", "Label"],
        sheets={"survey": "Survey", "choices": "CHOICES"},
    )
    form = import_file(data, "upload.bin")
    assert isinstance(items(form)["a"], Check)


# ---------------------------------------------------------------- the real XLSForms


def shared_examples() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    for candidate in (os.environ.get("ANKANG_SHARED_DIR"), root.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "xlsform-examples").is_dir():
            return Path(candidate) / "xlsform-examples"
    return None


EXAMPLES = shared_examples()
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.xlsx")) if EXAMPLES else []
needs_examples = pytest.mark.skipif(
    EXAMPLES is None,
    reason="no shared/xlsform-examples (set ANKANG_SHARED_DIR to the folder holding it)",
)


@needs_examples
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_real_xlsform_imports_or_says_why_never_crashes(path):
    data = path.read_bytes()
    try:
        form = read_xlsform(data, path.name)
    except WorkbookInvalid as exc:
        assert exc.errors and all(e.sheet for e in exc.errors)
        return
    assert form.loaded.definition.items()
    built = xlsform_source(data, path.name)
    warned = {(w.sheet.lower(), w.row) for w in form.warnings}
    with warnings.catch_warnings():  # openpyxl: "extension is not supported"
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True)
        survey = next(s for s in book.worksheets if s.title.lower() == "survey")
        rows = list(survey.iter_rows(values_only=True))
        book.close()
    type_column = [str(h).strip().lower() for h in rows[0]].index("type")
    for number, row in enumerate(rows[1:], 2):
        if len(row) > type_column and row[type_column] is not None:
            # Every row with a type is carried over or listed: none silently dropped.
            assert number in built.carried_rows or ("survey", number) in warned, number


def pyxform_questions(path: Path) -> tuple[dict, dict] | None:
    from pyxform.xls2json import parse_file_to_json

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = parse_file_to_json(str(path))
        except Exception:  # pyxform refuses some of its own bug-report forms
            return None
    questions: dict[str, dict] = {}

    def walk(children, group_relevant):
        for child in children:
            relevant = (child.get("bind") or {}).get("relevant")
            if child["type"] == "group":
                walk(child.get("children", []), relevant or group_relevant)
            elif "children" not in child:
                questions[child["name"]] = {**child, "effective": relevant or group_relevant}

    walk(parsed["children"], None)
    return questions, parsed.get("choices", {})


PYXFORM_TYPES = {
    "text": {"text", "long_text"},
    "integer": {"number"},
    "decimal": {"number"},
    "date": {"date"},
    "photo": {"photo"},
    "geopoint": {"location"},
    "select one": {"check", "choice"},
    "select all that apply": {"multi"},
    "phone number": {"text"},
}


@needs_examples
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_pyxform_reads_the_same_questions_choices_and_conditions(path):
    read = pyxform_questions(path)
    try:
        built = xlsform_source(path.read_bytes(), path.name)
    except WorkbookInvalid:
        pytest.skip("not importable (see the test above)")
    if read is None:
        pytest.skip("pyxform cannot parse this workbook either")
    questions, _ = read
    ours = {i["id"]: i for s in built.source["sections"] for i in s["items"]}
    compared = 0
    for name, item_id in built.names.items():
        theirs, mine = questions[name], ours[item_id]
        assert mine["type"] in PYXFORM_TYPES[theirs["type"]], name
        if "choices" in theirs:
            names = [str(c["name"]) for c in theirs["choices"]]
            if mine["type"] == "check":
                assert sorted(n.lower() for n in names) in (["no", "yes"], ["n", "y"])
            else:
                assert [o["id"] for o in mine["options"]][: len(names)] == names
        relevant = theirs["effective"]
        if "show_if" in mine and relevant and "${" in relevant:
            # The condition we mapped is the one pyxform read, about the same question.
            condition = parse_relevant(relevant)
            assert condition is not None and built.names[condition.name] == mine["show_if"]["item"]
        elif "show_if" in mine:  # pyxform's own `or specify other` text: ../q = 'other'
            assert name.endswith("_other") and "'other'" in relevant
        compared += 1
    assert compared == len(built.names)


def test_a_choice_named_na_is_renamed_as_na_means_not_applicable_here():
    form = read_xlsform(
        xlsx(
            [("select_one l", "a", "A"), ("text", "b", "B", "${a} = 'na'")],
            [
                ("l", "ok", "好"),
                ("l", "na", "不适用"),
            ],
        ),
        "f.xlsx",
    )
    assert [o.id for o in items(form)["a"].options] == ["ok", "na-choice"]
    assert items(form)["b"].show_if == ShowIf(item="a", equals="na-choice")
    assert warning_texts(form) == ["choices!B3: 选项名 na 表示不适用，导入为 na-choice"]


def test_an_xlsform_whose_survey_sheet_has_another_name_is_told_so():
    with pytest.raises(WorkbookInvalid) as caught:
        import_file(xlsx([["text", "a", "A"]], sheets={"survey": "Sheet1"}), "upload.xlsx")
    assert [(e.sheet, e.row) for e in caught.value.errors] == [("Sheet1", None)]
    assert "survey" in caught.value.errors[0].message
    assert "评分表" not in str(caught.value.errors[0])  # not taken for a scoring table
    header = ["Type", "Name", "label::English (en)"]
    other_case = xlsx([["text", "a", "A"]], header=header, sheets={"survey": "问卷"})
    with pytest.raises(WorkbookInvalid) as caught:
        import_file(other_case, "upload.xlsx")
    assert "请把工作表“问卷”改名为 survey" in str(caught.value.errors[0])


@needs_examples
def test_the_real_xlsform_without_a_survey_sheet_is_told_so():
    with pytest.raises(WorkbookInvalid) as caught:
        import_file((EXAMPLES / "survey_no_name.xlsx").read_bytes(), "survey_no_name.xlsx")
    assert "请把工作表“Sheet1”改名为 survey" in str(caught.value.errors[0])
