# ruff: noqa: E501 (the JavaScript run in the page keeps its own lines)
"""Filling without signal: what keeping a task costs a phone, and how long the outbox
takes to send what was filled offline over a slow connection.

Run:  .venv/bin/python bench/offline.py                  # both parts, ~3 minutes
      .venv/bin/python bench/offline.py --bytes-only
      .venv/bin/python bench/offline.py --submissions 20 --photos 3 [--url http://…]

Without --url it serves a fresh seeded SQLite database (bench/page_weight.py's
local_server, as the e2e tests do).

1. Bytes to keep one task of each built-in form that a demo account has a task for:
   everything the phone downloads for it, each asked with `Accept-Encoding: gzip` and
   counted as sent (bodies, no headers): the app shell the service worker installs
   (CSS, htmx, our scripts, the icon, /outbox, the manifest, /sw.js itself), /tasks,
   the task's offline page (every section) and its JSON. Target: under 60 KB for the
   Ankang Cup enterprise table, shell included. Baseline, in the same run: one online
   fill page (its first section) with the same shell files, the page a phone loads
   anyway; the ratio says how many online pages keeping the whole table costs.

2. Sending 20 submissions with 3 photos each, queued on a phone (Debian's chromium,
   its network throttled by Chromium's own emulation to DevTools' "Slow 3G": 2 s
   latency, 50 kB/s each way): the outbox (static/js/outbox.js) against a baseline in
   the same page, same throttle: a bare loop that posts the same photos and bodies
   with fetch, nothing stored or checked. The ratio is the outbox's cost over the
   bytes and round trips themselves. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import re
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_weight import DEMO_PASSWORD, local_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
KB = 1024
TARGET_FORM = "ankang-cup-enterprise"
TARGET_BYTES = 60 * KB
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# ---------------------------------------------------------------- 1. bytes


def _signed_in(base_url: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base_url, headers={"Accept-Language": "zh-CN"})
    page = client.get("/login").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": token}
    )
    if answer.status_code >= 400:
        raise SystemExit(f"cannot sign in as {username}")
    tasks = client.get("/tasks").text
    token = re.search(r'"x-csrftoken": "([^"]+)"', tasks).group(1)  # type: ignore[union-attr]
    device = client.post("/offline/device", headers={"x-csrftoken": token}).json()["token"]
    return client, device


def _sent(client: httpx.Client, url: str, headers: dict | None = None) -> int:
    """The body's bytes as sent (compressed when the app compressed it)."""
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip", **(headers or {})}) as r:
        r.read()
        if r.status_code != 200:
            raise SystemExit(f"{url}: {r.status_code}")
        return r.num_bytes_downloaded


def _shell(client: httpx.Client) -> dict[str, int]:
    script = client.get("/sw.js").text
    listed = re.search(r"var SHELL = \[(.*?)\];", script).group(1)  # type: ignore[union-attr]
    urls = [*re.findall(r'"([^"]+)"', listed), "/sw.js"]
    return {url: _sent(client, url) for url in urls}


def _start(client: httpx.Client, task: dict) -> str:
    """A draft of the task, started as /tasks does: the baseline's online page."""
    page = client.get("/tasks").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    draft = str(uuid.uuid4())
    fields = {"submission_id": draft, "campaign_id": task["campaign_id"], "_csrf_token": token}
    fields["enterprise_id"] = task["enterprise_id"]
    if task["team_id"]:
        fields["team_id"] = task["team_id"]
    answer = client.post("/tasks/start", data=fields)
    if answer.status_code >= 400:
        raise SystemExit(f"cannot start a draft: {answer.status_code}")
    return draft


