"""Behaviour every engine must have: run against our SQLite engine and, when
TEST_DATABASE_URL is set, against PostgreSQL (see the ``engine`` fixture)."""

from __future__ import annotations

import asyncio

import pytest
from piccolo.engine.exceptions import TransactionError

from service.db import ping
from tests.db.tables import DbChild, DbCounter, DbItem


class Boom(Exception):
    pass


async def names() -> set[str]:
    return {row["name"] for row in await DbItem.select(DbItem.name)}


async def test_200_concurrent_inserts_all_land_and_return_their_own_pk(engine) -> None:
    count = 200
    results = await asyncio.gather(
        *(DbItem.insert(DbItem(name=f"item {i}", value=i)) for i in range(count))
    )
    pks = [result[0]["id"] for result in results]
    assert all(isinstance(pk, int) for pk in pks)
    assert len(set(pks)) == count
    rows = {row["id"]: row for row in await DbItem.select()}
    assert len(rows) == count
    for i, pk in enumerate(pks):  # each caller got the pk of the row it wrote
        assert rows[pk]["name"] == f"item {i}"
        assert rows[pk]["value"] == i


async def test_objects_save_and_read_back(engine) -> None:
    item = DbItem(name="saved", value=7)
    await item.save()
    assert isinstance(item.id, int)
    child = DbChild(item=item.id, note="hello")
    await child.save()
    fetched = await DbChild.objects(DbChild.item).get(DbChild.id == child.id)
    assert fetched.item.name == "saved"
    assert fetched.note == "hello"


async def test_write_is_visible_to_the_next_read(engine) -> None:
    for i in range(30):
        await DbItem.insert(DbItem(name=f"n{i}", value=i))
        assert await DbItem.count() == i + 1
        row = await DbItem.select().where(DbItem.name == f"n{i}").first()
        assert row is not None and row["value"] == i
        await DbItem.update({DbItem.value: DbItem.value + 100}).where(DbItem.name == f"n{i}")
        row = await DbItem.select(DbItem.value).where(DbItem.name == f"n{i}").first()
        assert row["value"] == i + 100


async def test_exception_in_transaction_rolls_everything_back(engine) -> None:
    await DbItem.insert(DbItem(name="before", value=1))
    with pytest.raises(Boom):
        async with engine.transaction():
            await DbItem.insert(DbItem(name="inside 1"))
            await DbItem.update({DbItem.value: 99}).where(DbItem.name == "before")
            await DbItem.insert(DbItem(name="inside 2"))
            assert await DbItem.count() == 3  # visible inside the transaction
            raise Boom
    assert await names() == {"before"}
    assert (await DbItem.select(DbItem.value).first())["value"] == 1
    # The engine is still usable for transactions afterwards.
    async with engine.transaction():
        await DbItem.insert(DbItem(name="after"))
    assert await names() == {"before", "after"}


async def test_failed_statement_inside_transaction_then_exception(engine) -> None:
    await DbItem.insert(DbItem(name="dup"))
    with pytest.raises(Exception) as info:
        async with engine.transaction():
            await DbItem.insert(DbItem(name="kept?"))
            await DbItem.insert(DbItem(name="dup"))
    assert "unique" in str(info.value).lower() or "duplicate" in str(info.value).lower()
    assert await names() == {"dup"}


async def test_nested_transaction_returns_parent_and_savepoints_work(engine) -> None:
    async with engine.transaction() as outer:
        await DbItem.insert(DbItem(name="a"))
        async with engine.transaction() as inner:
            assert inner is outer
            await DbItem.insert(DbItem(name="b"))
        savepoint = await outer.savepoint("before_c")
        await DbItem.insert(DbItem(name="c"))
        await savepoint.rollback_to()
        await DbItem.insert(DbItem(name="d"))
        second = await outer.savepoint()
        await DbItem.insert(DbItem(name="e"))
        await second.release()
        await outer.savepoint("sp_f")
        await DbItem.insert(DbItem(name="f"))
        await outer.rollback_to("sp_f")
    assert await names() == {"a", "b", "d", "e"}


async def test_exception_in_nested_block_rolls_back_the_outer_transaction(engine) -> None:
    with pytest.raises(Boom):
        async with engine.transaction():
            await DbItem.insert(DbItem(name="outer"))
            async with engine.transaction():
                await DbItem.insert(DbItem(name="inner"))
                raise Boom
    assert await names() == set()


async def test_nesting_can_be_refused(engine) -> None:
    async with engine.transaction():
        with pytest.raises(TransactionError):
            engine.transaction(allow_nested=False)
        assert engine.transaction_exists()
    assert not engine.transaction_exists()


async def test_manual_commit_and_rollback(engine) -> None:
    async with engine.transaction() as transaction:
        await DbItem.insert(DbItem(name="rolled back"))
        await transaction.rollback()
    async with engine.transaction() as transaction:
        await DbItem.insert(DbItem(name="committed"))
        await transaction.commit()
    assert await names() == {"committed"}


async def test_atomic(engine) -> None:
    atomic = engine.atomic()
    atomic.add(DbItem.insert(DbItem(name="x")), DbItem.insert(DbItem(name="y")))
    await atomic.run()
    assert await names() == {"x", "y"}

    failing = engine.atomic()
    failing.add(DbItem.insert(DbItem(name="z")), DbItem.insert(DbItem(name="x")))
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await failing.run()
    assert await names() == {"x", "y"}


async def test_concurrent_transactions_each_see_a_consistent_writer(engine) -> None:
    """Atomic increments inside concurrent transactions never lose an update
    (on PostgreSQL too, because the increment is done by the database)."""
    counter = (await DbCounter.insert(DbCounter(value=0)))[0]["id"]

    async def bump() -> None:
        async with engine.transaction():
            await DbCounter.update({DbCounter.value: DbCounter.value + 1}).where(
                DbCounter.id == counter
            )
            await DbItem.insert(DbItem(name=f"t{id(asyncio.current_task())}"))

    await asyncio.gather(*(bump() for _ in range(50)))
    assert (await DbCounter.select(DbCounter.value).first())["value"] == 50
    assert await DbItem.count() == 50


async def test_batch_streams_rows(engine) -> None:
    await DbItem.insert(*(DbItem(name=f"b{i:03}", value=i) for i in range(250)))
    sizes = []
    seen = []
    async with await DbItem.select().order_by(DbItem.value).batch(batch_size=100) as batch:
        async for rows in batch:
            sizes.append(len(rows))
            seen.extend(row["value"] for row in rows)
    assert sizes == [100, 100, 50]
    assert seen == list(range(250))


async def test_ping(engine) -> None:
    await ping(engine)
