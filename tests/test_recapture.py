"""Daily operation of a registry: first capture, an unchanged recapture, the platform moves on three
days, a recapture that finds what changed; scenarios A and C; replay of what was deleted.

The platform here is this module's own (its clock changes its world; the session-wide one must
stay at day 0 for the other tests)."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Platform, run_sma

from crawler.archive.history import AccountHistory, parse_time
from crawler.archive.read import iter_records, warc_files

REVISIT_DAYS = 7


@pytest.fixture(scope="module")
def live() -> Iterator[Platform]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=5)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Platform("http://{}:{}".format(*server.server_address[:2]))
    server.shutdown()
    server.server_close()


def registry_text(live: Platform) -> str:
    return f"""organisation: {{id: "ministerie-demo", name: "Ministerie van Demo"}}
defaults: {{revisit_days: {REVISIT_DAYS}}}
accounts:
  - id: mastodon-main
    platform: mastodon
    url: {live.base}/@ministerie-demo
    type: corporate
    comments: true
    process: dialoog overheid-burgers
    schedule: daily
  - id: instagram-oneway
    platform: instagram
    url: {live.base}/instagram/ministerie-demo/
    type: corporate
    comments: false
    process: publieksvoorlichting
    schedule: daily
  - id: x-minister
    platform: x
    url: {live.base}/x/ministerie-demo
    type: hybrid
    comments: true
    process: dialoog overheid-burgers
    schedule: daily
"""


class Story:
    """Everything the module's tests look at, made once: four runs and the truth around them."""

    def __init__(self, live: Platform, root: Path) -> None:
        self.live = live
        self.registry = root / "registry.yaml"
        self.registry.write_text(registry_text(live))
        self.archive = root / "archive"
        self.truth_day0 = live.get_json("/_truth/mastodon/ministerie-demo.json")
        self.first = self.run("--account", "mastodon-main")
        self.files_after_first = warc_files(self.archive)
        self.unchanged = self.run("--account", "mastodon-main")
        self.files_after_unchanged = warc_files(self.archive)
        self.advance = run_sma("platform", "advance", "--days", "3", "--url", live.base)
        self.truth_day3 = live.get_json("/_truth/mastodon/ministerie-demo.json")
        changes = live.get_json("/_truth/mastodon/ministerie-demo/changes.json")
        self.truth_changes = changes if isinstance(changes, dict) else {"changes": changes}
        self.after = self.run("--account", "mastodon-main")
        self.history = AccountHistory(self.archive, "mastodon-main")
        self.revisited = self.visited_by_last_run()
        self.full = self.run("--account", "mastodon-main", "--full")
        self.history = AccountHistory(self.archive, "mastodon-main")

    def visited_by_last_run(self) -> set[str]:
        started = parse_time(self.history.runs()[-1]["started"]).replace(microsecond=0)
        return {url for url, post in self.history.posts.items() if parse_time(post.last_captured) >= started}

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return run_sma("run", "--registry", str(self.registry), "--archive", str(self.archive), "--all", *args)


@pytest.fixture(scope="module")
def story(live: Platform, tmp_path_factory: pytest.TempPathFactory) -> Story:
    return Story(live, tmp_path_factory.mktemp("recapture"))


def records_of(paths: list[Path]):
    return [r for r in iter_records(paths[0].parent.parent) if r.path in set(paths)]


def test_first_run_captures_every_post(story: Story) -> None:
    assert story.first.returncode == 0, story.first.stdout + story.first.stderr
    assert "mastodon-main: complete" in story.first.stdout
    captured = set(AccountHistory(story.archive, "mastodon-main").posts)
    assert {p["url"] for p in story.truth_day0["posts"]} <= captured


