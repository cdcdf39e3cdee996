"""The job protocol between event loops and connection threads.

Work is handed to a connection thread as a job tuple whose first item is its
kind (below) and whose last item is usually the future to answer.  Results come
back to the caller's event loop with ``loop.call_soon_threadsafe``.  Nothing
here is bound to one event loop: every job carries its own future, so the
engine can be used from one loop after another (pytest creates a loop per
test, Litestar's TestClient runs the app in a loop of its own, Piccolo's CLI
calls ``asyncio.run`` repeatedly).

Names with a leading underscore are private to the ``service.db.sqlite``
package.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from typing import Any


class EngineClosedError(RuntimeError):
    """The engine's connections were closed while the request was in flight."""


# Job kinds.  Reader queue: _READ, _SESSION, _CLOSE.  Writer queue: _FLUSH,
# _STMT, _BEGIN, _END, _SOLO, _CLOSE.  Batch session queue: _FETCH, _CLOSE.
_READ, _SESSION, _FETCH, _FLUSH, _STMT, _BEGIN, _END, _SOLO, _CLOSE = range(9)
_FLUSH_JOB = (_FLUSH,)
# Actions of an _END job.
_COMMIT, _ROLLBACK, _NOTHING = range(3)


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


def _deliver_batch(items: list, results: list, errors: list) -> None:
    """Called on the writer thread: answer a group commit's ``(sql, args, fut)``
    items, with one ``call_soon_threadsafe`` per event loop."""
    groups: dict[Any, list] = {}
    for (_, _, fut), result, exc in zip(items, results, errors, strict=True):
        loop = fut.get_loop()
        group = groups.get(loop)
        if group is None:
            group = groups[loop] = []
        group.append((fut, result, exc))
    for loop, group in groups.items():
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_set_futures, group)


def _fail_job(job: tuple, exc: BaseException) -> None:
    fut = job[-1]
    if isinstance(fut, asyncio.Future):
        _deliver(fut, None, exc)
    elif isinstance(fut, concurrent.futures.Future) and not fut.done():
        fut.set_exception(exc)
