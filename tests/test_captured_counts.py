"""What is captured is counted from the WARC records (issue 10 item 4), also where a thread's
comments are plain <div>s the reader does not take for entries: they are counted from the DOM
snapshot the crawl recorded, without counting the post, the page's chrome, cards of other posts or
boxes that do not repeat (an over-count could make a short capture look complete). And the post
total read from an account page's text uses the crawl's reader words (SMA_READER_WORDS)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from async_run import run_async
from conftest import CHROMIUM, CHROMIUM_ARGS
from warcio.warcwriter import WARCWriter

from crawler.capture.reader import ReaderResult, load_words
from crawler.capture.threads import ThreadTally, apply_to_report, dom_entries

POST = "http://h/@org/video/100"
WORDS = load_words()


def comment(cid: int, name: str, text: str, cls: str = "xk1") -> str:
    return (f'<div class="{cls}" data-xq="{cid}"><a href="/@{name}"><img src="/a/{cid}.png" alt=""></a>'
            f'<div><a href="/@{name}"><span>{name}</span></a><p><span>{text}</span></p>'
            f'<p><span>13-3-2025</span> <span>Antwoorden</span></p></div></div>')


def page(comments: list[str], extra: str = "") -> str:
    return (f'<html><head><title>Vandaag is het plan gepresentee… | Demo</title></head><body>'
            f'<div class="top"><a href="/">Demo</a><img src="/logo.png" alt=""> Inloggen bij Demo</div>'
            f'<div class="post"><a href="/@org"><img src="/a/org.png" alt=""></a><span>Ministerie · 13-3-2025</span>'
            f'<h1>Vandaag is het plan gepresenteerd voor iedereen</h1><p>3 reacties</p>'
            f'<div class="list">{"".join(comments)}</div></div>{extra}</body></html>')


def test_plain_div_comments_are_counted_and_the_post_and_chrome_are_not() -> None:
    dom = page([comment(1, "anna", "Eens."), comment(2, "bert", "Goed initiatief van jullie."),
                comment(3, "carla", "Dus ik moet opnieuw een aanvraag doen?")])
    entries = dom_entries(dom, POST, POST, WORDS)
    assert len(entries) == 3 and {"Goed initiatief van jullie.", "Dus ik moet opnieuw een aanvraag doen?"} <= {
        text for _, text in entries}
    # Cards of other posts ("more videos") are not comments, nor is a box that does not repeat.
    cards = "".join(f'<div class="card"><a href="/@other/video/{n}"><img src="/c/{n}.png" alt="">'
                    f'<span>Een andere video nummer {n}</span></a></div>' for n in (201, 202, 203))
    two = [comment(1, "anna", "Eens, helemaal mee eens."), comment(2, "bert", "Wanneer gaat dit in?")]
    assert len(dom_entries(page(two, cards), POST, POST, WORDS)) == 2
    assert len(dom_entries(page(two[:1], cards), POST, POST, WORDS)) == 0
    # A post shaped as its comments (a forum topic's first message) is the post, not a comment.
    boxes = "".join(comment(n, f"u{n}", f"Bericht nummer {n} in dit onderwerp") for n in range(4))
    forum = f"<html><head><title>Iets anders dan de post</title></head><body>{boxes}</body></html>"
    assert [t for _, t in dom_entries(forum, POST, POST, WORDS)] == [
        f"Bericht nummer {n} in dit onderwerp" for n in (1, 2, 3)]
    # On a further page of the thread every box is a comment.
    assert len(dom_entries(forum, POST + "?page=2", POST, WORDS)) == 4
    # A comment whose avatar and time sit in parts of their own is one comment, not one per part;
    # a comment's one reply (alone in its list) is counted by its shape.
    split = "".join(f'<div class="c"><div class="av"><img src="/a/{n}.png"></div><div class="b"><div class="m">'
                    f'<a href="/u/u{n}">Gebruiker {n}</a><span><time datetime="2025-03-14">14-03</time></span>'
                    f'</div><p>Een reactie met nummer {n}</p><div class="r">'
                    + (f'<div class="c"><div class="av"><img src="/a/9.png"></div><p>Het ene antwoord op {n}</p></div>'
                       if n == 2 else "") + "</div></div></div>" for n in (1, 2))
    assert sorted(t for _, t in dom_entries(page([], split), POST + "?page=2", POST, WORDS)) == [
        "Een reactie met nummer 1", "Een reactie met nummer 2", "Het ene antwoord op 2"]


def dom_warc(tmp_path: Path, pages: dict[str, str]) -> Path:
    path = tmp_path / "dom.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, dom in pages.items():
            writer.write_record(writer.create_warc_record(
                f"urn:dom:{url}", "resource", payload=io.BytesIO(dom.encode()),
                warc_content_type="text/html; charset=utf-8"))
    return path


def test_captured_is_the_larger_of_two_counts_never_their_sum(tmp_path: Path) -> None:
    divs = [comment(n, f"u{n}", f"Reactie nummer {n} op deze video") for n in range(1, 5)]
    warc = dom_warc(tmp_path, {POST: page(divs[:3]), POST + "?page=2": page(divs[2:])})
    tally = ThreadTally()
    # The reader saw one entry (whose text is in no record): the DOM's four boxes over two pages
    # (one on both) count, not 4 + 1.
    tally.read(POST, POST, [ReaderResult(entries={"k": ("Niet in het archief", False)})], precise=False)
    tally.read(POST, POST + "?page=2", [ReaderResult()], precise=False)
    posts: list[dict[str, Any]] = [{"url": POST, "comments_captured": 1}]
    apply_to_report(tally, posts, [warc])
    assert posts[0]["comments_captured"] == 4 and posts[0]["comments_in_snapshot"] == 4
    assert posts[0]["comments_in_dom"] == 1
    # Where the profile's comment selector knew the thread's comments, its count stands.
    precise = ThreadTally()
    precise.read(POST, POST, [ReaderResult(entries={"k": ("Niet in het archief", True)})], precise=True)
    posts = [{"url": POST, "comments_captured": 1}]
    apply_to_report(precise, posts, [warc])
    assert posts[0]["comments_captured"] == 0 and "comments_in_snapshot" not in posts[0]


def test_a_post_total_read_from_the_account_page_uses_the_crawls_reader_words(tmp_path: Path) -> None:
    """SMA_READER_WORDS applies to read_counters' post total (commit 047bbc7): a word only the
    custom list knows ("7 stukjes") is read with it and not with the bundled reader.yaml."""
    from playwright.async_api import async_playwright

    from crawler.capture.behaviours import PageDriver
    from crawler.profiles import all_profiles

    custom = tmp_path / "words.yaml"
    bundled = Path(__file__).resolve().parent.parent.joinpath("crawler/capture/reader.yaml").read_text("utf-8")
    custom.write_text(bundled.replace("count_posts:\n", "count_posts:\n  - '(?P<n>\\d+)\\s*stukjes\\b'\n"), "utf-8")
    words = load_words(custom)
    # The crawl's words are the ones SMA_READER_WORDS names (what the spider hands read_counters).
    from scrapy.utils.test import get_crawler

    from crawler.capture.reader import PageReading

    assert PageReading.from_crawler(get_crawler(settings_dict={"SMA_READER_WORDS": str(custom)})).words == words
    generic = all_profiles()["generic"]

    async def read() -> tuple[int | None, int | None]:
        """One browser, two fresh pages (no reader installed yet): the custom words, the bundled."""
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                found = []
                for given in (words, None):
                    tab = await browser.new_page()
                    await tab.set_content("<main><h1>Gemeente Demo</h1><p>7 stukjes · 12 volgers</p></main>")
                    driver = PageDriver(tab, None, generic, generic.page("profile"))
                    counters = await (driver.read_counters(given) if given is not None else driver.read_counters())
                    found.append(counters.get("posts"))
                    await tab.close()
                return found[0], found[1]
            finally:
                await browser.close()

    assert run_async(read()) == (7, None)


def test_the_post_seen_again_under_another_key_is_not_a_comment() -> None:
    """The post's own text changed while the page loaded ("Reacties laden…" went): the reader saw
    it under two keys; the second is the post all the same (the generic profile counted it: 4 of 3)."""
    tally = ThreadTally()
    post = ReaderResult(entries={"p1": ("Dit najaar start de griepprik", False),
                                 "p2": ("Dit najaar start de griepprik", False),
                                 # ...and expanded ("…meer"): the cut-off text is the full one's start.
                                 "p3": ("Dit najaar start de griepprik voor 60-plussers.", False),
                                 "c1": ("Helder uitgelegd, complimenten.", False)}, first_entry="p1")
    tally.read(POST, POST, [post], precise=False)
    assert tally.seen(POST) == 1


def test_a_paged_threads_lone_last_comment_counts_by_the_shape_its_first_page_repeats() -> None:
    """Page 2 of a paged thread holds one top-level comment: alone on its page its shape does not
    repeat, but page 1 repeats it, so it is a comment (and the post shown again on page 2 is not)."""
    first = page([comment(1, "anna", "Eens, helemaal mee eens."), comment(2, "bert", "Wanneer gaat dit in?")])
    post = ('<div class="xk1" data-xq="100"><a href="/@org"><img src="/a/org.png" alt=""></a><div><p><span>'
            'Vandaag is het plan gepresenteerd voor iedereen</span></p></div></div>')
    lone = page([comment(3, "carla", "Dus ik moet opnieuw een aanvraag doen?")])
    assert len(dom_entries(lone, POST + "?page=2", POST, WORDS)) == 0  # alone, not counted
    last = page([post, comment(3, "carla", "Dus ik moet opnieuw een aanvraag doen?")])
    known: set[Any] = set()
    dom_entries(first, POST, POST, WORDS, shapes_out=known)
    texts = [t for _, t in dom_entries(last, POST + "?page=2", POST, WORDS,
                                       "Vandaag is het plan gepresenteerd voor iedereen", known_shapes=known)]
    assert texts == ["Dus ik moet opnieuw een aanvraag doen?"]
