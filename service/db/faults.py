"""Failures that are the database's state, not a bug in a request: read-only, disk full,
gone. The request may succeed later, so it gets 503 with Retry-After; and the log needs
one line per kind of failure, not a 2 KB traceback per request while the disk is full.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator

import asyncpg

# SQLite's primary result codes (sqlite3.SQLITE_* names these from Python 3.11 only).
_SQLITE_KINDS = {
    sqlite3.SQLITE_READONLY: "read_only",
    sqlite3.SQLITE_FULL: "disk_full",
    sqlite3.SQLITE_IOERR: "io_error",
    sqlite3.SQLITE_CANTOPEN: "cannot_open",
    sqlite3.SQLITE_BUSY: "busy",
    sqlite3.SQLITE_LOCKED: "busy",
}
# PostgreSQL's SQLSTATEs: exact codes first, then classes (the first two characters).
_POSTGRES_CODES = {"25006": "read_only", "53100": "disk_full", "58030": "io_error"}
_POSTGRES_CLASSES = {"53": "resources", "57": "shutting_down", "08": "connection"}
_OS_KINDS = {errno.ENOSPC: "disk_full", errno.EROFS: "read_only", errno.EDQUOT: "disk_full"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def unavailable_kind(exc: BaseException) -> str | None:
    """The kind of database failure behind `exc` ("read_only", "disk_full", …), or None
    when it is none (a bug: a 500 with its traceback)."""
    for error in _chain(exc):
        if isinstance(error, sqlite3.Error):
            code = getattr(error, "sqlite_errorcode", None)
            if code is not None and (kind := _SQLITE_KINDS.get(code & 0xFF)):
                return kind
        elif isinstance(error, asyncpg.PostgresError):
            state = str(getattr(error, "sqlstate", "") or "")
            if kind := _POSTGRES_CODES.get(state) or _POSTGRES_CLASSES.get(state[:2]):
                return kind
        elif isinstance(error, (asyncpg.InterfaceError, ConnectionError)):
            return "connection"
        elif isinstance(error, OSError) and (kind := _OS_KINDS.get(error.errno or 0)):
            return kind
    return None
