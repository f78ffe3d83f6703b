"""Woo requests and the per-page decisions on them, stored as JSON in DIR/woo/requests/<id>.json.

What is stored never holds a third party's value: items are named by pseudonym; a string the officer
selected by hand (personal data the detector missed) is stored encrypted with the organisation's
ledger key, with only its SHA-256 and length in clear. Writes are atomic (tmp + rename) under a lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# Woo grounds: the codes the issue names (5.1.1c-e, 5.1.2a-i, 5.2) with the descriptions of
# minvws/nl-rdo-woo-web src/Citation.php (the Dutch government's Woo publication platform).
GROUNDS: dict[str, str] = {
    "5.1.1c": "Vertrouwelijk verstrekte bedrijfs- of fabricagegegevens",
    "5.1.1d": "Bijzondere persoonsgegevens",
    "5.1.1e": "Nationale identificatienummers",
    "5.1.2a": "Internationale betrekkingen",
    "5.1.2b": "Economische of financiële belangen van de Staat",
    "5.1.2c": "Opsporing en vervolging van strafbare feiten",
    "5.1.2d": "Inspectie, controle en toezicht van bestuursorganen",
    "5.1.2e": "Eerbiediging van de persoonlijke levenssfeer",
    "5.1.2f": "Bescherming van andere dan vertrouwelijk aan de overheid verstrekte concurrentiegevoelige "
              "bedrijfs- en fabricagegevens",
    "5.1.2g": "De bescherming van het milieu waarop deze informatie betrekking heeft",
    "5.1.2h": "De beveiliging van personen of bedrijven en het voorkomen van sabotage",
    "5.1.2i": "Het goed functioneren van de staat, andere publiekrechtelijke lichamen of bestuursorganen",
    "5.2": "Persoonlijke beleidsopvattingen",
}
DEFAULT_GROUND = "5.1.2e"
DECISIONS = ("accept", "reject")  # accept: redact the item; reject: it is no personal data -> pseudonym stays
REQUEST_ID = re.compile(r"^woo-\d{8}-[0-9a-f]{6}$")
PAGE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,80}$")
STATUSES = ("open", "approved")


class WooError(Exception):
    """Bad input or a state that does not allow the action: one line for the user."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_ground(ground: str) -> str:
    if ground not in GROUNDS:
        raise WooError(f"unknown Woo ground {ground!r}; one of {', '.join(GROUNDS)}")
    return ground


@dataclass
class TextRedaction:
    id: str
    ground: str
    sha256: str
    length: int
    token: str  # Fernet token of the selected string (organisation's ledger key)
    boxes: list[list[float]] = field(default_factory=list)  # where the selection was, page coordinates
    by: str = ""
    at: str = ""
    region: str = ""  # set when the text lay under a drawn region: that region's id (removed with it)


@dataclass
class Region:
    id: str
    ground: str
    box: list[float]  # [x, y, w, h] on the page's screenshot (page coordinates)
    by: str = ""
    at: str = ""


@dataclass
class PageReview:
    page_id: str
    status: str = "open"
    items: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {"decision", "ground"}
    texts: list[TextRedaction] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    approved_by: str = ""
    approved_at: str = ""
    public_warc: str = ""
    added_by: str = ""  # who put the page on the request from its search proposals ("" : by reviewing it)
    added_at: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageReview:
        return cls(page_id=data["page_id"], status=data.get("status", "open"), items=data.get("items", {}),
                   texts=[TextRedaction(**t) for t in data.get("texts", [])],
                   regions=[Region(**r) for r in data.get("regions", [])], approved_by=data.get("approved_by", ""),
                   approved_at=data.get("approved_at", ""), public_warc=data.get("public_warc", ""),
                   added_by=data.get("added_by", ""), added_at=data.get("added_at", ""))


@dataclass
class WooRequest:
    id: str
    subject: str
    period_from: str  # YYYY-MM-DD, inclusive
    period_to: str
    created_by: str
    created_at: str
    status: str = "open"  # "open" while pages are being reviewed, "exported" after an export
    pages: dict[str, PageReview] = field(default_factory=dict)

    def terms(self) -> list[str]:
        """The subject's search terms: its words of three or more letters (a quoted phrase is one term)."""
        phrases = re.findall(r'"([^"]+)"', self.subject)
        rest = re.sub(r'"[^"]*"', " ", self.subject)
        return [p.strip() for p in phrases if p.strip()] + [w for w in re.findall(r"\w{3,}", rest)]

    def review(self, page_id: str) -> PageReview:
        if not PAGE_ID.match(page_id):
            raise WooError("not a page id")
        return self.pages.setdefault(page_id, PageReview(page_id))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WooRequest:
        pages = {k: PageReview.from_json(v) for k, v in data.get("pages", {}).items()}
        return cls(id=data["id"], subject=data["subject"], period_from=data["period_from"],
                   period_to=data["period_to"], created_by=data["created_by"], created_at=data["created_at"],
                   status=data.get("status", "open"), pages=pages)


def parse_day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise WooError(f"{what} is not a date (YYYY-MM-DD): {value!r}") from exc


def new_request(subject: str, period_from: str, period_to: str, created_by: str) -> WooRequest:
    subject = " ".join(subject.split())
    if not subject or len(subject) > 300:
        raise WooError("a Woo request needs a subject (at most 300 characters)")
    start, end = parse_day(period_from, "period from"), parse_day(period_to, "period to")
    if end < start:
        raise WooError(f"the period ends ({end}) before it starts ({start})")
    today = datetime.now(UTC)
    return WooRequest(id=f"woo-{today:%Y%m%d}-{secrets.token_hex(3)}", subject=subject, period_from=start,
                      period_to=end, created_by=created_by, created_at=now_iso())


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class WooStore:
    """DIR/woo/requests/*.json; one lock file serialises read-modify-write across threads and processes."""

    def __init__(self, archive_dir: Path) -> None:
        self.dir = Path(archive_dir) / "woo" / "requests"

    def path(self, request_id: str) -> Path:
        if not REQUEST_ID.match(request_id or ""):
            raise WooError(f"no Woo request {request_id!r}")
        return self.dir / f"{request_id}.json"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, request: WooRequest) -> None:
        path = self.path(request.id)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(request.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def create(self, request: WooRequest) -> WooRequest:
        with self._locked():
            self._write(request)
        return request

    def get(self, request_id: str) -> WooRequest:
        path = self.path(request_id)
        if not path.exists():
            raise WooError(f"no Woo request {request_id!r}")
        return WooRequest.from_json(json.loads(path.read_text(encoding="utf-8")))

    def all(self) -> list[WooRequest]:
        if not self.dir.is_dir():
            return []
        return sorted((self.get(p.stem) for p in self.dir.glob("woo-*.json")), key=lambda r: r.created_at)

    @contextmanager
    def update(self, request_id: str) -> Iterator[WooRequest]:
        """Read, let the caller change, write back -- all under the lock."""
        with self._locked():
            request = self.get(request_id)
            yield request
            self._write(request)
