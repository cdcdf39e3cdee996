"""Page weight of the fill page: what a phone downloads to show one section of a form.

Run:  .venv/bin/python bench/page_weight.py
      .venv/bin/python bench/page_weight.py --url http://127.0.0.1:8000 [--user enterprise]

Without --url it makes a fresh SQLite database in a temporary folder, runs
`migrate`, `forms sync` and `seed` and serves it (`python -m service serve`), as the
e2e tests do. Then, as the demo account (`--user`, password `ankang-demo` unless
`--password`), it starts a draft of each measured form from /tasks and measures
these fill pages (sections chosen as the heaviest of each form):

* the first HTML response, requested with `Accept-Encoding: gzip`: the bytes on the
  wire (body as sent, gzip when the app compressed it) — target <= 14 KB;
* everything the page loads, in Debian's chromium through Playwright with an empty
  cache: the sum of the encoded (as sent) body sizes of every response: the HTML,
  CSS, scripts, icon — target <= 60 KB. Headers are shown apart, and so are the
  thumbnails of the draft's own photos (/evidence/…): they are the user's content and
  grow with every photo taken, so they are listed but not held to the target.

It also asks for every static file with `Accept-Encoding: gzip` and says whether the
server compressed it. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "ankang-demo"
KB = 1024
HTML_TARGET = 14 * KB
TOTAL_TARGET = 60 * KB
# Downloaded after the page for use without signal (static/js/offline.js keeps a task
# opened recently): listed apart, like the draft's photos.
KEPT_OFFLINE = (
    "/offline/",
    "/api/v1/offline/",
    "/tasks",
    "/sw.js",
    "/manifest.webmanifest",
    "/outbox",
)
# (campaign on /tasks, form, the section to measure, who starts it, items given a photo)
PAGES = [
    (
        "2026年第四季度群众安全监督检查",
        "safety-inspection-card",
        "inspection-info",
        "supervisor",
        [],
    ),
    (
        "2026年第四季度群众安全监督检查",
        "safety-inspection-card",
        "worksite",
        "supervisor",
        ["aisles-clear", "edge-protection"],
    ),
    ("“安康杯”竞赛企业考核", "ankang-cup-enterprise", "protection-health", "enterprise", []),
]


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server() -> Iterator[str]:
    """The app on a fresh seeded SQLite database, as `make run` sets it up."""
    with tempfile.TemporaryDirectory(prefix="ankang-weight-") as folder:
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'ankang.sqlite3'}",
            "PORT": str(port),
            "LOG_LEVEL": "warning",
        }
        for command in (["migrate"], ["forms", "sync"], ["seed"]):
            subprocess.run(
                [sys.executable, "-m", "service", *command],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        with (Path(folder) / "server.log").open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "service", "serve"],
                env=env,
                cwd=ROOT,
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


def _wait_until_healthy(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not become healthy in 30 s")


# ---------------------------------------------------------------- a signed-in draft


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    if not found:
        raise SystemExit("no CSRF token on the page")
    return found.group(1)


def sign_in(base_url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, headers={"Accept-Language": "zh-CN"})
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "_csrf_token": _csrf(page.text),
            "username": username,
            "password": password,
            "next": "/tasks",
        },
    )
    if answer.status_code != 303 or "/login" in answer.headers.get("location", ""):
        raise SystemExit(f"signing in as {username} failed ({answer.status_code})")
    return client


def start_draft(client: httpx.Client, campaign: str) -> str:
    """Start (or find) a draft of the first task of `campaign`; its fill page URL."""
    tasks = client.get("/tasks").text
    # [1:]: what comes before the first group (the filter's campaign choices) is no group.
    groups = tasks.split('<section class="card task-group">')[1:]
    group = next((g for g in groups if campaign in g), "")
    form = re.search(r'<form method="post" action="/tasks/start".*?</form>', group, re.S)
    if not form:
        raise SystemExit(f"no task to start in {campaign!r} on /tasks")
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    answer = client.post("/tasks/start", data=fields)
    location = answer.headers.get("location", "")
    if answer.status_code != 303 or not location.startswith("/submissions/"):
        raise SystemExit(f"starting a draft failed ({answer.status_code})")
    return location.split("?")[0]


def add_photo(client: httpx.Client, draft: str, item_id: str) -> None:
    """A camera-sized JPEG on `item_id`, so the page shows a thumbnail."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (170, 180, 190))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1600, 37):
        draw.line((x, 0, 1600 - x, 1200), fill=(x % 255, 90, 200 - x % 200), width=9)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    page = client.get(draft).text
    answer = client.post(
        f"{draft}/items/{item_id}/photos",
        data={"_csrf_token": _csrf(page)},
        files={"photo": ("site.jpg", buffer.getvalue(), "image/jpeg")},
    )
    if answer.status_code != 303:
        raise SystemExit(f"uploading a photo failed ({answer.status_code})")


def session_cookies(client: httpx.Client) -> dict[str, str]:
    return {cookie.name: cookie.value for cookie in client.cookies.jar}


