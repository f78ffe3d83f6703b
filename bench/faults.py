"""Benchmark: `kill -9` at random moments of a crawl of several accounts, restart, and check the archive.

Serves the demo platform, writes a registry of several demo accounts and runs `sma run` (one
process group: `sma run`, its `sma crawl`, Playwright's driver and Chromium). At seeded random
moments of three kinds it sends SIGKILL to the whole group and starts `sma run` again (as cron would):

  record  while a WARC record is being written (a `warcs/*.open` file just grew)
  thread  while a comment thread is expanded (the platform just answered a comment API request)
  access  while the access copy is written (an `access/warcs/*.open` file just grew)

When every kill is spent, `sma run` runs until it exits by itself, and the archive is checked:
every WARC (original and access copy) passes `warcio check` and none is left `.open`; every truth
post of the captured window is in pages.jsonl, its document is one `response` record (a recapture
of the young post that `revisit_days` revisits by design is a revisit, not a second response), and
every truth comment is in the text of its post's capture; every crawl that captured a page has its
access copy (each page row, `privacy.json`) and a PII ledger that decrypts whole.

With `--mode worker` the accounts are queued once on a real redis-server (`sma run --redis`) and
the process group killed and restarted is `sma worker --exit-when-idle` (its supervisor, its crawl
child and Chromium); a killed worker's leased pages go back to the queue after `SMA_LEASE_S`.

Usage: .venv/bin/python bench/faults.py [--kills 20] [--seed 16] [--skins mastodon,x,facebook]
       [--max-posts 4] [--mode run|worker] [--piece-posts N] [--archive DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo_platform.server import Handler, make_server  # noqa: E402
from demo_platform.skins import ALL_SKINS  # noqa: E402

MOMENTS = ("record", "thread", "access")
POLL_S = 0.01


class Platform:
    """The demo platform in this process, noting when a comment API answered."""

    def __init__(self) -> None:
        self.comment_hits: list[float] = []
        apis = re.compile("|".join(f"(?:{skin.comment_api})" for skin in ALL_SKINS.values()))
        hits = self.comment_hits

        class Noting(Handler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                super().do_GET()
                if apis.fullmatch(self.path.split("?", 1)[0]):
                    hits.append(time.monotonic())

        self.server = make_server("127.0.0.1", 0, seed=1)
        self.server.RequestHandlerClass = Noting
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.base + path, timeout=60) as resp:
            return json.loads(resp.read())


def write_registry(path: Path, platform: Platform, skins: list[str]) -> dict[str, str]:
    index = platform.get("/_truth/index.json")
    urls = {s["skin"]: s["accounts"][0] for s in index["skins"] if s["skin"] in skins}
    lines = ["organisation:", "  id: ministerie-demo", "  name: Ministerie van Demo", "accounts:"]
    for skin in skins:
        lines += [f"  - id: {skin}-main", f"    platform: {skin}", f"    url: {urls[skin]['url']}",
                  "    type: corporate", "    comments: true", "    process: publieksvoorlichting",
                  "    schedule: daily", "    revisit_days: 1"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {skin: urls[skin]["truth"] for skin in skins}


def group_pids(pgid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def sizes(folder: Path) -> dict[Path, int]:
    out = {}
    for p in folder.glob("*.warc.gz.open"):
        try:
            out[p] = p.stat().st_size
        except OSError:
            continue
    return out


def watch(proc: Logged, moment: str, archive: Path, platform: Platform, rng: random.Random,
          deadline: float) -> str | None:
    """Waits for `moment`; returns what was seen (the kill follows at once), or None if the run ended."""
    folder = archive / ("access/warcs" if moment == "access" else "warcs")
    before = sizes(folder)
    hits = len(platform.comment_hits)
    # Not the first occasion: a random one of the run, so kills land on later pages too.
    skip = rng.randint(0, 3)
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(POLL_S)
        if moment == "thread":
            if len(platform.comment_hits) > hits:
                hits = len(platform.comment_hits)
                if skip == 0:
                    time.sleep(rng.uniform(0, 0.3))
                    return f"{hits} comment API answers"
                skip -= 1
            continue
        now = sizes(folder)
        grown = [p for p, n in now.items() if n != before.get(p)]
        before = now
        if grown:
            if skip == 0:
                time.sleep(rng.uniform(0, 0.05))
                return f"{grown[0].name[-40:]} at {now[grown[0]]} B"
            skip -= 1
    return None


def kill_group(proc: Logged) -> int:
    pids = group_pids(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(100):  # Chromium's zygotes go last
        if not group_pids(proc.pid):
            break
        time.sleep(0.05)
    return len(pids)


class Logged(subprocess.Popen):
    """A started `sma run` or `sma worker` whose output goes to `<logs>/<n>.out|.err` (kept for reading
    afterwards: a pipe nobody reads while the run goes on would also stall it once full)."""

    out_path: Path
    err_path: Path

    def output(self) -> tuple[str, str]:
        self.wait()
        return (self.out_path.read_text(encoding="utf-8", errors="replace"),
                self.err_path.read_text(encoding="utf-8", errors="replace"))


def start_logged(command: list[str], env: dict[str, str], logs: Path) -> Logged:
    logs.mkdir(parents=True, exist_ok=True)
    n = len(list(logs.glob("*.out"))) + 1
    out_path, err_path = logs / f"{n:02d}.out", logs / f"{n:02d}.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = Logged(command, cwd=ROOT, env=env, stdout=out, stderr=err, text=True, start_new_session=True)
    proc.out_path, proc.err_path = out_path, err_path
    return proc


def sma_run(registry: Path, archive: Path, max_posts: int, env: dict[str, str], logs: Path) -> Logged:
    command = [sys.executable, "-m", "sma.cli", "run", "--registry", str(registry), "--archive", str(archive),
               "--max-posts", str(max_posts)]
    return start_logged(command, env, logs)


def sma_worker(redis_url: str, archive: Path, env: dict[str, str], logs: Path,
               piece_posts: int | None = None) -> Logged:
    command = [sys.executable, "-m", "sma.cli", "worker", "--redis", redis_url, "--archive", str(archive),
               "--name", "wF", "--exit-when-idle", "--poll", "0.3"]
    if piece_posts is not None:  # a Scrapy setting, not an environment variable
        command += ["-s", f"SMA_TIMELINE_PIECE_POSTS={piece_posts}"]
    return start_logged(command, {**env, "SMA_LEASE_S": "5"}, logs)


def posts_within_budget(archive: Path, max_posts: int) -> tuple[str, bool, str]:
    """No crawl visited more post pages than `--max-posts` (the shared budget over every worker and
    restart): distinct post URLs per crawl id (the first two parts of a pages.jsonl row id)."""
    per_crawl: dict[str, set[str]] = {}
    pages = archive / "pages.jsonl"
    for line in (pages.read_text(encoding="utf-8").splitlines()[1:] if pages.exists() else []):
        row = json.loads(line)
        if row.get("kind") == "post":
            per_crawl.setdefault("-".join(str(row.get("id", "")).split("-")[:2]), set()).add(row["url"])
    over = {c: len(u) for c, u in per_crawl.items() if len(u) > max_posts}
    most = max((len(u) for u in per_crawl.values()), default=0)
    detail = (f"{len(per_crawl)} crawls, at most {most} post pages each (--max-posts {max_posts})" if not over
              else "over: " + ", ".join(f"{c} {n}" for c, n in sorted(over.items())))
    return (f"post pages per crawl within --max-posts {max_posts}", not over, detail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--skins", default="mastodon,x,facebook")
    parser.add_argument("--max-posts", type=int, default=4)
    parser.add_argument("--archive", type=Path, default=None)
    parser.add_argument("--mode", choices=("run", "worker"), default="run")
    parser.add_argument("--moments", default=",".join(MOMENTS), help="which of record,thread,access to draw from")
    parser.add_argument("--piece-posts", type=int, default=None,
                        help="--mode worker: SMA_TIMELINE_PIECE_POSTS for the workers (the demo accounts' 64 posts "
                             "fit one piece at the default 100; `sma run` has no -s)")
    parser.add_argument("--log-level", default="INFO",
                        help="SMA_LOG_LEVEL of the runs and workers; their output is kept in <work>/logs/")
    parser.add_argument("--run-timeout", type=float, default=900.0, help="seconds one `sma run` may take")
    args = parser.parse_args()
    if args.piece_posts is not None and args.mode != "worker":
        parser.error("--piece-posts needs --mode worker (`sma run` passes no Scrapy setting to its crawls)")

    rng = random.Random(args.seed)
    skins = args.skins.split(",")
    work = Path(tempfile.mkdtemp(prefix="sma-faults-"))
    archive = args.archive or work / "archive"
    env = {**os.environ, "SMA_KEYS_DIR": str(work / "keys"), "SMA_SESSIONS_DIR": str(work / "sessions"),
           "SMA_LOG_LEVEL": args.log_level}
    logs = work / "logs"
    os.environ.update({"SMA_KEYS_DIR": env["SMA_KEYS_DIR"]})
    platform = Platform()
    truth_paths = write_registry(work / "registry.yaml", platform, skins)
    print(f"platform {platform.base}; accounts {', '.join(skins)} (newest {args.max_posts} posts); "
          f"archive {archive}; {args.kills} kills, seed {args.seed}")
    redis = None
    if args.mode == "worker":
        sys.path.insert(0, str(ROOT / "tests"))
        from redis_server import start_redis

        redis = start_redis(work / "redis")
        queued = subprocess.run([sys.executable, "-m", "sma.cli", "run", "--registry", str(work / "registry.yaml"),
                                 "--archive", str(archive), "--all", "--max-posts", str(args.max_posts),
                                 "--redis", redis.url], cwd=ROOT, env=env, capture_output=True, text=True)
        print(queued.stdout.strip() or queued.stderr.strip()[-300:])

    def start() -> Logged:
        if redis is not None:
            return sma_worker(redis.url, archive, env, logs, args.piece_posts)
        return sma_run(work / "registry.yaml", archive, args.max_posts, env, logs)

    print(f"{'#':>3} {'moment':<7} {'after (s)':>9} {'seen':<48} {'killed':>6} {'left .open':>10}")
    kills: list[dict] = []
    started = time.monotonic()
    runs = 0
    while len(kills) < args.kills:
        moment = rng.choice(args.moments.split(","))
        proc = start()
        runs += 1
        t0 = time.monotonic()
        seen = watch(proc, moment, archive, platform, rng, t0 + args.run_timeout)
        if seen is None:  # the run ended before the moment came: everything due is captured, stop killing
            _, err = proc.output()
            print(f"{'-':>3} {moment:<7} {time.monotonic() - t0:9.1f} run ended first (exit {proc.returncode})")
            if proc.returncode not in (0, 3):
                print(err.strip()[-400:])
            break
        victims = kill_group(proc)
        left = len(list(archive.glob("warcs/*.open"))) + len(list(archive.glob("access/warcs/*.open")))
        kills.append({"moment": moment, "after": time.monotonic() - t0, "seen": seen, "victims": victims})
        print(f"{len(kills):3d} {moment:<7} {kills[-1]['after']:9.1f} {seen:<48} {victims:6d} {left:10d}", flush=True)
    # Run to the end, as the next cron run would, until nothing is due (each run may still find work).
    final_codes = []
    for _ in range(3):
        proc = start()
        out, err = proc.output()
        runs += 1
        final_codes.append(proc.returncode)
        if "not due" in out and not re.search(r"(?m)^(capturing|crawl)", out):
            break
        if proc.returncode in (0, 3):
            break
    total = time.monotonic() - started
    from faults_check import check  # bench/ is sys.path[0]

    result = check(archive, platform, truth_paths, args.max_posts)
    result.append(posts_within_budget(archive, args.max_posts))
    platform.server.shutdown()
    if redis is not None:
        redis.stop()
    by_moment = {m: sum(1 for k in kills if k["moment"] == m) for m in MOMENTS}
    print()
    print(f"| kills | record | thread | access | sma {args.mode} starts | final exit | wall (s) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {len(kills)} | {by_moment['record']} | {by_moment['thread']} | {by_moment['access']} | {runs} "
          f"| {final_codes} | {total:.0f} |")
    print()
    print("| check | result | detail |")
    print("|---|---|---|")
    for name, ok, detail in result:
        print(f"| {name} | {'ok' if ok else 'FAILED'} | {detail} |")
    dropped = sum(len(re.findall(r"over --max-posts", p.read_text(errors="replace"))) for p in logs.glob("*.err"))
    admitted = sum(len(re.findall(r"post budget: admitted", p.read_text(errors="replace"))) for p in logs.glob("*.err"))
    print(f"\npost budget lines in the logs: {admitted} admitted, {dropped} over --max-posts (logs in {logs})")
    print(f"archive kept at {archive}")
    return 0 if all(ok for _, ok, _ in result) else 1


if __name__ == "__main__":
    sys.exit(main())
