"""Rankings as CSV for Excel and WPS (UTF-8 with a byte-order mark, so that Chinese
opens correctly; written row by row, the response streams) and as XLSX (the answers
export's streaming workbook, into a temporary file). Rows in, text chunks or a file out.

Neither runs a formula: an enterprise's name or a reason may start with =, +, - or @.
The CSV marks such text with an apostrophe; the workbook writes every text as an
inline string (openpyxl would have made "=…" a formula)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from .csv_text import BOM, csv_line
from .rows import RankingRow
from .xlsx import StreamingWorkbook, cell, column_letter

HEADER_ZH = (
    "名次", "参评单位", "片区", "行业", "所有制", "规模", "最终得分", "等级", "奖项",
    "自评得分", "评委得分", "评委人数", "去掉最高最低分", "评委分差", "评委分歧大", "资格", "原因",
    "隐患整改率(%)", "未销号重大隐患",
)  # fmt: skip
_LETTERS = [column_letter(n) for n in range(len(HEADER_ZH))]
STANDING_ZH = {"ranked": "参与排名", "ineligible": "不具备资格", "incomplete": "尚未完整"}


def _values(r: RankingRow, grades: dict, awards: dict) -> tuple:
    return (
        r.rank,
        r.name,
        r.village,
        r.industry,
        r.ownership,
        r.size_band,
        r.final,
        grades.get(r.grade, r.grade),
        awards.get(r.award, r.award),
        r.self_total,
        r.judges_score,
        r.judges,
        "是" if r.trimmed else "",
        r.spread,
        "是" if r.disagreement else "",
        STANDING_ZH.get(r.standing, r.standing),
        "；".join([*r.reasons, *r.withheld]),
        r.rectification_rate,
        r.open_major_hazards,
    )


def ranking_xlsx(rows: Iterable[RankingRow], grades: dict, awards: dict, title: str) -> IO[bytes]:
    """The ranking as an XLSX workbook in a temporary file (rewound, ready to stream)."""
    book = StreamingWorkbook(title, HEADER_ZH)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - returned: the response streams and closes it
    for r in rows:
        book.append("".join(cell(_LETTERS[n], v) for n, v in enumerate(_values(r, grades, awards))))
        file.write(book.take())
    file.write(book.close())
    file.seek(0)
    return file


def ranking_csv(rows: Iterable[RankingRow], grades: dict, awards: dict) -> Iterator[str]:
    """The ranking as CSV text, one chunk per row (the header first, with the BOM)."""
    yield BOM + csv_line(HEADER_ZH)
    for r in rows:
        yield csv_line(_values(r, grades, awards))
