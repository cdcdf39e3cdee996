"""``engine.transaction()``: a transaction that owns the writer connection.

``WriterTransaction`` takes the writer exclusively and always starts with
``BEGIN IMMEDIATE`` (``BEGIN EXCLUSIVE`` for the exclusive type), so a
read-then-write never fails with "database is locked"; the statements inside
run on the writer connection, as jobs of their own owner (see ``runtime`` for
how the writer thread keeps everyone else waiting meanwhile).  It survives
cancellation: a cancelled caller's COMMIT/ROLLBACK job is queued before it
stops waiting, and a BEGIN whose caller gave up is withdrawn.

``_TransactionConnection`` is what Piccolo code sees as
``transaction.connection``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from piccolo.engine.exceptions import TransactionError
from piccolo.engine.sqlite import SQLiteTransaction, TransactionType

from service.db.sqlite.jobs import (
    _BEGIN,
    _COMMIT,
    _END,
    _NOTHING,
    _ROLLBACK,
    _STMT,
    EngineClosedError,
)

if TYPE_CHECKING:  # pragma: no cover
    from service.db.sqlite.engine import SQLiteWALEngine
    from service.db.sqlite.runtime import _Runtime

__all__ = ["WriterTransaction"]


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
