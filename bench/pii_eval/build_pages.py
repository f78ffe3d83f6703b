"""Builds the page-text corpus `pages.jsonl` from its hand-written source `pages_source.txt`.

    python bench/pii_eval/build_pages.py [--check]

Source markup: `=== id | platform | style` starts a page; `[[type:value]]` marks a third party's
personal value, `{{text}}` a hard negative; lines starting with `#` before the first page are
comments. Output: one JSON object per page in the schema of corpus.jsonl (README.md), each value and
negative an exact substring of the page's text, each distinct value listed once (every occurrence
of it counts as personal). `--check` rebuilds in memory and fails when pages.jsonl or its SHA-256
(pages.sha256) differs: the set is frozen like corpus.jsonl. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE, OUTPUT, DIGEST = HERE / "pages_source.txt", HERE / "pages.jsonl", HERE / "pages.sha256"
TYPES = {"name", "email", "phone", "address", "postcode", "iban", "bsn", "plate", "birthdate", "mention"}
MARK = re.compile(r"\[\[(\w+):(.+?)\]\]|\{\{(.+?)\}\}")


def _page(page_id: str, body: str) -> tuple[str, list[dict[str, str]], list[str]]:
    values: list[dict[str, str]] = []
    negatives: list[str] = []

    def plain(match: re.Match[str]) -> str:
        kind, value, negative = match.groups()
        if negative is not None:
            if negative not in negatives:
                negatives.append(negative)
            return negative
        if kind not in TYPES:
            raise SystemExit(f"build_pages: {page_id}: unknown type {kind!r}")
        if {"type": kind, "value": value} not in values:
            values.append({"type": kind, "value": value})
        return value

    text = MARK.sub(plain, body).rstrip("\n")
    if "[[" in text or "{{" in text:
        raise SystemExit(f"build_pages: {page_id}: unbalanced markup")
    return text, values, negatives


def build(source: str) -> str:
    pages: list[dict] = []
    for block in re.split(r"^=== ", source, flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        page_id, platform, style = (part.strip() for part in header.split("|"))
        text, values, negatives = _page(page_id, body)
        for item in [v["value"] for v in values] + negatives:
            assert item in text, (page_id, item)
        pages.append({"id": page_id, "style": style, "platform": platform, "text": text, "values": values,
                      "negatives": negatives})
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages)


def freeze(built: str, output: Path, digest_file: Path, check: bool) -> str | None:
    """Writes the build and its SHA-256, or with `check` compares them with the frozen ones; the
    digest, or None (said on stderr) when the frozen build differs."""
    digest = hashlib.sha256(built.encode()).hexdigest()
    if check:
        frozen = digest_file.read_text().split()[0]
        if not output.exists() or output.read_text(encoding="utf-8") != built or digest != frozen:
            print(f"{output.name} is not the frozen build of its source ({digest} != {frozen})", file=sys.stderr)
            return None
    else:
        output.write_text(built, encoding="utf-8")
        digest_file.write_text(f"{digest}  {output.name}\n")
    return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when pages.jsonl is not the frozen build")
    args = parser.parse_args(argv)
    built = build(SOURCE.read_text(encoding="utf-8"))
    digest = freeze(built, OUTPUT, DIGEST, args.check)
    if digest is None:
        return 1
    lines = [json.loads(line) for line in built.splitlines()]
    print(f"pages {len(lines)}, values {sum(len(p['values']) for p in lines)}, "
          f"negatives {sum(len(p['negatives']) for p in lines)}, characters {sum(len(p['text']) for p in lines)}, "
          f"sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
