"""`python -m service forms import` of every real XLSForm a clerk might bring: it either
writes a form that `forms check` passes, or exits 1 naming each problem by sheet and row.
Never a traceback. The CLI runs in-process (service.__main__.main) to stay fast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.__main__ import main
from tests.forms.test_xlsform import EXAMPLE_FILES, needs_examples

# What the CLI prints for an error: `sheet!B14: message` or `sheet: message`.
_AT_A_ROW = re.compile(r"^[^!:\s][^!:]*(![A-Z]*\d+)?: \S")


@needs_examples
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_import_writes_a_checked_form_or_lists_each_problem(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    output = tmp_path / f"{path.stem}.yaml"
    code = main(["forms", "import", str(path), "-o", str(output)])
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    if code == 0:
        assert output.is_file()
        assert main(["forms", "check", str(output)]) == 0, capsys.readouterr()
        return
    assert code == 1, printed.err
    assert not output.exists()
    problems = [
        line
        for line in printed.err.splitlines()
        if not line.startswith("warning: ") and not re.match(r"^\d+ error\(s\) in ", line)
    ]
    assert problems
    for line in problems:
        assert _AT_A_ROW.match(line), line
    assert printed.err.splitlines()[-1] == f"{len(problems)} error(s) in {path}"
