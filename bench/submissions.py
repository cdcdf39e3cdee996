"""Submission throughput: `POST /api/v1/submissions` against the running server.

Run:  .venv/bin/python bench/submissions.py [--seconds 15] [--clients 50] [--workers 1]
      .venv/bin/python bench/submissions.py --database postgresql://postgres@127.0.0.1:5432/postgres

What it does, in order:

1. a fresh database (a temporary SQLite file with the service's own settings, or a
   fresh `ankang_test_*` database on the PostgreSQL server given, dropped at the end);
   `python -m service migrate` and `forms sync` with FORMS_DIR holding only a
   generated 250-item scored form (`bench_form()`);
2. a town, an enterprise, a supervisor watching it with an API token, an open
   inspection campaign on that form (inspections repeat; a self-assessment is one
   per enterprise);
3. the real server in a subprocess: uvicorn serving `service.app.create_app` exactly
   as `python -m service serve` does (access log on, LOG_LEVEL info), plus one
   bench-only route, `POST /api/bench/baseline-submissions` (registered here, never in
   the service; not in the OpenAPI document);
4. `--clients` concurrent HTTP/1.1 keep-alive clients (httpx.AsyncClient) post
   distinct complete submissions (250 answers) for `--seconds` to our endpoint, then
   the same bodies to the baseline, each after a short warm-up.

The baseline decodes the same body and inserts the same rows (submission, revision 1
with a breakdown of the same shape, 10 section scores, 250 item scores) with raw SQL
through the same database engine (on SQLite: the same group-committing writer), but
without the token check, access checks, validation, completeness, scoring or
idempotency. ratio = our submissions/s ÷ the baseline's.

Targets: ours >= 400 submissions/s on SQLite, ratio >= 0.6 on both engines, zero 5xx,
zero "database is locked" in the server log. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import msgspec  # noqa: E402
import yaml  # noqa: E402
from litestar import Request, Response, post  # noqa: E402

THROUGHPUT_TARGET = 400.0
RATIO_TARGET = 0.6
SECTIONS, ITEMS_PER_SECTION = 10, 25
FORM_ID = "bench-250"
BASELINE_PATH = "/api/bench/baseline-submissions"  # under /api/: no CSRF, no session
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def bench_form() -> dict[str, Any]:
    """A scored form of 10 sections × 25 checks, one point each (max 250)."""
    return {
        "id": FORM_ID,
        "version": 1,
        "kind": "scored",
        "title": {"zh": "压测评分表", "en": "Benchmark table"},
        "basis": "压测",
        "roles": ["supervisor"],
        "scoring": {"max": SECTIONS * ITEMS_PER_SECTION},
        "sections": [
            {
                "id": f"s{s:02d}",
                "title": f"第{s + 1}部分",
                "points": ITEMS_PER_SECTION,
                "items": [
                    {
                        "id": f"s{s:02d}-i{i:02d}",
                        "type": "check",
                        "label": f"检查项{s + 1}.{i + 1}",
                        "points": 1,
                        "required": True,
                    }
                    for i in range(ITEMS_PER_SECTION)
                ],
            }
            for s in range(SECTIONS)
        ],
    }


def bench_answers() -> dict[str, str]:
    """Every item answered; about one in seven failed, a few not applicable."""
    answers = {}
    for n in range(SECTIONS * ITEMS_PER_SECTION):
        s, i = divmod(n, ITEMS_PER_SECTION)
        answers[f"s{s:02d}-i{i:02d}"] = "no" if n % 7 == 3 else ("na" if n % 31 == 5 else "yes")
    return answers


# ---------------------------------------------------------------- the server side


def bench_app():
    """The service's app plus the baseline route (only ever built by this bench)."""
    from piccolo.querystring import QueryString

    from service.app import create_app
    from service.collection.rules import SubmissionBody
    from service.collection.tables import Submission
    from service.db import write_atomically
    from service.web.access import PUBLIC, access

    sections = [
        (f"s{s:02d}", [f"s{s:02d}-i{i:02d}" for i in range(ITEMS_PER_SECTION)])
        for s in range(SECTIONS)
    ]
    ids: dict[str, int] = {}  # form version, campaign, enterprise, author: read once

    async def lookup() -> None:
        found = {}
        engine = Submission._meta.db
        for key, sql in (
            ("form_version", "SELECT id FROM form_version WHERE form_id = {}"),
            ("campaign", "SELECT id FROM campaign WHERE name = {}"),
            ("enterprise", "SELECT id FROM enterprise WHERE name = {}"),
            ("author", "SELECT id FROM app_user WHERE username = {}"),
        ):
            arg = {"form_version": FORM_ID, "author": "bench"}.get(key, "压测")
            rows = await engine.run_querystring(QueryString(sql, arg))
            found[key] = engine.transform_response_to_dicts(rows)[0]["id"]
        ids.update(found)  # all at once: concurrent first requests never see half of it

    @post(BASELINE_PATH, opt=access(PUBLIC), include_in_schema=False, status_code=201)
    async def baseline(request: Request) -> Response:
        body = msgspec.json.decode(await request.body(), type=SubmissionBody)
        if not ids:
            await lookup()
        now = dt.datetime.now(dt.UTC)
        answers_json = msgspec.json.encode(body.answers).decode()
        items, section_rows, total = [], [], 0.0
        for section_id, item_ids in sections:
            earned = 0.0
            for item_id in item_ids:
                value = body.answers.get(item_id)
                got = 1.0 if value == "yes" else 0.0
                earned += got
                status = "failed" if value == "no" else "answered"
                items.append({"id": item_id, "section": section_id, "status": status, "score": got})
            section_rows.append((section_id, earned, float(len(item_ids))))
            total += earned
        breakdown = msgspec.json.encode(
            {"total": total, "sections": section_rows, "items": items}
        ).decode()
        submission_id = body.id
        statements = [
            QueryString(
                "INSERT INTO submission (id, form_version, campaign, enterprise, team, author, "
                "role, status, answers, position, revision, body_hash, total, max, eligible, "
                "vetoed, grade, created_at, updated_at, submitted_at) VALUES ({}, {}, {}, {}, "
                "NULL, {}, 'supervisor', 'submitted', {}, '', 1, NULL, {}, {}, {}, {}, NULL, "
                "{}, {}, {})",
                submission_id,
                ids["form_version"],
                ids["campaign"],
                ids["enterprise"],
                ids["author"],
                answers_json,
                total,
                250,
                True,
                False,
                now,
                now,
                now,
            ),
            QueryString(
                "INSERT INTO submission_revision (submission, number, answers, breakdown, "
                "total, eligible, grade, author, reason, created_at) "
                "VALUES ({}, 1, {}, {}, {}, {}, NULL, {}, '', {})",
                submission_id,
                answers_json,
                breakdown,
                total,
                True,
                ids["author"],
                now,
            ),
            (
                "INSERT INTO section_score (submission, section, score, max, percentage) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?)"] * len(section_rows)),
                [
                    v
                    for sid, score, top in section_rows
                    for v in (submission_id, sid, score, top, score / top * 100)
                ],
            ),
            (
                "INSERT INTO item_score (submission, section, item, status, score, max, hazard) "
                "VALUES " + ", ".join(["(?, ?, ?, ?, ?, 1, NULL)"] * len(items)),
                [
                    v
                    for i in items
                    for v in (submission_id, i["section"], i["id"], i["status"], i["score"])
                ],
            ),
        ]
        await write_atomically(Submission._meta.db, statements)
        return Response(
            msgspec.json.encode({"id": submission_id, "total": total}),
            media_type="application/json",
            status_code=201,
        )

    app = create_app()
    app.register(baseline)
    return app


