"""Builds held-out set v2 (`holdout2.jsonl`, or v3 with `--set holdout3`: build_holdout3.py) from
hand-written source batches, and checks it.

    python bench/pii_eval/build_holdout2.py SOURCE [SOURCE ...]   # build + write holdout2.jsonl/.sha256
    python bench/pii_eval/build_holdout2.py --check               # validate the frozen file only

Source markup as build_pages.py (lines starting with `%%` are batch notes and are dropped):
`=== id | platform | style` starts a comment, `[[type:value]]` marks a
third party's personal value, `{{text}}` a hard negative. The check (standard library only): ids `k` +
three digits, unique; schema keys; known types and platforms; every value and negative an exact substring;
IBANs pass mod-97, BSNs the 11-proof; a negative never lies only inside labelled values; the SHA-256 equals
holdout2.sha256. The set was frozen before any recogniser ran on it (README.md, "Held-out set v2").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_pages import build  # noqa: E402
from check_corpus import PLATFORMS, TYPES, bsn_valid, iban_valid  # noqa: E402

# Each set: its id letter (k001..., m001...); files <set>.jsonl and <set>.sha256 here.
ID_LETTER = {"holdout2": "k", "holdout3": "m"}
KEYS = {"id", "style", "platform", "text", "values", "negatives"}


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), text)]


def strip_notes(source: str) -> str:
    """Drops the `%%` batch-note lines of the source (they belong to no comment)."""
    return "".join(line for line in source.splitlines(keepends=True) if not line.startswith("%%"))


def problems(comment: dict, letter: str = "k") -> list[str]:
    """What is wrong with one comment (empty when it is sound)."""
    out: list[str] = []
    cid, text = comment.get("id", "?"), comment.get("text", "")
    if set(comment) != KEYS:
        return [f"{cid}: keys {sorted(comment)}"]
    if not re.fullmatch(rf"{letter}\d{{3}}", cid):
        out.append(f"{cid}: id form")
    if comment["platform"] not in PLATFORMS:
        out.append(f"{cid}: platform {comment['platform']!r}")
    covered: set[int] = set()
    for item in comment["values"]:
        kind, value = item["type"], item["value"]
        if kind not in TYPES or value not in text:
            out.append(f"{cid}: bad value {item}")
        if (kind == "iban" and not iban_valid(value)) or (kind == "bsn" and not bsn_valid(value)):
            out.append(f"{cid}: {kind} {value!r} fails its check digits")
        for s, e in _spans(text, value):
            covered |= set(range(s, e))
    for negative in comment["negatives"]:
        spans = _spans(text, negative)
        if not spans:
            out.append(f"{cid}: negative {negative!r} not in text")
        elif all(set(range(s, e)) <= covered for s, e in spans):
            out.append(f"{cid}: negative {negative!r} lies only inside labelled values")
    return out


def check(lines: list[str], letter: str = "k") -> tuple[list[str], Counter]:
    errors: list[str] = []
    types: Counter = Counter()
    seen: set[str] = set()
    for line in lines:
        comment = json.loads(line)
        if comment["id"] in seen:
            errors.append(f"{comment['id']}: duplicate id")
        seen.add(comment["id"])
        errors += problems(comment, letter)
        types.update(v["type"] for v in comment["values"])
    return errors, types


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="validate the frozen <set>.jsonl")
    parser.add_argument("--set", choices=sorted(ID_LETTER), default="holdout2", help="which held-out set")
    args = parser.parse_args(argv)
    output, digest_file = HERE / f"{args.set}.jsonl", HERE / f"{args.set}.sha256"
    if args.check:
        data = output.read_text(encoding="utf-8")
        frozen = digest_file.read_text().split()[0]
        if hashlib.sha256(data.encode()).hexdigest() != frozen:
            print(f"{output.name} differs from {digest_file.name}: the set is frozen", file=sys.stderr)
            return 1
    else:
        data = build(strip_notes("".join(p.read_text(encoding="utf-8") for p in args.sources)))
    lines = data.splitlines()
    errors, types = check(lines, ID_LETTER[args.set])
    comments = [json.loads(line) for line in lines]
    print(f"comments {len(comments)}, values {sum(types.values())}, "
          f"negatives {sum(len(c['negatives']) for c in comments)}, "
          f"without personal data {sum(not c['values'] for c in comments)}, "
          f"800+ chars {sum(len(c['text']) >= 800 for c in comments)}")
    print("types: " + ", ".join(f"{k} {n}" for k, n in types.most_common()))
    for title, key in (("styles", "style"), ("platforms", "platform")):
        print(f"{title}: " + ", ".join(f"{k} {n}" for k, n in Counter(c[key] for c in comments).most_common()))
    for error in errors:
        print("error:", error, file=sys.stderr)
    if errors:
        return 1
    if not args.check:
        output.write_text(data, encoding="utf-8")
        digest = hashlib.sha256(data.encode()).hexdigest()
        digest_file.write_text(f"{digest}  {output.name}\n")
        print(f"sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