def test_unchanged_recapture_stores_no_payload_twice(story: Story) -> None:
    assert story.unchanged.returncode == 0, story.unchanged.stderr
    first = records_of(story.files_after_first)
    known = {(r.uri, r.warc_headers.get_header("WARC-Payload-Digest")) for r in first if r.type == "response"}
    new_files = [p for p in story.files_after_unchanged if p not in story.files_after_first]
    again = records_of(new_files)
    # Redirects (no payload) are written each time: their headers are the evidence.
    stored_twice = [r.uri for r in again if r.type in ("response", "resource") and r.payload
                    and (r.uri, r.warc_headers.get_header("WARC-Payload-Digest")) in known]
    assert not stored_twice, stored_twice[:5]
    assert sum(1 for r in again if r.type == "revisit") > 20
    # The profile page was captured again: pywb's calendar gets a capture time per run.
    assert any(r.type == "resource" or r.type == "revisit" for r in again if r.uri.startswith("urn:screenshot:"))
    added = sum(p.stat().st_size for p in new_files)
    first_bytes = sum(p.stat().st_size for p in story.files_after_first)
    assert added < 0.05 * first_bytes, f"recapture added {added} bytes, first capture {first_bytes}"


def net_changes(truth: list[dict], kind: str) -> dict[str, str]:
    """id -> the change a capture before and after the advance can see (new+deleted cancel out;
    the comments of a new post come with it, as "new post with N comments")."""
    seen: dict[str, set[str]] = {}
    new_posts = {c["url"] for c in truth if c["kind"] == "post" and c["change"] == "new"}
    for change in truth:
        if change["kind"] == kind and not (kind == "comment" and change["url"] in new_posts):
            seen.setdefault(change["id"] if kind == "comment" else change["url"], set()).add(change["change"])
    net = {}
    for ident, what in seen.items():
        if "new" in what and "deleted" in what:
            continue
        net[ident] = "deleted" if "deleted" in what else "new" if "new" in what else "edited"
    return net


def ours(story: Story, kind: str) -> set[tuple[str, str]]:
    return {(c["id"] if kind == "comment" else c["url"], c["change"]) for c in story.history.changes()
            if c["kind"] == kind}


def test_recapture_finds_new_and_deleted_posts(story: Story) -> None:
    assert story.advance.returncode == 0, story.advance.stderr
    assert story.after.returncode == 0, story.after.stdout + story.after.stderr
    truth = [c for c in story.truth_changes["changes"] if c["skin"] == "mastodon"]
    expected = {(url, what) for url, what in net_changes(truth, "post").items() if what != "edited"}
    assert {what for _, what in expected} == {"new", "deleted"}
    assert expected <= ours(story, "post")
    assert set(story.history.live_posts()) == {p["url"] for p in story.truth_day3["posts"]}


def test_recapture_finds_late_comments_on_young_posts(story: Story) -> None:
    truth = [c for c in story.truth_changes["changes"] if c["skin"] == "mastodon" and c["url"] in story.revisited]
    expected = set(net_changes(truth, "comment").items())
    assert "new" in {what for _, what in expected}, "the clock added no late comment to a young post"
    assert expected <= ours(story, "comment")


def test_full_recapture_finds_every_comment_change_and_edit(story: Story) -> None:
    assert story.full.returncode == 0, story.full.stdout + story.full.stderr
    truth = [c for c in story.truth_changes["changes"] if c["skin"] == "mastodon"]
    expected = set(net_changes(truth, "comment").items())
    assert {what for _, what in expected} == {"new", "edited", "deleted"}
    assert expected <= ours(story, "comment")
    edited_posts = {(url, what) for url, what in net_changes(truth, "post").items() if what == "edited"}
    assert edited_posts and edited_posts <= ours(story, "post")


def test_changes_are_metadata_records_in_the_warcs(story: Story) -> None:
    uris = [r.uri for r in iter_records(story.archive) if r.type == "metadata"]
    deleted = [c for c in story.history.changes() if c["change"] == "deleted" and c["kind"] == "post"]
    assert deleted
    for change in deleted:
        assert f"urn:sma:change:deleted:post:{change['url']}" in uris


def test_timeline_lists_every_capture_and_change(story: Story) -> None:
    out = run_sma("timeline", "mastodon-main", "--archive", str(story.archive))
    assert out.returncode == 0, out.stderr
    crawl_ids = [r["crawl_id"] for r in story.history.runs()]
    assert len(crawl_ids) == 4 and all(cid in out.stdout for cid in crawl_ids)
    assert "deleted post" in out.stdout and "new post" in out.stdout


