"""``inline_reads()``: short reads on the event loop thread (service.db.sqlite.inline).

The first tests run on every engine (on PostgreSQL the block changes nothing);
the rest look inside our SQLite engine."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
from piccolo.querystring import QueryString

from service.db import create_engine, inline_reads, start, stop
from service.db.sqlite import SQLiteWALEngine
from tests.db.tables import DbChild, DbItem, reset_tables


async def snapshot() -> dict[str, Any]:
    """The same reads, several ways Piccolo issues them."""
    return {
        "select": await DbItem.select().order_by(DbItem.id),
        "first": await DbItem.select(DbItem.name).where(DbItem.value == 2).first(),
        "count": await DbItem.count(),
        "exists": await DbItem.exists().where(DbItem.name == "b"),
        "objects": [(o.id, o.name) for o in await DbItem.objects().order_by(DbItem.id)],
        "join": await DbChild.select(DbChild.note, DbChild.item.name).order_by(DbChild.id),
        "raw": await DbItem.raw("SELECT name FROM db_test_item WHERE value >= {}", 2),
    }


class ReadCounter:
    """Counts the reads sent to a reader thread and the ones run inline;
    with ``busy``, the inline connection answers "database is locked"."""

    def __init__(self, engine: SQLiteWALEngine, *, busy: bool = False) -> None:
        self.hopped = self.inline = 0
        runtime, reader = engine._get_runtime(), engine._inline
        assert reader is not None
        submit_read, cursor = runtime.submit_read, reader.cursor
        counter = self

        def counted_submit(job: tuple) -> bool:
            self.hopped += 1
            return submit_read(job)

        class CountedCursor:
            def execute(self, sql: str, args: Any) -> sqlite3.Cursor:
                counter.inline += 1
                if busy:
                    exc = sqlite3.OperationalError("database is locked")
                    exc.sqlite_errorcode = sqlite3.SQLITE_BUSY
                    raise exc
                return cursor.execute(sql, args)

        runtime.submit_read = counted_submit  # type: ignore[method-assign]
        reader.cursor = CountedCursor()  # type: ignore[assignment]


# -- every engine -------------------------------------------------------------------------


async def test_inline_reads_return_the_same_rows(engine) -> None:
    for i, name in enumerate("abc", start=1):
        item = DbItem(name=name, value=i)
        await item.save()
        await DbChild.insert(DbChild(item=item.id, note=f"note {name}"))
    expected = await snapshot()
    with inline_reads():
        assert await snapshot() == expected
    assert await snapshot() == expected


async def test_inline_reads_see_committed_writes_and_still_write(engine) -> None:
    with inline_reads():
        for i in range(20):
            await DbItem.insert(DbItem(name=f"n{i}", value=i))
            assert await DbItem.count() == i + 1
            await DbItem.update({DbItem.value: DbItem.value + 100}).where(DbItem.name == f"n{i}")
            row = await DbItem.select(DbItem.value).where(DbItem.name == f"n{i}").first()
            assert row == {"value": i + 100}
        await DbItem.delete().where(DbItem.value < 110)
    assert await DbItem.count() == 10


async def test_inside_a_transaction_reads_see_its_own_uncommitted_writes(engine) -> None:
    with inline_reads():
        async with engine.transaction():
            await DbItem.insert(DbItem(name="uncommitted"))
            # Only the transaction's own connection can see this row.
            assert await DbItem.count() == 1
            names = await DbItem.select(DbItem.name)
        assert names == [{"name": "uncommitted"}]
        assert await DbItem.count() == 1


async def test_a_failing_inline_read_raises_the_same_error(engine) -> None:
    sql = "SELECT nothing FROM db_test_no_such_table"
    with pytest.raises(Exception) as normal:
        await engine.run_querystring(QueryString(sql))
    with inline_reads(), pytest.raises(Exception) as inline:
        await engine.run_querystring(QueryString(sql))
    assert type(inline.value) is type(normal.value)
    assert str(inline.value) == str(normal.value)
    with inline_reads():
        assert await DbItem.count() == 0  # the engine still works


# -- our SQLite engine ----------------------------------------------------------------------


async def test_reads_run_inline_only_inside_the_block(sqlite_engine) -> None:
    await DbItem.insert(DbItem(name="a"))
    counter = ReadCounter(sqlite_engine)
    assert await DbItem.count() == 1
    assert (counter.hopped, counter.inline) == (1, 0)
    with inline_reads():
        assert await DbItem.count() == 1
        with inline_reads():  # nesting is harmless
            assert await DbItem.exists().where(DbItem.name == "a")
        assert await DbItem.select(DbItem.name) == [{"name": "a"}]
    assert (counter.hopped, counter.inline) == (1, 3)
    assert await DbItem.count() == 1
    assert (counter.hopped, counter.inline) == (2, 3)


async def test_writes_and_transactions_never_use_the_inline_connection(sqlite_engine) -> None:
    counter = ReadCounter(sqlite_engine)
    with inline_reads():
        await DbItem.insert(DbItem(name="a"))
        await DbItem.update({DbItem.value: 1}).where(DbItem.name == "a")
        await sqlite_engine.run_ddl('PRAGMA table_info("db_test_item")')  # to the writer
        async with sqlite_engine.transaction():
            await DbItem.select()
            await DbItem.insert(DbItem(name="b"))
        batch = await sqlite_engine.batch(DbItem.select(), batch_size=10)
        async with batch:
            rows = [row async for chunk in batch for row in chunk]
        assert len(rows) == 2
    assert (counter.hopped, counter.inline) == (0, 0)


async def test_a_write_that_looks_like_a_read_is_redone_on_the_writer(sqlite_engine) -> None:
    counter = ReadCounter(sqlite_engine)
    with inline_reads():
        await sqlite_engine._read('INSERT INTO "db_test_item" ("name") VALUES (?)', ["sneaky"])
    assert counter.inline == 1  # tried inline, refused there (query_only) ...
    assert await DbItem.select(DbItem.name) == [{"name": "sneaky"}]  # ... written once


async def test_tasks_on_the_loop_interleave_safely(sqlite_engine) -> None:
    await DbItem.insert(*(DbItem(name=f"n{i}", value=i) for i in range(50)))

    async def reader(i: int) -> None:
        with inline_reads():
            for _ in range(20):
                row = await DbItem.select(DbItem.value).where(DbItem.name == f"n{i}").first()
                assert row == {"value": i}

    async def writer(i: int) -> None:
        await DbItem.insert(DbItem(name=f"w{i}"))

    await asyncio.gather(*(reader(i) for i in range(50)), *(writer(i) for i in range(50)))
    assert await DbItem.count() == 100


async def test_the_inline_connection_is_read_only_with_the_readers_pragmas(sqlite_path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_path}", sqlite_synchronous="full")
    await start(engine)
    try:
        pragmas = {}
        with inline_reads():
            for name in ("journal_mode", "synchronous", "foreign_keys", "query_only"):
                rows = await engine.run_querystring(QueryString(f"PRAGMA {name}"))
                pragmas[name] = next(iter(rows[0].values()))
        # PRAGMA statements go to the writer, so read them on the connection itself.
        assert isinstance(engine, SQLiteWALEngine) and engine._inline is not None
        conn = engine._inline.conn
        assert pragmas["journal_mode"] == "wal"
        for name, value in {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}.items():
            assert next(iter(conn.execute(f"PRAGMA {name}").fetchone().values())) == value
        assert next(iter(conn.execute("PRAGMA query_only").fetchone().values())) == 1
        # It never waits for a lock on the event loop (a reader thread does).
        assert next(iter(conn.execute("PRAGMA busy_timeout").fetchone().values())) == 0
    finally:
        await stop(engine)


async def test_the_inline_connection_is_closed_with_the_engine(sqlite_engine) -> None:
    reader = sqlite_engine._inline
    assert reader is not None
    await stop(sqlite_engine)
    assert sqlite_engine._inline is None
    with pytest.raises(sqlite3.ProgrammingError):
        reader.conn.execute("SELECT 1")
    with inline_reads():  # reopened lazily: no inline connection, reads hop
        assert await DbItem.count() == 0
    assert sqlite_engine._inline is None
    await start(sqlite_engine)  # open() makes a new one
    assert sqlite_engine._inline is not None and sqlite_engine._inline is not reader
    with inline_reads():
        assert await DbItem.count() == 0


def test_close_sync_closes_the_inline_connection(sqlite_path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_path}")
    assert isinstance(engine, SQLiteWALEngine)
    asyncio.run(start(engine))
    reader = engine._inline
    assert reader is not None
    engine.close_sync()
    assert engine._inline is None
    with pytest.raises(sqlite3.ProgrammingError):
        reader.conn.execute("SELECT 1")


async def test_another_thread_hops_to_a_reader(sqlite_engine) -> None:
    await DbItem.insert(DbItem(name="a"))
    counter = ReadCounter(sqlite_engine)

    async def read() -> int:
        with inline_reads():
            return await DbItem.count()

    def in_other_thread() -> int:
        assert threading.get_ident() != sqlite_engine._inline.thread
        return asyncio.run(read())

    assert await asyncio.to_thread(in_other_thread) == 1
    assert (counter.hopped, counter.inline) == (1, 0)


async def test_a_busy_database_sends_the_read_to_a_reader(sqlite_engine) -> None:
    await DbItem.insert(DbItem(name="a"))
    counter = ReadCounter(sqlite_engine, busy=True)
    with inline_reads():
        assert await DbItem.count() == 1
    assert (counter.inline, counter.hopped) == (1, 1)


async def test_reads_do_not_hop_when_started_lazily_or_on_postgres(db_url: str) -> None:
    engine = create_engine(db_url)
    await reset_tables(engine)  # opened lazily on SQLite: no inline connection
    try:
        with inline_reads():
            assert await DbItem.count() == 0
        assert getattr(engine, "_inline", None) is None
    finally:
        await stop(engine)
