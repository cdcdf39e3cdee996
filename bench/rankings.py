"""Rankings: the aggregate query of a large campaign, on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/rankings.py                      # SQLite, 10,000 enterprises
      .venv/bin/python bench/rankings.py --database postgresql://postgres@127.0.0.1:5432/postgres
      .venv/bin/python bench/rankings.py --enterprises 100000 --no-item-scores   # 10× the data

What it does, in order:

1. a fresh database (a temporary SQLite file, or a fresh `ankang_test_*` database on
   the PostgreSQL server given, dropped at the end), migrated;
2. seeds one open campaign of a 60-item table (6 sections × 10 items, max 100) with
   `--enterprises` participants in 50 villages, each with a self-assessment and 5
   judges' evaluations (a panel of 50 judges): submission rows with their answers,
   revision 1 (a small breakdown; the vetoed ones, about 2 %, with their veto reason
   and their 60 items, as the ranking reads those), 6 section scores each and,
   unless `--no-item-scores`, 60 item scores each (3.6 M rows at 10,000). Rows go in
   as multi-row inserts (SQLite `executemany` in one transaction) or COPY (asyncpg),
   never through the HTTP API; PostgreSQL is ANALYZEd after, as autovacuum would;
3. times `service.rankings.queries.participant_scores` with two tie-break sections
   (`--runs`, after two warm-up runs) through the service's own engine (SQLite with
   `synchronous=FULL` and its reader pool), and the same plus a placeholder for the
   page: sorting the rows by a weighted score (self 20 % / judges' mean 80 %). The
   rankings page does not exist yet; its rendering is not timed here.

Target: p95 of the query + placeholder < 300 ms at 10,000 enterprises (the target is
the page's; the scaled run has none). Exit status 1 when it is missed.
`--explain` prints the query plan; `--index SQL` creates an extra index before timing
(to try one out).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
TARGET_SIZE = 10_000
SECTIONS, ITEMS = 6, 10  # a 60-item table
ITEM_MAX = 100 / (SECTIONS * ITEMS)
JUDGES_EACH, PANEL, VILLAGES = 5, 50, 50
VETO_RATE = 0.02
TIE_BREAKS = ["s1", "s3"]
INDUSTRIES = ["机械制造", "化工", "建筑施工", "纺织", "食品加工", "物流", "电子", "商贸"]
OWNERSHIPS = ["state_owned", "non_public", "mixed"]
VETO_REASON = "发生重伤及以上生产安全事故"

SUBMISSION_COLUMNS = (
    "id, form_version, campaign, enterprise, team, author, role, status, answers, position, "
    "revision, body_hash, total, max, eligible, vetoed, grade, min_section_percent, "
    "created_at, updated_at, submitted_at"
)
REVISION_COLUMNS = (
    "submission, number, answers, breakdown, evidence, total, eligible, grade, author, reason, "
    "created_at"
)


# ---------------------------------------------------------------- the rows


def scored_submission(rng: random.Random) -> dict[str, Any]:
    """One scorer's result of the 60-item table: items, sections, total, veto."""
    skill = rng.uniform(0.6, 0.98)
    items, sections = [], []
    for s in range(SECTIONS):
        earned = 0.0
        for i in range(ITEMS):
            met = rng.random() < skill
            earned += ITEM_MAX if met else 0.0
            items.append((f"s{s}", f"s{s}-i{i}", "answered" if met else "failed", met))
        section_max = ITEM_MAX * ITEMS
        sections.append(
            (f"s{s}", round(earned, 2), section_max, round(earned / section_max * 100, 2))
        )
    total = round(sum(s[1] for s in sections), 2)
    vetoed = rng.random() < VETO_RATE
    return {
        "items": items,
        "sections": sections,
        "total": total,
        "vetoed": vetoed,
        "eligible": not vetoed and total >= 60,
    }


def breakdown_json(result: dict[str, Any]) -> str:
    """A breakdown of the stored shape: small unless vetoed (the ranking reads those)."""
    vetoed = result["vetoed"]
    return json.dumps(
        {
            "form_id": "bench-60",
            "form_version": 1,
            "total": result["total"],
            "max": 100,
            "vetoed": vetoed,
            "veto_reasons": [{"item": "s0-i0", "reason": {"zh": VETO_REASON}}] if vetoed else [],
            "eligible": result["eligible"],
            "sections": [
                {"id": s, "kind": "standard", "score": score, "max": m, "percentage": p}
                for s, score, m, p in result["sections"]
            ],
            "items": [
                {"id": i, "section": s, "status": st, "score": ITEM_MAX if met else 0, "max": 1}
                for s, i, st, met in result["items"]
            ]
            if vetoed
            else [],
        },
        ensure_ascii=False,
    )