# ---------------------------------------------------------------- measuring


def first_response(client: httpx.Client, path: str) -> tuple[int, int, str]:
    """(bytes on the wire, bytes decoded, content-encoding) of one GET."""
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        response.raise_for_status()
        wire = sum(len(chunk) for chunk in response.iter_raw())
        encoding = response.headers.get("content-encoding", "identity")
    decoded = len(client.get(path, headers={"Accept-Encoding": "identity"}).content)
    return wire, decoded, encoding


def everything_loaded(base_url: str, path: str, cookies: dict[str, str]) -> list[dict]:
    """Every response of one page load in chromium (empty cache), with its sizes."""
    from playwright.sync_api import sync_playwright

    rows: list[dict] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
        )
        context.add_cookies([{"name": k, "value": v, "url": base_url} for k, v in cookies.items()])
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(base_url + path, wait_until="networkidle")
        for request in finished:
            sizes = request.sizes()
            response = request.response()
            rows.append(
                {
                    "url": request.url.removeprefix(base_url),
                    "type": request.resource_type,
                    "status": response.status if response else 0,
                    "encoding": (response.headers.get("content-encoding") if response else None)
                    or "-",
                    "body": sizes["responseBodySize"],
                    "headers": sizes["responseHeadersSize"],
                }
            )
        browser.close()
    return rows


def static_compression(client: httpx.Client, paths: list[str]) -> list[tuple[str, int, str]]:
    found = []
    for path in paths:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        found.append((path, len(response.content), response.headers.get("content-encoding", "-")))
    return found


def kb(size: int) -> str:
    return f"{size / KB:6.1f} KB"


def measure(base_url: str, username: str, password: str, only_user: bool) -> bool:
    ok = True
    static: set[str] = set()
    clients: dict[str, httpx.Client] = {}
    drafts: dict[str, str] = {}
    for campaign, form_id, section, user, photo_items in PAGES:
        user = username if only_user else user
        if user not in clients:
            clients[user] = sign_in(base_url, user, password)
        client = clients[user]
        if (campaign, user) not in drafts:
            drafts[campaign, user] = start_draft(client, campaign)
        path = f"{drafts[campaign, user]}?section={section}"
        for item_id in photo_items:
            add_photo(client, drafts[campaign, user], item_id)
        wire, decoded, encoding = first_response(client, path)
        rows = everything_loaded(base_url, path, session_cookies(client))
        own = [r for r in rows if not r["url"].startswith(("/evidence/", *KEPT_OFFLINE))]
        photos_loaded = [r for r in rows if r["url"].startswith("/evidence/")]
        kept = [r for r in rows if r["url"].startswith(KEPT_OFFLINE)]
        total = sum(r["body"] for r in own)
        headers = sum(r["headers"] for r in own)
        html_ok, total_ok = wire <= HTML_TARGET, total <= TOTAL_TARGET
        ok = ok and html_ok and total_ok
        given = f", a photo on {len(photo_items)} items" if photo_items else ""
        print(f"\n{form_id} · section {section} ({user}{given})  {path}")
        print(
            f"  first HTML response: {kb(wire)} {encoding} ({kb(decoded).strip()} decoded)"
            f"   target <= 14 KB  {'ok' if html_ok else 'MISSED'}"
        )
        for r in rows:
            print(
                f"    {r['status']} {r['type']:<10} {r['encoding']:<8} {kb(r['body'])}  {r['url']}"
            )
            if r["url"].startswith("/static/"):
                static.add(r["url"])
        print(
            f"  everything loaded:   {kb(total)} in {len(own)} responses"
            f" (+{kb(headers).strip()} of headers)"
            f"   target <= 60 KB  {'ok' if total_ok else 'MISSED'}"
        )
        if kept:
            size = sum(r["body"] for r in kept)
            print(
                f"  + kept for use without signal: {kb(size).strip()} in {len(kept)} responses"
                " (after the page, at most twice a day a task; not in the target)"
            )
        if photos_loaded:
            size = sum(r["body"] for r in photos_loaded)
            print(
                f"  + the draft's photos: {kb(size).strip()} in {len(photos_loaded)} thumbnails"
                f" (the user's content, not in the target; {kb(total + size).strip()} with them)"
            )
    any_client = next(iter(clients.values()))
    print("\nstatic files asked with Accept-Encoding: gzip")
    for path, size, encoding in static_compression(any_client, sorted(static)):
        print(f"  {encoding:<8} {kb(size)} decoded  {path}")
    for client in clients.values():
        client.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (default: start one on a fresh database)")
    parser.add_argument("--user", help="one demo account for every page (default: by form)")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no chromium at {CHROMIUM} (set CHROMIUM=…)")
    if args.url:
        ok = measure(args.url.rstrip("/"), args.user or "", args.password, bool(args.user))
    else:
        with local_server() as base_url:
            ok = measure(base_url, args.user or "", args.password, bool(args.user))
    print("\nall targets met" if ok else "\nTARGETS MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
