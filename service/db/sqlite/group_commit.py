"""What the writer thread runs on its connection, besides a transaction's own
statements.

Writes outside a transaction are queued and group-committed: the writer thread
takes everything that is pending (at most ``batch_max`` statements) and runs it
in one ``BEGIN IMMEDIATE`` ... ``COMMIT`` (``_run_batch``).  A statement that
fails fails only its own caller.  Callers are only answered after the COMMIT,
so an acknowledged write is a committed write.  Statements that cannot share a
batch (PRAGMA, VACUUM, ...) run alone in autocommit mode (``_run_solo``), and
``_finish`` ends a ``WriterTransaction``.

These functions are called on the writer thread only and touch nothing but the
connection and cursor they are given.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import Any

from piccolo.engine.exceptions import TransactionError

from service.db.sqlite.jobs import _COMMIT, _NOTHING

_SAVEPOINT = "SAVEPOINT ankang_group_commit"
_ROLLBACK_TO = "ROLLBACK TO ankang_group_commit"
_RELEASE = "RELEASE ankang_group_commit"


def _rollback_quietly(conn: sqlite3.Connection, cursor: sqlite3.Cursor) -> None:
    """Roll back whatever is open; used on error paths, so errors are ignored."""
    if conn.in_transaction:
        with contextlib.suppress(Exception):
            cursor.execute("ROLLBACK")


def _finish(conn: sqlite3.Connection, cursor, action: int) -> Exception | None:
    """End the writer's transaction: COMMIT or ROLLBACK (if one is open)."""
    if action == _NOTHING or not conn.in_transaction:
        return None
    try:
        cursor.execute("COMMIT" if action == _COMMIT else "ROLLBACK")
    except Exception as exc:
        _rollback_quietly(conn, cursor)
        return exc
    return None


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


def _execute(cursor, sql: str | None, args: Any) -> list:
    """One batch item: a statement, or (sql None) a list of (sql, args) that
    succeed or fail together (the batch's savepoints make them atomic)."""
    if sql is not None:
        return cursor.execute(sql, args).fetchall()
    results: list = []
    for statement, statement_args in args:
        results = cursor.execute(statement, statement_args).fetchall()
    return results


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
            results[index] = _execute(cursor, sql, args)
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
                results[i] = _execute(cursor, sql, args)
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