def serve(port: int, workers: int) -> None:
    """The server subprocess: uvicorn as `python -m service serve` runs it."""
    import uvicorn

    from service.settings import Settings

    settings = Settings.from_env()
    uvicorn.run(
        "submissions:bench_app",
        app_dir=str(Path(__file__).resolve().parent),
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level=settings.log_level,
        access_log=True,
    )


# ---------------------------------------------------------------- set-up


async def seed(database_url: str) -> str:
    """A town, an enterprise, its account and token, an open campaign; the token."""
    from service import db
    from service.accounts.principal import Role
    from service.accounts.tokens import create_token
    from service.accounts.users import create_user
    from service.campaigns.tables import Campaign, Participant
    from service.forms import catalog
    from service.orgs import queries as orgs
    from service.orgs.credit_code import make_credit_code
    from service.piccolo_app import TABLES

    engine = db.create_engine(database_url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        town = await orgs.ensure_town("压测镇")
        village, _ = await orgs.ensure_village(town, "压测村")
        enterprise = await orgs.save_enterprise(
            {
                "name": "压测",
                "credit_code": make_credit_code("91330199MA2BENCHX"),
                "industry": "机械制造",
                "ownership": "non_public",
                "head_count": 50,
            },
            village,
        )
        # A supervisor inspecting one enterprise over and over: the one kind of task
        # that takes any number of submissions (a self-assessment is one per enterprise).
        user = await create_user(
            "bench", "压测", "bench-password-42", [(Role.supervisor, None, None)]
        )
        await orgs.assign_supervisor(enterprise, user)
        form_version_id = await catalog.latest_version_id(FORM_ID)
        now = dt.datetime.now(dt.UTC)
        [campaign] = await Campaign.insert(
            Campaign(
                name="压测",
                town=town,
                form_version=form_version_id,
                status="open",
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=30),
                supervisors=True,
                created_at=now,
            )
        )
        await Participant.insert(Participant(campaign=campaign["id"], enterprise=enterprise))
        token = await create_token(user, "bench")
        template = {
            "id": PLACEHOLDER,
            "answers": bench_answers(),
            "campaign_id": campaign["id"],
            "enterprise_id": enterprise,
        }
        Path(os.environ["BENCH_TEMPLATE"]).write_bytes(msgspec.json.encode(template))
        return token
    finally:
        await db.stop(engine)


