"""The frozen PII evaluation corpus (bench/pii_eval/) is intact and still what issue 11 asked for.

The corpus is the yardstick for the recognisers, so it must not drift: its SHA-256 is pinned, every label is
an exact substring, every IBAN and BSN in it is a valid one, and the size and mix it was written to are kept.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parent.parent / "bench" / "pii_eval"
CHECKER = EVAL_DIR / "check_corpus.py"

_spec = importlib.util.spec_from_file_location("check_corpus", CHECKER)
assert _spec is not None and _spec.loader is not None
check_corpus = importlib.util.module_from_spec(_spec)
sys.modules["check_corpus"] = check_corpus
_spec.loader.exec_module(check_corpus)


@pytest.fixture(scope="module")
def report():
    return check_corpus.check()


def test_corpus_passes_every_check_and_matches_its_frozen_hash(report):
    assert report.errors == []


def test_corpus_has_the_size_and_mix_it_was_written_to(report):
    assert report.comments >= 650
    assert sum(report.types.values()) >= 450
    assert report.types["name"] >= 120
    for kind in check_corpus.TYPES:
        assert report.types[kind] >= 30, kind
    assert report.without_values / report.comments >= 0.35
    assert report.long_comments >= 3
    assert report.negatives >= 300
    for style in ("informal", "typo", "no-caps", "emoji", "rant", "quote", "signature", "english", "mixed"):
        assert report.styles[style] >= 10, style
    assert set(report.platforms) == check_corpus.PLATFORMS


def test_command_line_prints_counts_and_exits_zero():
    result = subprocess.run([sys.executable, str(CHECKER)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "labelled values" in result.stdout and "birthdate" in result.stdout


def _write_variant(tmp_path: Path, edit) -> Path:
    records = [json.loads(line) for line in (EVAL_DIR / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    edit(records)
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _first_with(records, kind):
    return next(r for r in records if any(v["type"] == kind for v in r["values"]))


def test_an_invalid_bsn_is_rejected(tmp_path):
    def edit(records):
        record = _first_with(records, "bsn")
        value = next(v for v in record["values"] if v["type"] == "bsn")
        wrong = value["value"][:-1] + str((int(value["value"][-1]) + 1) % 10)
        record["text"] = record["text"].replace(value["value"], wrong)
        value["value"] = wrong

    report = check_corpus.check(_write_variant(tmp_path, edit), hash_file=None)
    assert any("11-proof" in e for e in report.errors)


def test_an_invalid_iban_and_a_label_outside_the_text_are_rejected(tmp_path):
    def edit(records):
        record = _first_with(records, "iban")
        value = next(v for v in record["values"] if v["type"] == "iban")
        wrong = value["value"][:2] + "00" + value["value"][4:]
        record["text"] = record["text"].replace(value["value"], wrong)
        value["value"] = wrong
        records[0]["negatives"].append("niet in deze tekst")

    report = check_corpus.check(_write_variant(tmp_path, edit), hash_file=None)
    assert any("mod-97" in e for e in report.errors)
    assert any("not a substring" in e for e in report.errors)


def test_an_edited_corpus_no_longer_matches_the_pinned_hash(tmp_path):
    def edit(records):
        records[0]["text"] += " "

    path = _write_variant(tmp_path, edit)
    report = check_corpus.check(path, hash_file=EVAL_DIR / "corpus.sha256")
    assert any("frozen" in e for e in report.errors)