def chunks(
    first_enterprise: int,
    enterprises: int,
    campaign: int,
    form_version: int,
    users: list[int],
    item_scores: bool,
    postgres: bool,
    chunk: int = 500,
) -> Iterator[dict[str, list[tuple]]]:
    """The rows of `chunk` enterprises at a time: submissions, revisions, section and item
    scores, in each engine's own value types."""
    rng = random.Random(42)
    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    stamp: Any = now if postgres else now.isoformat()

    def decimal(value: float) -> Any:
        return Decimal(f"{value:.2f}") if postgres else value

    def flag(value: bool) -> Any:
        return value if postgres else int(value)

    answers = json.dumps({f"s{s}-i{i}": "yes" for s in range(SECTIONS) for i in range(ITEMS)})
    for start in range(0, enterprises, chunk):
        rows: dict[str, list[tuple]] = {"submission": [], "revision": [], "section": [], "item": []}
        for n in range(start, min(start + chunk, enterprises)):
            enterprise = first_enterprise + n
            scorers = [(users[0], "enterprise")] + [
                (users[1 + (n + k * 7) % PANEL], "judge") for k in range(JUDGES_EACH)
            ]
            for author, role in scorers:
                result = scored_submission(rng)
                key: Any = uuid.UUID(int=rng.getrandbits(128), version=4)
                if not postgres:
                    key = str(key)
                rows["submission"].append(
                    (
                        key,
                        form_version,
                        campaign,
                        enterprise,
                        None,
                        author,
                        role,
                        "submitted",
                        answers,
                        "",
                        1,
                        None,
                        decimal(result["total"]),
                        decimal(100),
                        flag(result["eligible"]),
                        flag(result["vetoed"]),
                        None,
                        min(p for _, _, _, p in result["sections"]),
                        stamp,
                        stamp,
                        stamp,
                    )
                )
                rows["revision"].append(
                    (
                        key,
                        1,
                        answers,
                        breakdown_json(result),
                        "{}",
                        decimal(result["total"]),
                        flag(result["eligible"]),
                        None,
                        author,
                        "",
                        stamp,
                    )
                )
                rows["section"] += [(key, s, score, m, p) for s, score, m, p in result["sections"]]
                if item_scores:
                    rows["item"] += [
                        (key, s, i, st, ITEM_MAX if met else 0.0, ITEM_MAX, None)
                        for s, i, st, met in result["items"]
                    ]
        yield rows


# ---------------------------------------------------------------- seeding


def bench_definition() -> str:
    """The 60-item table as the catalogue stores it (JSON of the form definition)."""
    import msgspec

    from service.forms.model import FormDefinition

    sections = [
        {
            "id": f"s{s}",
            "title": f"第{s + 1}部分",
            "points": ITEM_MAX * ITEMS,
            "items": [
                {"id": f"s{s}-i{i}", "type": "check", "label": f"检查项{s}-{i}", "points": ITEM_MAX}
                for i in range(ITEMS)
            ],
        }
        for s in range(SECTIONS)
    ]
    definition = msgspec.convert(
        {
            "id": "bench-60",
            "version": 1,
            "kind": "scored",
            "title": "压测评分表",
            "basis": "压测",
            "roles": ["enterprise", "judge"],
            "scoring": {"max": 100},
            "sections": sections,
        },
        FormDefinition,
    )
    return msgspec.json.encode(definition).decode()


async def seed_base(enterprises: int) -> tuple[int, int, list[int], int]:
    """Town, villages, form version, campaign and users through Piccolo (few rows);
    returns the campaign, its form version, the users (the enterprise account first,
    then the judges) and the first enterprise id."""
    from service.accounts.tables import User
    from service.campaigns.tables import Campaign
    from service.forms.tables import FormVersion
    from service.orgs.tables import Town, Village

    now = dt.datetime.now(dt.UTC)
    [town] = await Town.insert(Town(name="压测镇"))
    villages = await Village.insert(
        *[Village(town=town["id"], name=f"第{v + 1}村") for v in range(VILLAGES)]
    )
    [form] = await FormVersion.insert(
        FormVersion(
            form_id="bench-60",
            version=1,
            kind="scored",
            title_zh="压测评分表",
            content_hash="bench-60-1",
            definition=bench_definition(),
            source_file="bench-60.yaml",
            created_at=now,
            updated_at=now,
        )
    )
    [campaign] = await Campaign.insert(
        Campaign(
            name="压测评比",
            town=town["id"],
            form_version=form["id"],
            status="open",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            self_assessment=True,
            judges=True,
            created_at=now,
        )
    )
    users = await User.insert(
        *[
            User(username=f"bench{u}", display_name=f"压测{u}", password_hash="-", created_at=now)
            for u in range(1 + PANEL)
        ]
    )
    return campaign["id"], form["id"], [u["id"] for u in users], villages[0]["id"]


