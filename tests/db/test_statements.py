"""Unit tests of the SQLite engine's statement handling: our QueryString
compiler must produce exactly what Piccolo's does, and statements must be
routed to readers only when they cannot write."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from piccolo.columns import Varchar
from piccolo.query.functions.string import Upper
from piccolo.querystring import QueryString

from service.db.sqlite import BATCH, READ, SOLO, SQLiteWALEngine, classify_statement, compile_sqlite
from tests.db.tables import DbChild, DbCounter, DbItem


@pytest.fixture(scope="module", autouse=True)
def bound_engine(tmp_path_factory: pytest.TempPathFactory):
    """Queries need an engine to know their dialect; this one never connects."""
    engine = SQLiteWALEngine(path=str(tmp_path_factory.mktemp("compile") / "unused.sqlite3"))
    for table in (DbItem, DbCounter, DbChild):
        table._meta.db = engine
    yield engine
    engine.close_sync()


def queries():
    return [
        DbItem.insert(DbItem(name="a", value=1), DbItem(name="b{}", value=2)),
        DbItem.select().where((DbItem.name == "x") & (DbItem.value > 3)).limit(5).offset(2),
        DbItem.select(DbItem.name, Upper(DbItem.name, alias="up")).where(
            DbItem.name.like("%{}%") | DbItem.value.is_in([1, 2, 3])
        ),
        DbChild.select(DbChild.item.name, DbChild.note).where(DbChild.item.value == 5),
        DbItem.update({DbItem.value: DbItem.value + 1, DbItem.name: "n"}).where(DbItem.id == 3),
        DbItem.delete().where(DbItem.value.is_null()),
        DbItem.count().where(DbItem.name != "q"),
        DbItem.exists().where(DbItem.name == "{{literal}}"),
        DbItem.raw("SELECT {} AS a, '{{x}}' AS b, {} AS c", 1, datetime.date(2024, 1, 2)),
        DbItem.alter().add_column("extra", Varchar(default="{}")),
    ]


def test_compile_matches_piccolo_for_real_queries() -> None:
    for query in queries():
        querystrings = getattr(query, "querystrings", None)
        if querystrings is None:  # DDL
            continue
        for querystring in querystrings:
            assert compile_sqlite(querystring) == querystring.compile_string(engine_type="sqlite")


def test_frozen_querystrings_are_used_as_is() -> None:
    querystring = DbItem.select().where(DbItem.id == 1).querystrings[0]
    querystring.freeze(engine_type="sqlite")
    assert compile_sqlite(querystring) is querystring._frozen_compiled_strings


texts = st.text(alphabet=st.sampled_from(list("ab {}?'\"\n")), max_size=12)
values = st.one_of(st.integers(), st.text(max_size=5), st.none(), st.floats(allow_nan=False))


@st.composite
def querystrings(draw, depth: int = 0) -> QueryString:
    template = draw(texts)
    count = draw(st.integers(min_value=0, max_value=4))
    children = st.deferred(lambda: querystrings(depth=depth + 1)) if depth < 3 else st.nothing()
    args = draw(st.lists(st.one_of(values, children), min_size=count, max_size=count))
    return QueryString(template, *args)


@given(querystrings())
def test_compile_matches_piccolo_for_any_querystring(querystring: QueryString) -> None:
    try:
        expected = querystring.compile_string(engine_type="sqlite")
    except ValueError:  # malformed template ("{" alone): Piccolo raises too
        with pytest.raises(ValueError):
            compile_sqlite(querystring)
        return
    assert compile_sqlite(querystring) == expected


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ('SELECT "x" FROM "t"', READ),
        ("  select 1", READ),
        ("-- comment\nSELECT 1", READ),
        ("/* c */ (SELECT 1) UNION SELECT 2", READ),
        ("VALUES (1), (2)", READ),
        ("WITH a AS (SELECT 1) SELECT * FROM a", READ),
        ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", BATCH),
        ("with a as (select 1) delete from t", BATCH),
        ("WITH a AS (SELECT 'update') SELECT * FROM a", BATCH),  # unsure -> writer
        ('INSERT INTO "t" VALUES (1) RETURNING "id"', BATCH),
        ("REPLACE INTO t VALUES (1)", BATCH),
        ("UPDATE t SET a = 1", BATCH),
        ("DELETE FROM t", BATCH),
        ("CREATE TABLE t (a)", BATCH),
        ("DROP TABLE t", BATCH),
        ("ALTER TABLE t ADD COLUMN b", BATCH),
        ("PRAGMA table_info(t)", SOLO),
        ("VACUUM", SOLO),
        ("BEGIN", SOLO),
        ("COMMIT", SOLO),
        ("SAVEPOINT s", SOLO),
        ("ATTACH 'x' AS y", SOLO),
        ("", SOLO),
        ("   ", SOLO),
        ("EXPLAIN QUERY PLAN SELECT 1", SOLO),
    ],
)
def test_classify_statement(sql: str, kind: int) -> None:
    assert classify_statement(sql) == kind
