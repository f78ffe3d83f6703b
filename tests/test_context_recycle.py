"""SMA_CONTEXT_RECYCLE_PAGES: every N pages a fresh browser context, the old one closed once idle."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from async_run import run_async
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.contexts import ContextRecycler

OPTIONS = {"viewport": {"width": 1280, "height": 1000}, "locale": "nl-NL", "storage_state": "/s/session.json"}


class FakeContext:
    def __init__(self) -> None:
        self.pages: list[object] = []
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def recycler(every: int) -> tuple[ContextRecycler, dict]:
    settings = {"SMA_CONTEXT_RECYCLE_PAGES": every, "PLAYWRIGHT_CONTEXTS": {"default": OPTIONS}}
    crawler = get_crawler(settings_dict=settings)
    wrappers: dict = {}
    handler = SimpleNamespace(context_wrappers=wrappers)
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(handlers=SimpleNamespace(_handlers={"http": handler})))
    return ContextRecycler.from_crawler(crawler), wrappers


def page_request(n: int) -> Request:
    return Request(f"http://127.0.0.1/@a/{n}", meta={"playwright": True})


def test_zero_means_one_context_for_the_whole_crawl():
    with pytest.raises(NotConfigured):
        ContextRecycler.from_crawler(get_crawler(settings_dict={"SMA_CONTEXT_RECYCLE_PAGES": 0}))


def test_every_n_pages_a_new_context_with_the_same_options_and_the_idle_old_one_is_closed():
    async def scenario() -> None:
        mw, wrappers = recycler(2)
        first = [page_request(i) for i in range(2)]
        for request in first:
            mw.process_request(request)
        assert [r.meta["playwright_context"] for r in first] == ["default", "default"]
        assert all(r.meta["playwright_context_kwargs"] == OPTIONS for r in first), "a session's state carries over"
        old = FakeContext()
        old.pages.append("the second post, still open")
        wrappers["default"] = SimpleNamespace(context=old)
        for request in first:
            mw.process_response(request, object())
        third = page_request(2)
        mw.process_request(third)
        assert third.meta["playwright_context"] == "default-1"
        await asyncio.sleep(0)
        assert not old.closed and "default" in wrappers, "a context with an open page stays"
        old.pages.clear()
        wrappers["default-1"] = SimpleNamespace(context=FakeContext())
        fourth = page_request(3)
        mw.process_request(fourth)
        await asyncio.sleep(0)
        assert old.closed and "default" not in wrappers
        assert not wrappers["default-1"].context.closed, "the current context is never closed"
        assert fourth.meta["playwright_context"] == "default-1"

    run_async(scenario())


def test_a_context_with_a_request_on_its_way_is_not_closed():
    async def scenario() -> None:
        mw, wrappers = recycler(1)
        waiting = page_request(0)
        mw.process_request(waiting)  # assigned to `default`, not downloaded yet
        idle = FakeContext()
        wrappers["default"] = SimpleNamespace(context=idle)
        mw.process_request(page_request(1))
        await asyncio.sleep(0)
        assert not idle.closed
        mw.process_response(waiting, object())
        mw.process_request(page_request(2))
        await asyncio.sleep(0)
        assert idle.closed

    run_async(scenario())


def test_requests_that_are_no_browser_pages_are_left_alone():
    mw, _ = recycler(1)
    request = Request("http://127.0.0.1/robots.txt")
    mw.process_request(request)
    assert "playwright_context" not in request.meta and mw.pages == 0
