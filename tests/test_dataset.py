"""Research datasets: the thread as the platform has it, every row provable against its WARC record,
and no personal value in the pseudonymised dataset."""

from __future__ import annotations

import csv
import json
import shutil
import stat
from pathlib import Path

import pytest
from conftest import CrawlRun, Platform, run_sma
from warcio.archiveiterator import ArchiveIterator
from woo_support import pii_hits, pii_values


@pytest.fixture(scope="module")
def archive(mastodon_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dataset-archive") / "archive"
    shutil.copytree(mastodon_crawl.archive, target, ignore=shutil.ignore_patterns(".sma", ".pywb"))
    return target


@pytest.fixture(scope="module")
def pseudonymised(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset-out") / "research"
    proc = run_sma("dataset", "--archive", str(archive), "--out", str(out), timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "pseudonymised" in proc.stdout
    return out


def _rows(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "items.jsonl").read_text(encoding="utf-8").splitlines()]


def test_thread_tree_matches_the_platforms_truth(pseudonymised: Path, platform: Platform) -> None:
    truth = platform.truth("mastodon")
    rows = _rows(pseudonymised)
    comments = {(r["post_id"], r["id"]): r for r in rows if r["kind"] == "comment"}
    posts = {r["id"] for r in rows if r["kind"] == "post"}
    assert posts == {p["url"].rstrip("/").rsplit("/", 1)[-1] for p in truth["posts"]}
    expected = {(p["url"].rstrip("/").rsplit("/", 1)[-1], c["id"]): c["parent"]
                for p in truth["posts"] for c in p["comments"]}
    assert expected, "the demo account has comments"
    assert set(comments) == set(expected), "every comment, none extra"
    wrong = {k: (comments[k]["parent_id"], v) for k, v in expected.items() if comments[k]["parent_id"] != v}
    assert not wrong, f"parents differ from the truth: {list(wrong.items())[:3]}"
    # the pseudonymised author is a pseudonym, the same citizen always the same one
    by_handle: dict[str, set[str]] = {}
    for p in truth["posts"]:
        pid = p["url"].rstrip("/").rsplit("/", 1)[-1]
        for c in p["comments"]:
            by_handle.setdefault(c["author"]["handle"], set()).add(comments[(pid, c["id"])]["author"])
    assert all(len(names) == 1 and next(iter(names)).startswith("Burger-") for names in by_handle.values())


def test_every_row_points_at_a_record_with_that_digest(pseudonymised: Path, archive: Path) -> None:
    """What a reader does to prove a row: seek to the offset, read one record, compare."""
    rows = _rows(pseudonymised)
    assert rows
    for (name, offset), group in _by_record(rows).items():
        assert name.startswith("access/warcs/"), "the pseudonymised dataset cites the access copy"
        with open(archive / name, "rb") as fh:
            fh.seek(offset)
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Target-URI").startswith("urn:dom:")
            assert {r["warc_digest"] for r in group} == {rec.rec_headers.get_header("WARC-Payload-Digest")}
            page = rec.content_stream().read().decode("utf-8")
        assert all(r["id"] in page and r["text"].split()[0] in page for r in group if r["text"])


def _by_record(rows: list[dict]) -> dict[tuple[str, int], list[dict]]:
    out: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        out.setdefault((row["warc_file"], row["warc_offset"]), []).append(row)
    return out


def test_pseudonymised_dataset_holds_no_truth_value(pseudonymised: Path, platform: Platform) -> None:
    values = pii_values(platform.truth("mastodon"))
    for file in sorted(pseudonymised.iterdir()):
        assert pii_hits(file.read_bytes(), values) == [], file.name
    assert stat.S_IMODE(pseudonymised.stat().st_mode) == 0o700


def test_csv_and_datapackage_describe_the_same_rows(pseudonymised: Path) -> None:
    rows = _rows(pseudonymised)
    with open(pseudonymised / "items.csv", encoding="utf-8", newline="") as fh:
        raw = fh.read()
    assert raw.count("\r\n") >= len(rows) + 1  # RFC 4180 line ends
    table = list(csv.DictReader(raw.splitlines(keepends=True)))
    assert [(r["kind"], r["id"]) for r in table] == [(r["kind"], r["id"]) for r in rows]
    assert [r["text"] for r in table] == [r["text"] for r in rows]  # multi-line texts survive quoting
    package = json.loads((pseudonymised / "datapackage.json").read_text(encoding="utf-8"))
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert fields == list(table[0].keys())
    readme = (pseudonymised / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in fields)


def test_original_needs_its_flag_and_holds_the_names(archive: Path, platform: Platform, tmp_path: Path) -> None:
    truth = platform.truth("mastodon")
    name = next(c["author"]["name"] for p in truth["posts"] for c in p["comments"])
    out = tmp_path / "original"
    proc = run_sma("dataset", "--archive", str(archive), "--out", str(out), "--original", "--from", "2000-01-01")
    assert proc.returncode == 0 and "ORIGINAL" in proc.stdout, proc.stderr
    assert name in (out / "items.jsonl").read_text(encoding="utf-8")
    assert "ORIGINAL" in (out / "README.md").read_text(encoding="utf-8")
    audit = (archive / ".sma" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "dataset"' in audit.replace('":"', '": "') and "original" in audit
    again = run_sma("dataset", "--archive", str(archive), "--out", str(out))
    assert again.returncode == 2 and "not empty" in again.stderr
    bad = run_sma("dataset", "--archive", str(archive), "--out", str(tmp_path / "x"), "--until", "31-12-2025")
    assert bad.returncode == 2 and "--until" in bad.stderr
