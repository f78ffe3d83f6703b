"""Builds the held-out set `holdout.jsonl` from its hand-written source `holdout_source.txt`.

    python bench/pii_eval/build_holdout.py [--check]

Same markup and schema as the page set (build_pages.py): `=== id | platform | style` starts a
comment, `[[type:value]]` marks a third party's personal value, `{{text}}` a hard negative.
`--check` fails when holdout.jsonl or its SHA-256 (holdout.sha256) is not the frozen build: the
set was frozen before any recogniser ran on it (README.md, "Held-out set"). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_pages import build, freeze  # noqa: E402

SOURCE, OUTPUT, DIGEST = HERE / "holdout_source.txt", HERE / "holdout.jsonl", HERE / "holdout.sha256"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when holdout.jsonl is not the frozen build")
    args = parser.parse_args(argv)
    built = build(SOURCE.read_text(encoding="utf-8"))
    digest = freeze(built, OUTPUT, DIGEST, args.check)
    if digest is None:
        return 1
    comments = [json.loads(line) for line in built.splitlines()]
    print(f"comments {len(comments)}, values {sum(len(c['values']) for c in comments)}, "
          f"negatives {sum(len(c['negatives']) for c in comments)}, "
          f"without personal data {sum(not c['values'] for c in comments)}, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
