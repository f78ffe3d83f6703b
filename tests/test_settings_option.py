"""`sma crawl -s NAME=VALUE` and `sma worker -s NAME=VALUE`: any Scrapy or SMA setting from the command
line, as `scrapy crawl -s`; a misspelt SMA setting is refused with one line (exit 2), before anything
is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_sma

from sma.cli import build_parser
from sma.settings_option import WORKER_RESERVED, SettingError, parse_settings


def test_crawl_settings_from_the_command_line_reach_the_crawl(tmp_path: Path) -> None:
    from sma.capture import _settings

    args = build_parser().parse_args(["crawl", "http://127.0.0.1:9/@a", "--archive", str(tmp_path), "--organisation",
                                      "ministerie", "-s", "SMA_MAX_PAGES=4", "--set=CONCURRENT_REQUESTS=2",
                                      "-s", "SMA_READER_WORDS=a=b"])
    args.set_settings = parse_settings(args.settings)
    assert _settings(args) == {"SMA_MAX_PAGES": "4", "CONCURRENT_REQUESTS": "2", "SMA_READER_WORDS": "a=b",
                               "SMA_ORGANISATION": "ministerie"}


def test_worker_settings_reach_every_crawl_it_captures(redis_server, tmp_path: Path) -> None:  # noqa: ANN001
    from crawler.distributed.frontier import Frontier, connect
    from crawler.distributed.worker import scrapy_settings, worker_settings

    extra = parse_settings(["SMA_HOST_CONCURRENCY=2", "SMA_PAGE_TIMEOUT=90", "DOWNLOAD_DELAY=1.5"], WORKER_RESERVED)
    frontier = Frontier(connect(redis_server.url), "settingsopt")
    settings = scrapy_settings(worker_settings(frontier, redis_url=redis_server.url, crawl_id="c1", worker="w1",
                                               spec={"account": "a"}, extra=extra), tmp_path)
    assert settings.getint("SMA_HOST_CONCURRENCY") == 2 and settings.getfloat("SMA_PAGE_TIMEOUT") == 90
    assert settings.getfloat("DOWNLOAD_DELAY") == 1.5
    assert settings.get("SCHEDULER") == "crawler.distributed.frontier.LeaseScheduler"
    with pytest.raises(SettingError, match="-s SMA_LEASE_S: set by --lease"):
        parse_settings(["SMA_LEASE_S=5"], WORKER_RESERVED)


@pytest.mark.parametrize(("pair", "said"), [
    ("SMA_MAX_PAGE=5", "-s SMA_MAX_PAGE: not a setting SMA reads (did you mean SMA_MAX_PAGES"),
    ("max_pages", "-s 'max_pages': expected NAME=VALUE"),
    ("SMA_ARCHIVE_DIR=/tmp/x", "-s SMA_ARCHIVE_DIR: set by --archive, not by -s"),
])
def test_a_bad_setting_is_refused_in_one_line(pair: str, said: str) -> None:
    with pytest.raises(SettingError) as refused:
        parse_settings(["SMA_MAX_PAGES=3", pair])
    assert str(refused.value).startswith(said)


def test_sma_crawl_refuses_an_unknown_sma_setting_before_it_writes(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    proc = run_sma("crawl", "http://127.0.0.1:9/@a", "--archive", str(archive), "-s", "SMA_PAGE_TIMEOUTS=5")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "sma: error: -s SMA_PAGE_TIMEOUTS: not a setting SMA reads (did you mean SMA_PAGE_TIMEOUT?); "
        "see docs/limits.md"]
    assert not archive.exists()
