"""Commenters and their linkable identifiers found from what marks an author, on any page.

Profiles name a platform's commenter markup; a page no profile knows still says who wrote what:
- JSON APIs: an object under `account`, `user`, `author`, `owner`, `from`, `creator`, `actor`...
  with `display_name`/`name`, `username`/`screen_name`/`acct`/`handle`, `url`/`profile_url`,
  `avatar`/`profile_image_url`/`picture`, and its `id` (a per-person identifier); flat fields
  such as `author_name`, `user_id`, `screen_name` on a comment object;
- HTML: `rel=author` links, `itemprop=author` (and its `itemprop=name`), links to profile-like
  URLs (`/user/…`, `/users/…`, `/profile/…`, `/@handle`, `/u/…`) and avatar images (`img` whose class,
  src or alt says avatar) with the name beside them in their `alt`;
- any captured URL that looks like a per-person avatar or profile picture (`/avatars/…`,
  `/profile_images/…`): its file name identifies the person on the live platform.

`scan_body` returns ThirdParty records (for PiiDetector.learn, which drops the organisation's own)
and the per-person ids (for PiiDetector.learn_ids). Parsing uses the standard library's JSON and
HTML parsers, never regexes over markup. No Scrapy or Playwright here.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Collection, Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from crawler.privacy.detect import ThirdParty

PERSON_KEYS = frozenset(("account", "user", "author", "owner", "from", "creator", "actor", "commenter", "profile",
                         "poster", "by", "sender", "member", "reply_to_user", "in_reply_to_account"))
NAME_KEYS = ("display_name", "displayName", "name", "full_name", "fullName", "author_name", "user_name",
             "authorName", "userName_display", "nickname")
# Where a platform shows the @handle as the display name, the person's name is under another key.
ALT_NAME_KEYS = ("channelName", "channel_name", "ownerName", "owner_name", "realName", "real_name")
HANDLE_KEYS = ("username", "screen_name", "screenName", "acct", "handle", "login", "userName", "author_handle",
               "unique_id", "uniqueId", "user_handle")
URL_KEYS = ("url", "profile_url", "profileUrl", "permalink", "html_url", "link", "uri", "author_url", "user_url")
AVATAR_KEYS = ("avatar", "avatar_url", "avatarUrl", "avatar_static", "profile_image_url", "profile_image_url_https",
               "profile_picture", "profilePicture", "picture", "image", "photo", "author_avatar", "user_avatar",
               "avatar_thumb", "thumbnail")
ID_KEYS = ("id", "id_str", "uid", "pk", "user_id", "author_id", "account_id", "owner_id", "userId", "authorId",
           "accountId", "profile_id", "from_id", "channel_id", "channelId")
FLAT_ID_KEYS = frozenset(("user_id", "author_id", "account_id", "owner_id", "userId", "authorId", "accountId",
                          "profile_id", "from_id", "commenter_id", "author_channel_id", "authorChannelId"))
# URLs whose path says they show one person's picture or profile.
AVATAR_PATH = re.compile(r"/(?:media/)?(?:avatars?|profile_images|profile_pictures?|profile_pics?|user_images|"
                         r"userpics?|pfp|profilepic)/", re.IGNORECASE)
PROFILE_PATH = re.compile(r"/(?:users?|u|profiles?|people|members?|authors?|channel|accounts?)/[^/?#]+/?$|/@[^/?#]+/?$",
                          re.IGNORECASE)
_MIN_ID = 6  # shorter ids ("7", "2024") would match everywhere; platforms' user ids are longer
# Profile-like link targets that are the site's own pages, not a person's.
NOT_PROFILES = frozenset(("login", "logout", "signin", "signup", "register", "settings", "edit", "new", "me", "home",
                          "search", "help", "about", "privacy", "terms", "account", "profile", "users", "people"))
_HANDLE_LIKE = re.compile(r"@?[A-Za-z0-9_.]{3,30}")
# A JSON object with one of these keys is an account wherever it sits (a `mentions` list, a GraphQL
# `legacy` part, a `participants` map): the keys name a person's login name and nothing else.
ACCOUNT_KEYS = frozenset(("username", "screen_name", "screenName", "acct", "login", "userName", "unique_id",
                          "uniqueId", "user_handle", "author_handle", "handle"))
# An object that says it is a person (GraphQL `__typename`, JSON-LD `@type`, a `type` field).
PERSON_TYPES = frozenset(("user", "person", "account", "member", "author", "commenter"))
TYPE_KEYS = ("__typename", "@type", "type", "kind", "object")
# Parts of a person object that hold their fields (`{"__typename": "User", "legacy": {"name": ...}}`).
PART_KEYS = ("legacy", "profile", "attributes", "snippet", "data", "core", "user_info", "userInfo")
_ACCOUNT_VALUE = re.compile(r"@?[\w.-]{1,60}(?:@[\w.-]+)?")


def plausible(text: str | None) -> tuple[str | None, str | None]:
    """(name, handle) if a link's or image's text looks like a person's name or handle, else (None, None):
    learned values are pseudonymised everywhere, so 'Profiel' or 'Inloggen' must never be learned."""
    if not text:
        return None, None
    if text.startswith("@") and _HANDLE_LIKE.fullmatch(text):
        return None, text
    words = text.split()
    if 2 <= len(words) <= 5 and all(w[:1].isupper() or w.lower() in ("van", "de", "der", "den", "ter", "ten", "el")
                                    for w in words) and not any(c.isdigit() for c in text):
        return text, None
    if len(words) == 1 and _HANDLE_LIKE.fullmatch(text) and re.search(r"[\d_]", text):
        return None, text
    return None, None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip() and len(value) < 200:
        return value.strip()
    return None


def _first(d: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = d.get(key)
        if isinstance(value, dict):  # {"profile_picture": {"uri": ...}}
            value = next((value[k] for k in ("uri", "url", "src", "href") if isinstance(value.get(k), str)), None)
        if text := _text(value):
            return text
    return None


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and len(str(value)) >= _MIN_ID and re.fullmatch(r"[A-Za-z0-9_-]+", str(value)):
        return str(value)
    return None


def _is_typed_person(d: dict[str, Any]) -> bool:
    return any(isinstance(t := d.get(k), str) and t.lower() in PERSON_TYPES for k in TYPE_KEYS)


class _Collector:
    def __init__(self) -> None:
        self.people: list[ThirdParty] = []
        self.ids: dict[str, ThirdParty | None] = {}  # id -> the person it belongs to (for the own-account check)
        self._seen: set[int] = set()

    def person(self, d: dict[str, Any]) -> None:
        if id(d) in self._seen:
            return
        self._seen.add(id(d))
        parts = [d] + [d[k] for k in PART_KEYS if isinstance(d.get(k), dict)]
        name, handle, url, avatar = (next((v for part in parts if (v := _first(part, keys))), None)
                                     for keys in (NAME_KEYS, HANDLE_KEYS, URL_KEYS, AVATAR_KEYS))
        if handle and not _ACCOUNT_VALUE.fullmatch(handle):
            handle = None  # a URL or a sentence under `login`/`handle` is no login name
        if name and name.startswith("@") and _ACCOUNT_VALUE.fullmatch(name):
            name, handle = next((v for part in parts if (v := _first(part, ALT_NAME_KEYS))), None), handle or name
        if name and ("/" in name or len(name) > 80):
            name = None
        if not (name or handle):
            return
        person = ThirdParty(name=name, handle=handle,
                            profile_url=url if url and url.startswith(("http", "/")) else None,
                            avatar_url=avatar if avatar and avatar.startswith(("http", "/")) else None)
        self.people.append(person)
        for key in ID_KEYS:
            if ident := _ident(d.get(key)):
                self.ids.setdefault(ident, person)
        if _is_typed_person(d) and (ident := _ident(d.get("rest_id"))):
            self.ids.setdefault(ident, person)

    def walk(self, node: Any, depth: int = 0) -> None:
        if depth > 40:
            return
        if isinstance(node, dict):
            if _is_typed_person(node) or any(isinstance(node.get(k), str) for k in ACCOUNT_KEYS):
                self.person(node)
            for key, value in node.items():
                if key in PERSON_KEYS and isinstance(value, dict):
                    self.person(value)
                elif key in FLAT_ID_KEYS and (ident := _ident(value)):
                    self.ids.setdefault(ident, None)
                self.walk(value, depth + 1)
            flat_name = _text(node.get("author_name")) or _text(node.get("authorDisplayName"))
            flat_handle = _text(node.get("screen_name")) or _text(node.get("author_username"))
            if flat_name or flat_handle:
                avatar = _text(node.get("author_avatar")) or _text(node.get("authorProfileImageUrl"))
                self.people.append(ThirdParty(flat_name, flat_handle, _text(node.get("author_url")), avatar))
        elif isinstance(node, list):
            for item in node:
                self.walk(item, depth + 1)


# Class tokens that mark an author: microformats2 (`p-author h-card`, Mastodon, IndieWeb, WordPress)
# and the common `comment-author`, `username`, `display-name` (whatever a redesign renames, a page
# keeps some of these; the link-after-avatar rule below needs none of them).
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:p-author|h-card|u-author|vcard|author|username|user-name|display-name|"
                           r"displayname|screen-name|fullname|nickname|p-nickname)(?:$|[\s_-])", re.IGNORECASE)
_HANDLE_TEXT = re.compile(r"@[A-Za-z0-9_][A-Za-z0-9_.-]{1,30}(?:@[A-Za-z0-9.-]+)?")
_AFTER_AVATAR = 3  # text nodes after an avatar image within which a link is the person's


def _is_avatar(tag: str, a: dict[str, str]) -> bool:
    src, alt, cls = a.get("src", ""), a.get("alt", ""), a.get("class", "")
    return tag == "img" and ("avatar" in cls.lower() or "u-photo" in cls.lower() or AVATAR_PATH.search(src) is not None
                             or "avatar" in alt.lower())


def _person_link(href: str) -> bool:
    """A link beside an avatar may be the person's profile, but never a post's permalink."""
    path = href.split("?")[0].split("#")[0]
    segments = [s for s in path.split("/") if s]
    return bool(segments) and len(segments) <= 3 and not segments[-1].isdigit() and not href.startswith(
        ("javascript:", "mailto:", "#"))


class _AuthorMarkup(HTMLParser):
    """rel=author / itemprop=author / author classes / profile links / avatar images and the link
    beside them (before or after: redesigns reorder a header), with the text they hold, and the
    `@handle` shown right before or after an author's name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.people: list[ThirdParty] = []
        self._open: list[dict[str, Any]] = []  # author elements being read: tag, href, text
        self._last_avatar: str | None = None
        self._after_avatar = 0  # text nodes left in which a link counts as the avatar's person
        self._handle_for: int | None = None  # index in people of the author whose @handle may follow
        self._texts = 0  # text nodes read outside author elements
        self._candidate: tuple[str | None, str | None, str, int] | None = None  # a named link an avatar may follow
        self._recent_handle: tuple[str, int] | None = None  # an @handle a name may follow

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if _is_avatar(tag, a):
            src, alt = a.get("src", ""), a.get("alt", "")
            self._last_avatar = src or None
            self._after_avatar = _AFTER_AVATAR
            name, handle = plausible(_text(" ".join(
                re.sub(r"(?i)\b(avatar|profielfoto|profile picture|picture|foto|van|of)\b", " ", alt).split())))
            self.people.append(ThirdParty(name, handle, None, src or None))
            if self._candidate and self._texts - self._candidate[3] <= _AFTER_AVATAR:
                c_name, c_handle, c_href, _ = self._candidate  # the named link just before this avatar
                self._add(ThirdParty(c_name, c_handle, c_href, src or None))
                self._after_avatar = 0
            self._candidate = None
            return
        if tag == "img":
            return
        href = a.get("href", "")
        marks = a.get("rel", "").lower() == "author" or a.get("itemprop", "").lower() == "author" or (
            tag == "a" and href and PROFILE_PATH.search(href.split("?")[0]) is not None) or (
            _AUTHOR_CLASS.search(a.get("class", "")) is not None)
        may_be_person = tag == "a" and bool(href) and _person_link(href) and not self._open
        if marks or may_be_person:
            self._open.append({"tag": tag, "href": href or None, "text": [], "strict": not marks,
                               "beside": self._after_avatar > 0})
        elif self._open:
            self._open[-1].setdefault("depth", 0)
            if tag == self._open[-1]["tag"]:
                self._open[-1]["depth"] += 1

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1]["text"].append(data)
            return
        text = data.strip()
        if not text:
            return
        self._texts += 1
        if _HANDLE_TEXT.fullmatch(text):
            person = self.people[self._handle_for] if self._handle_for is not None else None
            if person is not None and not person.handle:
                self.people[self._handle_for] = ThirdParty(person.name, text, person.profile_url, person.avatar_url)
            else:
                self._recent_handle = (text, self._texts)
        self._handle_for = None
        if self._after_avatar:
            self._after_avatar -= 1

    def _add(self, person: ThirdParty) -> None:
        if not person.handle and self._recent_handle and self._texts - self._recent_handle[1] <= 1:
            person = ThirdParty(person.name, self._recent_handle[0], person.profile_url, person.avatar_url)
            self._recent_handle = None
        self.people.append(person)
        self._handle_for = len(self.people) - 1 if not person.handle else None

    def handle_endtag(self, tag: str) -> None:
        if not self._open or tag != self._open[-1]["tag"]:
            return
        if self._open[-1].get("depth"):
            self._open[-1]["depth"] -= 1
            return
        element = self._open.pop()
        name, handle = plausible(_text(" ".join("".join(element["text"]).split())))
        href = element["href"]
        if href and href.split("?")[0].rstrip("/").rsplit("/", 1)[-1].lstrip("@").lower() in NOT_PROFILES:
            href = None
        if element["strict"]:
            if not (name or handle):
                return  # a link that names nobody ("3 u", "Volgen") is not a person
            if not element["beside"]:  # a person only if an avatar follows it closely
                self._candidate = (name, handle, href, self._texts)
                return
        if name or handle or href:
            self._add(ThirdParty(name, handle, href, self._last_avatar))
        self._last_avatar = None
        self._after_avatar = 0


