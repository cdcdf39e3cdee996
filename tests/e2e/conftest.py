"""A real server and a real browser: Debian's chromium driven by Playwright.

The server runs as a subprocess (`python -m service serve`) on a migrated SQLite
database; the browser is /usr/bin/chromium (installed by .ci/run from Debian's
packages; Playwright never downloads one). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.db.testing import create_fresh_postgres_database, drop_postgres_database
from service.settings import PROJECT_ROOT
from tests.conftest import run_sync

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PHONE = {"width": 375, "height": 812}
FILL_PHONE = {"width": 390, "height": 844}  # the phone the filling flows run on
# Without these, chromium keeps trying to reach Google's services from a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(database_url: str, folder: Path) -> Iterator[str]:
    """The app served from a subprocess on `database_url`, set up as `make run` does."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "MEDIA_DIR": str(folder / "media"),
    }
    for command in (["migrate"], ["forms", "sync"], ["seed"]):  # as `make run` does
        subprocess.run(
            [sys.executable, "-m", "service", *command],
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e")
    with serving(f"sqlite:///{folder / 'ankang.sqlite3'}", folder) as base_url:
        yield base_url


ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=ENGINES)
def engine_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A server of its own on each engine (PostgreSQL when TEST_DATABASE_URL names one)."""
    folder = tmp_path_factory.mktemp(f"e2e-{request.param}")
    if request.param == "sqlite":
        with serving(f"sqlite:///{folder / 'ankang.sqlite3'}", folder) as base_url:
            yield base_url
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    url = run_sync(create_fresh_postgres_database(server_url))
    try:
        with serving(url, folder) as base_url:
            yield base_url
    finally:
        run_sync(drop_postgres_database(url))


def _wait_until_healthy(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not become healthy in 30 s")


# Module scope: Playwright's sync API keeps an event loop running in this thread while
# it is open, which the asyncio tests of other modules must not find.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page in a phone-sized, Chinese-speaking browser context."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone_context(browser) -> Iterator[object]:
    """Make phone-sized (390×844), Chinese-speaking contexts; options go to
    `new_context` (`java_script_enabled=False`, `geolocation=…`, `permissions=…`).
    Every context made is closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(
            viewport=FILL_PHONE,
            locale="zh-CN",
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
