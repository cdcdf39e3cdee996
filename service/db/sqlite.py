"""A Piccolo SQLite engine built for many concurrent asyncio clients.

Piccolo's stock ``SQLiteEngine`` opens a new aiosqlite connection (and a new
thread) for every query and runs deferred transactions, so under concurrency it
is slow and read-then-write transactions fail with "database is locked".  This
engine keeps the SQL dialect (``engine_type == "sqlite"``, so Piccolo's query
builder and migrations work unchanged) but replaces how statements are run:

* Every connection is a plain ``sqlite3`` connection that lives in its own
  dedicated thread for its whole life.  Work is handed to the thread through a
  ``queue.SimpleQueue``; results come back to the caller's event loop with
  ``loop.call_soon_threadsafe``.  Nothing here is bound to one event loop:
  every job carries its own future, so the engine can be used from one loop
  after another (pytest creates a loop per test, Litestar's TestClient runs the
  app in a loop of its own, Piccolo's CLI calls ``asyncio.run`` repeatedly).
* Each connection gets ``journal_mode=WAL``, ``synchronous=<setting>``,
  ``foreign_keys=ON`` and ``busy_timeout`` once, when it is opened.
* Reads outside a transaction go to a pool of ``readers`` read-only
  (``query_only``) connections whose threads share one job queue, so at most
  ``readers`` reads run at a time and the others wait their turn.
* All writes go through ONE writer connection.  Writes outside a transaction
  are queued and group-committed: the writer thread takes everything that is
  pending (at most ``batch_max`` statements) and runs it in one
  ``BEGIN IMMEDIATE`` ... ``COMMIT``.  A statement that fails fails only its
  own caller (see ``_Runtime._run_batch``).  Callers are only answered after
  the COMMIT, so an acknowledged write is a committed write.
* ``engine.transaction()`` takes the writer exclusively and always starts with
  ``BEGIN IMMEDIATE``; the statements inside run on the writer connection.
  While a transaction owns the writer, the group-commit flush and other
  transactions wait, in arrival order.  That exclusivity is enforced by the
  writer thread itself (jobs of other owners are set aside until the owner's
  COMMIT/ROLLBACK), not by an asyncio.Lock, so it holds across event loops and
  survives cancellation: a cancelled caller's COMMIT/ROLLBACK job is queued
  before it stops waiting, and a BEGIN whose caller gave up is withdrawn.

The engine opens its connections lazily on first use, or eagerly with
``await engine.open()``; ``await engine.close()`` closes them (and their
threads) and the engine can be used again afterwards (it reopens).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import queue
import re
import sqlite3
import threading
import time
import weakref
from collections import deque
from string import Formatter
from typing import TYPE_CHECKING, Any

from piccolo.engine.base import BaseBatch
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)
from piccolo.querystring import QueryString

if TYPE_CHECKING:  # pragma: no cover
    from piccolo.query.base import Query

__all__ = [
    "MIN_SQLITE_VERSION",
    "EngineClosedError",
    "SQLiteBatch",
    "SQLiteWALEngine",
    "WriterTransaction",
    "classify_statement",
    "compile_sqlite",
]

_log = logging.getLogger(__name__)

MIN_SQLITE_VERSION = (3, 35, 0)  # RETURNING
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class EngineClosedError(RuntimeError):
    """The engine's connections were closed while the request was in flight."""


###############################################################################
# Compiling Piccolo QueryStrings
#
# QueryString.compile_string re-parses every template with string.Formatter on
# every call and builds a Fragment object per placeholder; for a single-row
# INSERT that is a quarter of Piccolo's own per-query cost.  This produces the
# identical (sql, args) pair with the template parse cached.

_TEMPLATE_CACHE: dict[str, tuple[str, ...]] = {}
_TEMPLATE_CACHE_MAX = 4096
_QS_BUNDLE = QueryString.bundle
_QS_COMPILE = QueryString.compile_string


class _Fallback(Exception):
    pass


def _prefixes(template: str) -> tuple[str, ...]:
    prefixes = _TEMPLATE_CACHE.get(template)
    if prefixes is None:
        prefixes = tuple(item[0] for item in Formatter().parse(template))
        if len(_TEMPLATE_CACHE) >= _TEMPLATE_CACHE_MAX:
            _TEMPLATE_CACHE.clear()
        _TEMPLATE_CACHE[template] = prefixes
    return prefixes


