"""Validate the frozen PII evaluation corpus and print its counts.

Usage: python bench/pii_eval/check_corpus.py [corpus.jsonl]

Checks every line: valid JSON with the schema's keys, unique ids, types from the fixed list, every value and
negative an exact substring of its text, IBANs passing mod-97, BSNs passing the 11-proof, and the file's
SHA-256 equal to the one in corpus.sha256 (the corpus is frozen; a change needs a new version file).
Standard library only, so it runs before anything else is installed. Exit status 1 on any error.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"
HASH_FILE = HERE / "corpus.sha256"

TYPES = ("name", "email", "phone", "address", "postcode", "iban", "bsn", "plate", "birthdate", "mention")
PLATFORMS = {"x", "facebook", "instagram", "linkedin", "youtube", "mastodon", "tiktok"}
KEYS = {"id", "style", "platform", "text", "values", "negatives"}
ID_FORM = re.compile(r"c\d{4}")
IBAN_FORM = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")


def iban_valid(value: str) -> bool:
    """Dutch IBAN (spaces and case free) whose check digits pass ISO 7064 mod-97."""
    compact = re.sub(r"\s", "", value).upper()
    if not IBAN_FORM.fullmatch(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def bsn_valid(value: str) -> bool:
    """Nine digits (dots, spaces and hyphens allowed between them) passing the 11-proof."""
    digits = re.sub(r"[.\s-]", "", value)
    if not re.fullmatch(r"\d{9}", digits):
        return False
    total = sum((9 - i) * int(d) for i, d in enumerate(digits[:8])) - int(digits[8])
    return total % 11 == 0


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    comments: int = 0
    without_values: int = 0
    negatives: int = 0
    long_comments: int = 0
    types: Counter = field(default_factory=Counter)
    styles: Counter = field(default_factory=Counter)
    platforms: Counter = field(default_factory=Counter)
    sha256: str = ""


def _check_record(record: object, where: str, seen: set[str], report: Report) -> None:
    if not isinstance(record, dict) or set(record) != KEYS:
        report.errors.append(f"{where}: keys must be exactly {sorted(KEYS)}")
        return
    rid, text = record["id"], record["text"]
    if not isinstance(rid, str) or not ID_FORM.fullmatch(rid):
        report.errors.append(f"{where}: id {rid!r} is not of the form c0001")
    elif rid in seen:
        report.errors.append(f"{where}: duplicate id {rid}")
    seen.add(str(rid))
    if not isinstance(text, str) or not text.strip():
        report.errors.append(f"{where}: empty text")
        return
    if not isinstance(record["style"], str) or not record["style"]:
        report.errors.append(f"{where}: style missing")
    if record["platform"] not in PLATFORMS:
        report.errors.append(f"{where}: platform {record['platform']!r} not in {sorted(PLATFORMS)}")
    values, negatives = record["values"], record["negatives"]
    if not isinstance(values, list) or not isinstance(negatives, list):
        report.errors.append(f"{where}: values and negatives must be lists")
        return
    for item in values:
        if not isinstance(item, dict) or set(item) != {"type", "value"}:
            report.errors.append(f"{where}: value entry {item!r} must have exactly type and value")
            continue
        kind, value = item["type"], item["value"]
        if kind not in TYPES:
            report.errors.append(f"{where}: unknown type {kind!r}")
        if not isinstance(value, str) or not value or value not in text:
            report.errors.append(f"{where}: value {value!r} is not a substring of the text")
        elif kind == "iban" and not iban_valid(value):
            report.errors.append(f"{where}: IBAN {value!r} fails mod-97")
        elif kind == "bsn" and not bsn_valid(value):
            report.errors.append(f"{where}: BSN {value!r} fails the 11-proof")
        report.types[kind] += 1
    labelled = {item.get("value") for item in values if isinstance(item, dict)}
    for negative in negatives:
        if not isinstance(negative, str) or not negative or negative not in text:
            report.errors.append(f"{where}: negative {negative!r} is not a substring of the text")
        elif negative in labelled:
            report.errors.append(f"{where}: {negative!r} is both a value and a negative")
    report.comments += 1
    report.without_values += not values
    report.negatives += len(negatives)
    report.long_comments += len(text) >= 800
    report.styles[record["style"]] += 1
    report.platforms[record["platform"]] += 1


def check(corpus: Path = CORPUS, hash_file: Path | None = HASH_FILE) -> Report:
    """Validate `corpus`; compare its SHA-256 with `hash_file` unless that is None."""
    report = Report()
    data = corpus.read_bytes()
    report.sha256 = hashlib.sha256(data).hexdigest()
    seen: set[str] = set()
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        where = f"{corpus.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            report.errors.append(f"{where}: not JSON ({exc.msg})")
            continue
        _check_record(record, where, seen, report)
    if hash_file is not None:
        expected = hash_file.read_text(encoding="utf-8").split()[0] if hash_file.exists() else "(missing)"
        if expected != report.sha256:
            report.errors.append(
                f"{corpus.name}: SHA-256 {report.sha256} differs from {hash_file.name} ({expected}); "
                "the corpus is frozen, add a new version instead of editing it"
            )
    return report


def print_counts(report: Report) -> None:
    total = sum(report.types.values())
    print(f"comments {report.comments}, labelled values {total}, negatives {report.negatives}")
    share = report.without_values / report.comments if report.comments else 0.0
    print(f"comments without personal data {report.without_values} ({share:.0%}), "
          f"comments of 800+ characters {report.long_comments}")
    print(f"sha256 {report.sha256}")
    for title, counter in (("type", report.types), ("style", report.styles), ("platform", report.platforms)):
        print(f"\n{title:<12}count")
        for key, count in counter.most_common():
            print(f"{key:<12}{count}")


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else CORPUS
    hash_file = corpus.with_suffix(".sha256")
    if not corpus.exists():
        print(f"error: {corpus} does not exist", file=sys.stderr)
        return 1
    report = check(corpus, hash_file)
    print_counts(report)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
