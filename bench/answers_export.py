"""Item-level export: every answer and score of a large campaign, as CSV and as XLSX.

Run:  .venv/bin/python bench/answers_export.py                    # SQLite, 1,000 and 10,000
      .venv/bin/python bench/answers_export.py --database postgresql://postgres@127.0.0.1:5432/postgres
      .venv/bin/python bench/answers_export.py --openpyxl   # + openpyxl at the smallest size

What it does, for each size in `--sizes` (enterprises):

1. seeds a fresh database with bench/rankings.py's seeding (`seed_base`, `seed_sqlite` /
   `seed_postgres`): one campaign of the 60-item table, each enterprise with a
   self-assessment and 5 judges' evaluations (60,000 submissions and 3.6 M item scores at
   10,000). The service stores every revision's full breakdown (the export reads its
   items), so the seeding's breakdown is wrapped to hold all 60 items, not only the
   vetoed submissions' items as the rankings bench needs;
2. runs each export in a child process of its own, and reads its resident memory when the
   export starts (VmRSS) and its peak during the export (VmHWM, reset at the start):
   - `baseline`: the cheapest possible CSV of the same rows: one raw cursor (sqlite3, or
     an asyncpg cursor) over item_score joined with its submission, enterprise, village
     and scorer, each row written by the `csv` module (no answers, no labels);
   - `csv`: `service.rankings.answers_export.answers_csv`, the generator the download
     streams, called in process through the service's own engine (not over HTTP), every
     chunk consumed;
   - `xlsx`: `answers_xlsx`, the same for the streamed workbook;
   - `openpyxl` (with `--openpyxl`, at the smallest size only: it is slow): the same rows
     through openpyxl's write-only workbook into a temporary file, the way the rankings
     workbook is written, to compare.

Targets: csv and xlsx under 60 s at 10,000 enterprises; peak memory not growing with the
size (the 10,000 run's peak within 1.5× the 1,000 run's). Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import rankings  # noqa: E402 - bench/rankings.py: the seeding

TARGET_S = 60.0
TARGET_SIZE = 10_000
MEMORY_GROWTH = 1.5  # the largest size's peak at most this times the smallest's
KINDS = ("baseline", "csv", "xlsx")

_stored_breakdown = rankings.breakdown_json


def full_breakdown(result: dict[str, Any]) -> str:
    """The seeding's breakdown with all 60 items, as the service stores every one."""
    stored = json.loads(_stored_breakdown(result))
    stored["items"] = [
        {
            "id": item,
            "section": section,
            "status": status,
            "score": round(rankings.ITEM_MAX, 2) if met else 0.0,
            "max": round(rankings.ITEM_MAX, 2),
        }
        for section, item, status, met in result["items"]
    ]
    return json.dumps(stored, ensure_ascii=False)