def measure_bytes(base_url: str) -> bool:
    rows = []
    seen: set[str] = set()
    for username in ("enterprise", "judge", "supervisor"):
        client, device = _signed_in(base_url, username)
        bearer = {"Authorization": f"Bearer {device}"}
        shell = sum(_shell(client).values())
        tasks_html = client.get("/tasks").text
        for path in dict.fromkeys(re.findall(r'data-offline-page="([^"]+)"', tasks_html)):
            path = path.replace("&amp;", "&")
            task = client.get("/api/v1" + path, headers=bearer).json()
            if task["form_id"] in seen:
                continue
            seen.add(task["form_id"])
            page = _sent(client, path)
            data = _sent(client, "/api/v1" + path, bearer)
            draft = task["submission"]["id"] if task["submission"] else _start(client, task)
            online = _sent(client, f"/submissions/{draft}") + shell
            rows.append((task["form_id"], username, page, data, shell, online))
    print("\n1. Bytes a phone downloads to keep a task offline (gzip bodies, no headers)\n")
    print(
        f"{'form':24} {'as':10} {'page':>6} {'json':>5} {'shell':>6} {'first task':>10} "
        f"{'next task':>9} {'online page':>11} {'ratio':>5}"
    )
    ok = True
    for form, user, page, data, shell, online in rows:
        first = shell + page + data
        mark = ""
        if form == TARGET_FORM:
            ok = first <= TARGET_BYTES
            mark = "  first ≤ 60 KB: " + ("met" if ok else "MISSED")
        baseline = (
            f"{online / KB:10.1f}K {first / online:5.2f}" if online else f"{'-':>11} {'-':>5}"
        )
        print(
            f"{form:24} {user:10} {page / KB:5.1f}K {data / KB:4.1f}K {shell / KB:5.1f}K "
            f"{first / KB:9.1f}K {(page + data) / KB:8.1f}K {baseline}{mark}"
        )
    print(
        "\nshell: once per phone (the worker's install: CSS, htmx, scripts, icon, /outbox, "
        "the manifest, /sw.js); next task: what each further task costs; online page: "
        "the task's online fill page (first section) with the same shell."
    )
    return ok


# ---------------------------------------------------------------- 2. sending


def _photo(seed: int) -> bytes:
    """A 1600×1200 JPEG as the phone stores it after resizing (some texture)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (170, 180, 190))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1600, 16):
        for y in range(0, 1200, 16):
            shade = (x * 7 + y * 13 + seed * 31) % 90
            draw.rectangle((x, y, x + 15, y + 15), fill=(120 + shade, 110 + shade // 2, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _answers() -> dict:
    """A complete inspection with one failed check (a hazard), checked by the server's rules."""
    from service.forms.answers import completeness_problems, validate_answers
    from service.forms.loader import load_forms
    from service.forms.model import Check, Choice

    forms, _ = load_forms([ROOT / "forms" / "safety-inspection-card.yaml"])
    definition = forms[0].definition
    answers: dict = {
        "hazard-point": "冲压车间",
        "inspection-date": "2026-12-07",
        "gps-location": {"refused": True},
    }
    first = None
    for _, item in definition.items():
        if isinstance(item, Choice) and item.id not in answers:
            answers[item.id] = "no"
        elif isinstance(item, Check) and item.show_if is None:
            answers[item.id] = "yes"
            first = first or item.id
    answers[first] = "no"
    evidence = {first: ["photo"]}
    assert not validate_answers(definition, answers)
    assert not completeness_problems(definition, answers, evidence), "incomplete answers"
    return {"answers": answers, "failed": first}


