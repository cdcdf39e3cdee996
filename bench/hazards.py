"""Hazards at scale: the register, the overview, a hazard, figures, what hazards add to a submit.

Run:  .venv/bin/python bench/hazards.py                       # SQLite, 50,000 hazards
      .venv/bin/python bench/hazards.py --database postgresql://postgres@127.0.0.1:5432/postgres
      .venv/bin/python bench/hazards.py --reuse /tmp/hazards.sqlite3 --explain

1. a database, migrated: a temporary SQLite file or a fresh `ankang_test_*` database on the
   PostgreSQL server (dropped at the end), or with `--reuse` the file or database named,
   seeded on first use and kept;
2. seeds (unless reused) 1,000 enterprises in 50 villages of one town and `--hazards`
   hazards found by 20 supervisors over the last 365 days, every state and grade (mostly
   general, 3 % major; the older ones mostly closed, some left overdue), each with its 1–3
   timeline events. Hazards and events go in as `executemany` in one transaction (SQLite)
   or COPY then VACUUM ANALYZE (PostgreSQL), never through HTTP; the few other rows
   (town, villages, enterprises, accounts) as Piccolo multi-row inserts;
3. times, through the whole app in process (httpx's ASGI transport, signed in), `--runs`
   runs each after two warm-ups: the register (`/hazards`: open, overdue, a search in
   all) and a hazard's page as the county admin; `/hazards/overview` as the county admin,
   as a supervisor watching 6 enterprises and as an enterprise account;
4. `service.hazards.queries.figures(today)` for every enterprise and for one;
5. submits: `service.collection.queries.insert_submitted` of the safety inspection card
   (forms/safety-inspection-card.yaml) by `--writers` concurrent tasks, with no failed
   check (A) and with 10 failed hazard-flagged checks (B: 10 hazards + 10 events in the
   same atomic write; `found_hazards` inside the timing), in alternating batches
   A B B A A B B A …; submits/s of each and the ratio B / A.

Targets: register p95 < 300 ms, admin overview p95 < 500 ms, hazard page p95 < 100 ms,
and an inspection that finds 10 hazards still stored at >= 400/s (issue 4's throughput
for submissions). The ratio B / A is shown, not a target: ten hazards and their events
are 20 rows in 9 indexes, about as much storage work again as the card's own 29 item
scores, so no SQL change brings B near A. Exit status 1 when a target is missed.
`--explain` prints the plan of every statement the register and the admin overview run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rankings import percentile, reused_postgres, timed  # noqa: E402 - bench/ is on the path

VILLAGES, INSPECTORS, WATCHED = 50, 20, 6
TOWN = "压测隐患镇"
PASSWORD = "bench-hazards-password"
ADMIN, SUPERVISOR, ENTERPRISE = "benchcounty", "benchwatcher", "benchenterprise"
DEADLINE_DAYS = {"general": 7, "larger": 15, "major": 60}
# fmt: off
DESCRIPTIONS = [
    "叉车通道堆放物料", "配电箱未上锁", "消防通道堵塞", "灭火器过期", "安全出口指示灯损坏",
    "冲压设备防护罩缺失", "化学品未分类存放", "作业人员未佩戴安全帽", "临时用电线路私拉乱接",
    "应急照明失效", "高处作业未系安全带", "气瓶未固定", "砂轮机防护罩破损", "危险源点警示卡缺失",
    "员工未经安全培训上岗", "有限空间未设警示标识", "车间照明不足", "机械传动部位无防护",
    "粉尘清扫不及时", "安全阀超期未检",
]
SEARCH = "配电箱"  # one description in 20: ~5 % of the hazards
LOCATIONS = ["一车间", "二车间冲压工段", "三号仓库", "配电房", "食堂", "宿舍楼", "锅炉房",
             "危化品库"]
HAZARD_COLUMNS = [
    "key", "enterprise", "submission", "item", "source", "location", "description", "standard",
    "grade", "state", "found_by", "found_at", "deadline", "plan", "rectification",
    "rectified_at", "closed_by", "closed_at", "updated_at",
]
# fmt: on
EVENT_COLUMNS = ["hazard", "action", "from_state", "to_state", "actor", "at"]
SCORES = ("item_score", "section_score", "submission_revision")
TARGETS = {"register": 300.0, "overview": 500.0, "hazard": 100.0}
THROUGHPUT_TARGET = 400.0  # submits/s with 10 hazards each


def hazard_rows(count: int, enterprises: list[int], inspectors: list[int], postgres: bool):
    """(hazards, events): events name their hazard by its position in `hazards`."""
    rng = random.Random(11)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    local = dt.timezone(dt.timedelta(hours=8))

    def stamp(moment: dt.datetime) -> Any:  # Piccolo's SQLite adapter: str() of UTC
        return moment if postgres else str(moment)

    hazards, events = [], []
    for n in range(count):
        age = rng.uniform(0, 365)
        found = now - dt.timedelta(days=age)
        r = rng.random()
        grade = "major" if r < 0.03 else "larger" if r < 0.2 else "general"
        days = DEADLINE_DAYS[grade]
        r = rng.random()
        if r < 0.03:
            state = "withdrawn"
        elif age > 2 * days:  # long due: mostly closed, some left overdue
            state = "closed" if r < 0.92 else rng.choice(["reported", "rectifying", "rectifying"])
            state = "submitted" if state != "closed" and rng.random() < 0.25 else state
        else:
            state = rng.choice(["reported", "rectifying", "rectifying", "submitted", "closed"])
        finder = inspectors[rng.randrange(len(inspectors))]
        rectified = found + (now - found) * rng.uniform(0.2, 0.8)
        closed = rectified + (now - rectified) * rng.uniform(0.1, 0.9)
        done = state in ("submitted", "closed")
        key, submission = uuid.uuid4(), uuid.uuid4()
        key, submission = (key, submission) if postgres else (str(key), str(submission))
        hazards.append((
            key, enterprises[rng.randrange(len(enterprises))], submission,
            f"check-{rng.randrange(29)}", "inspection", rng.choice(LOCATIONS),
            rng.choice(DESCRIPTIONS), "应符合《安全生产法》相关规定", grade, state, finder,
            stamp(found), found.astimezone(local).date() + dt.timedelta(days=days),
            '{"goal": "限期整改", "funds": "5万元"}' if grade == "major" else "",
            "已整改完毕" if done else "", stamp(rectified) if done else None,
            finder if state == "closed" else None, stamp(closed) if state == "closed" else None,
            stamp(closed if state == "closed" else rectified if done else found),
        ))  # fmt: skip
        steps = [("reported", "", "reported", found)]
        if state == "withdrawn":
            steps.append(("withdraw", "reported", "withdrawn", found + dt.timedelta(hours=2)))
        elif state != "reported":
            steps.append(("acknowledge", "reported", "rectifying", found + dt.timedelta(hours=5)))
        if state == "submitted":
            steps.append(("submit_rectification", "rectifying", "submitted", rectified))
        if state == "closed":
            steps.append(("verify", "submitted", "closed", closed))
        events += [(n, a, f, t, finder, stamp(at)) for a, f, t, at in steps]
    return hazards, events


def seed_sqlite(path: str, hazards: list[tuple], events: list[tuple]) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")  # seeding speed is not what is measured
    with connection:
        first = (connection.execute("SELECT COALESCE(MAX(id), 0) FROM hazard").fetchone()[0]) + 1
        marks = ", ".join("?" * len(HAZARD_COLUMNS))
        connection.executemany(
            f"INSERT INTO hazard ({', '.join(HAZARD_COLUMNS)}, id) VALUES ({marks}, ?)",
            [(*h, first + n) for n, h in enumerate(hazards)],
        )
        connection.executemany(
            f"INSERT INTO hazard_event ({', '.join(EVENT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
            [(first + e[0], *e[1:]) for e in events],
        )
    connection.close()


async def seed_postgres(url: str, hazards: list[tuple], events: list[tuple]) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            ids = await connection.fetch(
                "SELECT nextval(pg_get_serial_sequence('hazard', 'id')) AS id "
                "FROM generate_series(1, $1)",
                len(hazards),
            )
            await connection.copy_records_to_table(
                "hazard",
                records=[(*h, i["id"]) for h, i in zip(hazards, ids, strict=True)],
                columns=[*HAZARD_COLUMNS, "id"],
            )
            await connection.copy_records_to_table(
                "hazard_event",
                records=[(ids[e[0]]["id"], *e[1:]) for e in events],
                columns=EVENT_COLUMNS,
            )
        await connection.execute("VACUUM ANALYZE")  # as autovacuum would after the inserts
    finally:
        await connection.close()


async def seed_base(enterprises: int) -> tuple[list[int], list[int]]:
    """Town, villages, enterprises, the signed-in accounts and the inspectors (the
    watching supervisor first): (enterprise ids, inspector ids)."""
    from service.accounts.principal import Role
    from service.accounts.tables import User
    from service.accounts.users import create_user
    from service.orgs.tables import Enterprise, SupervisorAssignment, Town, Village

    now = dt.datetime.now(dt.UTC)
    [town] = await Town.insert(Town(name=TOWN, county="压测县"))
    villages = await Village.insert(
        *[Village(town=town["id"], name=f"隐患{v + 1}村") for v in range(VILLAGES)]
    )
    rows = await Enterprise.insert(*[
        Enterprise(village=villages[n % VILLAGES]["id"], name=f"隐患压测企业{n:05d}",
                   credit_code=f"H{n:017d}", industry="机械制造", ownership="non_public",
                   head_count=50, created_at=now, updated_at=now)
        for n in range(enterprises)
    ])  # fmt: skip
    ids = [r["id"] for r in rows]
    await create_user(ADMIN, "县管理员", PASSWORD, [(Role.admin, None, None)])
    await create_user(ENTERPRISE, "企业账号", PASSWORD, [(Role.enterprise, None, ids[0])])
    watcher = await create_user(SUPERVISOR, "监督员", PASSWORD, [(Role.supervisor, None, None)])
    await SupervisorAssignment.insert(
        *[SupervisorAssignment(user=watcher, enterprise=e) for e in ids[:WATCHED]]
    )
    others = await User.insert(*[
        User(username=f"inspector{u}", display_name=f"检查员{u}", password_hash="-", created_at=now)
        for u in range(INSPECTORS - 1)
    ])  # fmt: skip
    return ids, [watcher, *[u["id"] for u in others]]


async def prepare(args: argparse.Namespace, url: str, postgres: bool) -> float | None:
    """Migrated and seeded (unless reused): the seconds the hazards took, or None."""
    from service import db
    from service.db.migrate import apply_migrations
    from service.orgs.tables import Town
    from service.piccolo_app import TABLES

    await apply_migrations(engine=db.create_engine(url))
    engine = db.create_engine(url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        if await Town.exists().where(Town.name == TOWN):
            return None
        enterprises, inspectors = await seed_base(args.enterprises)
    finally:
        await db.stop(engine)
    started = time.perf_counter()
    hazards, events = hazard_rows(args.hazards, enterprises, inspectors, postgres)
    if postgres:
        await seed_postgres(url, hazards, events)
    else:
        await asyncio.to_thread(seed_sqlite, url.removeprefix("sqlite:///"), hazards, events)
    return time.perf_counter() - started


async def signed_in(app: Any, username: str) -> Any:
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/login")).text)
    assert token is not None
    answer = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "_csrf_token": token[1]}
    )
    assert answer.status_code in (200, 303), answer.status_code
    return client


def page(client: Any, path: str, expect: str) -> Any:
    async def get() -> None:
        answer = await client.get(path)
        assert answer.status_code == 200 and expect in answer.text, (path, answer.status_code)

    return get


async def explain(engine: Any, client: Any, paths: list[str], postgres: bool) -> None:
    """The plan of every SELECT the pages run, recorded from the engine as they run."""
    from piccolo.querystring import QueryString

    seen: list[Any] = []
    run = engine.run_querystring

    async def recording(querystring: Any, in_pool: bool = False) -> Any:
        seen.append(querystring)
        return await run(querystring, in_pool=in_pool)

    engine.run_querystring = recording
    try:
        for path in paths:
            seen.clear()
            await client.get(path)
            for statement in list(seen):
                sql = statement.compile_string(engine_type=engine.engine_type)[0]
                if not sql.lstrip().upper().startswith("SELECT") or "hazard" not in sql:
                    continue
                print(f"\n  {path}: {' '.join(sql.split())[:300]}")
                prefix = "EXPLAIN ANALYZE {}" if postgres else "EXPLAIN QUERY PLAN {}"
                for row in await run(QueryString(prefix, statement)):
                    print("   ", " ".join(str(v) for v in dict(row).values()))
    finally:
        del engine.run_querystring


async def time_pages(args: argparse.Namespace, url: str, postgres: bool) -> dict:
    from service.app import create_app
    from service.hazards import queries
    from service.hazards.presentation import today
    from service.hazards.tables import Hazard, HazardEvent
    from service.orgs.tables import Enterprise
    from service.settings import Settings

    app = create_app(Settings(database_url=url, sqlite_synchronous=args.synchronous))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    times: dict[str, Any] = {}
    async with app.lifespan():
        admin, watcher, own = [await signed_in(app, u) for u in (ADMIN, SUPERVISOR, ENTERPRISE)]
        # A hazard with three events: reported, acknowledged, and one more.
        [row] = await HazardEvent.raw(
            "SELECT hazard FROM hazard_event GROUP BY hazard HAVING COUNT(*) = 3 "
            "ORDER BY hazard DESC LIMIT 1"
        )
        one = (await Hazard.select(Hazard.enterprise).where(Hazard.id == row["hazard"]))[0]
        times["size"] = (await Enterprise.count(), await Hazard.count())
        pages = {
            "register": (admin, "/hazards", "hazard-list"),
            "overdue": (admin, "/hazards?view=overdue", "hazard-list"),
            "search": (admin, f"/hazards?q={SEARCH}&view=all", SEARCH),
            "hazard": (admin, f"/hazards/{row['hazard']}", "timeline"),
            "overview": (admin, "/hazards/overview", "chart-hazard-trend"),
            "overview_supervisor": (watcher, "/hazards/overview", "<main"),
            "overview_enterprise": (own, "/hazards/overview", "<main"),
        }
        try:
            if args.explain:
                paths = [pages[k][1] for k in ("register", "overdue", "search", "overview")]
                await explain(Hazard._meta.db, admin, paths, postgres)
            for key, (client, path, expect) in pages.items():
                times[key] = await timed(args.runs, page(client, path, expect))
            day = today()
            times["figures"] = await timed(args.runs, lambda: queries.figures(day))
            times["figures_one"] = await timed(
                args.runs, lambda: queries.figures(day, [one["enterprise"]])
            )
            times["submits"] = await time_submits(args, one["enterprise"])
        finally:
            for client in (admin, watcher, own):
                await client.aclose()
    return times


async def time_submits(args: argparse.Namespace, enterprise: int) -> dict[str, list]:
    """Batches of `--submits` submits from `--writers` tasks, A and B alternating:
    per variant, [(submits, seconds, CPU seconds)] of each batch."""
    from service.accounts.tables import User
    from service.collection import queries as submissions
    from service.forms import catalog
    from service.forms.loader import load_form_file
    from service.forms.model import Check
    from service.hazards.detection import found_hazards
    from service.scoring.engine import score

    loaded = load_form_file(ROOT / "forms" / "safety-inspection-card.yaml")
    await catalog.sync_forms([loaded])
    definition = loaded.definition
    version = await catalog.latest_version_id(definition.id)
    assert version is not None
    author = (await User.select(User.id).where(User.username == SUPERVISOR))[0]["id"]
    checks = [i for s in definition.sections for i in s.items if isinstance(i, Check)]
    flagged = [c.id for c in checks if c.hazard and c.show_if is None][:10]
    variants = {}
    for name, failed in (("A", ()), ("B", tuple(flagged))):
        answers: dict[str, Any] = {
            "hazard-point": "二车间冲压工段",
            "inspection-date": dt.date.today().isoformat(),
            "uses-hazardous-chemicals": "no",
            "has-special-equipment": "no",
            **{c.id: "no" if c.id in failed else "yes" for c in checks},
        }
        variants[name] = (answers, score(definition, answers))
        assert len(found_hazards(definition, answers, variants[name][1])) == len(failed)

    async def submit(name: str) -> None:
        answers, breakdown = variants[name]
        draft = submissions.Draft(
            id=uuid.uuid4(), form_version_id=version, author_id=author,
            role="supervisor", enterprise_id=enterprise,
        )  # fmt: skip
        found = found_hazards(definition, answers, breakdown)
        stored = await submissions.insert_submitted(
            draft, answers, breakdown, "bench", photos={}, found=found
        )
        assert stored

    async def batch(name: str) -> tuple[int, float, float]:
        queue = list(range(args.submits))

        async def writer() -> None:
            while queue:
                queue.pop()
                await submit(name)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*[writer() for _ in range(args.writers)])
        return args.submits, time.perf_counter() - started, time.process_time() - cpu

    await batch("A")  # warm-up
    await batch("B")
    results: dict[str, list] = {"A": [], "B": []}
    try:
        for n in range(args.batches):
            for name in ("AB", "BA")[n % 2]:
                results[name].append(await batch(name))
    finally:  # a reused database stays as seeded
        mine = "(SELECT id FROM submission WHERE body_hash = 'bench')"
        for sql in (
            "DELETE FROM hazard_event WHERE hazard IN "
            f"(SELECT id FROM hazard WHERE submission IN {mine})",
            f"DELETE FROM hazard WHERE submission IN {mine}",
            *[f"DELETE FROM {t} WHERE submission IN {mine}" for t in SCORES],
            "DELETE FROM submission WHERE body_hash = 'bench'",
        ):
            await User.raw(sql)
    return results


def report(times: dict, postgres: bool, args: argparse.Namespace, seeded: float | None) -> int:
    engine = "PostgreSQL" if postgres else f"SQLite synchronous={args.synchronous}"
    enterprises, hazards = times["size"]
    print(
        f"\n{engine}: {enterprises:,} enterprises, {hazards:,} hazards"
        + ("" if seeded is None else f" (hazards seeded in {seeded:.0f} s)")
        + f"; {args.runs} runs"
    )
    print(f"{'':56} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8}  target")
    missed = []
    for name, key, target in (
        ("GET /hazards (county admin, open, page 1)", "register", "register"),
        ("GET /hazards?view=overdue", "overdue", "register"),
        (f"GET /hazards?q={SEARCH}&view=all", "search", "register"),
        ("GET /hazards/overview, county admin", "overview", "overview"),
        (f"GET /hazards/overview, supervisor watching {WATCHED}", "overview_supervisor", None),
        ("GET /hazards/overview, enterprise account", "overview_enterprise", None),
        ("GET /hazards/{id} (3 events)", "hazard", "hazard"),
        ("figures(today), every enterprise", "figures", None),
        ("figures(today, [one enterprise])", "figures_one", None),
    ):
        values = [elapsed for elapsed, _ in times[key]]
        p95 = percentile(values, 0.95)
        cpu = statistics.median(c for _, c in times[key])
        limit = TARGETS.get(target or "")
        note = "" if limit is None else f"< {limit:.0f}" + (" MISSED" if p95 >= limit else "")
        if limit is not None and p95 >= limit:
            missed.append(f"{key}: p95 {p95:.1f} ms >= {limit:.0f} ms")
        print(
            f"{name:56} {statistics.median(values):8.1f} {p95:8.1f} {max(values):8.1f} "
            f"{cpu:8.1f}  {note}"
        )
    rates = {}
    for name, label in (("A", "0 failed checks"), ("B", "10 hazards + 10 events")):
        batches = times["submits"][name]
        count = sum(b[0] for b in batches)
        rates[name] = count / sum(b[1] for b in batches)
        per_batch = ", ".join(f"{b[0] / b[1]:.0f}" for b in batches)
        print(
            f"insert_submitted, {label:24} {rates[name]:6.0f}/s  (batches {per_batch}/s; "
            f"CPU {1000 * sum(b[2] for b in batches) / count:.2f} ms per submit)"
        )
    ratio = rates["B"] / rates["A"]
    print(f"ratio B / A: {ratio:.2f}; B target >= {THROUGHPUT_TARGET:.0f}/s")
    if rates["B"] < THROUGHPUT_TARGET:
        missed.append(f"submits with hazards {rates['B']:.0f}/s < {THROUGHPUT_TARGET:.0f}/s")
    if hazards < 50_000 or enterprises > 1_000:
        print("(the targets are for 50,000 hazards of 1,000 enterprises; none here)")
        return 0
    if missed:
        print("TARGETS MISSED: " + " / ".join(missed))
        return 1
    print("all targets met")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--hazards", type=int, default=50_000)
    parser.add_argument("--enterprises", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--submits", type=int, default=200, help="submits per batch")
    parser.add_argument("--batches", type=int, default=4, help="batches of each variant")
    parser.add_argument("--writers", type=int, default=20, help="concurrent submitting tasks")
    parser.add_argument("--synchronous", default="FULL", help="SQLite synchronous (FULL)")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--reuse",
        metavar="PATH",
        help="keep the seeded database and use it again: a SQLite file path, or a database "
        "name on the PostgreSQL server (seeded when missing; never dropped)",
    )
    args = parser.parse_args()

    from service.db.testing import create_fresh_postgres_database, drop_postgres_database

    postgres = args.database.startswith("postgres")
    tmp = Path(tempfile.mkdtemp(prefix="ankang-bench-hazards-"))
    if postgres:
        url = asyncio.run(
            reused_postgres(args.database, args.reuse)
            if args.reuse
            else create_fresh_postgres_database(args.database)
        )
    else:
        url = f"sqlite:///{Path(args.reuse).resolve() if args.reuse else tmp / 'bench.sqlite3'}"

    async def run() -> tuple[dict, float | None]:
        seeded = await prepare(args, url, postgres)
        return await time_pages(args, url, postgres), seeded

    try:
        times, seeded = asyncio.run(run())
    finally:
        if postgres and not args.reuse:
            asyncio.run(drop_postgres_database(url))
        for file in tmp.iterdir():
            file.unlink()
        tmp.rmdir()
    return report(times, postgres, args, seeded)


if __name__ == "__main__":
    sys.exit(main())