def scan_body(body: str, content_type: str) -> tuple[list[ThirdParty], dict[str, ThirdParty | None]]:
    """The people and per-person ids one captured body shows (JSON or HTML); ([], {}) otherwise."""
    ct = (content_type or "").lower()
    collector = _Collector()
    stripped = body.lstrip()
    if "json" in ct or (stripped[:1] in ("{", "[") and "html" not in ct):
        try:
            collector.walk(json.loads(body))
        except ValueError:
            pass
        return collector.people, collector.ids
    if "html" in ct:
        parser = _AuthorMarkup()
        try:
            parser.feed(body)
            parser.close()
        except Exception:  # noqa: BLE001 - html.parser is lenient; a broken page still yields what was read
            pass
        for script in re.finditer(r"<script[^>]*type=[\"']application/(?:ld\+)?json[\"'][^>]*>(.*?)</script>", body,
                                  re.S | re.I):
            try:
                collector.walk(json.loads(script.group(1)))
            except ValueError:
                continue
        return parser.people + collector.people, collector.ids
    return [], {}


def avatar_person(url: str) -> ThirdParty | None:
    """A captured URL that is a per-person picture: an anonymous person known by that URL."""
    return ThirdParty(None, None, None, url) if AVATAR_PATH.search(url.split("?")[0]) else None


