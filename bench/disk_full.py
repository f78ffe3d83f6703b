"""Benchmark: the archive's disk fills up mid-crawl; then space is freed and the crawl is run again.

Mounts a small tmpfs (root; `--size-kb`, default 1024) as the archive, captures the demo
Mastodon account's newest `--max-posts` posts with `sma crawl` until the disk is full, and checks
what an operator sees: one `sma: error:` line that says the archive is full, exit code 1, no WARC
left `.open`, every WARC valid (`warcio check`). Then the tmpfs is grown (`mount -o remount`, as
freeing space would) and the same `sma crawl` runs again: it must finish, and the checks of
bench/faults.py hold (one response record per post, every comment, the access copy and the PII
ledger of both crawls, the first one's derived by the second).

Usage: .venv/bin/python bench/disk_full.py [--size-kb 1024] [--max-posts 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faults import Platform  # noqa: E402 - bench/ is sys.path[0]
from faults_check import check, warcio_problems  # noqa: E402


def crawl(url: str, archive: Path, max_posts: int, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sma.cli", "crawl", url, "--archive", str(archive),
                           "--organisation", "ministerie-demo", "--max-posts", str(max_posts)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    return proc, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-kb", type=int, default=1024)
    parser.add_argument("--max-posts", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sma-diskfull-"))
    mount = work / "archive"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.size_kb}k,mode=0700", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        print(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); see tests/test_bad_input.py")
        return 1
    env = {**os.environ, "SMA_KEYS_DIR": str(work / "keys"), "SMA_MIN_FREE_BYTES": "0"}
    os.environ["SMA_KEYS_DIR"] = env["SMA_KEYS_DIR"]
    platform = Platform()
    truth = platform.get("/_truth/index.json")
    account = next(s["accounts"][0] for s in truth["skins"] if s["skin"] == "mastodon")
    rows: list[tuple[str, bool, str]] = []
    try:
        full, full_s = crawl(account["url"], mount, args.max_posts, env)
        errors = [line for line in full.stderr.splitlines() if line.startswith("sma: error:")]
        rows.append(("full disk: exit code 1", full.returncode == 1, f"exit {full.returncode}, {full_s:.0f} s"))
        rows.append(("full disk: one error line, 'is full'", len(errors) == 1 and "is full" in errors[0],
                     errors[0] if errors else full.stderr.strip()[-200:]))
        rows.append(("full disk: no traceback", "Traceback" not in full.stderr, ""))
        left = sorted(p.name for p in mount.glob("**/*.open"))
        n, bad = warcio_problems(mount)
        rows.append(("full disk: no WARC .open, all valid", not left and not bad,
                     f"{n} WARC files kept; " + ("; ".join(bad[:1] + left[:1]) or "valid")))
        grown = subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], capture_output=True, text=True)
        rows.append(("space freed (remount 256 MB)", grown.returncode == 0, grown.stderr.strip()))
        again, again_s = crawl(account["url"], mount, args.max_posts, env)
        said = again.stdout.splitlines()[0] if again.stdout else ""
        rows.append(("after: the crawl finishes (exit 0/3)", again.returncode in (0, 3),
                     f"exit {again.returncode}, {again_s:.0f} s; {said}"))
        rows += [(f"after: {name}", ok, detail)
                 for name, ok, detail in check(mount, platform, {"mastodon": account["truth"]}, args.max_posts)]
    finally:
        platform.server.shutdown()
        subprocess.run(["umount", "-l", str(mount)], check=False)
    print(f"| disk full mid-crawl (tmpfs {args.size_kb} KB, newest {args.max_posts} posts) | result | detail |")
    print("|---|---|---|")
    for name, ok, detail in rows:
        print(f"| {name} | {'ok' if ok else 'FAILED'} | {detail} |")
    return 0 if all(ok for _, ok, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
