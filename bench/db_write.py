"""Write benchmark for the SQLite side of ``service.db``.

Run:  .venv/bin/python bench/db_write.py [--quick] [--synchronous NORMAL] [--loop uvloop]

Everything runs in this one process, each scenario on a fresh temporary SQLite
file with the same PRAGMAs (journal_mode=WAL, the chosen synchronous level; by default
the service's own, FULL):

  baseline     raw sqlite3, one long-lived connection, N single-row INSERTs one
               after the other, each its own committed transaction (autocommit),
               same SQL as Piccolo generates (INSERT ... RETURNING "id")
  ours@50      N single-row ``await Row.insert(Row(...))`` through
  ours@200     service.db's engine, issued by 50 / 200 concurrent asyncio tasks
  stock@50     the same through Piccolo's stock SQLiteEngine (fewer rows: slow)
  txn@200      200 concurrent read-then-write transactions through ours
               (read a counter, write counter + 1); must end at exactly 200
  stock txn    the same with the stock engine's default (deferred) transactions

Latency is the time from the call to the acknowledged (committed) insert.
"ratio" is throughput / baseline throughput.  Targets: ours@50 and ours@200
ratio >= 0.6 and zero "database is locked" errors in ours@200 and txn@200.
The exit status is 1 when a target is missed (for CI), 0 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from piccolo.columns import Integer, Varchar
from piccolo.engine.sqlite import SQLiteEngine, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table, create_db_tables

from service.db import bind_tables, create_engine, start, stop
from service.settings import Settings

RATIO_TARGET = 0.6
INSERT_SQL = 'INSERT INTO "bench_row" ("id","name","value") VALUES (null,?,?) RETURNING "id"'


class BenchRow(Table, tablename="bench_row"):
    name = Varchar(length=64)
    value = Integer()


class Counter(Table, tablename="bench_counter"):
    value = Integer()


class Result:
    def __init__(
        self,
        name: str,
        rows: int,
        clients: int,
        seconds: float,
        latencies: list[float],
        errors: int = 0,
        locked: int = 0,
        note: str = "",
    ) -> None:
        self.name = name
        self.rows = rows
        self.clients = clients
        self.seconds = seconds
        self.latencies = sorted(latencies)
        self.errors = errors
        self.locked = locked
        self.note = note

    @property
    def throughput(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        index = min(len(self.latencies) - 1, max(0, round(q * len(self.latencies)) - 1))
        return self.latencies[index] * 1000


def fresh_path(tmpdir: str, name: str) -> str:
    return os.path.join(tmpdir, f"{name}.sqlite3")


def prepare_file(path: str, synchronous: str) -> None:
    """Create the file in WAL mode with the bench table (journal_mode is persistent)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.close()


###############################################################################
# 1. baseline


def run_baseline(tmpdir: str, rows: int, synchronous: str) -> Result:
    path = fresh_path(tmpdir, "baseline")
    conn = sqlite3.connect(
        path,
        isolation_level=None,
        detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
    )
    conn.row_factory = dict_factory
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(
        'CREATE TABLE "bench_row" ("id" INTEGER PRIMARY KEY NOT NULL, '
        '"name" VARCHAR(64) NOT NULL DEFAULT \'\', "value" INTEGER NOT NULL DEFAULT 0)'
    )
    latencies = []
    clock = time.perf_counter
    start_time = clock()
    for i in range(rows):
        t0 = clock()
        conn.execute(INSERT_SQL, (f"row {i}", i)).fetchall()
        latencies.append(clock() - t0)
    seconds = clock() - start_time
    (count,) = conn.execute('SELECT count(*) AS c FROM "bench_row"').fetchone().values()
    conn.close()
    assert count == rows, count
    return Result("baseline raw sqlite3", rows, 1, seconds, latencies)


###############################################################################
# 2./3. concurrent Piccolo inserts


def is_locked(exc: BaseException) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


