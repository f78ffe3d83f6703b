"""CPU seconds of PiiDetector.find over the evaluation texts and rendered DOM snapshots, and a dump of its findings.

    python bench/recogniser_cost.py --doms /tmp/h9/doms.jsonl --dump before.json --runs 5
    python bench/recogniser_cost.py --doms /tmp/h9/doms.jsonl --compare before.json

--doms: a JSON-lines file of {"text": ...} records (e.g. `urn:dom:` records taken from a crawl's WARC).
A fresh detector per run (no kept findings); the minimum of the runs' process_time is reported, since the
machine is shared (report `uptime` with it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.privacy.detect import PiiDetector  # noqa: E402
from crawler.privacy.recognizers_presidio import TextAnalyzer  # noqa: E402

EVAL = Path(__file__).resolve().parent / "pii_eval"


def texts(doms: str | None) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name in ("corpus.jsonl", "pages.jsonl"):
        groups[name] = [json.loads(line)["text"] for line in (EVAL / name).read_text().splitlines() if line.strip()]
    if doms:
        groups["doms"] = [json.loads(line)["text"] for line in Path(doms).read_text().splitlines() if line.strip()]
    return groups


def findings(analyzer: TextAnalyzer, items: list[str]) -> list[list[tuple[str, int, int]]]:
    detector = PiiDetector(analyzer=analyzer)
    return [[(f.type, f.start, f.end) for f in detector.find(t)] for t in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doms", help="JSON-lines file of DOM snapshot texts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dump", help="write the findings here")
    parser.add_argument("--compare", help="compare the findings with this dump")
    args = parser.parse_args()
    groups = texts(args.doms)
    analyzer = TextAnalyzer()
    result = {name: findings(analyzer, items) for name, items in groups.items()}
    if args.dump:
        Path(args.dump).write_text(json.dumps(result))
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        for name, found in result.items():
            old = before.get(name, [])
            diff = [i for i, (a, b) in enumerate(zip(old, json.loads(json.dumps(found)), strict=False)) if a != b]
            print(f"{name}: {len(found)} texts, {sum(map(len, found))} findings, "
                  f"differing texts: {len(diff)} {diff[:10]}")
    for name, items in groups.items():
        times = []
        for _ in range(args.runs):
            t0 = time.process_time()
            findings(analyzer, items)
            times.append(time.process_time() - t0)
        print(f"{name}: {len(items)} texts, {sum(map(len, items)) / 1e6:.2f} MB, CPU min {min(times):.3f} s "
              f"(runs {', '.join(f'{t:.2f}' for t in times)})")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
