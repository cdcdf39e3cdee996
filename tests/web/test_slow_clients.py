"""Slow and broken clients against the real server (uvicorn in a subprocess, raw sockets):
headers and bodies that never finish are cut off with 408, idle connections are kept
for KEEP_ALIVE_SECONDS. The timeouts are set to about a second to keep this fast."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import msgspec
import pytest

from service.accounts import tokens
from service.settings import PROJECT_ROOT, Settings
from tests.factories import in_database, make_user

TIMEOUTS = {
    "HEADERS_TIMEOUT_SECONDS": "1",
    "BODY_IDLE_SECONDS": "1",
    "BODY_TIMEOUT_SECONDS": "2.5",
    "KEEP_ALIVE_SECONDS": "2",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server(msgspec.Struct):
    port: int
    token: str

    def connect(self) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return connection


@pytest.fixture(scope="module")
def server(migrated_databases: dict[str, str]) -> Iterator[Server]:
    url = migrated_databases["sqlite"]
    user = make_user(url, "slow-client", "enterprise")
    token = in_database(url, lambda: tokens.create_token(user, "slow"))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        cwd=PROJECT_ROOT,
        env={**env, **TIMEOUTS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if probe.recv(100).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
            time.sleep(0.2)
        yield Server(port, token)
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr:
            process.stderr.close()


def _answer(connection: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started, chunks = time.monotonic(), []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - started


def _response(connection: socket.socket) -> bytes:
    """One whole response (its headers and its Content-Length's worth of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += connection.recv(65536)
    return head


def test_headers_sent_a_byte_at_a_time_are_cut_off(server: Server):
    with server.connect() as connection:
        started = time.monotonic()
        try:
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa":
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:  # closed by the server while we were still sending
            pass
        answer, _ = _answer(connection)
        assert answer.startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started < 4


def test_a_connection_that_sends_nothing_is_closed(server: Server):
    with server.connect() as connection:
        answer, waited = _answer(connection)
    assert answer.startswith(b"HTTP/1.1 408") and waited < 3


def _post_head(server: Server, length: int) -> bytes:
    return (
        f"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_body_shorter_than_its_content_length_is_answered_408(server: Server):
    with server.connect() as connection:
        connection.sendall(_post_head(server, 100) + b'{"id": ')
        answer, waited = _answer(connection)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request.timeout" in answer and waited < 3


def test_a_body_sent_a_byte_at_a_time_is_answered_408(server: Server):
    body = b'{"id": "x", "answers": {}}' * 10
    with server.connect() as connection:
        connection.sendall(_post_head(server, len(body)))
        started = time.monotonic()
        for byte in body:  # each within the idle limit, never the whole in time
            if select.select([connection], [], [], 0.3)[0]:
                break  # answered
            connection.sendall(bytes([byte]))
        answered = time.monotonic() - started
        answer, _ = _answer(connection)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert 2 < answered < 4


def test_an_idle_connection_is_kept_for_the_keep_alive_and_then_closed(server: Server):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with server.connect() as connection:
        connection.sendall(request)
        assert _response(connection).startswith(b"HTTP/1.1 200")
        time.sleep(1.3)  # longer than the headers' deadline: idle is not slow
        connection.sendall(request)
        assert _response(connection).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert connection.recv(65536) == b""  # closed by the server after KEEP_ALIVE_SECONDS
        assert 1.5 < time.monotonic() - started < 4


def test_the_server_keeps_idle_connections_longer_than_a_proxy_does(monkeypatch):
    """nginx keeps idle upstream connections 60 s (keepalive_timeout): the service must
    keep them longer, so that nginx, never the service, closes one (the keep-alive race)."""
    import uvicorn

    from service.__main__ import main
    from service.web.timeouts import HeadersDeadlineProtocol

    assert Settings().keep_alive_seconds > 60
    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    for name in ("KEEP_ALIVE_SECONDS", *TIMEOUTS):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve"]) == 0
    assert seen["timeout_keep_alive"] == 75 and seen["http"] is HeadersDeadlineProtocol