async def insert_rows(engine: Any, rows: int, clients: int, name: str) -> Result:
    bind_tables(engine, [BenchRow])
    await create_db_tables(BenchRow)
    latencies: list[float] = []
    errors: list[BaseException] = []
    remaining = rows
    clock = time.perf_counter

    async def client() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            i = remaining
            t0 = clock()
            try:
                await BenchRow.insert(BenchRow(name=f"row {i}", value=i))
            except Exception as exc:  # counted, not fatal
                errors.append(exc)
            else:
                latencies.append(clock() - t0)

    gc.collect()
    start_time = clock()
    await asyncio.gather(*(client() for _ in range(clients)))
    seconds = clock() - start_time
    stored = await BenchRow.count()
    if stored != rows - len(errors):
        raise AssertionError(f"{name}: {stored} rows stored, expected {rows - len(errors)}")
    return Result(
        name,
        rows,
        clients,
        seconds,
        latencies,
        errors=len(errors),
        locked=sum(is_locked(e) for e in errors),
    )


async def run_ours_raw(tmpdir: str, rows: int, clients: int, synchronous: str) -> Result:
    """The same insert through our engine, without Piccolo's query builder: what the
    engine itself costs (Piccolo spends ~28 µs building each insert)."""
    path = fresh_path(tmpdir, f"raw_{clients}")
    engine = create_engine(f"sqlite:///{path}", sqlite_synchronous=synchronous)
    await start(engine)
    try:
        bind_tables(engine, [BenchRow])
        await create_db_tables(BenchRow)
        latencies: list[float] = []
        remaining = rows
        clock = time.perf_counter
        template = 'INSERT INTO "bench_row" ("name","value") VALUES ({}, {}) RETURNING "id"'

        async def client() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                t0 = clock()
                await engine.run_querystring(QueryString(template, f"row {remaining}", remaining))
                latencies.append(clock() - t0)

        gc.collect()
        start_time = clock()
        await asyncio.gather(*(client() for _ in range(clients)))
        seconds = clock() - start_time
        assert await BenchRow.count() == rows
        return Result(
            f"ours raw SQL @{clients}",
            rows,
            clients,
            seconds,
            latencies,
            note="no target; engine cost only",
        )
    finally:
        await stop(engine)


async def run_ours(tmpdir: str, rows: int, clients: int, synchronous: str) -> Result:
    path = fresh_path(tmpdir, f"ours_{clients}")
    engine = create_engine(f"sqlite:///{path}", sqlite_synchronous=synchronous)
    await start(engine)
    try:
        return await insert_rows(engine, rows, clients, f"ours @{clients} tasks")
    finally:
        await stop(engine)


class StockEngine(SQLiteEngine):
    """Piccolo's SQLiteEngine, unchanged except that each of its per-query
    connections also sets the benchmark's ``synchronous`` level (otherwise it
    would run with SQLite's default FULL).  WAL is persistent in the file."""

    def __init__(self, path: str, synchronous: str) -> None:
        self.bench_synchronous = synchronous
        super().__init__(path=path)

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        import aiosqlite

        if args is None:
            args = []
        async with aiosqlite.connect(**self.connection_kwargs) as connection:
            await connection.execute("PRAGMA foreign_keys = 1")
            await connection.execute(f"PRAGMA synchronous = {self.bench_synchronous}")
            connection.row_factory = dict_factory
            async with connection.execute(query, args) as cursor:
                await connection.commit()
                return await cursor.fetchall()


async def run_stock(tmpdir: str, rows: int, clients: int, synchronous: str) -> Result:
    path = fresh_path(tmpdir, f"stock_{clients}")
    prepare_file(path, synchronous)
    engine = StockEngine(path, synchronous)
    return await insert_rows(engine, rows, clients, f"stock piccolo @{clients}")


###############################################################################
# 4. concurrent read-then-write transactions


