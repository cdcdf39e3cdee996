"""Throwaway Piccolo tables used only by the database-layer tests."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Varchar
from piccolo.table import Table

from service.db import bind_tables


class DbItem(Table, tablename="db_test_item"):
    name = Varchar(length=64, unique=True)
    value = Integer(default=0)


class DbCounter(Table, tablename="db_test_counter"):
    value = Integer(default=0)


class DbChild(Table, tablename="db_test_child"):
    item = ForeignKey(DbItem)
    note = Varchar(length=64)


TEST_TABLES = [DbItem, DbCounter, DbChild]


async def reset_tables(engine) -> None:
    """Bind the test tables to ``engine`` and (re)create them empty."""
    bind_tables(engine, TEST_TABLES)
    for table in reversed(TEST_TABLES):
        await table.alter().drop_table(if_exists=True)
    for table in TEST_TABLES:
        await table.create_table()
