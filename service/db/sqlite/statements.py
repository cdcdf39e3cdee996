"""Turning Piccolo queries into SQL, and deciding where each statement runs.

``compile_sqlite`` is a faster ``QueryString.compile_string(engine_type="sqlite")``.
Piccolo's own re-parses every template with ``string.Formatter`` on every call
and builds a Fragment object per placeholder; for a single-row INSERT that is a
quarter of Piccolo's own per-query cost.  This produces the identical
``(sql, args)`` pair with the template parse cached.

``classify_statement`` sorts a statement into READ (a reader connection),
BATCH (a group-committed write on the writer) or SOLO (alone on the writer).
Both are pure functions with no state besides the template cache.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Any

from piccolo.querystring import QueryString

__all__ = ["BATCH", "READ", "SOLO", "classify_statement", "compile_sqlite"]

###############################################################################
# Compiling Piccolo QueryStrings

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
