"""The connection threads: one generation of a writer and N readers.

Every connection is a plain ``sqlite3`` connection that lives in its own
dedicated thread for its whole life (``_Runtime``).  Work is handed to the
thread through a ``queue.SimpleQueue`` as a job (see ``jobs``); the
``submit_*`` methods are what event loop threads call.

* Reads outside a transaction go to a pool of ``readers`` read-only
  (``query_only``) connections whose threads share one job queue, so at most
  ``readers`` reads run at a time and the others wait their turn.  A streaming
  read (``engine.batch``) keeps one reader thread for itself (``_Session``)
  until it is closed.
* All writes go through ONE writer connection.  Writes outside a transaction
  are appended to ``pending`` and a flush job is posted; the writer thread
  group-commits what is pending (see ``group_commit``).
* A ``WriterTransaction`` owns the writer from its BEGIN to its COMMIT or
  ROLLBACK.  While it does, the group-commit flush and other transactions
  wait, in arrival order.  That exclusivity is enforced by the writer thread
  itself (jobs of other owners are set aside until the owner's COMMIT or
  ROLLBACK), not by an asyncio.Lock, so it holds across event loops and
  survives cancellation.

``close`` lets the writer commit what is pending and roll back a transaction
still open, then closes every connection and ends the threads; a closed
runtime is not reused (the engine makes a new one).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import sqlite3
import threading
from collections import deque
from typing import Any

from piccolo.engine.exceptions import TransactionError

from service.db.sqlite.connect import _connect
from service.db.sqlite.group_commit import _finish, _run_batch, _run_solo
from service.db.sqlite.jobs import (
    _BEGIN,
    _CLOSE,
    _END,
    _FETCH,
    _FLUSH,
    _FLUSH_JOB,
    _READ,
    _ROLLBACK,
    _SESSION,
    _SOLO,
    _STMT,
    EngineClosedError,
    _deliver,
    _deliver_batch,
    _fail_job,
)

# The package's logger, as before the engine was split into modules.
_log = logging.getLogger(__package__)


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

    def _open_in_thread(self, readonly: bool) -> tuple[sqlite3.Connection | None, Exception | None]:
        opened = self._opened_by_thread[threading.current_thread()]
        try:
            if readonly:
                # Let the writer create the file and switch it to WAL first.
                concurrent.futures.wait([self.opened[0]])
            conn = _connect(self.connect_kwargs, readonly, self.synchronous, self.busy_timeout_ms)
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
                        _deliver(fut, None, _finish(conn, cursor, action))
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
                    _deliver(fut, *_run_solo(conn, cursor, sql, args))

                elif kind == _CLOSE:
                    try:
                        if owner is not None:
                            owner = None
                            _finish(conn, cursor, _ROLLBACK)
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
            results, errors = _run_batch(conn, cursor, items)
        _deliver_batch(items, results, errors)