def own_avatar(url: str, own_identities: Iterable[str], known: Collection[str] = ()) -> bool:
    """Whether a picture URL is the organisation's own account's: one known as such (read beside its
    own name, or the target of such a URL's redirect) or one whose file name is an own handle
    (`/avatars/ministerie-demo`, `/pfp/ministerie-demo.png`). A citizen's avatar never has the
    organisation's handle as its whole file name, so this drops no third party's box."""
    if url in known:
        return True
    handles = {h for h in (i.strip().lstrip("@").lower() for i in own_identities if i)
               if len(h) >= 3 and not any(c.isspace() for c in h)}
    if not handles:
        return False
    # The file name only: a folder named like the own handle ('/media/avatars/...') holds everyone's.
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]).lower().lstrip("@")
    return name in handles or name.rsplit(".", 1)[0] in handles


def own_avatars(urls: Iterable[str], own_identities: Iterable[str], known: Collection[str],
                redirects: dict[str, str]) -> set[str]:
    """The own account's picture URLs among `urls`, with the targets of their redirects (a CDN hop)."""
    identities = list(own_identities)
    own = {u for u in urls if own_avatar(u, identities, known)} | set(known)
    todo = list(own)
    while todo:
        target = redirects.get(todo.pop())
        if target and target not in own:
            own.add(target)
            todo.append(target)
    return own


