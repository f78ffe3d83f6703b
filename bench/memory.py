"""Benchmark: resident memory of a long crawl (crawler process + Chromium) over time.

Serves the demo platform with a large Mastodon account (`make_server(large_account=N)`, default
2,000 posts with ~18,000 comments), captures it with `sma crawl` and samples, every few seconds,
the proportional set size (PSS, /proc/<pid>/smaps_rollup: shared pages counted once across
Chromium's processes) of the crawler and of every process below it. Prints RSS over time as a
table and checks the bound: peak total below `--bound-mb`, and no growth in the second half of
the crawl beyond `--growth-mb` per 100 pages (a leak grows without bound; a working set levels off).

Usage: .venv/bin/python bench/memory.py [--posts 2000] [--max-posts N] [--recycle-pages N]
       [--piece-posts N] [--post-pages] [--interval 5] [--bound-mb 1500] [--growth-mb 50]
`--recycle-pages N` sets SMA_CONTEXT_RECYCLE_PAGES=N for the crawl (0: never recycle); `--piece-posts N`
SMA_TIMELINE_PIECE_POSTS (the timeline is read in pieces of N posts, crawler/spiders/timeline.py).
`--post-pages` captures the account's post pages as selected posts (the newest `--max-posts`, read
from the platform's truth), without the profile page: the long run of post pages, which is where a
per-page leak would show, without the timeline of the whole account in one page (measured apart).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo_platform.server import LARGE_ACCOUNT, make_server  # noqa: E402


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def pss_kb(pid: int) -> int:
    """Proportional set size in KiB (RSS when smaps_rollup is unreadable)."""
    for name, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name) as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def command_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def pages_written(archive: Path) -> int:
    path = archive / "pages.jsonl"
    if not path.exists():
        return 0
    with open(path, "rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)


def sample(root_pid: int) -> dict[str, float]:
    crawler = pss_kb(root_pid)
    browser = 0
    count = 0
    for pid in tree(root_pid)[1:]:
        if "chrom" in command_name(pid) or "headless" in command_name(pid):
            browser += pss_kb(pid)
            count += 1
        else:
            crawler += pss_kb(pid)  # Playwright's node driver counts with the crawler
    return {"crawler_mb": crawler / 1024, "browser_mb": browser / 1024, "processes": count}


def slope_per_100(points: list[tuple[int, float]]) -> float:
    """Least-squares growth in MB per 100 pages."""
    if len(points) < 3:
        return 0.0
    n = len(points)
    mx = sum(p for p, _ in points) / n
    my = sum(m for _, m in points) / n
    var = sum((p - mx) ** 2 for p, _ in points)
    if var == 0:
        return 0.0
    return 100 * sum((p - mx) * (m - my) for p, m in points) / var


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000, help="posts of the large account")
    parser.add_argument("--max-posts", type=int, default=None, help="capture only the newest N (a shorter run)")
    parser.add_argument("--recycle-pages", type=int, default=None, help="SMA_CONTEXT_RECYCLE_PAGES for the crawl")
    parser.add_argument("--piece-posts", type=int, default=None,
                        help="SMA_TIMELINE_PIECE_POSTS for the crawl: posts one timeline page holds")
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--bound-mb", type=float, default=1500.0)
    parser.add_argument("--growth-mb", type=float, default=50.0)
    parser.add_argument("--post-pages", action="store_true", help="post pages only, as selected posts")
    parser.add_argument("--archive", type=Path, default=None)
    args = parser.parse_args()

    started = time.monotonic()
    server = make_server("127.0.0.1", 0, seed=1, large_account=args.posts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/@{LARGE_ACCOUNT}"
    print(f"platform with @{LARGE_ACCOUNT} ({args.posts} posts) ready in {time.monotonic() - started:.0f} s: {url}")
    archive = args.archive or Path(tempfile.mkdtemp(prefix="sma-memory-")) / "archive"
    env = dict(os.environ)
    if args.recycle_pages is not None:
        env["SMA_CONTEXT_RECYCLE_PAGES"] = str(args.recycle_pages)
    command = [sys.executable, "-m", "sma.cli", "crawl", url, "--archive", str(archive)]
    if args.max_posts:
        command += ["--max-posts", str(args.max_posts)]
    if args.piece_posts is not None:
        command += ["-s", f"SMA_TIMELINE_PIECE_POSTS={args.piece_posts}"]
    if args.post_pages:
        base = url.rsplit("/@", 1)[0]
        with urllib.request.urlopen(f"{base}/_truth/mastodon/{LARGE_ACCOUNT}.json", timeout=120) as resp:
            posts = [p["url"] for p in json.loads(resp.read())["posts"]][: args.max_posts or None]
        driver = ("import json, sys; from pathlib import Path; from crawler.run import crawl, print_summary; "
                  "o = crawl(sys.argv[1], Path(sys.argv[2]), posts=json.load(open(sys.argv[3])), "
                  "reason='bench/memory.py'); print_summary(o); print(o.message, file=sys.stderr); "
                  "sys.exit(o.exit_code)")
        (archive.parent / "posts.json").parent.mkdir(parents=True, exist_ok=True)
        (archive.parent / "posts.json").write_text(json.dumps(posts), encoding="utf-8")
        command = [sys.executable, "-c", driver, url, str(archive), str(archive.parent / "posts.json")]
    t0 = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rows: list[tuple[float, int, dict[str, float]]] = []
    print(f"{'t (s)':>7} {'pages':>6} {'crawler MB':>11} {'Chromium MB':>12} {'procs':>6} {'total MB':>9}")
    while proc.poll() is None:
        s = sample(proc.pid)
        pages = pages_written(archive)
        rows.append((time.monotonic() - t0, pages, s))
        total = s["crawler_mb"] + s["browser_mb"]
        print(f"{rows[-1][0]:7.0f} {pages:6d} {s['crawler_mb']:11.0f} {s['browser_mb']:12.0f} "
              f"{int(s['processes']):6d} {total:9.0f}", flush=True)
        time.sleep(args.interval)
    out, err = proc.communicate()
    server.shutdown()
    wall = time.monotonic() - t0
    print(out.strip().splitlines()[0] if out.strip() else "", err.strip()[-500:] if proc.returncode else "")
    live = [(p, s["crawler_mb"] + s["browser_mb"]) for _, p, s in rows if s["processes"]]
    if not live:
        print("no samples with a browser")
        return 1
    peak = max(m for _, m in live)
    peak_crawler = max(s["crawler_mb"] for _, _, s in rows)
    peak_browser = max(s["browser_mb"] for _, _, s in rows)
    pages = pages_written(archive)
    # The second half of the page phase: once every page is in, the access copy is written without a browser.
    half = [pt for pt in live if pages / 2 <= pt[0] < pages]
    growth = slope_per_100(half)
    ok = peak <= args.bound_mb and growth <= args.growth_mb
    print()
    print("| posts on account | pages captured | wall (s) | recycle every | peak crawler MB | peak Chromium MB "
          "| peak total MB | growth 2nd half (MB/100 pages) | bound | verdict |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.posts} | {pages} | {wall:.0f} | {args.recycle_pages if args.recycle_pages else 'never'} "
          f"| {peak_crawler:.0f} | {peak_browser:.0f} | {peak:.0f} | {growth:+.1f} "
          f"| {args.bound_mb:.0f} MB, {args.growth_mb:+.0f}/100 | {'within' if ok else 'EXCEEDED'} |")
    print(f"exit code of the crawl: {proc.returncode}; archive: {archive}")
    for report in sorted(archive.glob("crawls/*/completeness.json")):
        observed = json.loads(report.read_text(encoding="utf-8")).get("observed") or {}
        profile = observed.get("profile") or {}
        pieces = observed.get("timeline_pages") or []
        print(f"timeline: {profile.get('posts_found')} of {args.posts} post links found, in {1 + len(pieces)} "
              f"pieces (SMA_TIMELINE_PIECE_POSTS; first page {profile.get('posts_in_dom_at_end')} posts in the DOM)")
    return 0 if ok and proc.returncode in (0, 3) else 1


if __name__ == "__main__":
    sys.exit(main())
