"""Behaviour specific to our SQLite engine (service.db.sqlite.SQLiteWALEngine)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.exceptions import TransactionError
from piccolo.querystring import QueryString

from service.db import create_engine, ping, start, stop
from service.db.sqlite import EngineClosedError, SQLiteWALEngine
from tests.db.tables import DbChild, DbCounter, DbItem, reset_tables


async def names() -> set[str]:
    return {row["name"] for row in await DbItem.select(DbItem.name)}


async def eventually(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.001)


async def with_writer_held(engine: SQLiteWALEngine, make_calls: list[Any]) -> list[Any]:
    """Start every call while a transaction holds the writer, so all of them
    are queued and then group-committed together; return their outcomes."""
    held, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with engine.transaction():
            held.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await held.wait()
    tasks = [asyncio.ensure_future(make()) for make in make_calls]
    await eventually(lambda: engine.pending_writes == len(make_calls))
    release.set()
    await holder
    return await asyncio.gather(*tasks, return_exceptions=True)


def raw(engine: SQLiteWALEngine, sql: str, *args: Any) -> Awaitable[Any]:
    return engine.run_querystring(QueryString(sql, *args))


# -- concurrency -------------------------------------------------------------------


async def test_100_concurrent_read_then_write_transactions(sqlite_engine) -> None:
    """Piccolo's stock engine fails 99 of these with "database is locked"."""
    counter = (await DbCounter.insert(DbCounter(value=0)))[0]["id"]

    async def increment() -> None:
        async with sqlite_engine.transaction():
            row = await DbCounter.select(DbCounter.value).where(DbCounter.id == counter).first()
            await asyncio.sleep(0)  # let everybody else try to get in
            await DbCounter.update({DbCounter.value: row["value"] + 1}).where(
                DbCounter.id == counter
            )

    results = await asyncio.gather(*(increment() for _ in range(100)), return_exceptions=True)
    assert [r for r in results if r is not None] == []
    assert (await DbCounter.select(DbCounter.value).first())["value"] == 100


async def test_unique_violation_in_a_group_commit_fails_only_its_caller(sqlite_engine) -> None:
    await DbItem.insert(DbItem(name="dup"))
    calls = [
        (lambda i=i: DbItem.insert(DbItem(name="dup" if i == 20 else f"ok {i}", value=i)).run())
        for i in range(40)
    ]
    results = await with_writer_held(sqlite_engine, calls)
    assert sqlite_engine.stats()["largest_batch"] == 40  # really one group commit
    failures = [i for i, r in enumerate(results) if isinstance(r, BaseException)]
    assert failures == [20]
    assert isinstance(results[20], sqlite3.IntegrityError)
    assert await names() == {"dup"} | {f"ok {i}" for i in range(40) if i != 20}
    # Every successful caller got the pk of its own row.
    by_name = {row["name"]: row["id"] for row in await DbItem.select(DbItem.id, DbItem.name)}
    for i, result in enumerate(results):
        if i != 20:
            assert result == [{"id": by_name[f"ok {i}"]}]


async def test_statement_that_rolls_back_the_transaction_fails_only_its_caller(
    sqlite_engine,
) -> None:
    """INSERT OR ROLLBACK aborts the whole group-commit transaction; the
    others must be redone and committed."""
    await DbItem.insert(DbItem(name="dup"))
    insert_or_rollback = 'INSERT OR ROLLBACK INTO "db_test_item" ("name", "value") VALUES ({}, {})'
    calls = [
        (
            lambda i=i: (
                raw(sqlite_engine, insert_or_rollback, "dup", 0)
                if i in (3, 7)
                else DbItem.insert(DbItem(name=f"ok {i}")).run()
            )
        )
        for i in range(12)
    ]
    results = await with_writer_held(sqlite_engine, calls)
    failures = [i for i, r in enumerate(results) if isinstance(r, BaseException)]
    assert failures == [3, 7]
    assert await names() == {"dup"} | {f"ok {i}" for i in range(12) if i not in (3, 7)}


async def test_failing_commit_fails_every_caller_of_the_batch(sqlite_engine) -> None:
    await raw(
        sqlite_engine,
        'CREATE TABLE "deferred_child" ("id" INTEGER PRIMARY KEY, "item_id" INTEGER '
        'REFERENCES "db_test_item" ("id") DEFERRABLE INITIALLY DEFERRED)',
    )
    calls = [(lambda i=i: DbItem.insert(DbItem(name=f"n{i}")).run()) for i in range(5)]
    calls.append(
        lambda: raw(sqlite_engine, 'INSERT INTO "deferred_child" ("item_id") VALUES (424242)')
    )
    results = await with_writer_held(sqlite_engine, calls)
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert "FOREIGN KEY" in str(results[0])
    assert await DbItem.count() == 0
    # The writer is fine afterwards.
    await DbItem.insert(DbItem(name="later"))
    assert await names() == {"later"}


async def test_foreign_keys_are_enforced(sqlite_engine) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await DbChild.insert(DbChild(item=12345, note="orphan"))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with sqlite_engine.transaction():
            await DbChild.insert(DbChild(item=12345, note="orphan"))


