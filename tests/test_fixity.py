"""Fixity: a manifest written as each WARC closes, sealed for the rest, and `sma verify --archive`
finding a single flipped bit in a WARC, a CDXJ index and a ledger (docs/fixity.md).

The session's mastodon crawl is copied (never changed); each flip is undone after its test."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.archive.warc import ArchiveWriter
from tests.conftest import run_sma


@pytest.fixture(scope="module")
def archive(mastodon_crawl, tmp_path_factory) -> Path:
    from replay.pywb_runner import prepare

    copy = tmp_path_factory.mktemp("fixity") / "archive"
    shutil.copytree(mastodon_crawl.archive, copy, ignore=shutil.ignore_patterns(".pywb", "*.lock"))
    prepare(copy)  # pywb's real CDXJ index for the copy, under .pywb/
    proc = run_sma("verify", "--archive", str(copy), "--seal", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return copy


def flip_bit(path: Path, at: int) -> int:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(data)
    return at


def test_writer_records_each_closed_warc_in_the_manifest(tmp_path):
    writer = ArchiveWriter(tmp_path, "t1", {"software": "test"})
    writer.write_resource("urn:text:https://example.org/p/1", "text/plain", b"hello", datetime.now(UTC))
    writer.close()
    lines = [json.loads(line) for line in (tmp_path / ".sma" / "fixity.jsonl").read_text().splitlines()]
    (warc,) = writer.files
    assert lines == [{"path": f"warcs/{warc.name}", "size": warc.stat().st_size, "by": "warc-close",
                      "sha256": hashlib.sha256(warc.read_bytes()).hexdigest(), "sealed": lines[0]["sealed"]}]
    proc = run_sma("verify", "--archive", str(tmp_path))
    assert proc.returncode == 0 and "unsealed" not in proc.stdout, proc.stdout + proc.stderr


def test_clean_archive_verifies(archive):
    proc = run_sma("verify", "--archive", str(archive), timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout and "MB/s" in proc.stdout
    assert "unsealed" not in proc.stdout


def test_flipped_bit_in_a_warc_names_file_and_record(archive):
    warc = sorted((archive / "warcs").glob("*.warc.gz"))[0]
    at = flip_bit(warc, warc.stat().st_size // 2)
    try:
        proc = run_sma("verify", "--archive", str(archive), timeout=600)
    finally:
        flip_bit(warc, at)
    assert proc.returncode != 0
    fails = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert any(f"warcs/{warc.name}: warc: SHA-256 differs" in line for line in fails), proc.stdout
    assert any(f"warcs/{warc.name}" in line and ("[record <urn:uuid:" in line or "the record after <urn:uuid:" in line)
               for line in fails), proc.stdout


def test_a_damaged_member_is_named_by_its_record_wherever_the_bit_flips(tmp_path):
    """A bit flipped anywhere in a small record (one read holds the whole member) still names that
    record, or, when its own header is what broke, the record before it."""
    import io

    from warcio.warcwriter import WARCWriter

    from records.fixity import FixityReport, check_warc_records

    path = tmp_path / "small.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for n in range(3):
            payload = (f"<p>comment {n} </p>" * 200).encode()
            record = writer.create_warc_record(f"https://example.org/{n}", "resource", payload=io.BytesIO(payload),
                                               warc_content_type="text/html")
            writer.write_record(record)
    size = path.stat().st_size
    for fraction in (0.2, 0.5, 0.8, 0.95):
        at = flip_bit(path, int(size * fraction))
        try:
            report = FixityReport()
            check_warc_records(path, "warcs/small.warc.gz", report)
        finally:
            flip_bit(path, at)
        assert report.problems, fraction
        assert all("<urn:uuid:" in problem.line() for problem in report.problems), [p.line() for p in report.problems]


@pytest.mark.parametrize("pattern", [".pywb/indexes/index.cdxj", "crawls/*/pii-ledger.json.enc"])
def test_flipped_bit_in_an_index_or_ledger_names_the_file(archive, pattern):
    # (a crawl's ledger exists also when it holds no entry: the first that holds some)
    (target,) = [p for p in sorted(archive.glob(pattern)) if p.stat().st_size > 0][:1] or [None]
    assert target is not None, f"no {pattern} with content in the crawl"
    at = flip_bit(target, target.stat().st_size // 3)
    try:
        proc = run_sma("verify", "--archive", str(archive), timeout=600)
    finally:
        flip_bit(target, at)
    assert proc.returncode != 0
    rel = str(target.relative_to(archive))
    assert f"FAIL {rel}: " in proc.stdout and "SHA-256 differs" in proc.stdout, proc.stdout


def test_appending_to_a_sealed_jsonl_is_not_a_change_but_rewriting_it_is(archive):
    pages = archive / "pages.jsonl"
    original = pages.read_bytes()
    try:
        pages.write_bytes(original + b'{"id": "later", "url": "https://example.org/later"}\n')
        assert run_sma("verify", "--archive", str(archive), timeout=600).returncode == 0
        pages.write_bytes(original.replace(b'"url"', b'"urL"', 1))
        proc = run_sma("verify", "--archive", str(archive), timeout=600)
        assert proc.returncode != 0 and "FAIL pages.jsonl: other: the first" in proc.stdout, proc.stdout
    finally:
        pages.write_bytes(original)


def test_a_short_manifest_write_is_cut_back_and_raises(tmp_path, monkeypatch):
    from records import fixity

    fixity.append_entries(tmp_path, [{"path": "a", "size": 1, "sha256": "00", "sealed": "t", "by": "seal"}])
    manifest = tmp_path / ".sma" / "fixity.jsonl"
    good = manifest.read_bytes()
    real_write = fixity.os.write

    def full_disk(fd, data):  # noqa: ANN001, ANN202 - the disk takes only the first 10 bytes
        return real_write(fd, data[:10])

    monkeypatch.setattr(fixity.os, "write", full_disk)
    with pytest.raises(OSError, match="10 of"):
        fixity.append_entries(tmp_path, [{"path": "b", "size": 2, "sha256": "11", "sealed": "t", "by": "seal"}])
    assert manifest.read_bytes() == good  # no half line that verify would call damage
    assert list(fixity.read_manifest(tmp_path)) == ["a"]


def test_a_signed_checkpoint_finds_a_warc_rewritten_together_with_its_manifest_line(tmp_path):
    archive = tmp_path / "a"
    writer = ArchiveWriter(archive, "t2", {"software": "test"})
    writer.write_resource("urn:text:https://example.org/p/2", "text/plain", b"origineel bericht", datetime.now(UTC))
    writer.close()
    (warc,) = writer.files
    signed = run_sma("verify", "--archive", str(archive), "--checkpoint")
    assert signed.returncode == 0 and "checkpoint: original manifest" in signed.stdout, signed.stdout + signed.stderr
    (archive / "pages.jsonl").write_text("{}\n")
    assert run_sma("verify", "--archive", str(archive), "--seal").returncode == 0  # appending is no tampering

    # Someone with write access swaps the WARC and rewrites its manifest line to match: the unsigned
    # manifest alone cannot tell, the signed checkpoint of its first bytes can.
    other = ArchiveWriter(tmp_path / "b", "t2", {"software": "test"})
    other.write_resource("urn:text:https://example.org/p/2", "text/plain", b"vervalst bericht", datetime.now(UTC))
    other.close()
    warc.write_bytes(other.files[0].read_bytes())
    manifest = archive / ".sma" / "fixity.jsonl"
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    lines[0].update(size=warc.stat().st_size, sha256=hashlib.sha256(warc.read_bytes()).hexdigest())
    manifest.write_text("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))
    proc = run_sma("verify", "--archive", str(archive))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL .sma/fixity.jsonl: the first" in proc.stdout and "a manifest line was rewritten" in proc.stdout
    assert proc.stdout.count("FAIL") == 1  # the WARC itself matches the forged line
