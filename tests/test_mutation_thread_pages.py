"""`--mutate random` pages threads (demo_platform/mutation_pages.py): under a share of seeds the
seven older skins' post pages show the first K top-level comments and put the rest behind a paging
control whose form is the seed's; every comment is on exactly one page, the counters keep the
thread's total and `/_truth` does not change. Then one real crawl with no selectors (generic) of
a two-page thread whose pager is a lone numbered link: every truth comment archived and counted.

Seeds 15-18 and 27 (tests 11-14 elsewhere, the benchmark 1-5)."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from archive_checks import archived_text, norm
from conftest import crawl

from demo_platform.content import new_world
from demo_platform.mutation import Mutation
from demo_platform.mutation_pages import FORMS, PAGED_SKINS, ThreadPaging
from demo_platform.server import make_server
from demo_platform.skins import SKINS

PAGING_SEEDS = (15, 16, 18, 27)


class Site:
    def __init__(self, mutation_seed: int | None) -> None:
        self.server = make_server("127.0.0.1", 0, seed=1, mutation_seed=mutation_seed)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://{}:{}".format(*self.server.server_address[:2])

    def get(self, path: str, referer: str | None = None) -> str:
        headers = {"Referer": self.base + referer} if referer else {}
        request = urllib.request.Request(self.base + path, headers=headers)
        with urllib.request.urlopen(request, timeout=20) as resp:
            return resp.read().decode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[int | None, Site]]:
    made = {seed: Site(seed) for seed in (None, 15, 16)}
    yield made
    for site in made.values():
        site.close()


def test_a_share_of_seeds_pages_threads_in_forms_that_vary() -> None:
    pagings = [ThreadPaging.of(Mutation.for_seed(s)) for s in range(1, 81)]
    on = [p for p in pagings if p is not None]
    assert 0.3 < len(on) / len(pagings) < 0.7
    assert {p.form for p in on} == set(FORMS) and {p.param for p in on} == {"page", "cursor"}
    assert len({p.label for p in on}) >= 4 and {p.per_page for p in on} == {2, 3, 4}
    assert sum(ThreadPaging.of(Mutation.for_seed(s)) is not None for s in range(1, 6)) >= 2
    assert ThreadPaging.of(Mutation.for_seed(14)) is None and ThreadPaging.of(None) is None


@pytest.mark.parametrize("seed", PAGING_SEEDS)
def test_the_pages_of_a_thread_hold_each_comment_once(seed: int) -> None:
    paging = ThreadPaging.of(Mutation.for_seed(seed))
    assert paging is not None
    world, paged = new_world(1), 0
    for name in PAGED_SKINS:
        for account in SKINS[name].accounts(world):
            for post in account.live_posts():
                pages = [paging.page_comments(post, n) for n in range(1, paging.pages(post) + 1)]
                ids = [c.id for page in pages for c in page]
                assert sorted(ids) == sorted(c.id for c in post.live_comments())  # all, once
                for page in pages:
                    tops = [c for c in page if c.parent is None]
                    assert 0 < len(tops) <= paging.per_page or not post.live_comments()
                    assert all(c.parent is None or c.parent in {d.id for d in page} for c in page)
                paged += len(pages) > 1
    assert paged >= 20
    # A page's number survives its URL (?page=N or an opaque cursor), page 1 is the post's URL.
    for n in (1, 2, 5):
        url = paging.url("/x/a/status/1", {"v": ["9"]}, n)
        query = {k: [v] for k, v in re.findall(r"[?&]([^=&]+)=([^&]*)", url)}
        assert paging.number(query) == n and ("?v=9" if n == 1 else "?v=9&") in url + "&"


def test_truth_is_the_same_under_a_paging_seed(sites: dict) -> None:
    plain = sites[None]
    index = json.loads(plain.get("/_truth/index.json"))
    for entry in index["skins"]:
        path = entry["accounts"][0]["truth"]
        same = {site.get(path).replace(site.base, "") for site in (plain, sites[15], sites[16])}
        assert len(same) == 1 and '"comments"' in same.pop()


def pager_links(html: str) -> list[str]:
    """The hrefs of the paging control and of `<link rel=next>`."""
    [nav] = re.findall(r'<nav[^>]*aria-label="(?:Pagination|Paginering)".*?</nav>', html, re.S)
    heads = re.findall(r'<link rel="next" href="([^"]+)"', html)
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', nav) + heads]


@pytest.mark.parametrize("seed", (15, 16))
def test_x_thread_pages_list_their_comments_and_count_the_whole_thread(sites: dict, seed: int) -> None:
    site, paging = sites[seed], ThreadPaging.of(Mutation.for_seed(seed))
    assert paging is not None
    truth = json.loads(site.get("/_truth/x/ministerie-demo.json"))
    post = max(truth["posts"], key=lambda p: sum(c["parent"] is None for c in p["comments"]))
    tops = [c["text"] for c in post["comments"] if c["parent"] is None]
    path, post_id = urlsplit(post["url"]).path, post["url"].rsplit("/", 1)[1]
    # The pages the controls lead to, from page 1 on (a numbered pager may be in any order).
    pages, todo = [path], [path]
    while todo:
        for url in pager_links(site.get(todo.pop())):
            assert url.startswith(path)  # the same post's URL, with ?page=N or ?cursor=
            if url not in pages:
                pages.append(url)
                todo.append(url)
    assert len(pages) == -(-len(tops) // paging.per_page) > 1
    seen: list[str] = []
    for page in sorted(pages, key=lambda u: paging.number(parse_qs(urlsplit(u).query))):
        replies = json.loads(site.get(f"/x/i/api/graphql/TweetReplies?tweetId={post_id}", referer=page))
        texts = [e["content"]["itemContent"]["tweet_results"]["result"]["legacy"]["full_text"]
                 for e in replies["data"]["replies"]["entries"]]
        assert 0 < len(texts) <= paging.per_page
        seen += texts
        one = json.loads(site.get(f"/x/i/api/graphql/TweetResultByRestId?tweetId={post_id}", referer=page))
        assert one["data"]["tweetResult"]["result"]["legacy"]["conversation_count"] == post["comment_count"]
    assert seen == tops  # each once, in the thread's order
    # Page 2's script puts its page in every API URL (so that the pages' answers replay apart).
    second = sorted(pages, key=lambda u: paging.number(parse_qs(urlsplit(u).query)))[1]
    assert "threadPage" in site.get(second)
    by_param = json.loads(site.get(f"/x/i/api/graphql/TweetReplies?tweetId={post_id}&threadPage=2", referer=path))
    assert [e["entryId"] for e in by_param["data"]["replies"]["entries"]] == [
        e["entryId"] for e in json.loads(site.get(f"/x/i/api/graphql/TweetReplies?tweetId={post_id}",
                                                  referer=second))["data"]["replies"]["entries"]]
    # Unpaged: the API lists every top-level comment.
    plain = json.loads(sites[None].get(f"/x/i/api/graphql/TweetReplies?tweetId={post_id}", referer=path))
    assert len(plain["data"]["replies"]["entries"]) == len(tops)


def test_a_generic_crawl_follows_a_lone_numbered_page_and_counts_the_thread(sites: dict, tmp_path: Path) -> None:
    """Seed 16: numbered pages, 3 top-level comments a page; this post has 4, so page 1's pager is
    "Pagina 1 / 2" and one link named "2" (no "next" word, no rel=next, no second number)."""
    site, paging = sites[16], ThreadPaging.of(Mutation.for_seed(16))
    assert paging is not None and paging.form == "numbered" and paging.per_page == 3
    truth = json.loads(site.get("/_truth/instagram/ministerie-demo.json"))
    post = next(p for p in truth["posts"] if p["url"].endswith("/p/GVidNIAG-P/"))
    assert sum(c["parent"] is None for c in post["comments"]) == 4
    first = site.get(urlsplit(post["url"]).path)
    assert len(pager_links(first)) == 1 and "rel=\"next\"" not in first
    run = crawl(site.base + "/instagram/ministerie-demo", tmp_path / "a", "--profile", "generic",
                "--post", post["url"], "--reason", "test: a paged thread")
    assert run.returncode in (0, 3), run.stderr[-2000:]
    report = json.loads(next((run.archive / "crawls").glob("*/completeness.json")).read_text())
    [seen] = report["observed"]["posts"]
    text = archived_text(run.archive)
    missing = [c["text"] for c in post["comments"] if norm(c["text"]) not in text]
    assert missing == []
    assert len(seen["thread_pages"]) == 2 and seen["thread_pages"][0] == post["url"]
    assert seen["counters"]["comments"] == post["comment_count"]  # the thread's, not page 1's
    assert seen["comments_captured"] == post["comment_count"]
    assert run.returncode == 0 and report["complete"] is True