async def count_rows(database_url: str) -> int:
    from service import db
    from service.collection.tables import Submission
    from service.piccolo_app import TABLES

    engine = db.create_engine(database_url)
    db.bind_tables(engine, TABLES)
    await db.start(engine)
    try:
        return await Submission.count()
    finally:
        await db.stop(engine)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the load


class Result(msgspec.Struct):
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    errors: int  # connection errors, timeouts
    quantiles: dict[float, float] | None = None  # ms, when the client measured them (wrk)
    cpu_seconds: float | None = None  # the server's, over the run (warm-up included)

    @property
    def throughput(self) -> float:
        return sum(n for s, n in self.statuses.items() if s == 201) / self.seconds

    def percentile(self, q: float) -> float:
        if self.quantiles is not None:
            return self.quantiles[q]
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


async def load(
    base: str, path: str, headers: dict, template: bytes, clients: int, seconds: float, name: str
) -> Result:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    placeholder = PLACEHOLDER.encode()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def one(record: bool) -> None:
            nonlocal errors
            body = template.replace(placeholder, str(uuid.uuid4()).encode())
            started = time.perf_counter()
            try:
                response = await client.post(path, content=body, headers=headers)
            except httpx.HTTPError:
                errors += record
                return
            if record:
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        async def worker(until: float, record: bool) -> None:
            while time.perf_counter() < until:
                await one(record)

        warm = time.perf_counter() + min(3.0, seconds / 3)
        await asyncio.gather(*[worker(warm, False) for _ in range(clients)])
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*[worker(until, True) for _ in range(clients)])
        elapsed = time.perf_counter() - started
    return Result(name, len(latencies), elapsed, latencies, statuses, errors)


