"""Every answer and score of a campaign, streamed as CSV or as an Excel workbook.

Memory stays flat however large the campaign: submissions are read in keyset batches
of `BATCH` participants (enterprise ids in `(after, last]`, the last batch open-ended,
so that a submission of a participant removed since is not lost), each batch turned
into rows and encoded in a worker thread, and sent before the next is read. The
form definition is read once. One statement per batch reads each submission with its
current revision (answers, stored breakdown, photos): every row of a submission comes
from one immutable revision, even while a correction is submitted meanwhile.

Enterprise ids are walked through `campaign_participant` (its unique index is
ordered by campaign and enterprise); the submissions of a window through the
rankings index on submission (campaign, enterprise, …). Every role's submissions are
exported (supervisors' inspections too), and those of a participant removed since.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import Any

import anyio

from service.campaigns.tables import Participant
from service.collection.tables import Submission
from service.forms import catalog

from .answer_rows import (
    HEADER_ZH,
    ItemLine,
    Scorecard,
    answer_rows,
    item_lines,
    submission_order,
)
from .csv_text import BOM, csv_field
from .queries import COUNTED
from .xlsx import StreamingWorkbook, cell, column_letter

# The columns of HEADER_ZH: a submission's (Scorecard's but its id), the item's (the
# first four of ItemLine), the answer's (AnswerRow's after card and line), the id.
_ITEM = len(Scorecard._fields) - 1
_ANSWER = _ITEM + 4
_LAST = len(HEADER_ZH) - 1
BATCH = 50  # participants a batch reads: about 300 submissions, 18,000 rows of a 60-item table

_WINDOW_SQL = (
    "SELECT DISTINCT enterprise FROM campaign_participant "
    "WHERE campaign = {} AND enterprise > {} ORDER BY enterprise LIMIT {}"
)
_SUBMISSIONS_SQL = (
    "SELECT s.id, s.enterprise, s.team, s.role, s.revision, s.submitted_at, "
    "e.name AS enterprise_name, e.credit_code, t.name AS team_name, v.name AS village, "
    "COALESCE(NULLIF(u.display_name, ''), u.username) AS author_name, "
    "r.answers, r.breakdown, r.evidence, r.created_at AS revised_at "
    "FROM submission s "
    "JOIN enterprise e ON e.id = s.enterprise "
    "JOIN village v ON v.id = e.village "
    "LEFT JOIN team t ON t.id = s.team "
    "LEFT JOIN app_user u ON u.id = s.author "
    "JOIN submission_revision r ON r.submission = s.id AND r.number = s.revision "
    "WHERE s.campaign = {} AND s.status IN ({}, {}) AND s.enterprise > {}"
)


async def form_lines(campaign: Mapping[str, Any]) -> dict[str, ItemLine] | None:
    """The campaign's items in form order, or None if its form version is gone."""
    definition = await catalog.definition_by_id(
        campaign["form_version_id"], campaign["content_hash"]
    )
    return None if definition is None else item_lines(definition)


async def exported_submissions(campaign_id: int, batch: int = BATCH) -> AsyncIterator[list[dict]]:
    """The campaign's submitted submissions (or being corrected), every role's, with their
    current revision, `batch` participants at a time, each batch in `submission_order`."""
    after = 0
    while True:
        window = await Participant.raw(_WINDOW_SQL, campaign_id, after, batch)
        last = window[-1]["enterprise"] if len(window) == batch else None
        sql, args = _SUBMISSIONS_SQL, [campaign_id, *COUNTED, after]
        if last is not None:
            sql, args = sql + " AND s.enterprise <= {}", [*args, last]
        rows = await Submission.raw(sql, *args)
        if rows:
            rows.sort(key=submission_order)
            yield rows
        if last is None:
            return
        after = last


class _Rendered(dict):
    """One column's values, each rendered once: answers, scores and results repeat
    row after row. Cleared when full, so that free texts cannot make it grow."""

    def __init__(self, render: Callable[[object], str]) -> None:
        super().__init__()
        self._render = render

    def __missing__(self, value: object) -> str:
        if len(self) >= 10_000:
            self.clear()
        rendered = self[value] = self._render(value)
        return rendered