def _charset(content_type: str) -> str:
    m = re.search(r"charset=[\"']?([\w.-]+)", content_type)
    try:
        return codecs.lookup(m.group(1)).name if m else "utf-8"
    except LookupError:
        return "utf-8"


def scan_records(records: Iterable[Any], avatar_patterns: Iterable[re.Pattern[str]] = (),
                 redirects: dict[str, str] | None = None) -> tuple[list[ThirdParty], dict[str, ThirdParty | None]]:
    """Every commenter, per-person id and picture URL the response records (warcio) of a crawl show:
    JSON and HTML bodies through scan_body, every URL through avatar_person and the profile's
    `avatar_url` patterns. `redirects` (if given) gets each picture URL's redirect target."""
    patterns = list(avatar_patterns)
    people: list[ThirdParty] = []
    ids: dict[str, ThirdParty | None] = {}
    for record in records:
        if record.rec_type != "response" or record.http_headers is None:
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        if avatar_person(uri) or any(p.search(uri) for p in patterns):
            people.append(ThirdParty(None, None, None, uri))
            location = record.http_headers.get_header("Location")
            if redirects is not None and location:
                redirects[uri] = urljoin(uri, location)
        content_type = (record.http_headers.get_header("Content-Type") or "").lower()
        if "json" not in content_type and "html" not in content_type:
            continue
        found, found_ids = scan_body(record.content_stream().read().decode(_charset(content_type), errors="replace"),
                                     content_type)
        people += found
        for ident, person in found_ids.items():
            ids.setdefault(ident, person)
    return people, ids
