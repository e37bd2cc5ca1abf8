"""Page budget benchmark: what the chat page costs a first-time visitor in Chromium.

    CNHT_DATA_DIR=D .venv/bin/python bench/bench_page.py [--runs 10] [--out bench/out/page.json]

Starts `cnht serve` on loopback, then loads each page `--runs` times in headless Debian Chromium
(Playwright, executable_path=/usr/bin/chromium), every time in a new browser context (empty cache), at
the desktop (1366×850) and mobile (390×844) sizes. Reports per page and size: the bytes transferred
(navigation + every resource, from the Resource Timing API), the origins they came from (no CDN: only
the server's own), and the first contentful paint from Chromium's performance timeline (median, p95, max).
Budgets (issue 18): the chat page transfers under 300 KB and paints its first content in under 1 s.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit, percentile, served  # noqa: E402

SIZES = {"desktop": {"width": 1366, "height": 850}, "mobile": {"width": 390, "height": 844}}
PAGES = {"chat": "/", "eligibility": "/eligibility"}
BUDGET_BYTES, BUDGET_FCP_MS = 300 * 1024, 1000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

_MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return { bytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
           urls: [location.href, ...resources.map(r => r.name)], fcp: paint ? paint.startTime : null };
}"""


def measure(browser, url: str, size: str, runs: int) -> dict:
    """Load `url` `runs` times, each in a fresh context, and summarise bytes and first contentful paint."""
    bytes_, fcps, origins = [], [], set()
    for _ in range(runs):
        context = browser.new_context(viewport=SIZES[size])
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0", timeout=10000)
        page.wait_for_timeout(200)  # let late fetches (the conversation, the check's first question) finish
        result = page.evaluate(_MEASURE)
        bytes_.append(result["bytes"])
        fcps.append(result["fcp"])
        origins |= {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in result["urls"]}
        context.close()
    return {
        "runs": runs,
        "transfer_kb_max": round(max(bytes_) / 1024, 1),
        "origins": sorted(origins),
        "fcp_ms_median": round(statistics.median(fcps), 1),
        "fcp_ms_p95": round(percentile(fcps, 95), 1),
        "fcp_ms_max": round(max(fcps), 1),
    }


def main() -> None:
    """Start the server, load the pages, print the report with the budgets' verdicts."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--out")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    report: dict = {"budget": {"chat_transfer_kb": BUDGET_BYTES / 1024, "chat_fcp_ms": BUDGET_FCP_MS}}
    with served(args.port) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        measure(browser, url + "/", "desktop", 2)  # warm the server and the browser
        for name, path in PAGES.items():
            for size in SIZES:
                report[f"{name}_{size}"] = measure(browser, url + path, size, args.runs)
        browser.close()
    chat = [report[f"chat_{size}"] for size in SIZES]
    report["within_budget"] = {
        "transfer": all(r["transfer_kb_max"] * 1024 < BUDGET_BYTES for r in chat),
        "no_cdn": all(r["origins"] == [url] for r in chat),
        "first_contentful_paint": all(r["fcp_ms_p95"] < BUDGET_FCP_MS for r in chat),
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
