"""Fixity throughput: `python bench/fixity.py [--mb 200] [--archive DIR]` prints a table of MB/s.

Without --archive a synthetic archive is written with the real ArchiveWriter (64 KiB responses, half
compressible text, half random bytes), so the numbers include gzip inflation and the per-record
block and payload digests that `sma verify --archive` checks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.archive.warc import ArchiveWriter  # noqa: E402
from records import fixity  # noqa: E402


def synthetic(root: Path, megabytes: int) -> None:
    writer = ArchiveWriter(root, "bench", {"software": "bench"}, max_file_bytes=100_000_000)
    now = datetime.now(UTC)
    n = 0
    while writer.bytes_written < megabytes * 1_000_000:
        body = (b"<p>Dank voor uw reactie op ons bericht.</p>" * 800)[:32768] + os.urandom(32768)
        writer.write_resource(f"urn:dom:https://example.org/post/{n}", "text/html", body, now)
        n += 1
    writer.close()


def timed(label: str, nbytes: int, fn) -> tuple[str, float, float]:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    return label, seconds, nbytes / 1e6 / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200, help="size of the synthetic archive")
    parser.add_argument("--archive", help="measure this archive instead (read only, except --seal's manifest)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sma-bench-fixity-") as tmp:
        root = Path(args.archive) if args.archive else Path(tmp)
        if not args.archive:
            synthetic(root, args.mb)
        files = list(fixity.content_files(root))
        total = sum(p.stat().st_size for p in files)
        warcs = [p for p in files if p.name.endswith(".warc.gz")]
        warc_bytes = sum(p.stat().st_size for p in warcs)
        rows = [
            timed("SHA-256 of every file", total, lambda: [fixity.sha256_file(p) for p in files]),
            timed("record digests (inflate + block/payload)", warc_bytes,
                  lambda: [fixity.check_warc_records(p, p.name, fixity.FixityReport()) for p in warcs]),
        ]
        if not args.archive:
            rows.append(timed("seal (manifest of every file)", total, lambda: fixity.seal(root)))
        report = fixity.FixityReport()
        rows.append(timed("sma verify --archive (all checks)", total, lambda: report.__dict__.update(
            fixity.verify(root).__dict__)))
    print(f"fixity throughput: {len(files)} files, {total / 1e6:.1f} MB ({len(warcs)} WARCs, {report.records} records)")
    print(f"{'step':<44}{'seconds':>10}{'MB/s':>10}")
    for label, seconds, rate in rows:
        print(f"{label:<44}{seconds:>10.2f}{rate:>10.1f}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