def _walk(querystring: QueryString, parts: list[str], args: list[Any]) -> None:
    qs_args = querystring.args
    n_args = len(qs_args)
    for index, prefix in enumerate(_prefixes(querystring.template)):
        parts.append(prefix)
        if index < n_args:
            value = qs_args[index]
            if isinstance(value, QueryString):
                cls = type(value)
                if cls is not QueryString and (
                    cls.bundle is not _QS_BUNDLE or cls.compile_string is not _QS_COMPILE
                ):
                    raise _Fallback
                _walk(value, parts, args)
            else:
                parts.append("?")
                args.append(value)


def compile_sqlite(querystring: QueryString) -> tuple[str, list[Any]]:
    """Same result as ``querystring.compile_string(engine_type="sqlite")``."""
    frozen = querystring._frozen_compiled_strings
    if frozen is not None:
        return frozen
    cls = type(querystring)
    if cls is not QueryString and (
        cls.bundle is not _QS_BUNDLE or cls.compile_string is not _QS_COMPILE
    ):
        return querystring.compile_string(engine_type="sqlite")
    parts: list[str] = []
    args: list[Any] = []
    try:
        _walk(querystring, parts, args)
    except _Fallback:
        return querystring.compile_string(engine_type="sqlite")
    return "".join(parts), args


###############################################################################
# Deciding where a statement runs

READ, BATCH, SOLO = 0, 1, 2

_LEADING_NOISE = re.compile(r"(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/|\()*", re.S)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_DML_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.I)
_BATCHABLE = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})


def classify_statement(sql: str) -> int:
    """READ: may run on a read-only reader connection.  BATCH: a write that can
    share a group-committed transaction.  SOLO: anything else (PRAGMA, VACUUM,
    transaction control, unknown), run alone on the writer in autocommit mode.

    When unsure this errs towards the writer; readers are also ``query_only``,
    so a write that slips through fails there and is retried on the writer.
    """
    head = sql[:6]
    if head == "SELECT":
        return READ
    if head == "INSERT" or head == "UPDATE" or head == "DELETE":
        return BATCH
    match = _FIRST_WORD.match(sql, _LEADING_NOISE.match(sql).end())
    if match is None:
        return SOLO
    word = match.group().upper()
    if word in ("SELECT", "VALUES"):
        return READ
    if word == "WITH":
        return BATCH if _DML_WORD.search(sql) else READ
    if word in _BATCHABLE:
        return BATCH
    return SOLO


###############################################################################
# Handing results back to event loops


