"""A Piccolo SQLite engine built for many concurrent asyncio clients.

Piccolo's stock ``SQLiteEngine`` opens a new aiosqlite connection (and a new
thread) for every query and runs deferred transactions, so under concurrency it
is slow and read-then-write transactions fail with "database is locked".  This
engine keeps the SQL dialect (``engine_type == "sqlite"``, so Piccolo's query
builder and migrations work unchanged) but replaces how statements are run:

* Every connection is a plain ``sqlite3`` connection that lives in its own
  dedicated thread for its whole life; each job carries its own future, so
  nothing is bound to one event loop.
* Each connection gets ``journal_mode=WAL``, ``synchronous=<setting>``,
  ``foreign_keys=ON`` and ``busy_timeout`` once, when it is opened.
* Reads outside a transaction go to a pool of ``readers`` read-only
  (``query_only``) connections; under ``with inline_reads():`` (opt-in, for
  short indexed lookups only) they run on the event loop thread instead, on
  one more read-only connection, with no thread hop.
* All writes go through ONE writer connection.  Writes outside a transaction
  are queued and group-committed in one ``BEGIN IMMEDIATE`` ... ``COMMIT``; a
  statement that fails fails only its own caller, and callers are only
  answered after the COMMIT, so an acknowledged write is a committed write.
* ``engine.transaction()`` takes the writer exclusively and always starts with
  ``BEGIN IMMEDIATE``; the group-commit flush and other transactions wait, in
  arrival order, across event loops and despite cancellation.

The engine opens its connections lazily on first use, or eagerly with
``await engine.open()``; ``await engine.close()`` closes them (and their
threads) and the engine can be used again afterwards (it reopens).

Modules (each docstring has the details of its part):

* ``engine``: ``SQLiteWALEngine``, what Piccolo talks to; routing, lifecycle.
* ``statements``: ``compile_sqlite`` and ``classify_statement``.
* ``inline``: ``inline_reads()``, reads on the event loop thread.
* ``transaction``: ``WriterTransaction``, ``engine.transaction()``.
* ``batch``: ``SQLiteBatch``, ``engine.batch(query)``.
* ``runtime``: the writer and reader threads and their queues.
* ``group_commit``: the SQL the writer thread runs for queued writes.
* ``connect``: opening and configuring one connection.
* ``jobs``: the job tuples, ``EngineClosedError``, and answering futures
  across threads and event loops.

Names with a leading underscore are private to this package.
"""

from service.db.sqlite.batch import SQLiteBatch
from service.db.sqlite.engine import MIN_SQLITE_VERSION, SQLiteWALEngine
from service.db.sqlite.inline import inline_reads
from service.db.sqlite.jobs import EngineClosedError
from service.db.sqlite.statements import BATCH as BATCH
from service.db.sqlite.statements import READ as READ
from service.db.sqlite.statements import SOLO as SOLO
from service.db.sqlite.statements import classify_statement, compile_sqlite
from service.db.sqlite.transaction import WriterTransaction

__all__ = [
    "MIN_SQLITE_VERSION",
    "EngineClosedError",
    "SQLiteBatch",
    "SQLiteWALEngine",
    "WriterTransaction",
    "classify_statement",
    "compile_sqlite",
    "inline_reads",
]
