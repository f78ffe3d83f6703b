"""Item pipeline: privacy by design at capture (docs/privacy.md).

Runs after WarcPipeline. While the crawl runs it learns each page's commenters (read in the browser
by crawler/capture/privacy_capture.py) and keeps the page's screenshot boxes, encrypted, in
`crawls/<id>/privacy-capture.json.enc`. When the crawl closes it writes the pseudonymised access
derivative of every record the crawl wrote (`DIR/access/`), the encrypted PII ledger
`crawls/<id>/pii-ledger.json.enc`, and `crawls/<id>/privacy.json` (counts only, no values).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.layout import OPEN_SUFFIX, crawl_warcs
from sma.config import PUBLIC_ACCOUNTS

from . import __version__
from .archive.model import PageCapture
from .capture import privacy_capture
from .privacy.derivative import Deriver, PageFacts, recorded_own
from .privacy.keys import KeyProblem, OrganisationKeys, load_keys
from .privacy.ledger import CAPTURE_FACTS_NAME, LEDGER_NAME, EncryptedJsonLines, write_entries
from .privacy.recognizers_presidio import TextAnalyzer
from .spec import CrawlSpec
from .state import CrawlState

logger = logging.getLogger(__name__)


# Path segments of account URLs that are the platform's page names, not the account's handle.
_PAGE_SEGMENTS = frozenset(("videos", "posts", "featured", "about", "feed", "shorts", "streams", "community",
                            "reels", "tagged", "media", "with_replies", "likes", "home", "timeline"))


def account_identities(value: str) -> list[str]:
    """An own account as given: a handle or name as it is; a URL gives its handle, the `@` segment
    (`/youtube/@ministerie-demo/videos`) or else its last segment that is no page name."""
    if not value.startswith(("http://", "https://", "/")):
        return [value]
    segments = [s for s in urlsplit(value).path.split("/") if s]
    handle = next((s for s in segments if s.startswith("@")), None) or next(
        (s for s in reversed(segments) if s.lower() not in _PAGE_SEGMENTS), "")
    if re.fullmatch(r"@?[A-Za-z0-9_][A-Za-z0-9_.-]{2,60}", handle) and not handle.isdigit():
        return [handle.lstrip("@")]
    return []


class PrivacyPipeline:
    def __init__(self, crawler: Crawler, state: CrawlState | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.state = state if state is not None else CrawlState.of(crawler)
        self.enabled = settings.getbool("SMA_PRIVACY", True)
        self.archive_dir = Path(settings.get("SMA_ARCHIVE_DIR"))
        self.crawl_id = settings.get("SMA_CRAWL_ID")
        self.organisation = settings.get("SMA_ORGANISATION") or "default"
        self.staff_signatures = list(settings.getlist("SMA_STAFF_SIGNATURES"))
        # The organisation's own other accounts (handles, names or profile URLs: the registry's, passed by
        # `sma run` as `--public-account`, and SMA_PUBLIC_ACCOUNTS): never third parties, like the
        # government bodies in crawler/privacy/data/.
        raw = settings.get("SMA_PUBLIC_ACCOUNTS") or ""
        given = raw.split("|") if isinstance(raw, str) else list(raw)
        given += PUBLIC_ACCOUNTS.items()  # the environment's too
        self.public_accounts = list(dict.fromkeys(
            identity for entry in given if entry and entry.strip() for identity in account_identities(entry.strip())))
        self.block_avatars = settings.getbool("SMA_BLOCK_THIRD_PARTY_AVATARS", False)
        self.crawl_dir = self.archive_dir / "crawls" / str(self.crawl_id)
        self.spec = CrawlSpec.from_crawler(crawler)
        self.keys: OrganisationKeys | None = None
        self.detector: Any = None
        self.analyzer = TextAnalyzer()  # the crawl's textual recognisers (Presidio built on first use)
        self.pages: dict[str, PageFacts] = {}
        self.recorded_own: list[str] = []  # the own account's identities recorded with the capture (PageFacts.own)
        self.facts_file: EncryptedJsonLines | None = None
        self.opened = time.monotonic()  # the crawl's own time is measured against the access copy's
        self.closed: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivacyPipeline:
        if not crawler.settings.getbool("SMA_PRIVACY", True):
            raise NotConfigured("SMA_PRIVACY is off: no PII detection, no access copy")
        return cls(crawler)

    # -- what capture needs --------------------------------------------------------------------
    def _third_parties(self) -> dict[str, Any]:
        profile = self.state.profile
        return dict(profile.third_parties or {}) if profile is not None else {}

    def _own_identities(self) -> list[str]:
        """The organisation's own account as its profile page shows it: never a third party."""
        profile_facts = self.state.completeness.get("profile") or {}
        account = profile_facts.get("account") or {}
        own = [v for v in (account.get("account_name"), account.get("account_handle")) if v]
        # The account's own URL names its handle (`/@ministerie-demo`, `/ministerie-demo`) also where no
        # profile reads the account from the page (the generic profile): never a third party either.
        own += account_identities(self.spec.url if self.spec else "")
        return list(dict.fromkeys(own + self.recorded_own + self.public_accounts))

    def _own_facts(self) -> dict[str, list[str]]:
        """The own account as the crawl knows it now (its name, handle, avatar URLs): kept with each page's
        facts, so that a copy derived in another process drops the own avatar's box as this one does."""
        if self.detector is None:
            return {"identities": self._own_identities(), "avatars": []}
        return {"identities": list(self.detector.own_identities), "avatars": sorted(self.detector.own_avatars)}

    def _detector(self) -> Any:
        if self.detector is None:
            from .privacy.detect import PiiDetector

            staff = self.staff_signatures + list(self._third_parties().get("staff_signatures") or [])
            self.detector = PiiDetector(own_identities=self._own_identities(), staff_signatures=staff,
                                        analyzer=self.analyzer)
        return self.detector

    # -- pipeline ------------------------------------------------------------------------------
    def open_spider(self, spider: Spider | None = None) -> None:
        self.opened = time.monotonic()
        if not self.enabled:
            return
        try:
            self.keys = load_keys(self.organisation, create=True, archive_dir=self.archive_dir)
        except KeyProblem as exc:
            self._fail(f"no pseudonymisation key: {exc}")
            return
        self.facts_file = EncryptedJsonLines(self.crawl_dir / CAPTURE_FACTS_NAME, self.keys.fernet())
        # There from the start: a crawl killed between a page's WARC row and its facts is still found
        # unfinished by the next crawl (its page without facts gets a fully covered screenshot).
        self.facts_file.create()
        self.state.privacy = privacy_capture.CrawlPrivacy(
            detector=self._detector, third_parties=self._third_parties, block_avatars=self.block_avatars)

    def _fail(self, message: str) -> None:
        self.state.fail(message)  # `sma crawl` says it, once, as its error line
        asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="privacy_error"))

    def process_item(self, item: PageCapture, spider: Spider | None = None) -> PageCapture:
        if not self.enabled or self.facts_file is None or not isinstance(item, PageCapture):
            return item
        facts = PageFacts(item.url, list(item.third_parties), [asdict(b) for b in item.pii_boxes], self._own_facts())
        self.pages[item.url] = facts
        # Written per page, encrypted: a crawl that dies keeps what the derivative needs.
        self.facts_file.append([asdict(facts)])
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        """Every page is seen; the access copy waits until the original WARCs are closed (Scrapy closes
        this pipeline before WarcPipeline): `write_access_copy`, a stage of its own after the crawl."""
        self.state.privacy = None
        self.closed = time.monotonic()

    def write_access_copy(self) -> None:
        """The access-copy stage (crawler/run.finish_crawl; a shared frontier's `completion.finish`): the
        pseudonymised copy of every record the crawl wrote, its ledger and privacy.json. It reads closed
        WARCs only: one still `.open` fails the copy (and so the crawl), it is never read half-written."""
        if not self.enabled or self.keys is None or not self.pages:
            return
        started, cpu_started = time.monotonic(), time.process_time()
        crawl_seconds = (self.closed or started) - self.opened
        try:
            result = self._derive()
        except Exception as exc:  # noqa: BLE001 - the authentic archive is written; say what is missing
            message = f"the pseudonymised access copy of crawl {self.crawl_id} was not written: {exc}"
            if not self.state.fatal_error:
                self.state.fatal_error = message  # the crawl fails: an archive without its access copy is not done
            else:
                logger.warning(message)  # the crawl already failed for a reason `sma crawl` reports
            return
        by_type = Counter(e.type for e in result.ledger)
        summary = {
            "crawl_id": self.crawl_id,
            "organisation": self.organisation,
            "key_fingerprint": self.keys.fingerprint,
            "access_warcs": [str(p.relative_to(self.archive_dir)) for p in result.files],
            "access_records": result.records,
            "access_pages": result.pages,
            "third_parties": len(self.detector.people()) if self.detector is not None else 0,
            "ledger": str((self.crawl_dir / LEDGER_NAME).relative_to(self.archive_dir)),
            "ledger_entries": len(result.ledger),
            "findings_by_type": dict(sorted(by_type.items())),
            "avatars_blocked": self.block_avatars,
            "duration_s": round(time.monotonic() - started, 1),
            "duration_cpu_s": round(time.process_time() - cpu_started, 1),  # on a shared machine, wall time waits
            "crawl_s": round(crawl_seconds, 1),
            "access_copy_share": round((time.monotonic() - started) / crawl_seconds, 3) if crawl_seconds else None,
        }
        self.crawl_dir.mkdir(parents=True, exist_ok=True)
        (self.crawl_dir / "privacy.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        stats = self.crawler.stats
        stats.set_value("sma/privacy/ledger_entries", len(result.ledger))
        stats.set_value("sma/privacy/access_records", result.records)
        self._finish_unfinished()

    def _finish_unfinished(self) -> None:
        """Earlier crawls of this account, killed before their access copy: derived now (privacy/unfinished.py)."""
        if self.crawler.settings.getbool("SMA_DISTRIBUTED"):
            return  # other workers' crawls may still be running; the frontier finishes crawls itself
        from .privacy.unfinished import clear_partial_access, read_facts, unfinished_crawls

        assert self.keys is not None
        account = self.spec.account if self.spec else ""
        for crawl_id in unfinished_crawls(self.archive_dir, str(self.crawl_id), account):
            try:
                pages = read_facts(self.archive_dir, crawl_id, self.keys.fernet())
                clear_partial_access(self.archive_dir, crawl_id)
                result = self._derive(crawl_id, pages)
            except Exception as exc:  # noqa: BLE001 - this crawl's own copy is written; the next crawl tries again
                logger.warning("the access copy of the killed crawl %s is still missing: %s", crawl_id, exc)
                continue
            folder = self.archive_dir / "crawls" / crawl_id
            summary = {"crawl_id": crawl_id, "organisation": self.organisation,
                       "key_fingerprint": self.keys.fingerprint,
                       "access_warcs": [str(p.relative_to(self.archive_dir)) for p in result.files],
                       "access_records": result.records, "access_pages": result.pages,
                       "ledger": str((folder / LEDGER_NAME).relative_to(self.archive_dir)),
                       "ledger_entries": len(result.ledger), "derived_by_crawl": self.crawl_id,
                       "note": "the crawl was stopped before its access copy; a later crawl of the account derived it"}
            (folder / "privacy.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

    def _derive(self, crawl_id: str | None = None, pages: dict[str, PageFacts] | None = None) -> Any:
        assert self.keys is not None
        from .privacy.pseudonym import Pseudonymiser

        crawl_id = crawl_id or str(self.crawl_id)
        pages = self.pages if pages is None else pages
        crawl_dir = self.archive_dir / "crawls" / crawl_id
        still_open = [p.name for p in crawl_warcs(self.archive_dir / "warcs", crawl_id) if p.name.endswith(OPEN_SUFFIX)]
        if still_open:
            raise RuntimeError(f"original WARC(s) still open: {', '.join(still_open)}")
        own_identities, own_avatars = recorded_own(pages.values())
        if self.detector is None:  # another process than the capture's: the own account as recorded
            self.recorded_own = own_identities
        detector = self._detector()
        detector.own_avatars.update(own_avatars)
        for facts in pages.values():  # pages read before the detector existed, or outside the browser
            from .privacy.detect import ThirdParty

            detector.learn(ThirdParty(**p) for p in facts.third_parties)
        info = {
            "software": f"SMA {__version__} privacy derivative",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Pseudonymised access copy (AVG/Woo): not the authentic record. Every record names "
                           "its original by WARC-Refers-To (record id) and WARC-Refers-To-Date.",
            "crawl-id": crawl_id,
            "derived-from": "warcs/ of this archive, crawl " + crawl_id,
            "organisation": self.organisation,
            "pseudonymisation-key": self.keys.fingerprint,
            "profile": self.state.profile.name if self.state.profile is not None else "",
        }
        deriver = Deriver(self.archive_dir, crawl_id, detector, Pseudonymiser(self.keys.hmac_key),
                          privacy_capture.avatar_patterns(self._third_parties()), pages, info)
        result = deriver.run()
        write_entries(crawl_dir / LEDGER_NAME, self.keys.fernet(), result.ledger)
        return result


def derive_again(archive_dir: Path, crawl_id: str, organisation: str = "default") -> dict[str, object]:
    """The crawl's access copy and ledger written again, from the archive alone: its original WARCs (the
    warcinfo names seed, profile and account), its capture facts and the organisation's key. What an earlier
    derivation wrote is withdrawn first. Returns the new privacy.json; raises if the copy is not written."""
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from .privacy.keys import load_keys
    from .privacy.unfinished import clear_partial_access, crawl_warcinfo, read_facts
    from .profiles import resolve
    from .spec import SETTING, CrawlSpec
    from .state import CrawlState

    archive_dir = Path(archive_dir)
    info = crawl_warcinfo(archive_dir, crawl_id)
    if not info.get("seed"):
        raise RuntimeError(f"crawl {crawl_id}: no original WARC with its seed in {archive_dir}")
    spec = CrawlSpec(url=info["seed"], archive=archive_dir, crawl_id=crawl_id, profile=info.get("profile") or "auto",
                     account=info.get("account") or "")
    settings = Settings({"SMA_ARCHIVE_DIR": str(archive_dir), "SMA_CRAWL_ID": crawl_id,
                         "SMA_ORGANISATION": organisation, SETTING: spec})
    state = CrawlState(profile=resolve(spec.url, spec.profile)[0])
    stats = SimpleNamespace(set_value=lambda *args, **kwargs: None)
    pipeline = PrivacyPipeline(SimpleNamespace(settings=settings, stats=stats, engine=None), state)  # type: ignore[arg-type]
    pipeline.keys = load_keys(organisation, create=False, archive_dir=archive_dir)
    pipeline.pages = read_facts(archive_dir, crawl_id, pipeline.keys.fernet())
    clear_partial_access(archive_dir, crawl_id)
    (archive_dir / "crawls" / crawl_id / "privacy.json").unlink(missing_ok=True)
    pipeline.close_spider()
    pipeline.write_access_copy()
    if state.fatal_error:
        raise RuntimeError(state.fatal_error)
    return json.loads((archive_dir / "crawls" / crawl_id / "privacy.json").read_text(encoding="utf-8"))