def enterprise_rows(enterprises: int, first_village: int, postgres: bool) -> list[tuple]:
    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    stamp: Any = now if postgres else now.isoformat()
    rng = random.Random(7)
    return [
        (
            first_village + n % VILLAGES,
            f"压测企业{n:06d}",
            f"B{n:017d}",
            INDUSTRIES[n % len(INDUSTRIES)],
            OWNERSHIPS[n % len(OWNERSHIPS)],
            rng.randint(5, 2000),
            stamp,
            stamp,
        )
        for n in range(enterprises)
    ]


ENTERPRISE_COLUMNS = (
    "village",
    "name",
    "credit_code",
    "industry",
    "ownership",
    "head_count",
    "created_at",
    "updated_at",
)


def seed_sqlite(path: str, enterprises: int, base: tuple, item_scores: bool) -> None:
    campaign, form_version, users, first_village = base
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")  # seeding speed is not what is measured
    with connection:
        connection.executemany(
            f"INSERT INTO enterprise ({', '.join(ENTERPRISE_COLUMNS)}) VALUES (?,?,?,?,?,?,?,?)",
            enterprise_rows(enterprises, first_village, False),
        )
        first = connection.execute("SELECT MIN(id) FROM enterprise").fetchone()[0]
        connection.executemany(
            "INSERT INTO campaign_participant (campaign, enterprise, team) VALUES (?, ?, NULL)",
            [(campaign, first + n) for n in range(enterprises)],
        )
        for rows in chunks(first, enterprises, campaign, form_version, users, item_scores, False):
            connection.executemany(
                f"INSERT INTO submission ({SUBMISSION_COLUMNS}) VALUES ({','.join('?' * 21)})",
                rows["submission"],
            )
            connection.executemany(
                f"INSERT INTO submission_revision ({REVISION_COLUMNS}) "
                f"VALUES ({','.join('?' * 11)})",
                rows["revision"],
            )
            connection.executemany(
                "INSERT INTO section_score (submission, section, score, max, percentage) "
                "VALUES (?, ?, ?, ?, ?)",
                rows["section"],
            )
            connection.executemany(
                "INSERT INTO item_score (submission, section, item, status, score, max, hazard) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows["item"],
            )
    connection.close()