async def seed(database_url: str, enterprises: int, postgres: bool) -> tuple[int, float]:
    """A migrated, seeded database: (campaign id, seconds spent seeding)."""
    from service import db
    from service.db.migrate import apply_migrations
    from service.piccolo_app import TABLES

    await apply_migrations(engine=db.create_engine(database_url))
    engine = db.create_engine(database_url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        base = await rankings.seed_base(enterprises)
    finally:
        await db.stop(engine)
    rankings.breakdown_json = full_breakdown  # the seeding looks it up at each call
    started = time.perf_counter()
    if postgres:
        await rankings.seed_postgres(database_url, enterprises, base, True)
    else:
        path = database_url.removeprefix("sqlite:///")
        await asyncio.to_thread(rankings.seed_sqlite, path, enterprises, base, True)
    return base[0], time.perf_counter() - started


# ---------------------------------------------------------------- one export (child process)

_BASELINE_SQL = (
    "SELECT e.name, e.credit_code, v.name, s.role, u.display_name, s.submitted_at, s.revision, "
    "i.section, i.item, i.status, i.score, i.max, i.hazard, s.id "
    "FROM item_score i JOIN submission s ON s.id = i.submission "
    "JOIN enterprise e ON e.id = s.enterprise JOIN village v ON v.id = e.village "
    "LEFT JOIN app_user u ON u.id = s.author "
    "WHERE s.campaign = {} AND s.status IN ('submitted', 'correcting')"
)


class _Count:
    """Where the exported bytes go: counted, then dropped."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0

    def write(self, data: str | bytes) -> None:
        self.bytes += len(data)
        self.lines += data.count("\n" if isinstance(data, str) else b"\n")


async def _baseline(database_url: str, campaign: int, out: _Count) -> None:
    import csv

    writer = csv.writer(out)
    if database_url.startswith("postgres"):
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            async with connection.transaction():
                sql = _BASELINE_SQL.replace("{}", "$1")
                async for row in connection.cursor(sql, campaign, prefetch=5000):
                    writer.writerow(row)
        finally:
            await connection.close()
        return
    import sqlite3

    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        for row in connection.execute(_BASELINE_SQL.replace("{}", "?"), (campaign,)):
            writer.writerow(row)
    finally:
        connection.close()


async def _openpyxl(campaign_row: dict, lines: dict, out: _Count) -> None:
    import tempfile

    import openpyxl

    from service.rankings.answer_rows import HEADER_ZH, answer_rows
    from service.rankings.answers_export import counted_submissions

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("明细")
    sheet.append(HEADER_ZH)
    async for submissions in counted_submissions(campaign_row["id"]):
        for submission in submissions:
            for row in answer_rows(lines, submission):
                sheet.append(row.values())
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        out.bytes = file.tell()


def _memory_mb(field: str) -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), in MB.

    Not `ru_maxrss`: a child process inherits its parent's (here the seeding's)."""
    status = Path("/proc/self/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    assert found, f"no {field} in /proc/self/status (Linux only)"
    return int(found[1]) / 1024


def _reset_peak() -> None:
    """Start VmHWM again from the memory in use now (Linux 4.0 and later)."""
    Path("/proc/self/clear_refs").write_text("5")


async def export(kind: str, database_url: str, campaign: int) -> dict[str, Any]:
    """One export, timed; its peak memory is this process's."""
    from service import db
    from service.campaigns.queries import get_campaign
    from service.piccolo_app import TABLES
    from service.rankings import answers_export

    engine = db.create_engine(database_url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        row = await get_campaign(campaign)
        assert row is not None
        lines = await answers_export.form_lines(row)
        assert lines is not None
        before = _memory_mb("VmRSS")
        _reset_peak()
        out = _Count()
        started = time.perf_counter()
        if kind == "baseline":
            await _baseline(database_url, campaign, out)
        elif kind == "openpyxl":
            await _openpyxl(row, lines, out)
        else:
            chunks = (
                answers_export.answers_csv(campaign, lines)
                if kind == "csv"
                else answers_export.answers_xlsx(campaign, lines, row["name"])
            )
            async for chunk in chunks:
                out.write(chunk)
        seconds = time.perf_counter() - started
    finally:
        await db.stop(engine)
    peak = _memory_mb("VmHWM")
    return {
        "kind": kind,
        "seconds": seconds,
        "bytes": out.bytes,
        "lines": out.lines,
        "rss_before_mb": before,
        "rss_peak_mb": peak,
    }


def run_child(kind: str, database_url: str, campaign: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--url", database_url]
    done = subprocess.run(
        [*command, "--campaign", str(campaign)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} export failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the runs


def measure(size: int, server: str, kinds: list[str]) -> tuple[float, list[dict[str, Any]]]:
    from service.db.testing import create_fresh_postgres_database, drop_postgres_database

    postgres = server.startswith("postgres")
    tmp = Path(tempfile.mkdtemp(prefix="ankang-bench-answers-"))
    url = (
        asyncio.run(create_fresh_postgres_database(server))
        if postgres
        else f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    try:
        campaign, seeded = asyncio.run(seed(url, size, postgres))
        results = []
        for kind in kinds:
            results.append(run_child(kind, url, campaign))
            print(_line(size, results[-1], results[0]), flush=True)
        return seeded, results
    finally:
        if postgres:
            asyncio.run(drop_postgres_database(url))
        for file in tmp.iterdir():
            file.unlink()
        tmp.rmdir()


def _line(size: int, r: dict[str, Any], baseline: dict[str, Any]) -> str:
    ratio = r["seconds"] / baseline["seconds"] if baseline["kind"] == "baseline" else float("nan")
    growth = r["rss_peak_mb"] - r["rss_before_mb"]
    return (
        f"{size:>7,} {r['kind']:9} {r['seconds']:8.1f} {ratio:6.1f}× {r['bytes'] / 1e6:9.0f} "
        f"{r['rss_before_mb']:9.0f} {r['rss_peak_mb']:9.0f} {growth:7.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--sizes", default="1000,10000", help="enterprises, comma-separated")
    parser.add_argument("--openpyxl", action="store_true", help="time openpyxl too (slow)")
    parser.add_argument("--child", choices=(*KINDS, "openpyxl"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--campaign", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(export(args.child, args.url, args.campaign))))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    engine = "PostgreSQL" if args.database.startswith("postgres") else "SQLite"
    print(f"{engine}; time in s (× the baseline's), output in MB, resident memory in MB")
    print(f"{'size':>7} {'export':9} {'seconds':>8} {'ratio':>7} {'MB out':>9} "
          f"{'RSS start':>9} {'RSS peak':>9} {'growth':>7}")  # fmt: skip
    runs = {}
    for size in sizes:
        kinds = [*KINDS, *(["openpyxl"] if args.openpyxl and size == min(sizes) else [])]
        seeded, runs[size] = measure(size, args.database, kinds)
        print(f"{'':7} (seeded in {seeded:.0f} s: {size * 6:,} submissions, "
              f"{size * 360:,} item rows)")  # fmt: skip

    missed = []
    for size, results in runs.items():
        for r in results:
            if size == TARGET_SIZE and r["kind"] in ("csv", "xlsx") and r["seconds"] >= TARGET_S:
                missed.append(f"{r['kind']} {r['seconds']:.1f} s >= {TARGET_S:.0f} s")
    if len(runs) > 1:
        small, large = min(runs), max(runs)
        for kind in ("csv", "xlsx"):
            low = next(r for r in runs[small] if r["kind"] == kind)["rss_peak_mb"]
            high = next(r for r in runs[large] if r["kind"] == kind)["rss_peak_mb"]
            if high > low * MEMORY_GROWTH:
                missed.append(f"{kind} peak memory {low:.0f} MB → {high:.0f} MB")
    if missed:
        print("TARGET MISSED: " + "; ".join(missed))
        return 1
    print("targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
