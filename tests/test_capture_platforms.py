"""What every platform's capture must show, whatever its skin: a complete crawl of the demo
account, every ground-truth post and comment in the WARCs, valid WARC files, honest records, and
a screenshot, DOM and text per page. Skin-specific quirks and replay are in test_capture_<skin>.py."""

from __future__ import annotations

import json

import pytest
from archive_checks import missing_from_archive, pages, warcio_check

from crawler.archive.read import iter_records
from demo_platform.skins import SKINS

pytestmark = pytest.mark.parametrize("skin", sorted(SKINS))


def test_crawl_reports_success_with_a_summary(skin, skin_archives, platform):
    run = skin_archives.crawl(skin)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    n = len(platform.truth(skin)["posts"])
    assert f"pages {n + 1} (profile 1, posts {n})" in run.stdout
    summary = json.loads(next((run.archive / "crawls").glob("*/summary.json")).read_text())
    assert summary["complete"] is True and summary["errors"] == []
    assert summary["profile"] == skin, "--profile auto picks the platform's own profile by URL"
    assert summary["records"] > 0 and summary["bytes"] > 0


def test_every_post_and_comment_is_in_the_warcs(skin, skin_archives, platform):
    truth = platform.truth(skin)
    assert len(truth["posts"]) >= 60
    assert missing_from_archive(skin_archives.crawl(skin).archive, truth) == []


def test_every_warc_passes_warcio_check(skin, skin_archives):
    run = skin_archives.crawl(skin)
    assert run.warcs(), "no WARC written"
    assert not list((run.archive / "warcs").glob("*.open"))
    assert warcio_check(run.archive) == []


def test_crawler_never_requests_ground_truth(skin, skin_archives):
    assert [r.uri for r in iter_records(skin_archives.crawl(skin).archive) if "/_truth" in r.uri] == []


def test_records_are_true_to_what_was_received(skin, skin_archives):
    records = list(iter_records(skin_archives.crawl(skin).archive))
    info = [r for r in records if r.type == "warcinfo"]
    assert info and b"software: SMA" in info[0].payload and b"chromium" in info[0].payload.lower()
    responses = [r for r in records if r.type == "response"]
    requests = {r.warc_headers.get_header("WARC-Concurrent-To") for r in records if r.type == "request"}
    for rec in responses:
        assert rec.warc_headers.get_header("WARC-Record-ID") in requests, f"no request record for {rec.uri}"
        assert rec.warc_headers.get_header("WARC-Payload-Digest", "").startswith("sha256:")
        # bodies are stored decoded: the encoding header must go and the length must match
        assert rec.http_headers.get_header("Content-Encoding") is None, rec.uri
        assert int(rec.http_headers.get_header("Content-Length")) == len(rec.payload), rec.uri
    kinds = {r.http_headers.get_header("Content-Type", "").split(";")[0] for r in responses}
    assert {"text/html", "application/json", "image/png"} <= kinds
    assert any("javascript" in k for k in kinds) and "text/css" in kinds
    assert any(r.type == "revisit" for r in records), "repeated static resources are deduplicated"


def test_each_page_has_screenshot_dom_and_text(skin, skin_archives, platform):
    truth = platform.truth(skin)
    archive = skin_archives.crawl(skin).archive
    rows = pages(archive)
    assert {r["kind"] for r in rows} == {"profile", "post"}
    assert {r["url"] for r in rows if r["kind"] == "post"} == {p["url"] for p in truth["posts"]}
    resources = {r.uri: r for r in iter_records(archive) if r.type == "resource"}
    for row in rows:
        assert resources[f"urn:screenshot:{row['url']}"].payload.startswith(b"\x89PNG")
        assert b"<html" in resources[f"urn:dom:{row['url']}"].payload.lower()
        assert resources[f"urn:text:{row['url']}"].payload.strip()
