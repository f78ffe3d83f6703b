"""Benchmark: the seven demo accounts captured by 1, 2 and 4 `sma worker`s sharing one Redis frontier.

For each worker count: a fresh archive and Redis namespace, `sma run --redis` queues every demo account,
N workers run until the frontier is empty. Per worker the CPU time and peak resident memory of its whole
process tree (the worker, its crawl processes and their Chromium) are read from /proc every 0.5 s.
Efficiency = pages/min with N workers / (N x pages/min with one). On a 2-core machine the cores are the
ceiling: beyond two workers the figures show the cost per worker, not more speed.

Usage: .venv/bin/python bench/scale.py [--workers 1 2 4] [--max-posts 3] [--accounts 7]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from redis_server import start_redis  # noqa: E402

from crawler.archive.pages import read_pages  # noqa: E402
from demo_platform.server import make_server  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def session_processes(sid: int) -> dict[int, tuple[float, int]]:
    """pid -> (CPU seconds, RSS bytes) of every process in session `sid` (a worker started with its own)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # field 6 of stat: session id
            found[int(entry)] = ((int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE)
    return found


class TreeMeter(threading.Thread):
    def __init__(self, sid: int) -> None:
        super().__init__(daemon=True)
        self.sid, self.cpu, self.peak_rss, self.running = sid, {}, 0, True

    def run(self) -> None:
        while self.running:
            procs = session_processes(self.sid)
            for pid, (cpu, _) in procs.items():
                self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
            self.peak_rss = max(self.peak_rss, sum(rss for _, rss in procs.values()))
            time.sleep(0.5)


def registry(base: str, folder: Path, limit: int) -> Path:
    import urllib.request

    with urllib.request.urlopen(base + "/_truth/index.json") as resp:
        index = json.load(resp)
    lines = ["organisation:", "  id: bench-scale", "  name: Ministerie van Bench", "accounts:"]
    for skin in index["skins"][:limit]:
        lines += [f"  - id: {skin['skin']}-main", f"    platform: {skin['skin']}",
                  f"    url: {skin['accounts'][0]['url']}", "    type: corporate", "    comments: true",
                  "    process: publieksvoorlichting", "    schedule: daily"]
    path = folder / "registry.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(n: int, base: str, redis_url: str, folder: Path, max_posts: int, limit: int) -> dict:
    archive, namespace = folder / f"archive-{n}", f"scale{n}"
    queue = subprocess.run([sys.executable, "-m", "sma.cli", "run", "--registry", str(registry(base, folder, limit)),
                            "--archive", str(archive), "--all", "--max-posts", str(max_posts), "--redis", redis_url,
                            "--namespace", namespace], cwd=ROOT, capture_output=True, text=True)
    if queue.returncode:
        raise SystemExit(queue.stdout + queue.stderr)
    started = time.monotonic()
    workers, meters = [], []
    for i in range(n):
        proc = subprocess.Popen([sys.executable, "-m", "sma.cli", "worker", "--redis", redis_url, "--namespace",
                                 namespace, "--archive", str(archive), "--name", f"w{i}", "--exit-when-idle",
                                 "--poll", "0.5"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        meter = TreeMeter(proc.pid)
        meter.start()
        workers.append(proc)
        meters.append(meter)
    for proc in workers:
        _, err = proc.communicate()
        if proc.returncode:
            print(f"worker exited {proc.returncode}: {err[-400:]}", file=sys.stderr)
    seconds = time.monotonic() - started
    for meter in meters:
        meter.running = False
    summaries = [json.loads(p.read_text()) for p in (archive / "crawls").glob("*/summary.json")]
    return {
        "workers": n, "seconds": seconds, "pages": len(list(read_pages(archive))),
        "comments": sum(s.get("comments", {}).get("captured", 0) or 0 for s in summaries),
        "complete": sum(1 for s in summaries if s.get("complete")), "crawls": len(summaries),
        "cpu": [sum(m.cpu.values()) for m in meters], "rss": [m.peak_rss for m in meters],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--max-posts", type=int, default=3, help="post pages per account (default 3)")
    parser.add_argument("--accounts", type=int, default=7, help="the first N demo accounts (default all 7)")
    args = parser.parse_args()
    server = make_server("127.0.0.1", 0, seed=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory(prefix="sma-scale-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("SMA_KEYS_DIR", str(folder / "keys"))
        redis = start_redis(folder / "redis")
        try:
            rows = [run(n, base, redis.url, folder, args.max_posts, args.accounts) for n in args.workers]
        finally:
            redis.stop()
            server.shutdown()
    load = os.getloadavg()
    print(f"\n{args.accounts} demo accounts, profile + {args.max_posts} posts each; {os.cpu_count()} cores; "
          f"load average at the end {load[0]:.1f}")
    print(f"{'workers':>7} {'wall s':>7} {'pages':>5} {'pages/min':>9} {'comments/min':>12} {'complete':>8} "
          f"{'CPU s/worker':>12} {'CPU s/page':>10} {'peak RSS MB/worker':>18} {'efficiency':>10}")
    base_rate = None
    for row in rows:
        rate = row["pages"] / row["seconds"] * 60
        base_rate = base_rate or (rate / row["workers"])
        cpu = "/".join(f"{c:.0f}" for c in row["cpu"])
        rss = "/".join(f"{r / 1e6:.0f}" for r in row["rss"])
        print(f"{row['workers']:>7} {row['seconds']:>7.0f} {row['pages']:>5} {rate:>9.1f} "
              f"{row['comments'] / row['seconds'] * 60:>12.1f} {row['complete']:>3}/{row['crawls']:<4} {cpu:>12} "
              f"{sum(row['cpu']) / max(1, row['pages']):>10.1f} {rss:>18} {rate / (row['workers'] * base_rate):>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
