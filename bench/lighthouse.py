"""Lighthouse (mobile) on the fill page of a signed-in session: performance and
accessibility scores, each must be >= 95.

Run:  .venv/bin/python bench/lighthouse.py
      .venv/bin/python bench/lighthouse.py --url http://127.0.0.1:8000 --user enterprise

Lighthouse 12.x (13 needs a newer Node than ours) is installed on first use with npm
into the git-ignored bench/.lighthouse/ — not in package.json, which `make setup`
installs for everyone. It drives Debian's chromium (CHROME_PATH, default
/usr/bin/chromium) headless, with Lighthouse's default mobile emulation and
throttling. Without --url the server is started on a fresh seeded database as
bench/page_weight.py does; the script signs in as the demo account, starts a draft
from /tasks and hands the session cookie to Lighthouse (--extra-headers).

Reports (JSON and HTML) go to bench/results/lighthouse-<form>-<section>.*; failing
audits of both categories are printed with their elements. Exit status 1 when a score
is below 95.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_weight import (
    DEMO_PASSWORD,
    PAGES,
    add_photo,
    local_server,
    session_cookies,
    sign_in,
    start_draft,
)

BENCH = Path(__file__).resolve().parent
PREFIX = BENCH / ".lighthouse"
LIGHTHOUSE = PREFIX / "node_modules" / ".bin" / "lighthouse"
RESULTS = BENCH / "results"
VERSION = "12"
TARGET = 95


def install() -> None:
    if LIGHTHOUSE.exists():
        return
    print(f"installing lighthouse@{VERSION} into {PREFIX} …", flush=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(PREFIX), f"lighthouse@{VERSION}", "--no-audit"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_lighthouse(url: str, cookie: str, report: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as headers:
        json.dump({"Cookie": cookie, "Accept-Language": "zh-CN"}, headers)
        headers.flush()
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--form-factor=mobile",
                "--only-categories=performance,accessibility",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                f"--extra-headers={headers.name}",
                "--output=json",
                "--output=html",
                f"--output-path={report}",
                "--quiet",
            ],
            env=env,
            check=True,
        )
    return json.loads(report.with_suffix(".report.json").read_text())


def failing_audits(result: dict, category: str) -> list[str]:
    lines = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] == 0 or audit["score"] is None or audit["score"] >= 0.9:
            continue
        value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
        lines.append(f"    {audit['id']}: {audit['title']}{value}")
        for entry in (audit.get("details") or {}).get("items", [])[:8]:
            node = entry.get("node") or {}
            where = node.get("selector") or entry.get("url") or ""
            if where:
                lines.append(f"      - {where} {node.get('snippet', '')[:120]}")
    return lines


def measure(base_url: str, user: str | None, password: str) -> bool:
    install()
    RESULTS.mkdir(exist_ok=True)
    ok = True
    drafts: dict = {}
    for campaign, form_id, section, default_user, photo_items in PAGES:
        who = user or default_user
        client = sign_in(base_url, who, password)
        if (campaign, who) not in drafts:
            drafts[campaign, who] = start_draft(client, campaign)
        draft = drafts[campaign, who]
        for item_id in photo_items:
            add_photo(client, draft, item_id)
        cookie = "; ".join(f"{k}={v}" for k, v in session_cookies(client).items())
        url = f"{base_url}{draft}?section={section}"
        result = run_lighthouse(url, cookie, RESULTS / f"lighthouse-{form_id}-{section}")
        client.close()
        final = result.get("finalDisplayedUrl") or result.get("finalUrl", "")
        if "/login" in final:
            raise SystemExit(f"Lighthouse was sent to {final}: the session cookie was not used")
        print(f"\n{form_id} · section {section} ({who})  {url}")
        for category in ("performance", "accessibility"):
            score = round((result["categories"][category]["score"] or 0) * 100)
            met = score >= TARGET
            ok = ok and met
            print(f"  {category:<14} {score:3d}   target >= {TARGET}  {'ok' if met else 'MISSED'}")
            print("\n".join(failing_audits(result, category)))
        metrics = result["audits"]
        print(
            "  "
            + ", ".join(
                f"{name} {metrics[name]['displayValue']}"
                for name in (
                    "first-contentful-paint",
                    "largest-contentful-paint",
                    "total-blocking-time",
                    "cumulative-layout-shift",
                    "speed-index",
                )
            )
        )
    print(f"\nreports: {RESULTS}/lighthouse-*.report.html")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (default: start one on a fresh database)")
    parser.add_argument("--user", help="one demo account for every page (default: by form)")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args()
    if args.url:
        ok = measure(args.url.rstrip("/"), args.user, args.password)
    else:
        with local_server() as base_url:
            ok = measure(base_url, args.user, args.password)
    print("\nall scores >= 95" if ok else "\nSCORES BELOW 95")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
