"""The gateway's search page and dataset download, per role (mounted by replay/gateway.py).

    GET /_sma/search?q=&account=&platform=&from=&until=&has_comments=1&kind=   every role
    GET /_sma/dataset?account=&from=&until=[&copy=original]                    researcher, archivist

A role's search opens only its own copy's index (search.copies.ROLE_COPY); the page never names
another copy's content. Each search and download is audited. The indexes are brought up to date
(incrementally, one folder stat when nothing changed) before a query reads them.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

from replay.audit import AuditLog
from replay.auth import Principal
from replay.pages import _page
from search.copies import COPY_LABELS, SearchError, copy_for_role, warc_dir
from search.index import build
from search.query import MARK_END, MARK_START, Filters, Hit, Searcher

PREFIXES = ("/_sma/search", "/_sma/dataset")
PAGE_SIZE = 50
DATASET_ROLES = {"researcher": "access", "archivist": "access"}  # archivist may ask copy=original


class Gateway(Protocol):
    """What these pages need of the gateway (replay/gateway.py), which mounts them: named here so
    that this module never imports the gateway back."""

    archive_dir: Path
    audit_log: AuditLog

    def error_response(self, start_response: Callable[..., Any], status: int, note: str = "") -> Iterable[bytes]:
        ...

    def _respond(self, start_response: Callable[..., Any], status: int, body: bytes,
                 headers: list[tuple[str, str]]) -> Iterable[bytes]:
        ...


class SearchService:
    """Per gateway: keeps each copy's index current (built on first use, then when its WARCs change)."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir)
        self._seen: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def refresh(self, copy: str) -> None:
        warcs = warc_dir(self.archive_dir, copy)
        try:
            state = (warcs.stat().st_mtime_ns,)
        except OSError:
            return  # the copy does not exist (yet): nothing to index
        with self._lock:
            if self._seen.get(copy) != state:
                build(self.archive_dir, copy)
                self._seen[copy] = state


def service_of(gateway: Gateway) -> SearchService:
    service = getattr(gateway, "search_service", None)
    if service is None:
        service = SearchService(gateway.archive_dir)
        gateway.search_service = service  # type: ignore[attr-defined] - the gateway owns it, made on first use
    return service


def serve(gateway: Gateway, environ: dict, start_response: Callable[..., Any], principal: Principal, method: str,
          path: str, raw_query: str) -> Iterable[bytes]:
    if method not in ("GET", "HEAD"):
        return gateway.error_response(start_response, 405)
    query = dict(parse_qsl(raw_query, keep_blank_values=True))
    if path == "/_sma/search":
        return _search(gateway, start_response, principal, query)
    if path == "/_sma/dataset":
        return _dataset(gateway, start_response, principal, query)
    return gateway.error_response(start_response, 404)


def _audit(gateway: Gateway, principal: Principal, action: str, target: str, detail: object) -> None:
    gateway.audit_log.append(principal.user, principal.role, action, target, detail)


def _filters(query: dict[str, str]) -> Filters:
    kind = query.get("kind") if query.get("kind") in ("post", "comment") else None
    return Filters(account=query.get("account") or None, platform=query.get("platform") or None,
                   since=query.get("from") or None, until=query.get("until") or None,
                   has_comments=query.get("has_comments") in ("1", "on", "true"), kind=kind)


def _search(gateway: Gateway, start_response: Callable[..., Any], principal: Principal,
            query: dict[str, str]) -> Iterable[bytes]:
    copy = copy_for_role(principal.role)
    service_of(gateway).refresh(copy)
    searcher = Searcher(gateway.archive_dir, principal.role)
    text = query.get("q", "")[:500]
    filters = _filters(query)
    try:
        page = max(0, int(query.get("page") or 0))
    except ValueError:
        page = 0
    error = ""
    total, hits = 0, []
    try:
        accounts, platforms = searcher.distinct("account"), searcher.distinct("platform")
        if text.strip() or any(query.get(k) for k in ("account", "platform", "from", "until", "has_comments")):
            total, hits = searcher.search(text, filters, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
            _audit(gateway, principal, "search", copy, {"q": text, "total": total})
    except SearchError as exc:
        error, accounts, platforms = str(exc), [], []
    finally:
        searcher.close()
    body = _search_page(principal, copy, query, accounts, platforms, total, hits, page, error)
    return gateway._respond(start_response, 400 if error else 200, body,  # noqa: SLF001 - the gateway's own
                            [("Content-Type", "text/html; charset=utf-8")])


def _options(name: str, values: list[str], chosen: str) -> str:
    opts = "".join(f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(v)}</option>'
                   for v in values)
    return f'<select name="{name}" id="sma-{name}"><option value="">alle</option>{opts}</select>'


