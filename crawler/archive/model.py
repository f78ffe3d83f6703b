"""Plain data that crosses from the browser to the WARC writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def warc_date(moment: datetime) -> str:
    """WARC 1.1 dates carry microseconds, always in UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timestamp14(moment: datetime) -> str:
    """The 14-digit form pywb and CDXJ use."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


@dataclass
class Exchange:
    """One HTTP request and its response as the browser saw them on the wire.

    `body` is the payload after content decoding (browsers hand out decoded bodies), so the
    writer drops Content-Encoding/Transfer-Encoding and rewrites Content-Length to match it.
    """

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    reason: str
    http_version: str
    response_headers: list[tuple[str, str]]
    body: bytes
    started: datetime
    remote_ip: str | None = None
    # "browser" when the bytes came from the browser itself, "refetch" when the browser did not
    # keep them (media streams) and SMA fetched the same URL again with the same headers.
    body_source: str = "browser"
    resource_type: str = ""
    # WARC-Truncated reason when `body` is only the start of the payload ("length": above
    # SMA_DOWNLOAD_MAXSIZE, docs/limits.md); None for a whole body.
    truncated: str | None = None

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400 and any(k.lower() == "location" for k, _ in self.response_headers)


@dataclass
class PiiBox:
    """A region of the full-page screenshot that shows a third party's personal data.

    Page coordinates in CSS pixels (the full-page screenshot's pixels at device scale 1).
    `value` is the plaintext it covers: it goes only into the encrypted PII ledger.
    """

    x: float
    y: float
    width: float
    height: float
    type: str  # "name", "handle", "avatar", "email", ... (the detector's finding types)
    value: str
    source: str  # "structural" | "text" | "propagated"


@dataclass
class PageCapture:
    """Everything captured for one page visit: network traffic plus what the reader saw."""

    url: str
    kind: str  # "profile" | "post" | "page"
    title: str
    started: datetime
    exchanges: list[Exchange] = field(default_factory=list)
    screenshot: bytes | None = None
    thumbnail: bytes | None = None  # viewport JPEG for reports; not archived (the screenshot is)
    dom: str | None = None
    text: str | None = None
    # Free-form facts about the visit (profile used, actions run, counters seen) for metadata records.
    facts: dict = field(default_factory=dict)
    # Privacy (filled at capture when a crawl pseudonymises; never written to the original WARC):
    # the commenters the page showed, as {"name","handle","profile_url","avatar_url"} dicts, and
    # the screenshot regions the access derivative covers.
    third_parties: list[dict[str, str | None]] = field(default_factory=list)
    pii_boxes: list[PiiBox] = field(default_factory=list)