def test_deleted_post_replays_its_last_copy_marked_deleted(story: Story, page, tmp_path: Path) -> None:  # noqa: ANN001
    from gateway_helpers import PASSWORDS, basic, copy_archive, serve_for_archivist, sign_in, stop_gateway

    deleted = next(c for c in story.history.changes() if c["change"] == "deleted" and c["kind"] == "post")
    text = next(p["text"] for p in story.truth_day0["posts"] if p["url"] == deleted["url"])
    gateway = serve_for_archivist(copy_archive(story.archive, tmp_path / "archive"))  # sma replay, as the archivist
    try:
        base = f"{gateway.base}/archive"
        cdx_url = f"{base}/cdx?output=json&url={story.live.base}/@ministerie-demo"
        request = urllib.request.Request(cdx_url, headers={"Authorization": basic("arch", PASSWORDS["arch"][1])})
        cdx = urllib.request.urlopen(request).read()
        profile_captures = {json.loads(line)["timestamp"] for line in cdx.decode().splitlines()}
        assert len(profile_captures) == 4  # pywb's calendar: one capture time per run
        sign_in(page, gateway.base)
        page.goto(f"{base}/{deleted['url']}", wait_until="networkidle")
        assert " ".join(text.split())[:60] in " ".join(page.inner_text("body").split())
        mark = page.locator("#sma-change-marks [data-change=deleted]")
        assert mark.count() == 1
        assert "verwijderd op" in mark.inner_text()
    finally:
        stop_gateway(gateway)


def test_scenario_a_runs_no_thread_actions_and_names_comments_it_meets(story: Story) -> None:
    out = story.run("--account", "instagram-oneway", "--max-posts", "6")
    # The demo account does take comments: a one-way registration is wrong, and the report says so.
    assert out.returncode == 3, out.stdout + out.stderr
    assert "registered without comments (scenario A), but the post shows comments" in out.stdout
    crawl = sorted(story.archive.glob("crawls/*/completeness.json"), key=lambda p: p.stat().st_mtime)[-1]
    report = json.loads(crawl.read_text())
    assert report["comments"]["captured"] == 0
    thread_actions = {a["name"] for a in resolve_profile("instagram").page("post").actions if a.get("thread")}
    assert thread_actions
    ran = {a["name"] for post in report["observed"]["posts"] for a in post["actions"]}
    assert len(report["observed"]["posts"]) == 6 and not ran & thread_actions
    warcinfo = [r for r in iter_records(story.archive) if r.type == "warcinfo"][-1].payload.decode()
    assert "comments-archived: no (scenario A)" in warcinfo


def resolve_profile(name: str):  # noqa: ANN201
    from crawler.profiles import all_profiles

    return all_profiles()[name]


def test_scenario_c_is_never_captured_automatically(story: Story) -> None:
    out = story.run("--account", "x-minister")
    assert out.returncode == 0
    assert "x-minister: skipped: scenario C (hybrid)" in out.stdout
    assert not (story.archive / "accounts" / "x-minister").exists()


def test_capture_post_on_request_records_the_reason(story: Story) -> None:
    truth = story.live.get_json("/_truth/x/ministerie-demo.json")
    post = truth["posts"][1]["url"]
    reason = "Woo-verzoek 2026-114: gevraagd door de accounthouder"
    out = run_sma("capture-post", post, "--account", "x-minister", "--reason", reason,
                  "--registry", str(story.registry), "--archive", str(story.archive))
    assert out.returncode == 0, out.stdout + out.stderr
    history = AccountHistory(story.archive, "x-minister")
    assert list(history.posts) == [post]
    assert history.runs()[-1]["reason"] == reason
    metadata = [r.payload.decode() for r in iter_records(story.archive) if r.type == "metadata" and post in r.uri]
    assert any(reason in m for m in metadata)
    refused = run_sma("capture-post", post, "--account", "x-minister", "--reason", " ",
                      "--registry", str(story.registry), "--archive", str(story.archive))
    assert refused.returncode == 2 and refused.stderr.startswith("sma: error:")