async def test_two_engines_on_one_file_write_concurrently(sqlite_engine, sqlite_path) -> None:
    """Like two worker processes: each has its own writer; busy_timeout makes
    them wait for each other instead of failing."""
    other = create_engine(f"sqlite:///{sqlite_path}")
    await start(other)
    counter = (await DbCounter.insert(DbCounter(value=0)))[0]["id"]

    async def insert(engine, name: str) -> None:
        await raw(engine, 'INSERT INTO "db_test_item" ("name", "value") VALUES ({}, {})', name, 1)

    async def increment(engine) -> None:
        async with engine.transaction():
            rows = await raw(
                engine, 'SELECT "value" FROM "db_test_counter" WHERE "id" = {}', counter
            )
            await raw(
                engine,
                'UPDATE "db_test_counter" SET "value" = {} WHERE "id" = {}',
                rows[0]["value"] + 1,
                counter,
            )

    try:
        jobs = []
        for n, engine in enumerate((sqlite_engine, other)):
            jobs += [insert(engine, f"e{n} {i}") for i in range(150)]
            jobs += [increment(engine) for _ in range(40)]
        results = await asyncio.gather(*jobs, return_exceptions=True)
    finally:
        await stop(other)
    errors = [r for r in results if r is not None]
    assert errors == []
    assert await DbItem.count() == 300
    assert (await DbCounter.select(DbCounter.value).first())["value"] == 80


# -- durability and lifecycle ---------------------------------------------------------


async def test_data_survives_stop_and_reopening_the_file(sqlite_path) -> None:
    url = f"sqlite:///{sqlite_path}"
    first = create_engine(url)
    await reset_tables(first)  # opens lazily, without start()
    await asyncio.gather(*(DbItem.insert(DbItem(name=f"k{i}")) for i in range(50)))
    threads = list(first._runtime.threads)
    await stop(first)
    await stop(first)  # idempotent
    assert not first.is_open
    assert not any(thread.is_alive() for thread in threads)

    second = create_engine(url)
    DbItem._meta.db = second
    try:
        await start(second)
        assert await DbItem.count() == 50
        # The first engine can be used again: it reopens.
        DbItem._meta.db = first
        await DbItem.insert(DbItem(name="again"))
        assert await DbItem.count() == 51
    finally:
        await stop(first)
        await stop(second)


async def test_stop_commits_queued_writes_first(sqlite_engine) -> None:
    count = 600  # more than one group commit (256) can take
    tasks = [asyncio.create_task(DbItem.insert(DbItem(name=f"q{i}")).run()) for i in range(count)]
    await asyncio.sleep(0)  # every task has queued its insert
    async with asyncio.timeout(10):
        await stop(sqlite_engine)
        results = await asyncio.gather(*tasks)
    assert len({r[0]["id"] for r in results}) == count
    assert await DbItem.count() == count  # reopened lazily


async def test_stop_rolls_back_a_transaction_still_open(sqlite_engine) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def long_transaction() -> None:
        async with sqlite_engine.transaction():
            await DbItem.insert(DbItem(name="never committed"))
            entered.set()
            await release.wait()

    task = asyncio.create_task(long_transaction())
    await entered.wait()
    await stop(sqlite_engine)
    release.set()
    with pytest.raises(TransactionError):
        await task
    assert await names() == set()


async def test_threads_are_started_and_stopped(sqlite_path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_path}", sqlite_readers=3)

    def ours() -> list[threading.Thread]:
        prefix = f"sqlite:{sqlite_path.name}-"
        return [t for t in threading.enumerate() if t.name.startswith(prefix)]

    assert ours() == []  # nothing opened before first use
    await start(engine)
    thread_names = sorted(t.name.split("-", 1)[1] for t in ours())
    assert thread_names == ["reader-0", "reader-1", "reader-2", "writer"]
    await stop(engine)
    assert ours() == []


async def test_pragmas_on_reader_and_writer(sqlite_path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_path}", sqlite_synchronous="full")
    try:
        reader = {}
        for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "query_only"):
            reader[pragma] = next(iter((await engine._read(f"PRAGMA {pragma}", []))[0].values()))
        assert reader == {
            "journal_mode": "wal",
            "synchronous": 2,
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "query_only": 1,
        }
        async with engine.transaction() as transaction:
            writer = {}
            for pragma in ("synchronous", "foreign_keys", "busy_timeout", "query_only"):
                rows = await transaction.connection.execute(f"PRAGMA {pragma}")
                writer[pragma] = next(iter(rows[0].values()))
        assert writer == {
            "synchronous": 2,
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "query_only": 0,
        }
    finally:
        await stop(engine)


# -- cancellation ------------------------------------------------------------------------


async def test_cancelled_while_waiting_for_the_writer(sqlite_engine) -> None:
    held, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with sqlite_engine.transaction():
            await DbItem.insert(DbItem(name="holder"))
            held.set()
            await release.wait()

    async def waiter() -> None:
        async with sqlite_engine.transaction():
            await DbItem.insert(DbItem(name="waiter"))

    holder = asyncio.create_task(hold())
    await held.wait()
    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0.02)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release.set()
    await holder
    async with asyncio.timeout(5):  # the writer was not left reserved
        async with sqlite_engine.transaction():
            await DbItem.insert(DbItem(name="after"))
    assert await names() == {"holder", "after"}


