"""Paged threads (mutation.py's "paginate"): a post's comment thread split over pages.

Under a seed that paginates, the post page of the seven older skins (whose comments the page's
script loads from the skin's API) shows only the first K top-level comments (with all their
replies); the rest are behind a paging control that links to the same post URL with `?page=N` or
an opaque `?cursor=`, as forums and older social sites do. Which form the control takes is the
seed's: a text link ("Volgende", "Next page", "Meer reacties", "Oudere reacties"), numbered page
links in a navigation landmark, or `<link rel=next>` with an arrow `<a rel=next>`.

The world is not changed. While the server answers a request of a thread's page (the page itself,
or an API call whose Referer is that page: the browser sends it with every fetch the page's script
makes), the post's `live_comments()` lists that page's comments only. Its `len()` stays the
thread's total, so the counters the skins show ("23 reacties") are the thread's, as on a real
platform, while every list the skins build holds the page's comments. `/_truth` is never paged.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from demo_platform.web import HTML, Request, Response, parse_query

if TYPE_CHECKING:
    from demo_platform.model import Comment, Post
    from demo_platform.mutation import Mutation
    from demo_platform.skins.base import Skin

# The skins whose threads are not paged natively (forum and timeline page their own).
PAGED_SKINS = frozenset({"mastodon", "instagram", "linkedin", "x", "facebook", "youtube", "tiktok"})
FORMS = ("next", "numbered", "rel")
NEXT_LABELS = ("Volgende", "Next page", "Meer reacties", "Oudere reacties", "Volgende pagina")
PAGE_WORDS = ("Pagina", "Page")
# The query parameter an API call of page N carries (added by PAGE_PARAM_JS on pages 2..N).
API_PARAM = "threadPage"
PAGE_PARAM_JS = """(function () {
  var n = '%N', origin = location.origin;
  function paged(url) {
    try { var u = new URL(url, location.href); } catch (e) { return url; }
    if (u.origin !== origin || /\\.(js|css|png|webm|ico)$/.test(u.pathname)) { return url; }
    u.searchParams.set('threadPage', n);
    return u.href;
  }
  var fetch0 = window.fetch;
  if (fetch0) { window.fetch = function (input, init) {
    var plain = typeof input === 'string' || input instanceof URL;
    return fetch0.call(this, plain ? paged(String(input)) : input, init); }; }
  var open0 = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    var args = Array.prototype.slice.call(arguments); args[1] = paged(String(url)); return open0.apply(this, args); };
}());"""


class PageList(list):  # type: ignore[type-arg]
    """A page's comments whose `len()` is the whole thread's (what the counters show)."""

    def __init__(self, items: list[Comment], total: int) -> None:
        super().__init__(items)
        self.total = total

    def __len__(self) -> int:
        return self.total


@dataclass(frozen=True)
class ThreadPaging:
    """One seed's way of paging threads."""

    per_page: int  # top-level comments a page holds (with their replies)
    form: str  # one of FORMS
    param: str  # "page" or "cursor"
    label: str  # the text link's label (form "next"), the arrow's accessible name (form "rel")
    page_word: str

    @classmethod
    def of(cls, mutation: Mutation | None) -> ThreadPaging | None:
        if mutation is None or "paginate" not in mutation.ops:
            return None
        d = mutation.digest("thread-pages")
        return cls(per_page=2 + d[0] % 3, form=FORMS[d[1] % len(FORMS)], param=("page", "cursor")[d[2] % 2],
                   label=NEXT_LABELS[d[3] % len(NEXT_LABELS)], page_word=PAGE_WORDS[d[4] % 2])

    # --- page numbers in URLs -------------------------------------------------------------
    def token(self, number: int) -> str:
        if self.param == "page":
            return str(number)
        return base64.urlsafe_b64encode(f"comments:{(number - 1) * self.per_page}".encode()).decode().rstrip("=")

    def number(self, query: dict[str, list[str]]) -> int:
        raw = (query.get(self.param) or [""])[0]
        if self.param == "page":
            return int(raw) if raw.isdigit() and int(raw) > 0 else 1
        try:
            offset = int(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split(":", 1)[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            return 1
        return max(0, offset) // self.per_page + 1

    def url(self, path: str, query: dict[str, list[str]], number: int) -> str:
        """The thread's page `number`: the post's URL, with this seed's parameter beyond page 1."""
        kept = [(k, v) for k, values in query.items() if k not in ("page", "cursor") for v in values]
        if number > 1:
            kept.append((self.param, self.token(number)))
        return path + ("?" + urlencode(kept) if kept else "")

    # --- which comments a page holds --------------------------------------------------------
    def pages(self, post: Post) -> int:
        tops = sum(1 for c in post.live_comments() if c.parent is None)
        return max(1, -(-tops // self.per_page))

    def page_comments(self, post: Post, number: int) -> list[Comment]:
        """Top-level comments number (number-1)*K .. number*K-1 and every reply below them."""
        tops = [c for c in post.live_comments() if c.parent is None]
        inside = {c.id for c in tops[(number - 1) * self.per_page:number * self.per_page]}
        found = []
        for comment in post.live_comments():  # depth-first: parents come first
            if comment.id in inside or comment.parent in inside:
                inside.add(comment.id)
                found.append(comment)
        return found

    # --- the control ----------------------------------------------------------------------
    def control(self, path: str, query: dict[str, list[str]], number: int, pages: int) -> tuple[str, str]:
        """(what goes in <head>, what goes at the end of <body>) on page `number` of `pages`."""
        def href(n: int) -> str:
            return html.escape(self.url(path, query, n))

        head = ""
        if number < pages and self.form == "rel":
            head = f'<link rel="next" href="{href(number + 1)}">\n'
        parts: list[str] = []
        if number > 1:
            parts.append(f'<a rel="prev" href="{href(number - 1)}">Vorige</a>')
        if self.form == "numbered":
            for n in range(1, pages + 1):
                parts.append(f'<span aria-current="page">{n}</span>' if n == number
                             else f'<a href="{href(n)}">{n}</a>')
        elif number < pages and self.form == "rel":
            parts.append(f'<a rel="next" href="{href(number + 1)}" aria-label="{self.label}">›</a>')
        elif number < pages:
            parts.append(f'<a href="{href(number + 1)}">{self.label}</a>')
        label = "Paginering" if self.page_word == "Pagina" else "Pagination"
        body = (f'<nav class="thread-pages" aria-label="{label}">'
                f'<span>{self.page_word} {number} / {pages}</span> {" ".join(parts)}</nav>\n')
        return head, body


@dataclass
class ThreadPage:
    """A request of one page of a paged thread."""

    paging: ThreadPaging
    post: Post
    number: int
    pages: int
    own: bool  # the request is the page itself (not an API call it makes)
    path: str
    query: dict[str, list[str]]

    @contextmanager
    def restricted(self) -> Iterator[None]:
        """While the request is answered: the post lists this page's comments only."""
        post = self.post
        total = len(post.live_comments())
        shown = self.paging.page_comments(post, self.number)
        post.live_comments = lambda: PageList(shown, total)  # type: ignore[method-assign]
        try:
            yield
        finally:
            del post.__dict__["live_comments"]

    def finish(self, resp: Response) -> Response:
        """The page's own HTML gets the paging control."""
        if not self.own or resp.status != 200 or resp.content_type != HTML:
            return resp
        head, body = self.paging.control(self.path, self.query, self.number, self.pages)
        text = resp.body.decode("utf-8")
        if self.number > 1 and "<head>" in text:
            # The page's script asks the API for its page, as a paged thread's script does: the
            # page's number is in every API URL (so that each page's answers replay apart).
            text = text.replace("<head>", "<head>\n<script>" + PAGE_PARAM_JS.replace("%N", str(self.number))
                                + "</script>", 1)
        if head and "</head>" in text:
            text = text.replace("</head>", head + "</head>", 1)
        if "</body>" in text:
            text = text.replace("</body>", body + "</body>", 1)
        return replace(resp, body=text.encode("utf-8"))


def thread_page(mutation: Mutation | None, request: Request, owner: Skin | None) -> ThreadPage | None:
    """The page of a paged thread that `request` is (or is made from), if any."""
    paging = ThreadPaging.of(mutation)
    if paging is None or owner is None or owner.name not in PAGED_SKINS or request.path.startswith("/_"):
        return None
    post = owner.post_of_page(request)
    own = post is not None
    asked = request
    if post is None and request.arg(API_PARAM, "").isdigit():
        # An API call of page N (PAGE_PARAM_JS): which post's, the Referer tells.
        referer = urlsplit(request.header("referer"))
        query = parse_query(referer.query)
        post = owner.post_of_page(replace(request, path=referer.path, query=query))
        pages = paging.pages(post) if post is not None else 0
        if post is None or pages < 2:
            return None
        number = min(int(request.arg(API_PARAM) or 1), pages)
        return ThreadPage(paging, post, number, pages, False, referer.path, query)
    if post is None:
        referer = urlsplit(request.header("referer"))
        if not referer.path or referer.netloc != urlsplit(request.base_url).netloc:
            return None
        asked = replace(request, path=referer.path, query=parse_query(referer.query))
        post = owner.post_of_page(asked)
    if post is None:
        return None
    pages = paging.pages(post)
    if pages < 2:
        return None
    number = min(paging.number(asked.query), pages)
    return ThreadPage(paging, post, number, pages, own, asked.path, asked.query)

