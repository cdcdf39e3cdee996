"""``SQLiteWALEngine``: the Piccolo engine object, the part Piccolo talks to.

It validates its settings, compiles each query (``statements``), sends it to a
reader (or, under ``inline_reads()``, runs it on the calling thread; see
``inline``), to the group-commit queue, to the writer alone, or to the current
transaction, and manages the lifecycle of the connection threads (a
``_Runtime``, one per open/close cycle).  It opens its connections lazily on
first use, or eagerly with ``await engine.open()``; ``await engine.close()``
closes them (and their threads) and the engine can be used again afterwards
(it reopens).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import weakref
from typing import TYPE_CHECKING, Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from service.db.sqlite.batch import SQLiteBatch
from service.db.sqlite.inline import _INLINE_READS, _InlineReader
from service.db.sqlite.jobs import _READ, _SOLO
from service.db.sqlite.runtime import _Runtime
from service.db.sqlite.statements import BATCH, READ, SOLO, classify_statement, compile_sqlite
from service.db.sqlite.transaction import WriterTransaction, _TransactionConnection

if TYPE_CHECKING:  # pragma: no cover
    from piccolo.query.base import Query

__all__ = ["MIN_SQLITE_VERSION", "SYNCHRONOUS_MODES", "SQLiteWALEngine"]

MIN_SQLITE_VERSION = (3, 35, 0)  # RETURNING
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class SQLiteWALEngine(SQLiteEngine):
    """See the package docstring.  ``engine_type`` stays ``"sqlite"``."""

    def __init__(
        self,
        path: str = "piccolo.sqlite",
        *,
        readers: int = 4,
        synchronous: str = "NORMAL",
        busy_timeout_ms: int = 5000,
        batch_max: int = 256,
        log_queries: bool = False,
        log_responses: bool = False,
        **connection_kwargs: Any,
    ) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} is too old: "
                f"{'.'.join(map(str, MIN_SQLITE_VERSION))} or newer is needed (RETURNING)."
            )
        synchronous = str(synchronous).upper()
        if synchronous not in SYNCHRONOUS_MODES:
            raise ValueError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}, not {synchronous!r}"
            )
        if int(readers) < 1:
            raise ValueError("readers must be at least 1")
        if int(batch_max) < 1:
            raise ValueError("batch_max must be at least 1")
        if path == ":memory:" or str(path).startswith("file:"):
            raise ValueError("SQLiteWALEngine needs a database file path (WAL mode).")
        self.readers = int(readers)
        self.synchronous = synchronous
        self.busy_timeout_ms = int(busy_timeout_ms)
        self.batch_max = int(batch_max)
        self._runtime: _Runtime | None = None
        self._runtime_lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None
        self._inline: _InlineReader | None = None  # see ``inline``
        connection_kwargs.setdefault("cached_statements", 256)
        super().__init__(
            path=os.fspath(path),
            log_queries=log_queries,
            log_responses=log_responses,
            **connection_kwargs,
        )
        self.min_version_number = float("{}.{}".format(*MIN_SQLITE_VERSION[:2]))

    # -- lifecycle ---------------------------------------------------------------

    def _get_runtime(self) -> _Runtime:
        runtime = self._runtime
        if runtime is not None and not runtime.closed:
            return runtime
        with self._runtime_lock:
            runtime = self._runtime
            if runtime is None or runtime.closed:
                runtime = _Runtime(
                    connect_kwargs=dict(self.connection_kwargs),
                    readers=self.readers,
                    synchronous=self.synchronous,
                    busy_timeout_ms=self.busy_timeout_ms,
                    batch_max=self.batch_max,
                    name=f"sqlite:{os.path.basename(self.path)}",
                )
                self._runtime = runtime
                # Close the threads if the engine is dropped or at exit.
                self._finalizer = weakref.finalize(self, runtime.close_sync, 10.0)
            return runtime

    @property
    def is_open(self) -> bool:
        runtime = self._runtime
        return runtime is not None and not runtime.closed

    async def open(self) -> None:
        """Open all connections now (they are otherwise opened on first use);
        raises if a connection cannot be opened."""
        runtime = self._get_runtime()
        try:
            await runtime.wait_opened()
            if self._inline is None:
                self._inline = _InlineReader(
                    dict(self.connection_kwargs), self.synchronous, self.busy_timeout_ms
                )
        except BaseException:
            await self.close()
            raise

    def _detach(self) -> _Runtime | None:
        """Take the runtime off the engine (closing the inline reader): the caller
        closes it, on the loop or not."""
        with self._runtime_lock:
            runtime, self._runtime = self._runtime, None
            finalizer, self._finalizer = self._finalizer, None
            inline, self._inline = self._inline, None
        if finalizer is not None:
            finalizer.detach()
        if inline is not None:
            inline.close()
        return runtime

    async def close(self) -> None:
        """Commit the queued writes, roll back a transaction still open, close
        every connection and stop the threads.  Idempotent; the engine reopens
        on next use."""
        runtime = self._detach()
        if runtime is not None:
            await runtime.aclose()

    def close_sync(self, timeout: float = 10.0) -> None:
        """``close()`` for code without an event loop (must not be called from
        a coroutine running on a loop that is waiting for this engine)."""
        runtime = self._detach()
        if runtime is not None:
            runtime.close_sync(timeout)

    @property
    def pending_writes(self) -> int:
        """Writes queued for the next group commit."""
        runtime = self._runtime
        return len(runtime.pending) if runtime is not None else 0

    def stats(self) -> dict[str, int]:
        """Group-commit counters since the connections were (re)opened."""
        runtime = self._runtime
        if runtime is None:
            return {"batches": 0, "statements": 0, "largest_batch": 0, "pending": 0}
        return {
            "batches": runtime.batches,
            "statements": runtime.batched_statements,
            "largest_batch": runtime.largest_batch,
            "pending": len(runtime.pending),
        }

    async def start_connection_pool(self, **kwargs: Any) -> None:
        await self.open()

    async def close_connection_pool(self) -> None:
        await self.close()

    # -- running statements ----------------------------------------------------------

    async def _read(self, sql: str, args: Any) -> list[dict]:
        if _INLINE_READS.get():
            inline = self._inline
            if inline is not None and inline.thread == threading.get_ident():
                try:
                    return inline.execute(sql, args)
                except sqlite3.OperationalError as exc:
                    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
                    if code == sqlite3.SQLITE_READONLY:  # as below
                        return await self._write(sql, args, SOLO)
                    if code != sqlite3.SQLITE_BUSY:
                        raise
                # Busy: a reader thread waits for the lock, not the event loop.
        loop = asyncio.get_running_loop()
        while True:
            fut = loop.create_future()
            if self._get_runtime().submit_read((_READ, sql, args, fut)):
                break
        try:
            return await fut
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY:
                # A write that looked like a read; readers are query_only, so
                # it did nothing there.  Run it on the writer.
                return await self._write(sql, args, SOLO)
            raise

    async def _write(self, sql: str, args: Any, kind: int) -> list[dict]:
        loop = asyncio.get_running_loop()
        while True:
            fut = loop.create_future()
            runtime = self._get_runtime()
            if kind == BATCH:
                submitted = runtime.submit_write((sql, args, fut))
            else:
                submitted = runtime.submit_writer((_SOLO, sql, args, fut))
            if submitted:
                break
        return await fut

    async def _execute(self, sql: str, args: Any) -> list[dict]:
        """Run one statement outside of any transaction."""
        kind = classify_statement(sql)
        if kind == READ:
            return await self._read(sql, args)
        return await self._write(sql, args, kind)

    async def write_atomically(self, statements: list[QueryString | tuple[str, list]]) -> None:
        """Run data-changing statements as one unit: all are committed together
        or none is, and the first error is raised.  Outside a transaction they
        ride the group commit as one batch item (no round trip per statement);
        inside one they simply run in it."""
        compiled = [
            compile_sqlite(s) if isinstance(s, QueryString) else (s[0], list(s[1]))
            for s in statements
        ]
        if self.current_transaction.get() is not None:
            for sql, args in compiled:
                await self.current_transaction.get()._execute(sql, args)
            return
        for sql, _ in compiled:
            if classify_statement(sql) != BATCH:
                raise ValueError(f"not a statement for a group commit: {sql[:60]}")
        await self._write(None, compiled, BATCH)  # type: ignore[arg-type]

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        if self.log_queries:
            query_id = self.get_query_id()
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = compile_sqlite(querystring)
        transaction = self.current_transaction.get()
        if transaction is not None:
            response = await transaction._execute(sql, args)
        else:
            response = await self._execute(sql, args)
        if self.log_responses:
            self.print_response(query_id=self.query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        if self.log_queries:
            query_id = self.get_query_id()
            self.print_query(query_id=query_id, query=ddl)
        transaction = self.current_transaction.get()
        if transaction is not None:
            response = await transaction._execute(ddl, [])
        else:
            response = await self._execute(ddl, [])
        if self.log_responses:
            self.print_response(query_id=self.query_id, response=response)
        return response

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ):
        return await self._execute(query, [] if args is None else args)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ):
        if isinstance(connection, _TransactionConnection):
            return await connection.execute(query, [] if args is None else args)
        return await super()._run_in_existing_connection(
            connection, query, args=args, query_type=query_type, table=table
        )

    async def batch(
        self, query: Query, batch_size: int = 100, node: str | None = None
    ) -> SQLiteBatch:
        return SQLiteBatch(engine=self, query=query, batch_size=batch_size)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> WriterTransaction:
        return WriterTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )
