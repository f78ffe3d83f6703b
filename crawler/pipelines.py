"""Item pipeline: every PageCapture the spiders yield goes into the WARC files and pages.jsonl."""

from __future__ import annotations

import asyncio
import errno
import json
import platform
import sys
from pathlib import Path

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from . import __version__
from .archive.dedup import load_seen
from .archive.model import PageCapture
from .archive.pages import append_page, rfc3339
from .archive.scrub import SecretScrubber
from .archive.warc import ArchiveWriter, recover_open_files
from .spec import CrawlSpec
from .state import CrawlState


class WarcPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.archive_dir = Path(settings.get("SMA_ARCHIVE_DIR"))
        self.crawl_id = settings.get("SMA_CRAWL_ID")
        self.max_bytes = settings.getint("SMA_MAX_WARC_BYTES")
        self.spec = CrawlSpec.from_crawler(crawler) or CrawlSpec(url="", archive=self.archive_dir)
        self.writer: ArchiveWriter | None = None
        self.scrubber = SecretScrubber(
            tuple(settings.getlist("SMA_SESSION_SECRETS")), tuple(settings.getlist("SMA_SESSION_COOKIES"))
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcPipeline:
        return cls(crawler)

    @property
    def state(self) -> CrawlState:
        """The crawl's state (crawler/state.py), reached when a page is written."""
        return CrawlState.of(self.crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.recover()
        settings = self.crawler.settings
        info = {
            "software": f"SMA {__version__} (Scrapy + scrapy-playwright)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "browser": self.state.browser_version or settings.get("CHROMIUM"),
            "python": platform.python_version(),
            "crawl-id": self.crawl_id,
            "seed": self.spec.url,
            "profile": self.spec.profile,
            "max-posts": str(self.spec.max_posts or "all"),
            "viewport": "1280x1000",
            "concurrency": str(settings.getint("CONCURRENT_REQUESTS")),
            "account": self.spec.account if self.spec.url else "",
            "comments-archived": "yes" if self.spec.comments else "no (scenario A)",
        }
        if self.spec.session:
            info["login-session"] = f"{self.spec.session} (cookie and token values replaced in every record)"
        if self.spec.reason:
            info["selection-reason"] = self.spec.reason
        # Payloads already in the archive (earlier crawls) become revisits: a recapture of an
        # unchanged account adds little more than its request and revisit headers.
        self.writer = ArchiveWriter(
            self.archive_dir, self.crawl_id, info, max_file_bytes=self.max_bytes, prefix=self.warc_prefix(),
            seen=self.seen_index(), page_commits=True,
        )

    # Overridden by the shared frontier's worker (crawler/distributed/components.py).
    def recover(self) -> None:
        """WARCs a killed crawl left `.open`: their whole records kept, the torn tail cut off."""
        recover_open_files(self.archive_dir / "warcs")

    def seen_index(self) -> dict:
        return load_seen(self.archive_dir)

    def warc_prefix(self) -> str:
        return "sma"

    def thumbnail_name(self, page_number: int) -> str:
        """The page's thumbnail file name in crawls/<id>/thumbs/ (unique among the crawl's writers)."""
        return f"{page_number:04d}.jpg"

    def page_row_id(self, records: int) -> str:
        """The page's id in pages.jsonl (`<crawl id>-<n>`; unique among the crawl's writers: a worker's
        adds its prefix). Readers take the crawl id as everything before the last '-'."""
        return f"{self.crawl_id}-{records}"

    def process_item(self, item: PageCapture, spider: Spider | None = None) -> PageCapture:
        assert self.writer is not None
        if self.writer.records == 0:
            # Known only once the browser runs and the profile is resolved: before the first record.
            if self.state.browser_version:
                self.writer.warcinfo["browser"] = f"Chromium {self.state.browser_version}"
            if self.state.profile is not None:
                self.writer.warcinfo["profile"] = self.state.profile.name
        changes = item.facts.pop("changes", [])
        sockets = item.facts.pop("websockets", [])
        item = self.scrubber.page(item)
        try:
            if item.kind == "gone":
                self._write_changes(item, changes, None)
                self.writer.commit()
                return item
            page_id = self.writer.write_page(item)
            self._write_changes(item, changes, page_id)
            self._write_websockets(sockets, page_id)
            document = next((ex for ex in item.exchanges if ex.url == item.url), None)
            moment = document.started if document else item.started
            if item.thumbnail:
                self._save_thumbnail(item)
            # The page's records are whole: a kill from here on keeps them (before its pages.jsonl
            # line, so that no line ever names a page the WARC lost).
            self.writer.commit()
            append_page(
                self.archive_dir,
                {"id": self.page_row_id(self.writer.records), "url": item.url, "ts": rfc3339(moment),
                 "title": item.title, "kind": item.kind},
            )
        except OSError as exc:
            # The writer has already cut the file back to its last whole record; stop here
            # rather than lose more pages, and say why.
            what = "is full" if exc.errno == errno.ENOSPC else f"cannot be written ({exc.strerror or exc})"
            pages = self.crawler.stats.get_value("sma/pages", 0)
            message = f"archive directory {self.archive_dir} {what}; stopped after {pages} pages"
            self.state.fatal_error = message
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="archive_write_error"))
            raise DropItem(message) from exc
        stats = self.crawler.stats
        stats.inc_value("sma/pages")
        stats.inc_value(f"sma/pages/{item.kind}")
        stats.set_value("sma/records", self.writer.records)
        stats.set_value("sma/bytes", self.writer.bytes_written)
        stats.set_value("sma/revisits", self.writer.revisits)
        return item

    def _write_changes(self, item: PageCapture, changes: list[dict], page_id: str | None) -> None:
        """One metadata record per change, so the WARCs themselves say what changed and when."""
        assert self.writer is not None
        for change in changes:
            fields = {k.replace("_", "-"): str(v) for k, v in change.items() if v not in (None, "")}
            if item.kind == "gone":
                fields["http-status"] = str(item.facts.get("status"))
            uri = f"urn:sma:change:{change['change']}:{change['kind']}:{change['url']}"
            if change["kind"] == "comment":
                uri += f"#{change['id']}"
            self.writer.write_metadata(uri, fields, item.started, page_id)

    def _write_websockets(self, sockets: list[dict], page_id: str | None) -> None:
        """Per connection, at its ws(s):// URL: one `resource` record holding every frame as JSON
        lines {ts, type, opcode, mask, payloadData} (as iipc/warc-specifications#115 proposes), and
        one `metadata` record with the handshake (status, request and response headers).
        docs/reader.md says why the handshake is not a request/response pair."""
        assert self.writer is not None
        for ws in sockets:
            log = "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in ws["frames"]).encode("utf-8")
            frames_id = self.writer.write_resource(ws["url"], "application/jsonl; charset=utf-8", log, ws["started"],
                                                   page_id)
            self.writer.write_metadata(ws["url"], {
                "websocket-status": f"{ws['status']} {ws['reason']}".strip(),
                "websocket-request-headers": json.dumps(ws["request_headers"]),
                "websocket-response-headers": json.dumps(ws["response_headers"]),
                "websocket-frames": str(len(ws["frames"])),
                "websocket-closed": "yes" if ws["closed"] else "no (still open when the page was captured)",
            }, ws["started"], frames_id)
            self.crawler.stats.inc_value("sma/websocket_frames", len(ws["frames"]))

    def _save_thumbnail(self, item: PageCapture) -> None:
        """crawls/<id>/thumbs/<n>.jpg, named in the spider's observations for the HTML report."""
        assert item.thumbnail is not None
        thumbs = self.archive_dir / "crawls" / self.crawl_id / "thumbs"
        thumbs.mkdir(parents=True, exist_ok=True)
        name = self.thumbnail_name(self.crawler.stats.get_value("sma/pages", 0))
        (thumbs / name).write_bytes(item.thumbnail)
        self.state.completeness.setdefault("thumbnails", {})[item.url] = f"thumbs/{name}"

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.writer is not None:
            self.writer.close()
            self.crawler.stats.set_value("sma/warc_files", [str(p) for p in self.writer.files])
            if self.writer.unsealed:
                # Said before the crawl's own error line (`sma crawl` prints that once the crawl is over).
                exc = self.writer.unsealed_error
                print(f"sma: warning: {len(self.writer.unsealed)} WARC file(s) not in the fixity manifest "
                      f"({exc.strerror if exc else 'write failed'}); run `sma verify --archive {self.archive_dir} "
                      "--seal` when there is room", file=sys.stderr)
