"""Inline reads: short indexed SELECTs run on the event loop thread itself.

A read normally hops to a reader thread and back (queue put, thread wake,
future, ``call_soon_threadsafe``, loop wake).  For a lookup that SQLite answers
in ~20 µs the hop costs the loop thread far more than the query, and the two
threads fight over the GIL.  Under ``with inline_reads():`` the engine instead
runs READ statements that are outside a transaction directly on the calling
thread, on one more read-only connection it owns (``_InlineReader``, opened in
``engine.open()`` and closed in ``engine.close()``).

Opt in per call site, and only around small indexed reads: while an inline
read runs, the event loop and every other request wait for it.  Long reads
(rankings, exports, anything scanning) must keep going to the reader threads.

What does not change: writes, statements inside ``engine.transaction()``,
``engine.batch()``, and any engine other than ``SQLiteWALEngine`` (on
PostgreSQL the context manager only sets a context variable nobody reads).
A read still hops to a reader thread when the engine was not opened with
``open()`` (it then opens lazily, without an inline connection), when the
caller is not on the thread that opened the engine, and when the inline
connection finds the database busy (its ``busy_timeout`` is 0 so that it never
sleeps on the loop; the reader waits ``busy_timeout`` as usual).

The context variable is copied into tasks created inside the block, so a task
spawned there reads inline too; spawn long work outside it.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar, Token
from typing import Any

from service.db.sqlite.connect import _connect

__all__ = ["inline_reads"]

_INLINE_READS: ContextVar[bool] = ContextVar("ankang_sqlite_inline_reads", default=False)


class inline_reads:  # lower case: used like a function, `with inline_reads():`
    """Within this block, run this task's short SQLite reads on the loop thread.

    A plain context manager on purpose, not a decorator: wrapping an ``async
    def`` with a context decorator would set the variable only while the
    coroutine object is created, not while it runs.
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token: Token[bool] = _INLINE_READS.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _INLINE_READS.reset(self._token)


class _InlineReader:
    """The engine's connection for inline reads, used only on ``thread``
    (the one that opened it), one statement at a time and never across an
    await: ``execute`` runs and fetches in one synchronous call."""

    __slots__ = ("conn", "cursor", "thread")

    def __init__(self, connect_kwargs: dict[str, Any], synchronous: str, busy_timeout_ms: int):
        # check_same_thread=False only so that close() may come from another
        # thread (close_sync); the engine itself only ever uses it
        # on `thread`, see SQLiteWALEngine._read.
        conn = _connect(connect_kwargs, True, synchronous, busy_timeout_ms, check_same_thread=False)
        try:
            # Never sleep on the event loop waiting for a lock: a busy database
            # sends the read to a reader thread, which waits busy_timeout.
            conn.execute("PRAGMA busy_timeout = 0")
        except BaseException:
            conn.close()
            raise
        self.conn = conn
        self.cursor = conn.cursor()
        self.thread = threading.get_ident()

    def execute(self, sql: str, args: Any) -> list[dict]:
        return self.cursor.execute(sql, args).fetchall()

    def close(self) -> None:
        self.conn.close()
