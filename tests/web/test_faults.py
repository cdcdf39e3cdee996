"""Faults of the database: when writes fail (read-only, disk full) the service answers 503
with Retry-After, logs one line per kind of failure, and /healthz says so."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from litestar.testing import TestClient

from service.accounts import tokens
from service.app import create_app
from service.db.faults import unavailable_kind
from service.web.errors import FAULTS
from tests.campaigns.factories import add_campaign
from tests.collection.factories import stored_form
from tests.conftest import POSTGRES_SERVER, run_sync, settings_for
from tests.factories import form_data, in_database, make_user, two_enterprises


@contextlib.contextmanager
def read_only_app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on a database that refuses writes. SQLite: its connections made
    `query_only` once started (start-up stores the forms; the tests run as root, whom a
    chmod does not stop); PostgreSQL: the database's default_transaction_read_only."""
    app = create_app(settings_for(database_url))
    if not database_url.startswith("sqlite"):
        name = database_url.rsplit("/", 1)[1]
        run_sync(_alter(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        try:
            with TestClient(app=app) as client:
                yield client
        finally:
            run_sync(_alter(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
        return
    connect, opened = sqlite3.connect, []

    def recorded(*args: object, **kwargs: object) -> sqlite3.Connection:
        kwargs["check_same_thread"] = False  # switched from the test's thread
        connection = connect(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(connection)
        return connection

    monkeypatch.setattr(sqlite3, "connect", recorded)
    with TestClient(app=app) as client:
        writers = [c for c in opened if not c.execute("PRAGMA query_only").fetchone()["query_only"]]
        for connection in writers:
            connection.execute("PRAGMA query_only = ON")
        yield client
    monkeypatch.undo()


async def _alter(statement: str) -> None:
    assert POSTGRES_SERVER
    connection = await asyncpg.connect(POSTGRES_SERVER)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _submission(database_url: str) -> tuple[dict, dict[str, str]]:
    places = in_database(database_url, two_enterprises)
    owner = make_user(database_url, "owner", "enterprise", enterprise_id=places["own"])

    async def rows() -> tuple[int, str]:
        form_version_id, _ = await stored_form(form_data())
        campaign = await add_campaign(
            places["town"], form_version_id, enterprises=[places["own"]], self_assessment=True
        )
        return campaign, await tokens.create_token(owner, "app")

    campaign, token = in_database(database_url, rows)
    body = {
        "id": str(uuid.uuid4()),
        "answers": {"a": "yes", "b": "yes", "c": "yes", "d": "no"},
        "campaign_id": campaign,
        "enterprise_id": places["own"],
    }
    return body, {"Authorization": f"Bearer {token}"}


def test_writes_to_a_read_only_database_answer_503_and_healthz_says_so(
    database_url: str, monkeypatch: pytest.MonkeyPatch
):
    body, auth = _submission(database_url)
    # Started once writable: start-up stores the built-in forms (later starts store nothing).
    with TestClient(app=create_app(settings_for(database_url))) as client:
        assert client.get("/healthz").json()["writes"] == "ok"
    monkeypatch.setattr(FAULTS, "_last", {})  # as if the service had just started
    records: list[logging.LogRecord] = []
    with read_only_app(database_url, monkeypatch) as client:
        handler = _Collect(records)
        logging.getLogger("service.web.errors").addHandler(handler)
        try:
            for _ in range(3):
                response = client.post("/api/v1/submissions", json=body, headers=auth)
                assert response.status_code == 503, response.text[:300]
                assert response.headers["retry-after"] == "30"
                assert response.json()["code"] == "database.not_writable"
            health = client.get("/healthz")
            assert health.status_code == 503 and health.headers["retry-after"] == "30"
            assert health.json()["code"] == "database.not_writable"
            assert client.get("/api/v1/forms").status_code == 200  # reads still work
        finally:
            logging.getLogger("service.web.errors").removeHandler(handler)
    # One line for the kind (no traceback each time), whatever the number of requests.
    assert len(records) == 1, [r.getMessage() for r in records]
    assert "read_only" in records[0].getMessage() and records[0].exc_info is None
    with TestClient(app=create_app(settings_for(database_url))) as client:
        assert client.get("/healthz").status_code == 200
        assert client.post("/api/v1/submissions", json=body, headers=auth).status_code == 201


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize(
    "exc, kind",
    [
        (sqlite3.OperationalError("database or disk is full"), None),  # no code: not ours
        (OSError(28, "No space left on device"), "disk_full"),
        (asyncpg.exceptions.ReadOnlySQLTransactionError("read-only"), "read_only"),
        (asyncpg.exceptions.DiskFullError("full"), "disk_full"),
        (asyncpg.exceptions.CannotConnectNowError("starting"), "shutting_down"),
        (ConnectionRefusedError(111, "refused"), "connection"),
        (ValueError("a bug"), None),
        (RuntimeError("wrapped"), None),
    ],
)
def test_failure_kinds(exc: BaseException, kind: str | None):
    assert unavailable_kind(exc) == kind


def test_a_full_sqlite_disk_is_a_fault_kind(tmp_path):
    """A real SQLITE_FULL: a database whose size is capped at its present pages."""
    connection = sqlite3.connect(tmp_path / "full.sqlite3")
    connection.execute("CREATE TABLE t (x TEXT)")
    connection.commit()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.Error) as raised:
        connection.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
        connection.commit()
    assert unavailable_kind(raised.value) == "disk_full"
    wrapped = RuntimeError("while storing")
    wrapped.__cause__ = raised.value
    assert unavailable_kind(wrapped) == "disk_full"


def test_repeated_faults_log_one_line_a_minute():
    from service.web.errors import FaultLog

    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    logging.getLogger("service.web.errors").addHandler(handler)
    try:
        faults = FaultLog()
        for _ in range(50):
            faults.note("disk_full", "POST /x", OSError(28, "No space left on device"))
        faults.note("read_only", "POST /x", OSError(30, "Read-only file system"))
    finally:
        logging.getLogger("service.web.errors").removeHandler(handler)
    assert [r.getMessage().split(":")[0] for r in records] == [
        "database disk_full",
        "database read_only",
    ]
    assert all(r.exc_info is None for r in records)
