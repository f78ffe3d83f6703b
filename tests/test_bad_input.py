"""Bad input: one clear line, a non-zero exit, and never a corrupt or half-written WARC."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from archive_checks import warcio_check
from conftest import crawl, free_port


def assert_failed_cleanly(run, expected: str) -> None:
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    errors = [line for line in run.stderr.splitlines() if line.startswith("sma: error:")]
    assert len(errors) == 1, run.stderr[-2000:]
    assert expected in errors[0], errors[0]
    assert run.stderr.strip().splitlines()[-1] == errors[0], "the error is the last thing said"
    assert "Traceback" not in run.stderr
    warcs = run.archive / "warcs"
    if warcs.exists():
        assert not list(warcs.glob("*.open")), "no half-written WARC left behind"
        assert warcio_check(run.archive) == []


def test_unreachable_host(tmp_path: Path):
    port = free_port()  # nothing listens there
    run = crawl(f"http://127.0.0.1:{port}/@ministerie-demo", tmp_path / "a")
    assert_failed_cleanly(run, "cannot capture")
    assert "ERR_CONNECTION_REFUSED" in run.stderr


def test_profile_that_does_not_exist(platform, tmp_path: Path):
    run = crawl(f"{platform.base}/@niemand-hier", tmp_path / "a")
    assert_failed_cleanly(run, "HTTP 404")


def test_url_that_is_no_social_profile(platform, tmp_path: Path):
    run = crawl(f"{platform.base}/about", tmp_path / "a")
    assert_failed_cleanly(run, "is not a social media profile")


def test_url_that_is_not_http(tmp_path: Path):
    run = crawl("ftp://127.0.0.1/@x", tmp_path / "a")
    assert_failed_cleanly(run, "not an http(s) URL")


def test_unknown_profile_name(platform, tmp_path: Path):
    run = crawl(f"{platform.base}/@ministerie-demo", tmp_path / "a", "--profile", "myspace")
    assert_failed_cleanly(run, "unknown profile 'myspace'")


def test_unwritable_archive_directory(platform, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    run = crawl(f"{platform.base}/@ministerie-demo", blocker / "archive")
    assert_failed_cleanly(run, "is not writable")


def test_archive_without_room_is_refused_before_capture(platform, tmp_path: Path):
    run = crawl(f"{platform.base}/@ministerie-demo", tmp_path / "a", env={"SMA_MIN_FREE_BYTES": str(10**15)})
    assert_failed_cleanly(run, "MB free")
    assert not list((tmp_path / "a" / "warcs").glob("*"))


@pytest.fixture()
def small_disk(tmp_path: Path):
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    assert proc.returncode == 0, f"tests need root to mount a small tmpfs: {proc.stderr!r}"
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_archive_that_fills_up_during_the_crawl(platform, small_disk: Path):
    run = crawl(f"{platform.base}/@ministerie-demo", small_disk, env={"SMA_MIN_FREE_BYTES": "0"})
    assert_failed_cleanly(run, "is full")
    assert list((small_disk / "warcs").glob("*.warc.gz")), "what was captured before the disk filled is kept"
