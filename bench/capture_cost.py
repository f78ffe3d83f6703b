"""Benchmark: what capture costs against simply loading a page, and crawl throughput.

Prints a table:
- per post page: capture time (record every exchange, expand the thread, screenshot, DOM, text,
  collect bodies) divided by one bare load of the same page in the same browser (target <= 2.0);
- a whole `sma crawl` of the demo account: pages per minute, comments per minute, and the peak
  memory (RSS) of the crawler plus its browser processes.

Usage: .venv/bin/python bench/capture_cost.py [--skin mastodon ...] [--pages 10]   (default: every skin)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.capture.behaviours import PageDriver  # noqa: E402
from crawler.capture.page import PageRecorders  # noqa: E402
from crawler.profiles import all_profiles  # noqa: E402
from crawler.settings import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from demo_platform.server import make_server  # noqa: E402


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants (the browser's many processes)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


async def page_costs(urls: list[str], profile_name: str) -> list[tuple[float, float]]:
    from playwright.async_api import async_playwright

    profile = all_profiles()[profile_name]
    spec = profile.page("post")
    results = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 1000})
        for url in urls:
            page = await context.new_page()
            t0 = time.perf_counter()
            await page.goto(url, wait_until="networkidle")
            bare = time.perf_counter() - t0
            await page.close()

            page = await context.new_page()
            t0 = time.perf_counter()
            recorders = PageRecorders()
            await recorders.init_page(page, None)
            await page.goto(url, wait_until="load")
            driver = PageDriver(page, recorders.for_page(page), profile, spec)
            await driver.run()
            await recorders.snapshot(page, "post")
            captured = time.perf_counter() - t0
            await page.close()
            results.append((bare, captured))
        await browser.close()
    return results


def whole_crawl(url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as archive:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "sma.cli", "crawl", url, "--archive", archive],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.25)
        elapsed = time.perf_counter() - t0
        summary = json.loads(next(Path(archive, "crawls").glob("*/summary.json")).read_text())
    minutes = elapsed / 60
    return {
        "pages": summary["pages"],
        "seconds": elapsed,
        "pages_per_min": summary["pages"] / minutes,
        "comments_per_min": summary["comments"]["captured"] / minutes,
        "peak_rss_mb": peak / 1024,
        "mb_written": summary["bytes"] / 1e6,
    }


NO_CRAWL = dict.fromkeys(("pages", "seconds", "pages_per_min", "comments_per_min", "mb_written", "peak_rss_mb"), 0.0)


def measure(base: str, entry: dict, pages: int, crawl: bool = True) -> dict[str, float]:
    """One skin: capture cost of its busiest post pages, then a whole crawl of its account."""
    account = entry["accounts"][0]
    truth = json.loads(urllib.request.urlopen(base + account["truth"]).read())
    posts = sorted(truth["posts"], key=lambda p: -p["comment_count"])[:pages]
    costs = asyncio.run(page_costs([p["url"] for p in posts], entry["skin"]))
    ratios = [c / b for b, c in costs]
    return {
        "bare_s": statistics.median(b for b, _ in costs),
        "capture_s": statistics.median(c for _, c in costs),
        "ratio": statistics.median(ratios),
        "worst": max(ratios),
        **(whole_crawl(account["url"]) if crawl else NO_CRAWL),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skin", action="append", help="skin(s) to measure (default: every skin)")
    parser.add_argument("--pages", type=int, default=10, help="busiest post pages per skin for the cost ratio")
    parser.add_argument("--no-crawl", action="store_true", help="only the cost ratio, no whole crawls (zeros)")
    args = parser.parse_args()

    server = make_server("127.0.0.1", 0, seed=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    index = json.loads(urllib.request.urlopen(base + "/_truth/index.json").read())
    skins = [e for e in index["skins"] if not args.skin or e["skin"] in args.skin]
    rows = [(entry["skin"], measure(base, entry, args.pages, crawl=not args.no_crawl)) for entry in skins]
    server.shutdown()

    print(f"\nSMA capture benchmark — {args.pages} busiest post pages per platform, {os.cpu_count()} cores\n")
    print("| platform | bare load s | capture s | capture/bare median (target <= 2.0) | worst | crawl pages |"
          " crawl s | pages/min | comments/min | MB written | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for skin, m in rows:
        print(f"| {skin} | {m['bare_s']:.2f} | {m['capture_s']:.2f} | {m['ratio']:.2f} | {m['worst']:.2f} |"
              f" {m['pages']} | {m['seconds']:.0f} | {m['pages_per_min']:.1f} | {m['comments_per_min']:.0f} |"
              f" {m['mb_written']:.1f} | {m['peak_rss_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
