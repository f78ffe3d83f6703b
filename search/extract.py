"""Posts and comments out of a copy's WARCs, as the capture recorded them.

The source is each post page's `urn:dom:<url>` resource record (the DOM the reader saw, written by
crawler/capture/page.py) read with the SAME profile keys the crawler's content reader uses
(crawler/capture/content.py): `content.post_text`, `content.published`, `content.comment_id`,
`post_page.comment`, `post_page.comment_text`, and the privacy section's `third_parties.name` /
`handle` for a comment's author. The page's `metadata:<url>` record gives the counters. Nothing is
fetched and nothing is re-rendered: a copy's DOM is already that copy (pseudonymised in
DIR/access, redacted in DIR/public), so items from it hold only what that copy holds.

A comment's parent: `content.comment_parent` ({attr} or {selector, attr}) when the profile names
one, else the nearest enclosing comment element (platforms that nest replies in their parent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html
from lxml.etree import ParserError
from warcio.archiveiterator import ArchiveIterator

from archive.layout import ArchiveDir
from crawler.archive.history import parse_time
from crawler.profiles import Profile, ProfileError, all_profiles

HASHTAG = re.compile(r"(?<![\w&/])#(\w[\w-]*)", re.UNICODE)
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "article", "section", "header", "footer", "h1", "h2", "h3",
          "h4", "h5", "h6", "blockquote", "pre", "tr", "table", "dd", "dt"}
_SKIP = {"script", "style", "noscript", "template"}


@dataclass
class Item:
    """One post or comment as one capture shows it."""

    kind: str  # "post" | "comment"
    id: str
    parent_id: str | None  # comments: the comment replied to, None for a reply to the post
    post_id: str
    page_url: str  # the post page's URL in this copy (what replay opens)
    account: str
    platform: str
    published: str | None  # RFC 3339 where the page gave a machine-readable time
    captured: str  # WARC-Date of the page's document response (else of its DOM record)
    author_name: str | None
    author_handle: str | None
    text: str
    hashtags: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)
    warc_file: str = ""  # relative to the copy's folder, e.g. warcs/x.warc.gz
    warc_offset: int = 0
    warc_digest: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def inner_text(el: Any) -> str:
    """Roughly the browser's innerText: block elements break lines, scripts say nothing."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            return
        if tag in _BLOCK:
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK:
            parts.append("\n")

    walk(el)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def _first(el: Any, selector: str | None) -> Any | None:
    if not selector:
        return el
    try:
        found = el.cssselect(selector)
    except Exception:  # noqa: BLE001 - a Playwright-only selector (text=, :has-text) in a profile
        return None
    return found[0] if found else None


def _read(el: Any, spec: dict[str, Any] | None) -> str | None:
    """A content spec {selector?, attr?} read relative to `el` (like content.py's _read)."""
    if not spec:
        return None
    target = _first(el, spec.get("selector"))
    if target is None:
        return None
    if spec.get("attr"):
        value = target.get(spec["attr"])
        return value.strip() if value else None
    return inner_text(target) or None


def _iso(value: str | None) -> str | None:
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else (value or None)