async def read_then_write(engine: Any, clients: int, name: str, **transaction_kwargs) -> Result:
    bind_tables(engine, [Counter])
    await create_db_tables(Counter)
    await Counter.insert(Counter(value=0))
    latencies: list[float] = []
    errors: list[BaseException] = []
    clock = time.perf_counter

    async def client() -> None:
        t0 = clock()
        try:
            async with engine.transaction(**transaction_kwargs):
                row = await Counter.select(Counter.id, Counter.value).first()
                await Counter.update({Counter.value: row["value"] + 1}).where(
                    Counter.id == row["id"]
                )
        except Exception as exc:
            errors.append(exc)
        else:
            latencies.append(clock() - t0)

    start_time = clock()
    await asyncio.gather(*(client() for _ in range(clients)))
    seconds = clock() - start_time
    final = (await Counter.select(Counter.value).first())["value"]
    note = f"counter={final}/{clients}"
    result = Result(
        name,
        clients,
        clients,
        seconds,
        latencies,
        errors=len(errors),
        locked=sum(is_locked(e) for e in errors),
        note=note,
    )
    result.final = final  # type: ignore[attr-defined]
    return result


async def run_txn_ours(tmpdir: str, clients: int, synchronous: str) -> Result:
    path = fresh_path(tmpdir, f"txn_ours_{clients}")
    engine = create_engine(f"sqlite:///{path}", sqlite_synchronous=synchronous)
    await start(engine)
    try:
        return await read_then_write(engine, clients, f"ours txn @{clients}")
    finally:
        await stop(engine)


async def run_txn_stock(tmpdir: str, clients: int, synchronous: str) -> Result:
    path = fresh_path(tmpdir, f"txn_stock_{clients}")
    prepare_file(path, synchronous)
    engine = StockEngine(path, synchronous)
    return await read_then_write(engine, clients, f"stock txn @{clients}")


###############################################################################
# Ceiling: what Piccolo itself costs per insert, without any database


def piccolo_build_rate(rows: int) -> float:
    engine = StockEngine(":memory:", "NORMAL")  # only used for engine_type
    bind_tables(engine, [BenchRow])
    from service.db.sqlite import compile_sqlite

    clock = time.perf_counter
    start_time = clock()
    for i in range(rows):
        query = BenchRow.insert(BenchRow(name=f"row {i}", value=i))
        compile_sqlite(query.querystrings[0])
    return rows / (clock() - start_time)


###############################################################################


def finite(value: float) -> float | None:
    return value if value == value else None  # NaN -> null in JSON


