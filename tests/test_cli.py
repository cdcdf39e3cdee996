"""The command line, run as a user runs it: python -m service …"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from service.settings import PROJECT_ROOT
from tests.factories import form_data, form_yaml


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_forms_check_passes_on_the_built_in_forms():
    result = run("forms", "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    assert any(line.startswith("ok  ankang-cup-enterprise v1  scored") for line in lines)


def test_forms_check_prints_every_error_with_file_path_and_line(tmp_path: Path):
    data = form_data()
    data["sections"][1]["points"] = 12
    data["sections"][0]["items"][0]["typo"] = 1
    broken = tmp_path / "broken.yaml"
    broken.write_text(form_yaml(data), encoding="utf-8")
    result = run("forms", "check", str(broken))
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr
    assert "sections[0].items[0].typo: unknown field `typo`" in result.stderr
    assert "sections[1].points: section `second` declares 12 points" in result.stderr
    assert "error(s) in 1 file(s)" in result.stderr
    assert result.stdout == ""


def test_score_prints_a_hand_checkable_breakdown(tmp_path: Path):
    form = tmp_path / "test-form.yaml"
    form.write_text(form_yaml(form_data()), encoding="utf-8")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"a": "yes", "b": "no", "c": "yes", "d": "na"}))
    result = run("score", str(form), str(answers))
    assert result.returncode == 0, result.stderr
    breakdown = json.loads(result.stdout)
    # first: 4 of 10; second: 5 of an applicable 5; 9 of 15 rescaled to 20 = 12.
    assert breakdown["total"] == 12
    assert breakdown["percentage"] == 60
    assert [s["score"] for s in breakdown["sections"]] == [4, 5]


def test_score_by_form_id_from_the_forms_folder(tmp_path: Path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"competition-carried-out": "no"}))
    result = run("score", "ankang-cup-enterprise", str(answers))
    assert result.returncode == 0, result.stderr
    breakdown = json.loads(result.stdout)
    assert breakdown["vetoed"] is True and breakdown["eligible"] is False


def test_score_exits_2_on_invalid_answers(tmp_path: Path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"workers-congress": 3, "nonsense": "yes"}))
    result = run("score", "workers-home", str(answers))
    assert result.returncode == 2
    assert "nonsense: no item `nonsense` in form workers-home [unknown_item]" in result.stderr
    assert result.stdout == ""


def test_migrate_and_sync_on_a_fresh_database(tmp_path: Path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    assert run("migrate", env=env).returncode == 0
    first = run("forms", "sync", env=env)
    assert first.returncode == 0, first.stderr
    assert "8 added" in first.stdout
    again = run("forms", "sync", env=env)
    assert "8 unchanged" in again.stdout
    assert run("migrate", env=env).returncode == 0  # nothing left to apply


def test_worker_processes_starting_together_store_each_version_once(database_url: str):
    """Every worker syncs the forms at start; four at once on a fresh database must
    neither fail nor store a version twice (PostgreSQL: the losers of the race meet
    the unique index and sync again; SQLite: writers queue on the file lock)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "service", "forms", "sync"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], outputs
    added = sum(int(out.split("forms: ")[1].split(" added")[0]) for out, _ in outputs)
    assert added == 8


def test_forms_export_then_import_gives_the_form_back_as_yaml(tmp_path: Path):
    workbook = tmp_path / "workers-home.xlsx"
    result = run("forms", "export", "workers-home", "-o", str(workbook))
    assert result.returncode == 0, result.stderr
    assert workbook.read_bytes().startswith(b"PK")
    output = tmp_path / "workers-home.yaml"
    result = run("forms", "import", str(workbook), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "workers-home v1, 32 items" in result.stdout
    checked = run("forms", "check", str(output))
    assert checked.returncode == 0, checked.stderr
    assert "label: {zh: 模范职工之家, en: Model workers' home}" in output.read_text("utf-8")


def test_forms_import_prints_every_error_of_a_workbook_and_exits_1(tmp_path: Path):
    from tests.forms.spreadsheets import workbook_bytes

    broken = tmp_path / "broken.xlsx"
    header = ["部分", "考核内容", "分值", "题型"]
    broken.write_bytes(
        workbook_bytes([header, ["一、组织"], [None, "领导小组", "五分", "问答"]], None)
    )
    result = run("forms", "import", str(broken))
    assert result.returncode == 1
    assert '评分表!C3: 分值 "五分" 不是数字' in result.stderr
    assert '评分表!D3: 题型 "问答" 不是可用的值' in result.stderr
    assert "设置: 缺少工作表“设置”" in result.stderr
    assert "3 error(s)" in result.stderr
    assert result.stdout == ""


def test_forms_template_writes_an_example_that_imports(tmp_path: Path):
    template = tmp_path / "template.xlsx"
    result = run("forms", "template", "-o", str(template))
    assert result.returncode == 0, result.stderr
    imported = run("forms", "import", str(template))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("id: example-evaluation\n")
