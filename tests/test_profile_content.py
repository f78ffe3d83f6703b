"""Each platform profile's `content:` section reads what a post page says, as recapture compares it:
the post text, its publication time and every comment (id and text), checked against the demo
platform's ground truth in real Chromium after the profile's own post-page actions. And the
`thread: true` marks: a one-way account (scenario A) runs only the unmarked actions, which must
still show the focal post but not the whole thread."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, Platform
from playwright.async_api import async_playwright

from crawler.capture.behaviours import PageDriver
from crawler.capture.content import read_post_content
from crawler.capture.page import PageRecorders
from crawler.profiles import all_profiles
from crawler.recapture import post_actions
from demo_platform.model import ID_SHIFT
from demo_platform.skins import SKINS

PROFILES = all_profiles()
# Where the comment's id attribute is not the bare platform id: X's reply articles carry
# id="t<status id>".
TRUTH_ID = {"x": lambda value: value.removeprefix("t")}


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


def posted_at(post_id: str) -> datetime:
    """The demo platform's ids are snowflakes (milliseconds since the epoch << 16, see
    demo_platform/model.py): the truth's post time, which it has no field for."""
    return datetime.fromtimestamp((int(post_id) >> ID_SHIFT) / 1000, UTC)


def parse_published(value: str) -> datetime:
    """ISO 8601, or Unix seconds / milliseconds where a skin puts those in `datetime`."""
    if value.isdigit():
        number = int(value)
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Chromium:
    """One headless Chromium for the module, driven from one event loop (PageDriver is async).

    The loop runs in a thread of its own: pytest-playwright's sync API (the `page` fixture of other
    test files) keeps an event loop running in the main thread for the rest of the session."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="profile-content")
        self.playwright: Any = None
        self.browser: Any = None

    def _run(self, coroutine: Any) -> Any:
        return self.thread.submit(self.runner.run, coroutine).result()

    def start(self) -> None:
        async def launch() -> None:
            self.playwright = await async_playwright().start()
            self.browser = await self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        self._run(launch())

    def close(self) -> None:
        async def stop() -> None:
            await self.browser.close()
            await self.playwright.stop()

        self._run(stop())
        self.thread.submit(self.runner.close).result()
        self.thread.shutdown()

    def read(self, skin: str, url: str, thread: bool = True, status: int = 200) -> dict[str, Any]:
        """Opens a post page as the crawler does, runs the profile's post-page actions (without
        the thread actions when `thread` is false) and reads the page's content."""
        return self._run(self._read(skin, url, thread, status))

    async def _read(self, skin: str, url: str, thread: bool, status: int) -> dict[str, Any]:
        profile = PROFILES[skin]
        spec = profile.page("post")
        context = await self.browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = await context.new_page()
            recorders = PageRecorders()
            await recorders.init_page(page, None)
            response = await page.goto(url)
            assert response is not None and response.status == status, url
            driver = PageDriver(page, recorders.for_page(page), profile, spec)
            # A fresh browser gets the cookie dialog the crawler answered on the profile page.
            await driver.close_dialogs()
            if spec.ready and status == 200:
                await page.locator(spec.ready).first.wait_for(state="attached", timeout=15_000)
            results = await driver.run(post_actions(spec.actions, comments=thread)) if status == 200 else []
            read = await read_post_content(page, profile)
            read["actions"] = [r.name for r in results]
            await recorders.for_page(page).stop()
            return read
        finally:
            await context.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    browser = Chromium()
    browser.start()
    yield browser
    browser.close()


def posts_to_check(truth: dict) -> list[dict]:
    """The busiest thread, and the busiest one with replies to replies (nested markup)."""
    with_comments = sorted((p for p in truth["posts"] if p["comments"]), key=lambda p: -len(p["comments"]))
    busiest = with_comments[0]
    ids = lambda p: {c["id"] for c in p["comments"]}  # noqa: E731
    nested = next(p for p in with_comments[1:] if any(c["parent"] in ids(p) for c in p["comments"]))
    return [busiest, nested]


@pytest.mark.parametrize("skin", sorted(SKINS))
def test_content_matches_the_truth(skin: str, platform: Platform, chromium: Chromium) -> None:
    profile = PROFILES[skin]
    assert profile.content.get("post_text") and profile.content.get("comment_id"), "content: section missing"
    to_truth = TRUTH_ID.get(skin, lambda value: value)
    for post in posts_to_check(platform.truth(skin)):
        read = chromium.read(skin, post["url"])
        where = f"{skin} {post['url']}"
        assert read["gone"] is False, where
        assert norm(read["text"]) == post["text"], where
        if profile.content.get("published"):
            assert read["published"], f"{where}: no publication time read"
            assert parse_published(read["published"]) == posted_at(post["id"]), where
        else:
            assert read["published"] is None
        assert all(c["id"] for c in read["comments"]), f"{where}: a comment without an id"
        seen = Counter(to_truth(c["id"]) for c in read["comments"] if c["id"])
        truth_ids = {c["id"] for c in post["comments"]}
        assert sorted(seen) == sorted(truth_ids), f"{where}: comment ids differ from the truth"
        assert [i for i, n in seen.items() if n != 1] == [], f"{where}: comment read more than once"
        texts = {to_truth(c["id"]): norm(c["text"]) for c in read["comments"]}
        for comment in post["comments"]:
            assert comment["text"] in texts[comment["id"]], f"{where}: comment {comment['id']}"
            # Its own text only: what is left besides it holds none of its replies' texts (a reply
            # may repeat a sentence of its parent, so the parent's own text is taken out first).
            rest = texts[comment["id"]].replace(comment["text"], "", 1)
            replies = [c["text"] for c in post["comments"] if c["parent"] == comment["id"]]
            assert not any(r in rest for r in replies), f"{where}: {comment['id']} has its replies' text"


@pytest.mark.parametrize("skin", sorted(SKINS))
def test_without_thread_actions_the_post_is_read_but_not_the_whole_thread(
    skin: str, platform: Platform, chromium: Chromium
) -> None:
    profile = PROFILES[skin]
    thread_actions = [a["name"] for a in profile.page("post").actions if a.get("thread")]
    assert thread_actions, "no post-page action is marked thread: true"
    post = posts_to_check(platform.truth(skin))[0]
    read = chromium.read(skin, post["url"], thread=False)
    assert not set(read["actions"]) & set(thread_actions)
    assert norm(read["text"]) == post["text"]
    if profile.content.get("published"):
        assert parse_published(read["published"]) == posted_at(post["id"])
    assert len(read["comments"]) < len(post["comments"]), f"{skin}: the unmarked actions load the whole thread"


def test_an_error_page_in_place_of_a_post_reads_as_gone(platform: Platform, chromium: Chromium) -> None:
    """Real X answers a deleted post's URL with HTTP 200 and an error page: the profile's `gone`
    markers must recognise that page (the demo's X serves the same page, with 404)."""
    account_url = platform.truth("x")["profile_url"]
    read = chromium.read("x", f"{account_url}/status/1", status=404)
    assert read["gone"] is True
    assert read["text"] is None and read["comments"] == []


def test_generic_profile_reads_the_post_time(platform: Platform, chromium: Chromium) -> None:
    """The generic profile (sites no profile knows) reads only the first machine-readable time."""
    post = posts_to_check(platform.truth("mastodon"))[0]
    read = chromium.read("generic", post["url"])
    assert parse_published(read["published"]) == posted_at(post["id"])
