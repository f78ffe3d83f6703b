"""Woo request search, through the gateway's WSGI app (no server, no pywb): a request's subject and
period propose exactly the captured post pages published in the period whose post or comments hold
the term (computed from the demo platform's truth), and "add all proposed" puts them on the request,
each under the request's legal hold, audited."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from conftest import CrawlRun, Platform, SkinArchives
from woo_support import pii_values

from crawler.archive.pages import read_pages
from demo_platform.model import ID_SHIFT
from records.holds import Holds
from replay.audit import audit_path
from replay.auth import UserStore
from replay.gateway import Gateway
from replay.views import ViewSet
from replay.woo.model import WooStore, new_request

OFFICER = ("officer", "woo-officer-secret-1")


@pytest.fixture(scope="module")
def gateway(mastodon_crawl: CrawlRun, skin_archives: SkinArchives,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    archive = tmp_path_factory.mktemp("woo-search-archive") / "archive"
    # No .sma: the search index is built by the Woo search itself, from the access copy.
    shutil.copytree(mastodon_crawl.archive, archive, ignore=shutil.ignore_patterns(".sma", ".pywb"))
    with pytest.MonkeyPatch.context() as env:
        for name, value in skin_archives.env.items():
            env.setenv(name, value)
        UserStore(archive).add(OFFICER[0], "woo-officer", OFFICER[1])
        yield Gateway(archive, ViewSet(archive))  # views never started: nothing here is replayed


def call(gateway: Gateway, method: str, target: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
    path, _, query = target.partition("?")
    body = urlencode(form or {}).encode()
    secret = base64.b64encode(f"{OFFICER[0]}:{OFFICER[1]}".encode()).decode()
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1:8080",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_ACCEPT": "text/html",
               "HTTP_AUTHORIZATION": f"Basic {secret}",
               # Basic auth has no session token: the gateway's CSRF check wants the header a form cannot set.
               "HTTP_X_CSRF_TOKEN": "1"}
    status: list[str] = []
    headers: dict[str, str] = {}

    def start_response(line: str, hdrs: list[tuple[str, str]], *_: object) -> None:
        status.append(line)
        headers.update({k.lower(): v for k, v in hdrs})

    out = b"".join(gateway(environ, start_response))
    return int(status[0].split()[0]), headers, out.decode("utf-8")


def published_day(post: dict) -> str:
    """The truth's post id is a snowflake: milliseconds since the epoch in its upper bits."""
    return datetime.fromtimestamp((int(post["id"]) >> ID_SHIFT) / 1000, UTC).date().isoformat()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def matches(post: dict, term: str) -> bool:
    return term in words(post["text"]) or any(term in words(c["text"]) for c in post["comments"])


def choose_request(truth: dict) -> tuple[str, str, str]:
    """A word of the government's posts and a period that leaves some of its posts out (before the
    period) and other posts of the period out (no such word): both filters have work to do."""
    personal = " ".join(pii_values(truth)).casefold()
    candidates = sorted({w for p in truth["posts"] for w in words(p["text"])
                         if len(w) >= 7 and w.isalpha() and w.isascii() and w not in personal})
    best = None
    for term in candidates:
        days = sorted({published_day(p) for p in truth["posts"] if matches(p, term)})
        if len(days) < 3:
            continue
        start, end = days[1], days[-1]
        in_period = [p for p in truth["posts"] if start <= published_day(p) <= end]
        left_out = [p for p in in_period if not matches(p, term)]
        if left_out and (best is None or len(days) > best[0]):
            best = (len(days), term, start, end)
    assert best, "the demo account has a word in posts of three different days"
    return best[1], best[2], best[3]


def proposed_urls(page: str) -> dict[str, str]:
    """The proposals table: page id -> the page's (access copy) URL shown under its link."""
    table = re.search(r"<table id=found-pages>(.*?)</table>", page, re.S).group(1)
    return dict(re.findall(r'<tr data-page-id="([^"]+)".*?<span class=muted>([^<]+)</span>', table, re.S))