def _snippet(hit: Hit) -> str:
    return escape(hit.snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _captures(hit: Hit, shown: int = 12) -> str:
    """The page's captures over time, by date (the newest `shown`), when it has more than one."""
    if len(hit.captures) < 2:
        return ""
    links = " ".join(
        f'<a class="sma-capture{" sma-this-capture" if c["captured"] == hit.captured else ""}" '
        f'href="{escape(c["replay"])}" data-captured="{escape(c["captured"])}">'
        f'{escape(c["captured"][:16].replace("T", " "))}</a>' for c in hit.captures[-shown:])
    more = f" (de laatste {shown} van {len(hit.captures)})" if len(hit.captures) > shown else ""
    return f'<br><span class="ts sma-captures">alle opnamen van deze pagina{more}: {links}</span>'


def _search_page(principal: Principal, copy: str, query: dict[str, str], accounts: list[str], platforms: list[str],
                 total: int, hits: list[Hit], page: int, error: str) -> bytes:
    q = escape(query.get("q", ""))
    checked = " checked" if query.get("has_comments") in ("1", "on", "true") else ""
    form = (f'<form id="sma-search" method="get" action="/_sma/search">'
            f'<label>Zoeken <input name="q" id="sma-q" value="{q}" size="40" autofocus></label>'
            f'<label>Account {_options("account", accounts, query.get("account", ""))}</label>'
            f'<label>Platform {_options("platform", platforms, query.get("platform", ""))}</label>'
            f'<label>Van <input type="date" name="from" id="sma-from" value="{escape(query.get("from", ""))}"></label>'
            f'<label>Tot en met <input type="date" name="until" id="sma-until" '
            f'value="{escape(query.get("until", ""))}"></label>'
            f'<label><input type="checkbox" name="has_comments" value="1" id="sma-has-comments"{checked}> '
            f"met reacties</label><button type=submit id=sma-search-go>Zoeken</button></form>"
            f'<p class="ts">Woorden moeten allemaal voorkomen; <code>woord*</code> zoekt op begin; '
            f"<code>\"twee woorden\"</code> als zinsdeel. Accenten en hoofdletters tellen niet.</p>")
    rows = []
    for hit in hits:
        when = (hit.published or hit.captured)[:16].replace("T", " ")
        author = f' <span class="sma-author">{escape(hit.author)}</span>' if hit.author else ""
        tags = " ".join(escape(t) for t in hit.hashtags)
        rows.append(f'<li class="sma-hit" data-kind="{escape(hit.kind)}" data-id="{escape(hit.id)}">'
                    f'<span class="ts">{escape(hit.kind)} · {escape(when)} · {escape(hit.platform)} · '
                    f"{escape(hit.account)}</span>{author}<br>{_snippet(hit)} <span class=ts>{tags}</span><br>"
                    f'<a class="sma-replay" href="{escape(hit.replay)}">bekijk de opname '
                    f"({escape(hit.captured[:16].replace('T', ' '))})</a>{_captures(hit)}</li>")
    parts = [f'<h1 id="sma-search-title" data-copy="{escape(copy)}">Zoeken in de {escape(COPY_LABELS[copy])} '
             f"kopie</h1>", '<p><a href="/">Overzicht</a></p>', form]
    if error:
        parts.append(f'<p class="error" id="sma-search-error">{escape(error)}</p>')
    elif rows or query.get("q") is not None:
        parts.append(f'<p id="sma-total" data-total="{total}">{total} resultaten</p><ol id="sma-hits">'
                     f'{"".join(rows)}</ol>')
        if (page + 1) * PAGE_SIZE < total:
            more = {**query, "page": str(page + 1)}
            parts.append(f'<p><a id="sma-next" href="/_sma/search?{escape(urlencode(more))}">volgende</a></p>')
    if principal.role in DATASET_ROLES:
        params = {k: query[k] for k in ("account", "from", "until") if query.get(k)}
        parts.append(f'<p><a id="sma-dataset" href="/_sma/dataset?{escape(urlencode(params))}">Dataset downloaden '
                     f"(JSON Lines en CSV, gepseudonimiseerd)</a></p>")
    who = f"{principal.user} ({principal.role})" if principal.session is not None or principal.basic else ""
    csrf = principal.session.csrf if principal.session else ""
    return _page("Zoeken", "\n".join(parts), who, csrf)


def _dataset(gateway: Gateway, start_response: Callable[..., Any], principal: Principal,
             query: dict[str, str]) -> Iterable[bytes]:
    from search.dataset import DatasetOptions, write_dataset

    if principal.role not in DATASET_ROLES:
        return gateway.error_response(start_response, 403)
    copy = DATASET_ROLES[principal.role]
    if query.get("copy") == "original":
        if principal.role != "archivist":
            return gateway.error_response(start_response, 403)
        copy = "original"
    options = DatasetOptions(copy=copy, account=query.get("account") or None, since=query.get("from") or None,
                             until=query.get("until") or None)
    import tempfile

    try:
        with tempfile.TemporaryDirectory(prefix="sma-dataset-") as tmp:
            result = write_dataset(gateway.archive_dir, Path(tmp) / "dataset", options)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(result.folder.iterdir()):
                    archive.write(file, f"sma-dataset/{file.name}")
    except SearchError as exc:
        return gateway.error_response(start_response, 400, str(exc))
    _audit(gateway, principal, "dataset", copy, {"account": options.account, "from": options.since,
                                                 "until": options.until, "rows": result.rows})
    name = f"sma-dataset-{copy}.zip"
    return gateway._respond(start_response, 200, buffer.getvalue(), [  # noqa: SLF001 - the gateway's own
        ("Content-Type", "application/zip"), ("Content-Disposition", f'attachment; filename="{name}"')])