def load_wrk(
    base: str, path: str, token: str, template: bytes, clients: int, seconds: float, name: str
) -> Result:
    """The same load from wrk (C, one thread per core's worth of connections): the
    load generator shares this 2-core machine, and httpx would take half a core."""
    with tempfile.NamedTemporaryFile(suffix=".json") as body:
        body.write(template)
        body.flush()
        command = [
            "wrk",
            "-t1",  # one thread is plenty for 50 connections, and leaves the cores to the server
            f"-c{clients}",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(Path(__file__).with_suffix(".lua")),
        ]
        warm = subprocess.run(
            [*command, "-d", "2s", base + path, "--", body.name, token],
            capture_output=True,
            text=True,
        )
        if warm.returncode != 0:
            raise SystemExit(f"wrk failed: {warm.stderr}")
        run = subprocess.run(
            [*command, "-d", f"{seconds:g}s", base + path, "--", body.name, token],
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(li for li in run.stdout.splitlines() if li.startswith("WRK-RESULT "))
    figures = json.loads(line.removeprefix("WRK-RESULT "))
    statuses = {int(k): v for k, v in figures["statuses"].items()}
    return Result(
        name,
        sum(statuses.values()),
        figures["seconds"],
        [],
        statuses,
        figures["errors"],
        {0.5: figures["p50_us"] / 1000, 0.99: figures["p99_us"] / 1000},
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn workers), Linux."""
    total = 0.0
    for task in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def run_command(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "service", *args], env=env, cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--synchronous", default="FULL", help="SQLite synchronous (FULL)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--client",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator: wrk (Debian's package; the default when installed) or httpx",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server subprocess
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers)
        return 0

    from service.db.testing import create_fresh_postgres_database, drop_postgres_database

    tmp = Path(tempfile.mkdtemp(prefix="ankang-bench-"))
    postgres = args.database.startswith("postgres")
    database_url = (
        asyncio.run(create_fresh_postgres_database(args.database))
        if postgres
        else f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    forms = tmp / "forms"
    forms.mkdir()
    (forms / f"{FORM_ID}.yaml").write_text(
        yaml.safe_dump(bench_form(), allow_unicode=True, sort_keys=False)
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FORMS_DIR": str(forms),
        "SQLITE_SYNCHRONOUS": args.synchronous,
        "SECRET_KEY": "bench-only-secret",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "info"),
        "BENCH_TEMPLATE": str(tmp / "body.json"),
    }
    log_path = tmp / "server.log"
    server = None
    try:
        run_command(["migrate"], env)
        run_command(["forms", "sync"], env)
        os.environ["BENCH_TEMPLATE"] = env["BENCH_TEMPLATE"]
        token = asyncio.run(seed(database_url))
        template = Path(env["BENCH_TEMPLATE"]).read_bytes()
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(port), "--workers", str(args.workers)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        json_headers = {"content-type": "application/json"}
        if args.client == "wrk":
            cpu_before = cpu_seconds(server.pid)
            ours = load_wrk(
                base,
                "/api/v1/submissions",
                token,
                template,
                args.clients,
                args.seconds,
                "ours: POST /api/v1/submissions",
            )
            cpu_ours = cpu_seconds(server.pid) - cpu_before
            cpu_before = cpu_seconds(server.pid)
            baseline = load_wrk(
                base,
                BASELINE_PATH,
                "",
                template,
                args.clients,
                args.seconds,
                "baseline: raw SQL, no checks",
            )
            cpu_baseline = cpu_seconds(server.pid) - cpu_before
            ours.cpu_seconds, baseline.cpu_seconds = cpu_ours, cpu_baseline
        else:
            ours = asyncio.run(
                load(
                    base,
                    "/api/v1/submissions",
                    {**json_headers, "authorization": f"Bearer {token}"},
                    template,
                    args.clients,
                    args.seconds,
                    "ours: POST /api/v1/submissions",
                )
            )
            baseline = asyncio.run(
                load(
                    base,
                    BASELINE_PATH,
                    json_headers,
                    template,
                    args.clients,
                    args.seconds,
                    "baseline: raw SQL, no checks",
                )
            )
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    stored = asyncio.run(count_rows(database_url))
    if postgres:
        asyncio.run(drop_postgres_database(database_url))
    server_log = log_path.read_text(errors="replace")
    locked = server_log.count("database is locked")
    tracebacks = server_log.count("Traceback")

    engine = "PostgreSQL" if postgres else f"SQLite synchronous={args.synchronous}"
    print(
        f"\n{engine}, {args.clients} clients, {args.seconds:g} s each, {args.workers} worker(s), "
        f"a {SECTIONS * ITEMS_PER_SECTION}-item form, {len(template)} bytes a body\n"
    )
    print(
        f"{'endpoint':34} {'201s':>7} {'per s':>7} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>5} "
        f"{'other':>5} {'ratio':>6}"
    )
    ratio = ours.throughput / baseline.throughput if baseline.throughput else 0.0
    for result, r in ((ours, f"{ratio:.2f}"), (baseline, "1.00")):
        created = result.statuses.get(201, 0)
        other = result.requests - created - result.server_errors + result.errors
        print(
            f"{result.name:34} {created:7d} {result.throughput:7.0f} {result.percentile(0.5):7.1f} "
            f"{result.percentile(0.99):7.1f} {result.server_errors:5d} {other:5d} {r:>6}"
        )
    for result in (ours, baseline):
        if result.cpu_seconds is not None and result.requests:
            print(
                f"server CPU per request, {result.name.split(':')[0]}: "
                f"{result.cpu_seconds / result.requests * 1000:.2f} ms (warm-up included)"
            )
    print(
        f"\nrows stored: {stored} submissions; server log: {locked} 'database is locked', "
        f"{tracebacks} tracebacks ({log_path})"
    )

    missed = []
    if not postgres and ours.throughput < THROUGHPUT_TARGET:  # the target is SQLite's
        missed.append(f"{ours.throughput:.0f} submissions/s < {THROUGHPUT_TARGET:.0f}")
    if ratio < RATIO_TARGET:
        missed.append(f"ratio {ratio:.2f} < {RATIO_TARGET}")
    if ours.server_errors or baseline.server_errors:
        missed.append(f"{ours.server_errors + baseline.server_errors} 5xx")
    if locked:
        missed.append(f"{locked} 'database is locked'")
    if ours.statuses.keys() - {201}:
        missed.append(f"unexpected answers: {ours.statuses}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "engine": engine,
                    "clients": args.clients,
                    "workers": args.workers,
                    "ours": {
                        "per_s": ours.throughput,
                        "p50_ms": ours.percentile(0.5),
                        "p99_ms": ours.percentile(0.99),
                        "statuses": ours.statuses,
                    },
                    "baseline": {
                        "per_s": baseline.throughput,
                        "p50_ms": baseline.percentile(0.5),
                        "p99_ms": baseline.percentile(0.99),
                        "statuses": baseline.statuses,
                    },
                    "ratio": ratio,
                    "locked": locked,
                    "missed": missed,
                },
                indent=2,
            )
        )
    print("TARGETS MISSED: " + " / ".join(missed) if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
