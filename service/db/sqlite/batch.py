"""``engine.batch(query)``: streaming a large result in pages.

Outside a transaction the cursor stays open on one reader connection whose
thread serves only this batch until it is closed (a ``_Session``, see
``runtime``).  Inside a transaction the rows are read on the writer and paged
from memory.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from piccolo.engine.base import BaseBatch

from service.db.sqlite.jobs import _CLOSE, _FETCH, EngineClosedError
from service.db.sqlite.statements import compile_sqlite

if TYPE_CHECKING:  # pragma: no cover
    from piccolo.query.base import Query

    from service.db.sqlite.engine import SQLiteWALEngine
    from service.db.sqlite.runtime import _Runtime, _Session

__all__ = ["SQLiteBatch"]


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
