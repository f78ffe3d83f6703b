"""Benchmark: what a recapture adds to the archive.

For each skin: a first capture of the demo account, a recapture with nothing changed on the
platform (target: <= 5% of the first capture's bytes), then the platform's clock moves on N days
and a third capture picks up what changed. Prints one table row per capture.

Usage: .venv/bin/python bench/recapture.py [--skin mastodon ...] [--days 3] [--revisit-days 7]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.archive.read import iter_records, warc_files  # noqa: E402
from demo_platform.server import make_server  # noqa: E402


def capture(url: str, archive: Path, account: str, revisit_days: float) -> dict:
    before = {p: p.stat().st_size for p in warc_files(archive)}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "sma.cli", "crawl", url, "--archive", str(archive), "--account", account,
         "--revisit-days", str(revisit_days)],
        cwd=ROOT, capture_output=True, text=True,
    )
    seconds = time.monotonic() - started
    new_files = [p for p in warc_files(archive) if p not in before]
    records = [r for r in iter_records(archive) if r.path in new_files]
    summary = json.loads(sorted((archive / "crawls").glob("*/summary.json"), key=lambda p: p.stat().st_mtime)[-1]
                         .read_text())
    return {
        "exit": proc.returncode,
        "seconds": seconds,
        "bytes": sum(p.stat().st_size for p in new_files),
        "records": len(records),
        "revisits": sum(1 for r in records if r.type == "revisit"),
        "responses": sum(1 for r in records if r.type in ("response", "resource")),
        "pages": summary.get("pages", 0),
        "visits": summary.get("visits", {}),
        "changes": summary.get("changes", {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skin", action="append", help="demo skin (default: mastodon)")
    parser.add_argument("--days", type=float, default=3)
    parser.add_argument("--revisit-days", type=float, default=7)
    args = parser.parse_args()
    server = make_server("127.0.0.1", 0, seed=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://{}:{}".format(*server.server_address[:2])
    index = json.loads(urllib.request.urlopen(base + "/_truth/index.json").read())
    rows = []
    for skin in args.skin or ["mastodon"]:
        url = next(s for s in index["skins"] if s["skin"] == skin)["accounts"][0]["url"]
        with tempfile.TemporaryDirectory(prefix=f"sma-bench-{skin}-") as tmp:
            archive = Path(tmp)
            first = capture(url, archive, skin, args.revisit_days)
            rows.append((skin, "first capture", first, first["bytes"]))
            same = capture(url, archive, skin, args.revisit_days)
            rows.append((skin, "unchanged recapture", same, first["bytes"]))
            request = urllib.request.Request(f"{base}/_clock/advance?days={args.days:g}", method="POST")
            urllib.request.urlopen(request).read()
            later = capture(url, archive, skin, args.revisit_days)
            rows.append((skin, f"after {args.days:g} days", later, first["bytes"]))
    server.shutdown()
    header = ("skin", "capture", "exit", "s", "pages", "records", "revisits", "new payloads", "MB", "% of first",
              "visits", "changes")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for skin, what, row, first_bytes in rows:
        visits = ", ".join(f"{k} {v}" for k, v in row["visits"].items() if v) or "-"
        changes = ", ".join(f"{v} {k}" for k, v in row["changes"].items()) or "-"
        print(f"{skin} | {what} | {row['exit']} | {row['seconds']:.1f} | {row['pages']} | {row['records']} | "
              f"{row['revisits']} | {row['responses']} | {row['bytes'] / 1e6:.2f} | "
              f"{100 * row['bytes'] / first_bytes:.1f}% | {visits} | {changes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
