"""Signals of the distributed crawl (Scrapy style: plain objects, sent with `crawler.signals`)."""

# A page's request failed in the errback (no callback output follows): its lease may end.
page_failed = object()

# A leased page is done (its lease ended): `token` is the lease's. Its host slot is freed (politeness).
page_done = object()
