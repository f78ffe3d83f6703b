"""Builds held-out set v3 (`holdout3.jsonl`) from hand-written source batches, and checks it: the
builder of set v2 (build_holdout2.py) with ids `m` + three digits.

    python bench/pii_eval/build_holdout3.py SOURCE [SOURCE ...]   # build + write holdout3.jsonl/.sha256
    python bench/pii_eval/build_holdout3.py --check               # validate the frozen file only

The set was frozen before any recogniser ran on it (README.md, "Held-out set v3").
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_holdout2 import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--set", "holdout3", *sys.argv[1:]]))