def test_request_search_proposes_exactly_its_period_and_term_then_adds_all(gateway: Gateway,
                                                                            platform: Platform) -> None:
    truth = platform.truth("mastodon")
    term, start, end = choose_request(truth)
    expected = {p["url"] for p in truth["posts"] if matches(p, term) and start <= published_day(p) <= end}
    before = {p["url"] for p in truth["posts"] if matches(p, term) and published_day(p) < start}
    assert expected and before

    status, headers, _ = call(gateway, "POST", "/_sma/woo/requests",
                              {"subject": term.capitalize(), "period_from": start, "period_to": end})
    assert status == 303, headers
    location = headers["location"]
    rid = location.rsplit("/", 1)[1]

    status, _, page = call(gateway, "GET", location)
    assert status == 200
    proposed = proposed_urls(page)
    assert set(proposed.values()) == expected, (term, start, end)
    assert 'data-proposed="0"' not in page, "nothing is on the request before the officer adds it"
    assert f"Alle {len(expected)} voorgestelde pagina's toevoegen" in page

    # One step: every proposed page goes on the request.
    status, headers, _ = call(gateway, "POST", f"/_sma/woo/requests/{rid}/add", {"add": "all"})
    assert status == 303 and headers["location"] == location
    woo = WooStore(gateway.archive_dir).get(rid)
    assert set(woo.pages) == set(proposed)
    assert all(r.added_by == OFFICER[0] and r.status == "open" for r in woo.pages.values())
    held = {h.value: h.reason for h in Holds(gateway.archive_dir).active() if h.kind == "post"}
    assert expected <= set(held) and all(rid in held[url] for url in expected)
    assert not before & set(held), "a post outside the period is not held for this request"

    status, _, page = call(gateway, "GET", location)
    listed = re.search(r"<table id=request-pages>(.*?)</table>", page, re.S).group(1)
    assert set(re.findall(r'data-page-id="([^"]+)"', listed)) == set(proposed)
    assert "Alle 0 voorgestelde" in page and 'data-proposed="1"' not in page

    entries = [json.loads(line) for line in audit_path(gateway.archive_dir).open() if '"woo-add-pages"' in line]
    assert [(e["user"], e["target"], sorted(e["detail"]["urls"])) for e in entries] == [
        (OFFICER[0], rid, sorted(expected))]


def test_ticked_pages_only_each_held_and_nothing_not_proposed(gateway: Gateway, platform: Platform) -> None:
    truth = platform.truth("mastodon")
    term, start, end = choose_request(truth)
    holds = Holds(gateway.archive_dir)
    for hold in holds.active():  # the first test's request held these pages: start without holds
        holds.release(hold.id, "test: opnieuw", "archivaris")
    # Made as `sma woo request create` does (no holds at creation): the hold comes with the addition.
    woo = WooStore(gateway.archive_dir).create(new_request(term, start, end, OFFICER[0]))
    location = f"/_sma/woo/requests/{woo.id}"
    proposed = proposed_urls(call(gateway, "GET", location)[2])
    assert proposed and not Holds(gateway.archive_dir).active()
    chosen = sorted(proposed)[0]
    status, _, _ = call(gateway, "POST", f"{location}/add", {"add": "selected", f"page:{chosen}": "1"})
    assert status == 303
    assert set(WooStore(gateway.archive_dir).get(woo.id).pages) == {chosen}
    held = [h for h in Holds(gateway.archive_dir).active() if h.kind == "post"]
    assert [(h.value, woo.id in h.reason) for h in held] == [(proposed[chosen], True)]
    # A page the search does not propose (the profile page) cannot be added by naming it.
    profile = next(str(r["id"]) for r in read_pages(gateway.archive_dir / "access") if r.get("kind") == "profile")
    status, _, body = call(gateway, "POST", f"{location}/add", {"add": "selected", f"page:{profile}": "1"})
    assert status == 400 and "not proposed" in body
    assert set(WooStore(gateway.archive_dir).get(woo.id).pages) == {chosen}