def _fields(payload: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
    return out


class Extractor:
    """Reads one copy's WARC files into Items, profile by profile (platform knowledge stays in YAML)."""

    def __init__(self, copy_dir: Path, accounts: dict[str, str] | None = None,
                 profiles_dir: Path | None = None) -> None:
        self.copy_dir = Path(copy_dir)
        self.accounts = accounts or {}
        try:
            self.profiles = {n: p for n, p in all_profiles(profiles_dir).items() if n != "generic"}
        except ProfileError:
            self.profiles = {}

    def profile_for(self, url: str, named: str | None) -> Profile | None:
        if named and named in self.profiles:
            return self.profiles[named]
        return next((p for p in self.profiles.values() if p.classify(url) == "post"), None)

    def items_of_file(self, path: Path) -> Iterator[Item]:
        """Every post page's items in one WARC file (a page's metadata follows its DOM record)."""
        pending: tuple[str, bytes, str, int, str] | None = None
        rel = str(Path(path).relative_to(self.copy_dir))
        # The page's own document response: its WARC-Date is the capture time replay serves it by.
        responses: dict[str, str] = {}
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for rec in records:
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                if rec.rec_type in ("response", "revisit"):
                    responses[uri] = rec.rec_headers.get_header("WARC-Date") or ""
                elif rec.rec_type == "resource" and uri.startswith("urn:dom:"):
                    if pending:
                        yield from self.items_of_page(*pending, rel, {})
                    digest = (rec.rec_headers.get_header("WARC-Payload-Digest")
                              or rec.rec_headers.get_header("WARC-Block-Digest") or "")
                    page_url = uri[len("urn:dom:"):]
                    date = responses.get(page_url) or rec.rec_headers.get_header("WARC-Date") or ""
                    pending = (page_url, rec.content_stream().read(), date, records.get_record_offset(), digest)
                elif rec.rec_type == "metadata" and pending and uri == f"metadata:{pending[0]}":
                    yield from self.items_of_page(*pending, rel, _fields(rec.content_stream().read()))
                    pending = None
            if pending:
                yield from self.items_of_page(*pending, rel, {})

    def items_of_page(self, url: str, dom: bytes, date: str, offset: int, digest: str, rel: str,
                      facts: dict[str, Any]) -> Iterator[Item]:
        profile = self.profile_for(url, facts.get("profile") if isinstance(facts.get("profile"), str) else None)
        if profile is None or profile.classify(url) != "post" or not dom.strip():
            return
        try:
            root = lxml_html.document_fromstring(dom.decode("utf-8", "replace"))
        except (ParserError, ValueError):
            return
        content = profile.content
        spec = profile.page("post")
        post_id = url.rstrip("/").rsplit("/", 1)[-1]
        captured = _iso(date) or date
        base = {"post_id": post_id, "page_url": url, "account": self._account(url), "platform": profile.name,
                "captured": captured, "warc_file": rel, "warc_offset": offset, "warc_digest": digest}
        post_el = _first(root, content.get("post_text")) if content.get("post_text") else None
        text = inner_text(post_el) if post_el is not None else ""
        counters = facts.get("counters") if isinstance(facts.get("counters"), dict) else {}
        comment_sel = spec.selectors.get("comment")
        try:
            comment_els = root.cssselect(comment_sel) if comment_sel else []
        except Exception:  # noqa: BLE001 - a Playwright-only selector
            comment_els = []
        yield Item(kind="post", id=post_id, parent_id=None, published=_iso(_read(root, content.get("published"))),
                   author_name=None, author_handle=None, text=text, hashtags=HASHTAG.findall(text),
                   counts={**counters, "comments_captured": len(comment_els)},
                   media=self._media(post_el, profile, url), **base)
        ids: dict[Any, str] = {}
        for index, el in enumerate(comment_els):
            ids[el] = _read(el, content.get("comment_id")) or f"{post_id}#{index}"
        tp = profile.third_parties
        for el in comment_els:
            text_el = _first(el, spec.selectors.get("comment_text"))
            ctext = inner_text(text_el) if text_el is not None else ""
            yield Item(kind="comment", id=ids[el], parent_id=self._parent(el, content, ids),
                       published=_iso(_read(el, {"selector": "time[datetime]", "attr": "datetime"})),
                       author_name=self._who(el, tp.get("name"), tp.get("name_attr")),
                       author_handle=self._who(el, tp.get("handle"), tp.get("handle_attr")),
                       text=ctext, hashtags=HASHTAG.findall(ctext), **base)

    @staticmethod
    def _parent(el: Any, content: dict[str, Any], ids: dict[Any, str]) -> str | None:
        known = set(ids.values())
        spec = content.get("comment_parent")
        if isinstance(spec, dict):
            value = _read(el, spec)
            return value if value in known and value != ids[el] else None
        for ancestor in el.iterancestors():
            if ancestor in ids:
                return ids[ancestor]
        return None

    @staticmethod
    def _who(el: Any, selector: str | None, attr: str | None) -> str | None:
        if not selector and not attr:
            return None
        return _read(el, {"selector": selector, "attr": attr}) if (selector or attr) else None

    @staticmethod
    def _media(post_el: Any, profile: Profile, page_url: str) -> list[str]:
        """Images and videos of the focal post (its nearest article), not avatars."""
        if post_el is None:
            return []
        box = next((a for a in post_el.iterancestors() if a.tag == "article" or a.get("role") == "article"), None)
        avatars = [re.compile(p) for p in profile.third_parties.get("avatar_url", [])]
        out: list[str] = []
        for node in (box if box is not None else post_el).iter("img", "video", "source"):
            src = node.get("src") or ""
            if src and not src.startswith("data:") and "avatar" not in src and not any(a.search(src) for a in avatars):
                out.append(urljoin(page_url, src))
        return list(dict.fromkeys(out))

    def _account(self, url: str) -> str:
        return self.accounts.get(url, "")


def account_map(archive_dir: Path) -> dict[str, str]:
    """Post URL -> account key, from the accounts' capture histories (DIR/accounts/*/state.json)."""
    out: dict[str, str] = {}
    for state in ArchiveDir(archive_dir).account_states():
        try:
            data = json.loads(state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for url in (data.get("posts") or {}):
            out[url] = str(data.get("account") or state.parent.name)
    return out