def _set_future(fut: asyncio.Future, result: Any, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is None:
        fut.set_result(result)
    else:
        fut.set_exception(exc)


def _set_futures(items: list) -> None:
    for fut, result, exc in items:
        if not fut.done():
            if exc is None:
                fut.set_result(result)
            else:
                fut.set_exception(exc)


def _deliver(fut: asyncio.Future | None, result: Any, exc: BaseException | None) -> None:
    """Called on a connection thread: resolve ``fut`` on its own loop."""
    if fut is None:
        return
    # RuntimeError: the caller's loop is closed; nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        fut.get_loop().call_soon_threadsafe(_set_future, fut, result, exc)


def _rollback_quietly(conn: sqlite3.Connection, cursor: sqlite3.Cursor) -> None:
    """Roll back whatever is open; used on error paths, so errors are ignored."""
    if conn.in_transaction:
        with contextlib.suppress(Exception):
            cursor.execute("ROLLBACK")


def _fail_job(job: tuple, exc: BaseException) -> None:
    fut = job[-1]
    if isinstance(fut, asyncio.Future):
        _deliver(fut, None, exc)
    elif isinstance(fut, concurrent.futures.Future) and not fut.done():
        fut.set_exception(exc)


# Job kinds.  Reader queue: _READ, _SESSION, _CLOSE.  Writer queue: _FLUSH,
# _STMT, _BEGIN, _END, _SOLO, _CLOSE.  Batch session queue: _FETCH, _CLOSE.
_READ, _SESSION, _FETCH, _FLUSH, _STMT, _BEGIN, _END, _SOLO, _CLOSE = range(9)
_FLUSH_JOB = (_FLUSH,)
# Actions of an _END job.
_COMMIT, _ROLLBACK, _NOTHING = range(3)

_SAVEPOINT = "SAVEPOINT ankang_group_commit"
_ROLLBACK_TO = "ROLLBACK TO ankang_group_commit"
_RELEASE = "RELEASE ankang_group_commit"


class _Session:
    """A streaming read (``engine.batch``) pinned to one reader thread."""

    __slots__ = ("dead", "jobs")

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.dead = False


class _Runtime:
    """One generation of connections and threads: a writer and N readers."""

    def __init__(
        self,
        *,
        connect_kwargs: dict[str, Any],
        readers: int,
        synchronous: str,
        busy_timeout_ms: int,
        batch_max: int,
        name: str,
    ) -> None:
        self.connect_kwargs = connect_kwargs
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms
        self.batch_max = batch_max

        self.lock = threading.Lock()
        self.closed = False
        self.pending: deque = deque()
        self.flush_posted = False
        self.sessions: set[_Session] = set()
        self.writer_jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.reader_jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.close_futures: list[concurrent.futures.Future] = []
        # Group-commit statistics (written by the writer thread only).
        self.batches = 0
        self.batched_statements = 0
        self.largest_batch = 0

        self.threads = [
            threading.Thread(target=self._writer_main, name=f"{name}-writer", daemon=True)
        ]
        self.threads += [
            threading.Thread(target=self._reader_main, name=f"{name}-reader-{i}", daemon=True)
            for i in range(readers)
        ]
        self.opened: list[concurrent.futures.Future] = [
            concurrent.futures.Future() for _ in self.threads
        ]
        self._opened_by_thread = dict(zip(self.threads, self.opened, strict=True))
        for thread in self.threads:
            thread.start()

    # -- opening ---------------------------------------------------------------

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(check_same_thread=True, **self.connect_kwargs)
        try:
            conn.row_factory = dict_factory
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            self._ensure_wal(conn)
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            if readonly:
                conn.execute("PRAGMA query_only = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _ensure_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL (persistent).  Changing the journal mode
        needs an exclusive lock and does not wait on busy_timeout, so retry
        while another connection (or process) holds the file."""
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            mode = conn.execute("PRAGMA journal_mode").fetchone()
            if str(next(iter(mode.values()))).lower() == "wal":
                return
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            else:
                if str(next(iter(mode.values()))).lower() == "wal":
                    return
                raise sqlite3.OperationalError(
                    f"could not switch {self.connect_kwargs.get('database')!r} to WAL mode"
                )
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(
                    f"could not switch {self.connect_kwargs.get('database')!r} to WAL mode: "
                    "database is locked"
                )
            time.sleep(0.005)

    def _open_in_thread(self, readonly: bool) -> tuple[sqlite3.Connection | None, Exception | None]:
        opened = self._opened_by_thread[threading.current_thread()]
        try:
            if readonly:
                # Let the writer create the file and switch it to WAL first.
                concurrent.futures.wait([self.opened[0]])
            conn = self._connect(readonly)
        except Exception as exc:
            opened.set_exception(exc)
            return None, exc
        opened.set_result(None)
        return conn, None

    async def wait_opened(self) -> None:
        for fut in self.opened:
            await asyncio.wrap_future(fut)

    # -- submitting (called on event loop threads) ----------------------------

    def submit_read(self, job: tuple) -> bool:
        with self.lock:
            if self.closed:
                return False
            self.reader_jobs.put(job)
            return True

    def submit_write(self, item: tuple) -> bool:
        with self.lock:
            if self.closed:
                return False
            self.pending.append(item)
            if not self.flush_posted:
                self.flush_posted = True
                self.writer_jobs.put(_FLUSH_JOB)
            return True

    def submit_writer(self, job: tuple) -> bool:
        with self.lock:
            if self.closed:
                return False
            self.writer_jobs.put(job)
            return True

    def open_session(self, sql: str, args: list, fut: asyncio.Future) -> _Session | None:
        session = _Session()
        with self.lock:
            if self.closed:
                return None
            self.sessions.add(session)
            self.reader_jobs.put((_SESSION, sql, args, session, fut))
        return session

    def session_job(self, session: _Session, job: tuple) -> bool:
        with self.lock:
            if session.dead:
                return False
            session.jobs.put(job)
            return True

    # -- closing -----------------------------------------------------------------

    def post_close(self) -> list[concurrent.futures.Future]:
        with self.lock:
            if not self.closed:
                self.closed = True
                self.close_futures = [concurrent.futures.Future() for _ in self.threads]
                self.writer_jobs.put((_CLOSE, self.close_futures[0]))
                for fut in self.close_futures[1:]:
                    self.reader_jobs.put((_CLOSE, fut))
                for session in self.sessions:
                    session.dead = True
                    session.jobs.put((_CLOSE, None, None))
            return self.close_futures

    async def aclose(self) -> None:
        for fut in self.post_close():
            await asyncio.wrap_future(fut)
        for thread in self.threads:
            thread.join()

    def close_sync(self, timeout: float = 10.0) -> None:
        futures = self.post_close()
        if threading.current_thread() in self._opened_by_thread:
            return  # never wait for ourselves
        concurrent.futures.wait(futures, timeout=timeout)
        for thread in self.threads:
            thread.join(timeout)

    # -- reader threads ------------------------------------------------------------

    def _reader_main(self) -> None:
        conn, error = self._open_in_thread(readonly=True)
        jobs = self.reader_jobs
        cursor = conn.cursor() if conn is not None else None
        while True:
            job = jobs.get()
            try:
                kind = job[0]
                if kind == _READ:
                    _, sql, args, fut = job
                    if cursor is None:
                        _deliver(fut, None, error)
                        continue
                    try:
                        rows = cursor.execute(sql, args).fetchall()
                    except Exception as exc:
                        _deliver(fut, None, exc)
                    else:
                        _deliver(fut, rows, None)
                elif kind == _SESSION:
                    self._serve_session(conn, error, job)
                elif kind == _CLOSE:
                    try:
                        if conn is not None:
                            conn.close()
                    finally:
                        job[1].set_result(None)
                    return
            except Exception as exc:  # a bug here must not kill the reader
                _log.exception("SQLite reader: unexpected error")
                _fail_job(job, exc)

    def _serve_session(self, conn: sqlite3.Connection | None, error, job: tuple) -> None:
        _, sql, args, session, fut = job
        try:
            if conn is None:
                _deliver(fut, None, error)
                return
            try:
                cursor = conn.execute(sql, args)
            except Exception as exc:
                _deliver(fut, None, exc)
                return
            _deliver(fut, None, None)
            try:
                while True:
                    kind, size, reply = session.jobs.get()
                    if kind != _FETCH:
                        _deliver(reply, None, None)
                        return
                    try:
                        rows = cursor.fetchmany(size)
                    except Exception as exc:
                        _deliver(reply, None, exc)
                    else:
                        _deliver(reply, rows, None)
            finally:
                cursor.close()
        finally:
            with self.lock:
                session.dead = True
                self.sessions.discard(session)
            # Anything queued after we stopped listening gets an answer.
            while True:
                try:
                    _, _, reply = session.jobs.get_nowait()
                except queue.Empty:
                    break
                _deliver(reply, None, EngineClosedError("the batch is closed"))

    # -- the writer thread -----------------------------------------------------------

    def _writer_main(self) -> None:
        conn, error = self._open_in_thread(readonly=False)
        jobs = self.writer_jobs
        cursor = conn.cursor() if conn is not None else None
        owner: Any = None  # the WriterTransaction currently holding the writer
        deferred: deque = deque()  # jobs waiting for the owner to finish
        while True:
            job = deferred.popleft() if owner is None and deferred else jobs.get()
            try:
                kind = job[0]

                if kind == _STMT:
                    _, token, sql, args, fut = job
                    if token is not owner:
                        _deliver(
                            fut, None, TransactionError("The transaction is no longer active.")
                        )
                        continue
                    try:
                        rows = cursor.execute(sql, args).fetchall()
                    except Exception as exc:
                        _deliver(fut, None, exc)
                    else:
                        _deliver(fut, rows, None)

                elif kind == _FLUSH:
                    if owner is not None:
                        deferred.append(job)
                        continue
                    self._flush(conn, cursor, error, repost=True)

                elif kind == _BEGIN:
                    _, token, sql, fut = job
                    if owner is not None:
                        deferred.append(job)
                        continue
                    if cursor is None:
                        _deliver(fut, None, error)
                        continue
                    try:
                        cursor.execute(sql)
                    except Exception as exc:
                        _deliver(fut, None, exc)
                    else:
                        owner = token
                        _deliver(fut, None, None)

                elif kind == _END:
                    _, token, action, fut = job
                    if token is owner:
                        owner = None
                        _deliver(fut, None, self._finish(conn, cursor, action))
                    else:
                        # The transaction never got the writer (its caller gave up
                        # while waiting): forget its BEGIN if it is still queued.
                        for index, waiting in enumerate(deferred):
                            if waiting[0] == _BEGIN and waiting[1] is token:
                                del deferred[index]
                                _deliver(waiting[3], None, TransactionError("Cancelled."))
                                break
                        _deliver(fut, None, None)

                elif kind == _SOLO:
                    _, sql, args, fut = job
                    if owner is not None:
                        deferred.append(job)
                        continue
                    if cursor is None:
                        _deliver(fut, None, error)
                        continue
                    _deliver(fut, *self._run_solo(conn, cursor, sql, args))

                elif kind == _CLOSE:
                    try:
                        if owner is not None:
                            owner = None
                            self._finish(conn, cursor, _ROLLBACK)
                        closed = EngineClosedError("The database engine was stopped.")
                        for waiting in deferred:
                            if waiting[0] == _BEGIN or waiting[0] == _SOLO:
                                _deliver(waiting[3], None, closed)
                        deferred.clear()
                        while self.pending:  # writes acknowledged only once committed
                            self._flush(conn, cursor, error, repost=False)
                        if conn is not None:
                            conn.close()
                    finally:
                        job[1].set_result(None)
                    return
            except Exception as exc:  # a bug here must not kill the writer
                _log.exception("SQLite writer: unexpected error")
                _fail_job(job, exc)

    @staticmethod
    def _finish(conn: sqlite3.Connection | None, cursor, action: int) -> Exception | None:
        if conn is None or action == _NOTHING or not conn.in_transaction:
            return None
        try:
            cursor.execute("COMMIT" if action == _COMMIT else "ROLLBACK")
        except Exception as exc:
            _rollback_quietly(conn, cursor)
            return exc
        return None

    @staticmethod
    def _run_solo(conn: sqlite3.Connection, cursor, sql: str, args: list) -> tuple[Any, Any]:
        try:
            rows = cursor.execute(sql, args).fetchall()
        except Exception as exc:
            _rollback_quietly(conn, cursor)
            return None, exc
        if conn.in_transaction:
            _rollback_quietly(conn, cursor)
            return None, TransactionError(
                "Transaction control statements are only allowed inside "
                "engine.transaction(); the statement was rolled back."
            )
        return rows, None

    def _flush(self, conn, cursor, error, *, repost: bool) -> None:
        with self.lock:
            pending = self.pending
            count = min(len(pending), self.batch_max)
            items = [pending.popleft() for _ in range(count)]
            if pending and repost:
                # More is waiting: queue another flush behind whatever else is
                # queued (e.g. a transaction's BEGIN) so nothing starves.
                self.writer_jobs.put(_FLUSH_JOB)
            elif repost:
                self.flush_posted = False
        if not items:
            return
        self.batches += 1
        self.batched_statements += len(items)
        if len(items) > self.largest_batch:
            self.largest_batch = len(items)
        if cursor is None:
            results: list = [None] * len(items)
            errors: list = [error] * len(items)
        else:
            results, errors = self._run_batch(conn, cursor, items)
        self._deliver_batch(items, results, errors)

    @staticmethod
    def _deliver_batch(items: list, results: list, errors: list) -> None:
        first_loop = items[0][2].get_loop()
        groups: dict[Any, list] = {first_loop: []}
        for (_, _, fut), result, exc in zip(items, results, errors, strict=True):
            loop = fut.get_loop()
            group = groups.get(loop)
            if group is None:
                group = groups[loop] = []
            group.append((fut, result, exc))
        for loop, group in groups.items():
            if group:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_set_futures, group)

    @staticmethod
    def _run_batch(conn: sqlite3.Connection, cursor, items: list) -> tuple[list, list]:
        """Run ``items`` in one IMMEDIATE transaction; return (results, errors).

        Fast path: every statement straight after the other, then COMMIT.  If
        any statement fails, the whole transaction is rolled back and the batch
        is redone with each statement inside its own SAVEPOINT, so the failure
        is confined to its own statement (even for ON CONFLICT FAIL / ROLLBACK
        and RAISE(...) in triggers) and all the others are committed.  Nothing
        is reported before the COMMIT succeeded; if it fails, everyone fails.
        """
        count = len(items)
        results: list = [None] * count
        errors: list = [None] * count
        # Best effort: skip statements whose caller has already gone away.
        active = []
        for i in range(count):
            if items[i][2].cancelled():
                errors[i] = asyncio.CancelledError()
            else:
                active.append(i)
        if not active:
            return results, errors

        try:
            cursor.execute("BEGIN IMMEDIATE")
        except Exception as exc:
            for i in active:
                errors[i] = exc
            return results, errors
        index = None
        try:
            for index in active:
                sql, args, _ = items[index]
                results[index] = cursor.execute(sql, args).fetchall()
            index = None
            cursor.execute("COMMIT")
            return results, errors
        except Exception as exc:
            _rollback_quietly(conn, cursor)
            if index is None:  # the COMMIT failed
                for i in active:
                    results[i] = None
                    errors[i] = exc
                return results, errors

        # Slow path: one savepoint per statement.
        failed: set[int] = set()
        while True:
            todo = [i for i in active if i not in failed]
            for i in todo:
                results[i] = None
            if not todo:
                return results, errors
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except Exception as exc:
                for i in todo:
                    errors[i] = exc
                return results, errors
            restart = False
            for i in todo:
                sql, args, _ = items[i]
                try:
                    cursor.execute(_SAVEPOINT)
                    results[i] = cursor.execute(sql, args).fetchall()
                    cursor.execute(_RELEASE)
                except Exception as exc:
                    results[i] = None
                    errors[i] = exc
                    failed.add(i)
                    if conn.in_transaction:
                        try:
                            cursor.execute(_ROLLBACK_TO)
                            cursor.execute(_RELEASE)
                            continue
                        except Exception:
                            _rollback_quietly(conn, cursor)
                    # The whole transaction was rolled back: redo the rest.
                    restart = True
                    break
            if restart:
                continue
            try:
                cursor.execute("COMMIT")
            except Exception as exc:
                _rollback_quietly(conn, cursor)
                for i in todo:
                    results[i] = None
                    errors[i] = exc
            return results, errors


###############################################################################
# Transactions


class _TransactionConnection:
    """What ``transaction.connection`` is for Piccolo code (e.g. its Savepoint
    class calls ``await transaction.connection.execute(sql)``)."""

    __slots__ = ("_transaction",)

    def __init__(self, transaction: WriterTransaction) -> None:
        self._transaction = transaction

    async def execute(self, sql: str, parameters: Any = ()) -> list[dict]:
        return await self._transaction._execute(sql, list(parameters))

    async def close(self) -> None:
        """The writer is released in ``__aexit__``."""


class WriterTransaction(SQLiteTransaction):
    """``engine.transaction()``: holds the single writer connection from
    ``__aenter__`` to ``__aexit__``.  ``BEGIN IMMEDIATE`` is used for the
    ``deferred`` and ``immediate`` transaction types (``BEGIN EXCLUSIVE`` for
    ``exclusive``), so a read-then-write never fails with "database is locked".
    Nested ``engine.transaction()`` blocks return the outer transaction, like
    Piccolo's; ``savepoint()``, ``rollback_to()``, ``commit()`` and
    ``rollback()`` behave like Piccolo's.
    """

    def __init__(
        self,
        engine: SQLiteWALEngine,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> None:
        super().__init__(
            engine=engine, transaction_type=transaction_type, allow_nested=allow_nested
        )
        self._runtime: _Runtime | None = None

    async def __aenter__(self) -> WriterTransaction:
        if self._parent is not None:
            return self._parent
        engine: SQLiteWALEngine = self.engine  # type: ignore[assignment]
        self._runtime = engine._get_runtime()
        self.connection = _TransactionConnection(self)
        await self.begin()
        self.context = engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        verb = "EXCLUSIVE" if self.transaction_type is TransactionType.exclusive else "IMMEDIATE"
        runtime = self._runtime
        if runtime is None:
            raise TransactionError("Use the transaction as `async with engine.transaction():`.")
        fut = asyncio.get_running_loop().create_future()
        if not runtime.submit_writer((_BEGIN, self, f"BEGIN {verb}", fut)):
            raise EngineClosedError("The database engine was stopped.")
        try:
            await fut
        except BaseException:
            # Cancelled (or failed) while waiting for the writer: make sure the
            # writer does not stay reserved for us if BEGIN ran after all.
            runtime.submit_writer((_END, self, _ROLLBACK, None))
            raise

    async def _execute(self, sql: str, args: Any = ()) -> list[dict]:
        runtime = self._runtime
        if runtime is None:
            raise TransactionError("The transaction has not been started.")
        fut = asyncio.get_running_loop().create_future()
        if not runtime.submit_writer((_STMT, self, sql, args, fut)):
            raise TransactionError("The database engine was stopped; the transaction is gone.")
        return await fut

    async def commit(self) -> None:
        await self._execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self._execute("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        if exception is not None:
            action = _ROLLBACK
        elif not self._committed and not self._rolled_back:
            action = _COMMIT
        else:
            action = _NOTHING
        try:
            runtime = self._runtime
            assert runtime is not None
            fut = asyncio.get_running_loop().create_future()
            if runtime.submit_writer((_END, self, action, fut)):
                await fut
            elif action == _COMMIT:
                raise TransactionError(
                    "The database engine was stopped before the transaction "
                    "committed; it was rolled back."
                )
        finally:
            self.engine.current_transaction.reset(self.context)
        return exception is None


###############################################################################
# Streaming reads


class SQLiteBatch(BaseBatch):
    """``engine.batch(query)``: fetch a large result ``batch_size`` rows at a
    time from a cursor that stays open on one reader connection (inside a
    transaction, the rows are read on the writer and paged from memory)."""

    def __init__(self, engine: SQLiteWALEngine, query: Query, batch_size: int) -> None:
        self.engine = engine
        self.query = query
        self.batch_size = batch_size
        self._runtime: _Runtime | None = None
        self._session: _Session | None = None
        self._buffer: list = []

    async def __aenter__(self) -> SQLiteBatch:
        sql, args = compile_sqlite(self.query.querystrings[0])
        transaction = self.engine.current_transaction.get()
        if transaction is not None:
            self._buffer = await transaction._execute(sql, args)
            return self
        loop = asyncio.get_running_loop()
        while True:
            runtime = self.engine._get_runtime()
            fut = loop.create_future()
            session = runtime.open_session(sql, args, fut)
            if session is not None:
                break
        self._runtime, self._session = runtime, session
        try:
            await fut
        except BaseException:
            runtime.session_job(session, (_CLOSE, None, None))
            self._session = None
            raise
        return self

    async def next(self) -> list[dict]:
        if self._session is None:
            rows = self._buffer[: self.batch_size]
            del self._buffer[: self.batch_size]
        else:
            assert self._runtime is not None
            fut = asyncio.get_running_loop().create_future()
            if not self._runtime.session_job(self._session, (_FETCH, self.batch_size, fut)):
                raise EngineClosedError("The batch was closed (engine stopped?).")
            rows = await fut
        return await self.query._process_results(rows)

    def __aiter__(self) -> SQLiteBatch:
        return self

    async def __anext__(self) -> list[dict]:
        rows = await self.next()
        if not rows:
            raise StopAsyncIteration()
        return rows

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        session, self._session = self._session, None
        if session is not None and self._runtime is not None:
            fut = asyncio.get_running_loop().create_future()
            if self._runtime.session_job(session, (_CLOSE, None, fut)):
                await fut
        return False


###############################################################################
# The engine


class SQLiteWALEngine(SQLiteEngine):
    """See the module docstring.  ``engine_type`` stays ``"sqlite"``."""

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
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Commit the queued writes, roll back a transaction still open, close
        every connection and stop the threads.  Idempotent; the engine reopens
        on next use."""
        with self._runtime_lock:
            runtime, self._runtime = self._runtime, None
            finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer.detach()
        if runtime is not None:
            await runtime.aclose()

    def close_sync(self, timeout: float = 10.0) -> None:
        """``close()`` for code without an event loop (must not be called from
        a coroutine running on a loop that is waiting for this engine)."""
        with self._runtime_lock:
            runtime, self._runtime = self._runtime, None
            finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer.detach()
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