def measure_sending(base_url: str, submissions: int, photos: int) -> float:
    from playwright.sync_api import sync_playwright

    shape = _answers()
    images = [base64.b64encode(_photo(i)).decode() for i in range(photos)]
    photo_kb = sum(len(base64.b64decode(i)) for i in images) / photos / KB
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(600_000)
        page.goto(base_url + "/login")
        page.get_by_label("用户名").fill("supervisor")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(base_url + "/tasks")
        task = page.locator("li[data-offline-page]").first
        path = task.get_attribute("data-offline-page")
        task.locator("[data-keep]").click()
        task.locator("[data-kept]").wait_for()
        page.goto(base_url + "/outbox")
        page.wait_for_function("window.AnkangOutbox && navigator.serviceWorker.controller")
        campaign, enterprise = map(int, re.findall(r"\d+", path)[:2])
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")

        def queue(count: int, status: str) -> None:
            page.evaluate(
                QUEUE_JS,
                {
                    "count": count,
                    "shape": shape,
                    "images": images,
                    "page": path,
                    "target": {
                        "campaign_id": campaign,
                        "enterprise_id": enterprise,
                        "team_id": None,
                    },
                    "status": status,
                },
            )

        # The baseline: a bare fetch loop, same requests, same throttle (its drafts are
        # not "queued": the outbox leaves them alone).
        queue(submissions, "bench")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        start = time.perf_counter()
        page.evaluate(BARE_JS)
        bare = time.perf_counter() - start
        cdp.send(
            "Network.emulateNetworkConditions",
            {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.evaluate(CLEAR_JS)

        queue(submissions, "queued")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        start = time.perf_counter()
        summary = page.evaluate("AnkangOutbox.drain()")
        outbox = time.perf_counter() - start
        browser.close()
    if summary["sent"] != submissions:
        raise SystemExit(f"the outbox sent {summary['sent']} of {submissions}: {summary}")
    total_mb = submissions * photos * photo_kb / KB
    print(
        f"\n2. Sending {submissions} submissions × {photos} photos "
        f"({photo_kb:.0f} KB each, {total_mb:.1f} MB in all) at Slow 3G\n"
    )
    print(f"{'what':28} {'seconds':>8} {'per submission':>15} {'ratio':>6}")
    print(f"{'baseline: bare fetch loop':28} {bare:8.1f} {bare / submissions:14.2f}s {1:6.2f}")
    print(f"{'the outbox':28} {outbox:8.1f} {outbox / submissions:14.2f}s {outbox / bare:6.2f}")
    return outbox / bare


CLEAR_JS = """
async () => {
  for (const d of await AnkangOutbox.store.all("drafts")) { await AnkangOutbox.store.remove("drafts", d.id); }
  for (const p of await AnkangOutbox.store.all("photos")) { await AnkangOutbox.store.remove("photos", p.id); }
}
"""

# Queued drafts as the offline page leaves them (static/js/offline.js).
QUEUE_JS = """
async ({count, shape, images, page, target, status}) => {
  const blobs = images.map(b => new Blob([Uint8Array.from(atob(b), c => c.charCodeAt(0))], {type: "image/jpeg"}));
  const user = document.getElementById("net-status").getAttribute("data-user");
  for (let i = 0; i < count; i++) {
    const id = AnkangOutbox.uuid();
    await AnkangOutbox.store.put("drafts", {id, user, task: user + " " + page, page, title: "bench " + i,
      target, repeatable: true, answers: Object.assign({}, shape.answers, {"hazard-point": "车间 " + i}),
      base: null, serverPhotos: {}, photoItems: {}, status, dirty: true,
      completedAt: new Date().toISOString(), createdAt: new Date().toISOString()});
    for (let j = 0; j < blobs.length; j++) {
      // Each photo made different by a trailing byte: the server keeps one per content.
      const blob = new Blob([blobs[j], new Uint8Array([i, j])], {type: "image/jpeg"});
      await AnkangOutbox.store.put("photos", {id: AnkangOutbox.uuid(), draft: id, item: shape.failed, blob, size: blob.size, serverId: null});
    }
  }
}
"""

# The same requests without the outbox: read the queue, post photos, post bodies.
BARE_JS = """
async () => {
  const user = document.getElementById("net-status").getAttribute("data-user");
  const auth = {Authorization: "Bearer " + await AnkangOutbox.deviceToken(user)};
  for (const d of await AnkangOutbox.store.all("drafts")) {
    const answers = Object.assign({}, d.answers);
    for (const p of await AnkangOutbox.store.byIndex("photos", "draft", d.id)) {
      const form = new FormData();
      form.append("photo", p.blob, p.id + ".jpg");
      const r = await fetch("/api/v1/submissions/" + d.id + "/evidence?item=" + p.item, {method: "POST", headers: auth, body: form});
      if (!r.ok) { throw new Error("photo " + r.status); }
    }
    const body = {id: d.id, answers, campaign_id: d.target.campaign_id, enterprise_id: d.target.enterprise_id, completed_at: d.completedAt};
    const r = await fetch("/api/v1/submissions", {method: "POST", headers: Object.assign({"Content-Type": "application/json"}, auth), body: JSON.stringify(body)});
    if (!r.ok) { throw new Error("submission " + r.status + " " + await r.text()); }
  }
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (else a fresh seeded one)")
    parser.add_argument("--bytes-only", action="store_true")
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--photos", type=int, default=3)
    args = parser.parse_args()
    if args.url:
        run(args.url, args)
    else:
        with local_server() as base_url:
            run(base_url, args)


def run(base_url: str, args: argparse.Namespace) -> None:
    ok = measure_bytes(base_url)
    if not args.bytes_only:
        measure_sending(base_url, args.submissions, args.photos)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