class _Encoder:
    """Answer rows as rendered text (CSV fields or XLSX cells: `render(column, value)`);
    a submission's columns are rendered once for all its rows, an item's once per export."""

    def __init__(self, lines: Mapping[str, ItemLine], render: Callable[[int, object], str]):
        self._lines = lines
        self._render = render
        self._items: dict[str, str] = {}  # bounded by the form
        self._answer_columns = [_Rendered(partial(render, n)) for n in range(_ANSWER, _LAST)]

    def rendered(self, submissions: Iterable[Mapping]) -> Iterator[str]:
        render = self._render
        answer, remark, score, top, result, veto, hazard, photos = self._answer_columns
        card: Scorecard | None = None
        lead = tail = ""
        for submission in submissions:
            for row in answer_rows(self._lines, submission):
                if row.card is not card:
                    card = row.card
                    lead = "".join(render(n, v) for n, v in enumerate(card[1:]))
                    tail = render(_LAST, card.id)
                item = self._items.get(row.line.item_id)
                if item is None:
                    item = "".join(render(_ITEM + n, v) for n, v in enumerate(row.line[:4]))
                    self._items[row.line.item_id] = item
                yield (
                    lead + item + answer[row.answer] + remark[row.remark] + score[row.score]
                    + top[row.max]
                    + result[row.result] + veto[row.veto] + hazard[row.hazard]
                    + photos[row.photos] + tail
                )  # fmt: skip


# ---------------------------------------------------------------- CSV


def _csv_render(column: int, value: object) -> str:
    return csv_field(value) + ("\r\n" if column == _LAST else ",")


class CsvAnswers:
    """Answer rows as CSV text."""

    def __init__(self, lines: Mapping[str, ItemLine]) -> None:
        self._encoder = _Encoder(lines, _csv_render)

    def header(self) -> bytes:
        return (BOM + ",".join(HEADER_ZH) + "\r\n").encode()

    def encode(self, submissions: list[dict]) -> bytes:
        return "".join(self._encoder.rendered(submissions)).encode()


async def answers_csv(
    campaign_id: int, lines: Mapping[str, ItemLine], batch: int = BATCH
) -> AsyncIterator[bytes]:
    """The campaign's answers as CSV (UTF-8 with BOM for Excel and WPS), a chunk per batch."""
    encoder = CsvAnswers(lines)
    yield encoder.header()
    async for submissions in exported_submissions(campaign_id, batch):
        yield await anyio.to_thread.run_sync(encoder.encode, submissions)


# ---------------------------------------------------------------- XLSX

_LETTERS = [column_letter(n) for n in range(len(HEADER_ZH))]
_WIDTHS = (28, 20, 12, 12, 6, 12, 16, 5, 16, 8, 16, 10, 36, 24, 6, 6, 6, 16, 8, 6, 36)


def _xlsx_render(column: int, value: object) -> str:
    return cell(_LETTERS[column], value)


class XlsxAnswers:
    """Answer rows into a `StreamingWorkbook`."""

    def __init__(self, lines: Mapping[str, ItemLine], title: str) -> None:
        self._encoder = _Encoder(lines, _xlsx_render)
        self._book = StreamingWorkbook(title, HEADER_ZH, _WIDTHS)

    def encode(self, submissions: list[dict]) -> bytes:
        for row in self._encoder.rendered(submissions):
            self._book.append(row)
        return self._book.take()

    def close(self) -> bytes:
        return self._book.close()


async def answers_xlsx(
    campaign_id: int, lines: Mapping[str, ItemLine], title: str, batch: int = BATCH
) -> AsyncIterator[bytes]:
    """The campaign's answers as an Excel workbook, sent as it is written."""
    encoder = XlsxAnswers(lines, title)
    async for submissions in exported_submissions(campaign_id, batch):
        chunk = await anyio.to_thread.run_sync(encoder.encode, submissions)
        if chunk:
            yield chunk
    yield await anyio.to_thread.run_sync(encoder.close)