async def test_cancelled_inside_a_transaction_rolls_back(sqlite_engine) -> None:
    entered = asyncio.Event()

    async def body() -> None:
        async with sqlite_engine.transaction():
            await DbItem.insert(DbItem(name="cancelled"))
            entered.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(body())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(5):
        await DbItem.insert(DbItem(name="after"))
    assert await names() == {"after"}


# -- event loops ----------------------------------------------------------------------------


def test_engine_works_across_event_loops_and_threads(sqlite_path) -> None:
    """pytest makes a loop per test, Litestar's TestClient runs the app in a
    loop of its own thread and Piccolo's CLI calls asyncio.run repeatedly; the
    engine (opened lazily, never started) must work in all of them."""
    engine = create_engine(f"sqlite:///{sqlite_path}")

    async def setup() -> None:
        await reset_tables(engine)
        await DbItem.insert(DbItem(name="loop 1"))

    asyncio.run(setup())
    assert asyncio.run(DbItem.count().run()) == 1
    DbItem.insert(DbItem(name="run_sync")).run_sync()

    async def in_transaction() -> None:
        async with engine.transaction():
            await DbItem.insert(DbItem(name="loop 3"))

    asyncio.run(in_transaction())

    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            asyncio.run(DbItem.insert(DbItem(name="thread")).run())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert errors == []
    assert DbItem.count().run_sync() == 4
    engine.close_sync()
    assert not engine.is_open


# -- odd statements ----------------------------------------------------------------------


async def test_transaction_control_outside_a_transaction_is_refused(sqlite_engine) -> None:
    with pytest.raises(TransactionError):
        await raw(sqlite_engine, "BEGIN")
    await DbItem.insert(DbItem(name="fine"))  # the writer is not stuck in a transaction
    async with sqlite_engine.transaction():
        await DbItem.insert(DbItem(name="also fine"))
    assert await names() == {"fine", "also fine"}


async def test_pragma_and_cte_writes_go_to_the_writer(sqlite_engine) -> None:
    columns = await sqlite_engine.run_ddl('PRAGMA table_info("db_test_item")')
    assert {c["name"] for c in columns} == {"id", "name", "value"}
    await raw(
        sqlite_engine,
        'WITH v(n) AS (SELECT {}) INSERT INTO "db_test_item" ("name") SELECT n FROM v',
        "from cte",
    )
    assert await names() == {"from cte"}


async def test_a_write_sent_to_a_reader_is_redone_on_the_writer(sqlite_engine) -> None:
    await sqlite_engine._read('INSERT INTO "db_test_item" ("name") VALUES (?)', ["sneaky"])
    assert await names() == {"sneaky"}


async def test_batch_inside_a_transaction_sees_its_own_writes(sqlite_engine) -> None:
    async with sqlite_engine.transaction():
        await DbItem.insert(*(DbItem(name=f"t{i}", value=i) for i in range(5)))
        got = []
        async with await DbItem.select(DbItem.value).batch(batch_size=2) as batch:
            async for rows in batch:
                got.append([row["value"] for row in rows])
    assert got == [[0, 1], [2, 3], [4]]


async def test_reads_continue_while_a_batch_holds_a_reader(sqlite_path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_path}", sqlite_readers=1)
    await reset_tables(engine)
    try:
        await DbItem.insert(*(DbItem(name=f"r{i}") for i in range(10)))
        async with await DbItem.select().batch(batch_size=3) as batch:
            first = await batch.next()
            # The only reader is pinned by the open batch: a read waits for
            # it, and gets it once the batch is closed.
            pending = asyncio.create_task(DbItem.count().run())
            await asyncio.sleep(0.02)
            assert not pending.done()
        assert len(first) == 3
        assert await pending == 10
    finally:
        await stop(engine)


async def test_unopenable_database_raises(tmp_path: Path) -> None:
    engine = SQLiteWALEngine(path=str(tmp_path))  # a directory, not a file
    with pytest.raises(sqlite3.OperationalError):
        await start(engine)
    with pytest.raises(sqlite3.OperationalError):
        await ping(engine)
    await stop(engine)


async def test_use_after_batch_closed_by_stop(sqlite_engine) -> None:
    await DbItem.insert(*(DbItem(name=f"s{i}") for i in range(5)))
    async with await DbItem.select().batch(batch_size=2) as batch:
        assert len(await batch.next()) == 2
        await stop(sqlite_engine)
        with pytest.raises(EngineClosedError):
            await batch.next()


def test_bad_settings_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteWALEngine(path=str(tmp_path / "x.sqlite3"), synchronous="SOMETIMES")
    with pytest.raises(ValueError, match="readers"):
        SQLiteWALEngine(path=str(tmp_path / "x.sqlite3"), readers=0)
    with pytest.raises(ValueError):
        SQLiteWALEngine(path=":memory:")