async def seed_postgres(url: str, enterprises: int, base: tuple, item_scores: bool) -> None:
    import asyncpg

    campaign, form_version, users, first_village = base
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            await connection.copy_records_to_table(
                "enterprise",
                records=enterprise_rows(enterprises, first_village, True),
                columns=ENTERPRISE_COLUMNS,
            )
            first = await connection.fetchval("SELECT MIN(id) FROM enterprise")
            await connection.copy_records_to_table(
                "campaign_participant",
                records=[(campaign, first + n) for n in range(enterprises)],
                columns=("campaign", "enterprise"),
            )
            for rows in chunks(
                first, enterprises, campaign, form_version, users, item_scores, True
            ):
                for table, key, columns in (
                    ("submission", "submission", SUBMISSION_COLUMNS),
                    ("submission_revision", "revision", REVISION_COLUMNS),
                    ("section_score", "section", "submission, section, score, max, percentage"),
                    ("item_score", "item", "submission, section, item, status, score, max, hazard"),
                ):
                    if rows[key]:
                        await connection.copy_records_to_table(
                            table, records=rows[key], columns=columns.split(", ")
                        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


# ---------------------------------------------------------------- timing


async def time_query(
    campaign: int, runs: int, sections: list[str]
) -> tuple[list[float], list[float], int]:
    """The query alone, and the query plus the real ranking (service/rankings/aggregate.py
    with the default policy, the page's own work before rendering)."""
    from service.rankings.aggregate import rank
    from service.rankings.policy import SECTION_PREFIX, default_policy
    from service.rankings.queries import participant_scores

    policy = default_policy(
        tie_breaks=(*[SECTION_PREFIX + s for s in sections], "judges_mean", "name")
    )
    query_ms, page_ms = [], []
    count = 0
    for run in range(runs + 2):
        started = time.perf_counter()
        rows = await participant_scores(campaign, section_ids=sections)
        queried = time.perf_counter()
        rank(rows, policy)
        done = time.perf_counter()
        count = len(rows)
        if run >= 2:  # warm-up
            query_ms.append((queried - started) * 1000)
            page_ms.append((done - started) * 1000)
    return query_ms, page_ms, count


async def time_cached(campaign: int, runs: int) -> list[float]:
    """The page's standings as the service serves them: cached until the campaign's
    scores change (the first call computes, the others check the version and reuse)."""
    from service.campaigns.queries import get_campaign
    from service.rankings.standings import standings

    row = await get_campaign(campaign)
    assert row is not None
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await standings(row)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def explain(engine: Any, campaign: int, postgres: bool) -> None:
    from piccolo.querystring import QueryString

    from service.rankings import queries

    sql, args = queries.scores_statement(campaign, TIE_BREAKS)
    prefix = "EXPLAIN ANALYZE " if postgres else "EXPLAIN QUERY PLAN "
    rows = await engine.run_querystring(QueryString(prefix + sql, *args))
    for row in rows:
        print("   ", " ".join(str(v) for v in dict(row).values()))


async def run(args: argparse.Namespace, database_url: str, postgres: bool) -> tuple:
    from service import db
    from service.db.migrate import apply_migrations
    from service.piccolo_app import TABLES

    await apply_migrations(engine=db.create_engine(database_url))
    engine = db.create_engine(database_url, sqlite_synchronous=args.synchronous)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        base = await seed_base(args.enterprises)
    finally:
        await db.stop(engine)
    started = time.perf_counter()
    if postgres:
        await seed_postgres(database_url, args.enterprises, base, not args.no_item_scores)
    else:
        await asyncio.to_thread(
            seed_sqlite,
            database_url.removeprefix("sqlite:///"),
            args.enterprises,
            base,
            not args.no_item_scores,
        )
    seeded = time.perf_counter() - started
    engine = db.create_engine(database_url, sqlite_synchronous=args.synchronous)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        for index in args.index:
            await engine.run_ddl(index)
            if postgres:
                await engine.run_ddl("ANALYZE")
        if args.explain:
            await explain(engine, base[0], postgres)
        timing = await time_query(base[0], args.runs, [])
        with_sections = await time_query(base[0], args.runs, TIE_BREAKS)
        cached = await time_cached(base[0], args.runs)
    finally:
        await db.stop(engine)
    return seeded, timing, with_sections, cached


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--enterprises", type=int, default=TARGET_SIZE)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--synchronous", default="FULL", help="SQLite synchronous (FULL)")
    parser.add_argument("--no-item-scores", action="store_true", help="seed no item_score rows")
    parser.add_argument("--explain", action="store_true", help="print the query plan")
    parser.add_argument("--index", action="append", default=[], help="CREATE INDEX … to try")
    args = parser.parse_args()

    from service.db.testing import create_fresh_postgres_database, drop_postgres_database

    postgres = args.database.startswith("postgres")
    tmp = Path(tempfile.mkdtemp(prefix="ankang-bench-rankings-"))
    database_url = (
        asyncio.run(create_fresh_postgres_database(args.database))
        if postgres
        else f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    try:
        seeded, timing, sectioned, cached_ms = asyncio.run(run(args, database_url, postgres))
        query_ms, page_ms, count = timing
        section_query_ms, section_page_ms, _ = sectioned
    finally:
        if postgres:
            asyncio.run(drop_postgres_database(database_url))
        else:
            for file in tmp.iterdir():
                file.unlink()
            tmp.rmdir()

    engine = "PostgreSQL" if postgres else f"SQLite synchronous={args.synchronous}"
    submissions = args.enterprises * (1 + JUDGES_EACH)
    items = 0 if args.no_item_scores else submissions * SECTIONS * ITEMS
    print(
        f"\n{engine}: {args.enterprises:,} enterprises, {submissions:,} submissions, "
        f"{submissions * SECTIONS:,} section scores, {items:,} item scores "
        f"(seeded in {seeded:.0f} s); {count:,} rows, {args.runs} runs"
        + (f"; extra index: {'; '.join(args.index)}" if args.index else "")
    )
    print(f"{'':42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in (
        ("participant_scores (default policy)", query_ms),
        ("+ rank() (the page's work before HTML)", page_ms),
        ("participant_scores, 2 section tie-breaks", section_query_ms),
        ("+ rank()", section_page_ms),
        ("standings() as served (cached per scores version)", cached_ms),
    ):
        print(
            f"{name:42} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} "
            f"{max(values):8.1f}"
        )
    p95 = percentile(page_ms, 0.95)
    if args.enterprises > TARGET_SIZE:
        print(f"(the {TARGET_MS:.0f} ms target is for {TARGET_SIZE:,} enterprises; none here)")
        return 0
    if p95 >= TARGET_MS:
        print(f"TARGET MISSED: p95 {p95:.1f} ms >= {TARGET_MS:.0f} ms")
        return 1
    print(f"target met: p95 {p95:.1f} ms < {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