def median_run(repeat: int, run: Callable[[], Result]) -> Result:
    results = sorted((run() for _ in range(repeat)), key=lambda r: r.throughput)
    return results[len(results) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run (a few seconds)")
    parser.add_argument("--rows", type=int, help="rows per insert scenario")
    parser.add_argument("--stock-rows", type=int, help="rows for the stock-engine scenario")
    parser.add_argument("--repeat", type=int, help="runs per scenario; the median is shown")
    default_sync = Settings.from_env().sqlite_synchronous
    parser.add_argument(
        "--synchronous",
        default=default_sync,
        type=str.upper,
        choices=["OFF", "NORMAL", "FULL", "EXTRA"],
        help=f"PRAGMA synchronous for every scenario (default: the service's, {default_sync})",
    )
    parser.add_argument(
        "--loop",
        default="asyncio",
        choices=["asyncio", "uvloop"],
        help="event loop (uvicorn[standard] serves the app on uvloop)",
    )
    parser.add_argument("--no-stock", action="store_true", help="skip the stock-engine rows")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)

    rows = args.rows or (5_000 if args.quick else 40_000)
    stock_rows = args.stock_rows or (500 if args.quick else 2_000)
    repeat = args.repeat or (1 if args.quick else 3)
    sync = args.synchronous

    if args.loop == "uvloop":
        import uvloop

        loop_factory = uvloop.new_event_loop
    else:
        loop_factory = None

    tmpdir = tempfile.mkdtemp(prefix="ankang-bench-")
    results: list[Result] = []
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:

            def once(make: Callable[[], Any]) -> Callable[[], Result]:
                def run() -> Result:
                    for name in os.listdir(tmpdir):
                        os.unlink(os.path.join(tmpdir, name))
                    return runner.run(make()) if inspect.iscoroutinefunction(make) else make()

                return run

            baseline = median_run(repeat, once(lambda: run_baseline(tmpdir, rows, sync)))
            results.append(baseline)

            async def ours50() -> Result:
                return await run_ours(tmpdir, rows, 50, sync)

            async def ours200() -> Result:
                return await run_ours(tmpdir, rows, 200, sync)

            results.append(median_run(repeat, once(ours50)))
            results.append(median_run(repeat, once(ours200)))

            async def raw200() -> Result:
                return await run_ours_raw(tmpdir, rows, 200, sync)

            results.append(median_run(repeat, once(raw200)))

            async def txn200() -> Result:
                return await run_txn_ours(tmpdir, 200, sync)

            txn = once(txn200)()
            results.append(txn)

            if not args.no_stock:

                async def stock50() -> Result:
                    return await run_stock(tmpdir, stock_rows, 50, sync)

                async def stock_txn() -> Result:
                    return await run_txn_stock(tmpdir, 100, sync)

                results.append(once(stock50)())
                results.append(once(stock_txn)())
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    ceiling = piccolo_build_rate(min(rows, 20_000))

    print(
        f"\nSQLite {sqlite3.sqlite_version}, journal_mode=WAL, synchronous={sync}, "
        f"loop={args.loop}, rows={rows} (stock {stock_rows}), median of {repeat}, "
        f"{os.cpu_count()} CPUs"
    )
    header = (
        f"{'scenario':<24}{'ops':>7}{'ops/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'locked':>8}{'ratio':>7}  note"
    )
    print(header)
    print("-" * len(header))
    base = baseline.throughput
    for r in results:
        ratio = f"{r.throughput / base:.2f}" if base and " txn " not in r.name else "-"
        print(
            f"{r.name:<24}{r.rows:>7}{r.throughput:>10.0f}{r.percentile(0.50):>9.2f}"
            f"{r.percentile(0.99):>9.2f}{r.errors:>8}{r.locked:>8}{ratio:>7}  {r.note}"
        )
    print(
        "(ops: single-row inserts, or read-then-write transactions for the txn rows; "
        "latency: call to committed; ratio: ops/s / baseline ops/s)"
    )
    print(
        f"(ceiling: Piccolo alone builds+compiles {ceiling:,.0f} single-row inserts/s with no "
        f"database at all = ratio {ceiling / base:.2f})"
    )

    failures: list[str] = []
    by_name = {r.name: r for r in results}
    for clients in (50, 200):
        r = by_name[f"ours @{clients} tasks"]
        ratio = r.throughput / base
        if ratio < RATIO_TARGET:
            failures.append(f"ours @{clients}: ratio {ratio:.2f} < {RATIO_TARGET}")
        if r.errors:
            failures.append(f"ours @{clients}: {r.errors} errors ({r.locked} database is locked)")
    if txn.errors or txn.locked:
        failures.append(f"txn @200: {txn.errors} errors ({txn.locked} database is locked)")
    if getattr(txn, "final", None) != 200:
        failures.append(f"txn @200: counter ended at {getattr(txn, 'final', None)}, not 200")

    if args.json:
        report = {
            "sqlite_version": sqlite3.sqlite_version,
            "synchronous": sync,
            "loop": args.loop,
            "rows": rows,
            "repeat": repeat,
            "ceiling_ops_per_s": ceiling,
            "results": [
                {
                    "scenario": r.name,
                    "ops": r.rows,
                    "clients": r.clients,
                    "ops_per_s": r.throughput,
                    "p50_ms": finite(r.percentile(0.50)),
                    "p99_ms": finite(r.percentile(0.99)),
                    "errors": r.errors,
                    "locked": r.locked,
                    "note": r.note,
                }
                for r in results
            ],
            "failures": failures,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")

    if failures:
        print("\nTARGETS MISSED:\n  " + "\n  ".join(failures))
        return 1
    print(f"\nall targets met (ratio >= {RATIO_TARGET}, no 'database is locked' at 200 writers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
