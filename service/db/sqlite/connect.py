"""Opening one configured ``sqlite3`` connection.

Each connection gets ``journal_mode=WAL``, ``synchronous=<setting>``,
``foreign_keys=ON`` and ``busy_timeout`` once, when it is opened; reader
connections are also ``query_only``.  It is opened (and then only used) on the
connection thread that owns it, see ``runtime``; the inline-read connection is
opened and used on the event loop thread, see ``inline``.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from piccolo.engine.sqlite import dict_factory


def _connect(
    connect_kwargs: dict[str, Any],
    readonly: bool,
    synchronous: str,
    busy_timeout_ms: int,
    *,
    check_same_thread: bool = True,
) -> sqlite3.Connection:
    conn = sqlite3.connect(check_same_thread=check_same_thread, **connect_kwargs)
    try:
        conn.row_factory = dict_factory
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        _ensure_wal(conn, connect_kwargs, busy_timeout_ms)
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _ensure_wal(
    conn: sqlite3.Connection, connect_kwargs: dict[str, Any], busy_timeout_ms: int
) -> None:
    """Switch the file to WAL (persistent).  Changing the journal mode
    needs an exclusive lock and does not wait on busy_timeout, so retry
    while another connection (or process) holds the file."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
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
                f"could not switch {connect_kwargs.get('database')!r} to WAL mode"
            )
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError(
                f"could not switch {connect_kwargs.get('database')!r} to WAL mode: "
                "database is locked"
            )
        time.sleep(0.005)
