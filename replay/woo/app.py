"""The Woo review UI, mounted by the gateway under /_sma/woo/ for the woo-officer role:
`handle(request: GatewayRequest) -> GatewayResponse`.

    GET  /_sma/woo/                                  requests; form to create one
    POST /_sma/woo/requests                          create (subject, period_from, period_to)
    GET  /_sma/woo/requests/<rid>                    the request, its pages, and the pages its search proposes
    POST /_sma/woo/requests/<rid>/add                add=all (every proposed page) or add=selected (page:<pid>)
    GET  /_sma/woo/requests/<rid>/pages/<pid>        review one page (overlays, decisions)
    GET  …/frame, …/res?u=URL                        the script-free access copy of the page and its resources
    POST …/decide (item, decision, ground) · …/text (text, boxes, ground) · …/region (x, y, w, h, ground, texts)
         …/remove (id) · …/approve                   every one audited
"""

from __future__ import annotations

import json
import re
import secrets
from urllib.parse import quote, urljoin, urlsplit

from replay.gateway_types import GatewayRequest, GatewayResponse

from . import review as html
from .access import AccessArchive, AccessCopy, Page, organisation_of
from .frame import FRAME_CSP, render_frame, rewrite_css
from .model import (
    DECISIONS,
    DEFAULT_GROUND,
    PageReview,
    Region,
    TextRedaction,
    WooError,
    WooRequest,
    WooStore,
    check_ground,
    digest,
    new_request,
    now_iso,
)
from .proposals import propose
from .redact import write_public_page
from .static import REVIEW_CSS, REVIEW_JS

_ROUTE = re.compile(r"^/_sma/woo(?:/requests/(?P<rid>[^/]+)(?:/pages/(?P<pid>[^/]+)(?:/(?P<action>[a-z]+))?"
                    r"|/(?P<request_action>add))?)?/?$")
MAX_SELECTION = 2000
MAX_REGION_TEXTS = 500


# The review UI's own pages: only its own script and styles, its own frame, no plug-ins, no base,
# forms only back to itself, never framed by another origin (the frame has FRAME_CSP of its own).
UI_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
          "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def _response(body: bytes, status: int = 200, content_type: str = "text/html; charset=utf-8",
              extra: list[tuple[str, str]] | None = None) -> GatewayResponse:
    headers = [("Content-Type", content_type), ("Cache-Control", "no-store"), *(extra or [])]
    if content_type.startswith("text/html") and not any(k.lower() == "content-security-policy" for k, _ in headers):
        headers.append(("Content-Security-Policy", UI_CSP))
    return GatewayResponse(status=status, headers=headers, body=body)


def _redirect(location: str) -> GatewayResponse:
    return GatewayResponse(status=303, headers=[("Location", location), ("Cache-Control", "no-store")], body=b"")


def _error(status: int, text: str) -> GatewayResponse:
    return _response(html.message_page(text), status)


def handle(request: GatewayRequest) -> GatewayResponse:
    if request.role != "woo-officer":
        return _error(403, "Alleen voor Woo-behandelaars")
    if request.path == "/_sma/woo/static/review.js":
        return _response(REVIEW_JS.encode(), content_type="text/javascript; charset=utf-8")
    if request.path == "/_sma/woo/static/review.css":
        return _response(REVIEW_CSS.encode(), content_type="text/css; charset=utf-8")
    store = WooStore(request.archive_dir)
    if request.path.rstrip("/") == "/_sma/woo/requests":
        return create(request, store) if request.method == "POST" else _redirect("/_sma/woo/")
    match = _ROUTE.match(request.path)
    if not match:
        return _error(404, "Niet gevonden")
    rid, pid, action = match.group("rid"), match.group("pid"), match.group("action")
    try:
        if rid is None:
            return _index(request, store)
        if match.group("request_action") == "add":
            return _add(request, store, store.get(rid))
        if pid is None:
            return _request(request, store, store.get(rid))
        return _page(request, store, store.get(rid), pid, action or "")
    except WooError as exc:
        return _error(400 if request.method == "POST" else 404, str(exc))


def _access(request: GatewayRequest) -> AccessArchive:
    """The access copy's index, kept by the gateway across requests (rebuilt when its WARCs change)."""
    copy = request.components.get("woo.access")
    if not isinstance(copy, AccessCopy):
        copy = request.components.setdefault("woo.access", AccessCopy(request.archive_dir))
    assert isinstance(copy, AccessCopy)
    return copy.current()


def _index(request: GatewayRequest, store: WooStore) -> GatewayResponse:
    if request.method == "POST":
        return _error(405, "Niet toegestaan")
    return _response(html.index_page(store.all(), request.csrf_token))


def create(request: GatewayRequest, store: WooStore) -> GatewayResponse:
    form = request.form
    try:
        created = store.create(new_request(form.get("subject", ""), form.get("period_from", ""),
                                           form.get("period_to", ""), request.user))
    except WooError as exc:
        return _response(html.index_page(store.all(), request.csrf_token, str(exc)), 400)
    request.audit("woo-request", created.id, {"subject": created.subject, "from": created.period_from,
                                             "to": created.period_to})
    from replay.records_views import hold_woo_pages  # a running Woo request stops destruction

    hold_woo_pages(request.archive_dir, created, request.user, access=_access(request))
    return _redirect(f"/_sma/woo/requests/{created.id}")


def find_pages(access: AccessArchive, woo: WooRequest) -> list[tuple[Page, int]]:
    """The post pages the request's search proposes (replay/woo/proposals.py), with their hit counts."""
    return [(p.page, p.hits) for p in propose(access, woo)]


def _request(request: GatewayRequest, store: WooStore, woo: WooRequest) -> GatewayResponse:
    if request.method == "POST":
        return _error(405, "Niet toegestaan")
    access = _access(request)
    proposed = propose(access, woo)
    request.audit("view", woo.id, {"found_pages": [p.page.id for p in proposed]})
    on_request = [(access.page(pid), review) for pid, review in sorted(woo.pages.items())]
    return _response(html.request_page(woo, proposed, on_request, request.csrf_token))


def _add(request: GatewayRequest, store: WooStore, woo: WooRequest) -> GatewayResponse:
    """Puts proposed pages on the request in one step: all of them, or the ones ticked. Each gets the
    request's legal hold (as the pages proposed at creation did), and the addition is audited."""
    if request.method != "POST":
        return _error(405, "Niet toegestaan")
    mode = request.form.get("add", "")
    if mode not in ("all", "selected"):
        raise WooError("add must be all or selected")
    proposed = {p.page.id: p for p in propose(_access(request), woo)}
    if mode == "all":
        chosen = list(proposed)
    else:
        chosen = sorted(k.removeprefix("page:") for k, v in request.form.items() if k.startswith("page:") and v)
        unknown = [pid for pid in chosen if pid not in proposed]
        if unknown:
            raise WooError(f"not proposed for this request: {', '.join(unknown[:5])}")
        if not chosen:
            raise WooError("tick at least one page, or add all proposed pages")
    at = now_iso()
    with store.update(woo.id) as current:
        added = [pid for pid in chosen if pid not in current.pages]
        for pid in added:
            current.pages[pid] = PageReview(pid, added_by=request.user, added_at=at)
    from replay.records_views import hold_woo_pages  # a page on a running Woo request is not destroyed

    holds = hold_woo_pages(request.archive_dir, woo, request.user, [proposed[pid].page for pid in added])
    request.audit("woo-add-pages", woo.id, {
        "mode": mode, "pages": added, "urls": [proposed[pid].page.url for pid in added],
        "already_on_request": [pid for pid in chosen if pid not in added], "holds": [h.id for h in holds]})
    return _redirect(f"/_sma/woo/requests/{woo.id}")


def _fernet(request: GatewayRequest, page: Page):  # noqa: ANN202 - cryptography's Fernet
    from crawler.privacy.keys import load_keys

    return load_keys(organisation_of(request.archive_dir, page.crawl_id)).fernet()


def _texts(request: GatewayRequest, page: Page, review: PageReview) -> dict[str, str]:
    if not review.texts:
        return {}
    fernet = _fernet(request, page)
    return {t.id: fernet.decrypt(t.token.encode()).decode("utf-8") for t in review.texts}


def _page(request: GatewayRequest, store: WooStore, woo: WooRequest, pid: str, action: str) -> GatewayResponse:
    access = _access(request)
    page = access.page(pid)
    if page is None:
        return _error(404, "Geen pagina met dit id")
    if request.method == "GET":
        if action == "":
            review = woo.pages.get(pid) or PageReview(pid)
            items = access.items(page)
            request.audit("view", f"{woo.id}/{pid}", {"url": page.url, "items": len(items)})
            return _response(html.review_page(woo, page, items, review, _texts(request, page, review),
                                              request.csrf_token))
        if action == "frame":
            return _frame(access, page)
        if action == "res":
            return _resource(access, page, request.query.get("u", ""))
        return _error(404, "Niet gevonden")
    if request.method != "POST":
        return _error(405, "Niet toegestaan")
    handlers = {"decide": _decide, "acceptrest": _accept_rest, "text": _text, "region": _region, "remove": _remove,
                "approve": _approve}
    if action not in handlers:
        return _error(404, "Niet gevonden")
    return handlers[action](request, store, woo.id, page)


def _frame(access: AccessArchive, page: Page) -> GatewayResponse:
    ref = next((r for r in access.page_records(page) if r.uri == "urn:dom:" + page.url), None)
    if ref is None:
        return _error(404, "Van deze pagina is geen DOM vastgelegd")
    dom = access.load(ref).payload.decode("utf-8", "replace")
    return _response(render_frame(dom, page.url).encode("utf-8"),
                     extra=[("Content-Security-Policy", FRAME_CSP), ("X-Content-Type-Options", "nosniff")])


def _resource(access: AccessArchive, page: Page, url: str) -> GatewayResponse:
    if urlsplit(url).scheme not in ("http", "https"):
        return _error(404, "Niet gevonden")
    ref = access.find_url(url, page)
    if ref is None:
        return _response(b"", 404, "text/plain")
    record = access.load(ref)
    http = record.http_headers
    location = http.get_header("Location") if http and (http.get_statuscode() or "").startswith("3") else None
    if location:  # e.g. /avatars/<pseudonym> -> the neutral avatar: follow it inside the access copy
        return GatewayResponse(status=302, headers=[("Location", "res?u=" + quote(urljoin(url, location), safe=""))])
    content_type = ((http.get_header("Content-Type") if http else None) or ref.content_type
                    or "application/octet-stream").split(";")[0].strip()
    if content_type.startswith(("text/html", "image/svg")):  # could carry script: never as a resource
        return _response(b"", 404, "text/plain")
    body = record.payload
    if content_type == "text/css":
        body = rewrite_css(body.decode("utf-8", "replace"), url).encode("utf-8")
    return _response(body, content_type=content_type,
                     extra=[("Content-Security-Policy", FRAME_CSP), ("X-Content-Type-Options", "nosniff")])


def _decide(request: GatewayRequest, store: WooStore, rid: str, page: Page) -> GatewayResponse:
    item, decision = request.form.get("item", ""), request.form.get("decision", "")
    ground = check_ground(request.form.get("ground") or DEFAULT_GROUND)
    if decision not in DECISIONS:
        raise WooError("decision must be accept or reject")
    if item not in {i.key for i in _access(request).items(page)}:
        raise WooError("no such item on this page")
    reason = " ".join(request.form.get("reason", "").split())[:500]
    with store.update(rid) as woo:
        review = _open_review(woo, page.id)
        before = review.items.get(item)
        changes = before is not None and (before.get("decision"), before.get("ground")) != (decision, ground)
        if changes and before.get("by") != request.user and not reason:
            # Another officer's decision is theirs to answer for: changing it is a decision of its own.
            raise WooError(f"{before.get('by')} decided this item ({before.get('decision')}, {before.get('ground')}, "
                           f"{before.get('at')}); give a reason to change it")
        entry = {"decision": decision, "ground": ground, "by": request.user, "at": now_iso()}
        if changes:
            entry["replaces"] = {k: before.get(k) for k in ("decision", "ground", "by", "at")}
            if reason:
                entry["reason"] = reason
        review.items[item] = entry
    detail: dict[str, object] = {"item": item, "decision": decision, "ground": ground}
    if changes:
        detail |= {"replaces": entry["replaces"], "reason": reason}
    request.audit("decision", f"{rid}/{page.id}", detail)
    return _redirect(f"/_sma/woo/requests/{rid}/pages/{page.id}")


def _accept_rest(request: GatewayRequest, store: WooStore, rid: str, page: Page) -> GatewayResponse:
    """Every item still without a decision: accepted (redacted) with the chosen ground."""
    ground = check_ground(request.form.get("ground") or DEFAULT_GROUND)
    keys = [i.key for i in _access(request).items(page)]
    with store.update(rid) as woo:
        review = _open_review(woo, page.id)
        rest = [k for k in keys if k not in review.items]
        for key in rest:
            review.items[key] = {"decision": "accept", "ground": ground, "by": request.user, "at": now_iso()}
    for key in rest:
        request.audit("decision", f"{rid}/{page.id}", {"item": key, "decision": "accept", "ground": ground})
    return _redirect(f"/_sma/woo/requests/{rid}/pages/{page.id}")


def _open_review(woo: WooRequest, page_id: str) -> PageReview:
    review = woo.review(page_id)
    if review.status == "approved":
        raise WooError("this page is approved; its decisions are final")
    return review


def _boxes(raw: str) -> list[list[float]]:
    try:
        data = json.loads(raw or "[]")
        boxes = [[float(v) for v in box][:4] for box in data if isinstance(box, list) and len(box) >= 4]
    except (ValueError, TypeError) as exc:
        raise WooError("boxes must be a JSON list of [x, y, w, h]") from exc
    return [b for b in boxes if b[2] > 0 and b[3] > 0][:200]


def _text(request: GatewayRequest, store: WooStore, rid: str, page: Page) -> GatewayResponse:
    text = " ".join(request.form.get("text", "").split())
    ground = check_ground(request.form.get("ground") or DEFAULT_GROUND)
    if not text or len(text) > MAX_SELECTION:
        raise WooError(f"select between 1 and {MAX_SELECTION} characters of text")
    token = _fernet(request, page).encrypt(text.encode("utf-8")).decode("ascii")
    entry = TextRedaction(id="t" + secrets.token_hex(4), ground=ground, sha256=digest(text), length=len(text),
                          token=token, boxes=_boxes(request.form.get("boxes", "")), by=request.user, at=now_iso())
    with store.update(rid) as woo:
        _open_review(woo, page.id).texts.append(entry)
    # The selected string may be personal data the detector missed: the audit names it by digest only.
    request.audit("decision", f"{rid}/{page.id}", {"redact_text": entry.id, "sha256": entry.sha256,
                                                   "length": entry.length, "ground": ground})
    return _redirect(f"/_sma/woo/requests/{rid}/pages/{page.id}")


def _region_texts(raw: str) -> list[str]:
    """The text fragments the browser found under a drawn region: a JSON list of strings, each trimmed
    and with its spacing collapsed; empty and repeated ones dropped."""
    try:
        data = json.loads(raw or "[]")
    except ValueError as exc:
        raise WooError("texts must be a JSON list of strings") from exc
    if not isinstance(data, list):
        raise WooError("texts must be a JSON list of strings")
    fragments = [" ".join(str(t).split()) for t in data if isinstance(t, str)]
    # A fragment of only punctuation ("·", "|") names nobody and would only blot out the page's syntax.
    fragments = [f for f in fragments if f and any(c.isalnum() for c in f)]
    if any(len(f) > MAX_SELECTION for f in fragments) or len(fragments) > MAX_REGION_TEXTS:
        raise WooError(f"a region covers at most {MAX_REGION_TEXTS} text fragments of {MAX_SELECTION} characters")
    return list(dict.fromkeys(fragments))


def _region(request: GatewayRequest, store: WooStore, rid: str, page: Page) -> GatewayResponse:
    try:
        box = [float(request.form[k]) for k in ("x", "y", "w", "h")]
    except (KeyError, ValueError) as exc:
        raise WooError("a region needs numbers x, y, w, h") from exc
    if box[2] <= 0 or box[3] <= 0 or min(box[:2]) < 0:
        raise WooError("a region needs a positive size")
    ground = check_ground(request.form.get("ground") or DEFAULT_GROUND)
    fragments = _region_texts(request.form.get("texts", ""))
    entry = Region(id="r" + secrets.token_hex(4), ground=ground, box=box, by=request.user, at=now_iso())
    # The text under the region is redacted in every record like a hand selection, and stored the same
    # way (encrypted: it may be personal data the detector missed), tied to the region so it goes with it.
    fernet = _fernet(request, page) if fragments else None
    covered = [TextRedaction(id="t" + secrets.token_hex(4), ground=ground, sha256=digest(f), length=len(f),
                             token=fernet.encrypt(f.encode("utf-8")).decode("ascii"), by=request.user,
                             at=entry.at, region=entry.id) for f in fragments] if fernet else []
    with store.update(rid) as woo:
        review = _open_review(woo, page.id)
        review.regions.append(entry)
        review.texts.extend(covered)
    request.audit("decision", f"{rid}/{page.id}", {"redact_region": entry.id, "box": box, "ground": ground,
                                                   "texts": [{"sha256": t.sha256, "length": t.length}
                                                             for t in covered]})
    return _redirect(f"/_sma/woo/requests/{rid}/pages/{page.id}")


def _remove(request: GatewayRequest, store: WooStore, rid: str, page: Page) -> GatewayResponse:
    target = request.form.get("id", "")
    with store.update(rid) as woo:
        review = _open_review(woo, page.id)
        before = len(review.texts) + len(review.regions)
        review.texts = [t for t in review.texts if target not in (t.id, t.region)]  # a region takes its texts
        review.regions = [r for r in review.regions if r.id != target]
        if before == len(review.texts) + len(review.regions):
            raise WooError("no such manual redaction")
    request.audit("decision", f"{rid}/{page.id}", {"remove_redaction": target})
    return _redirect(f"/_sma/woo/requests/{rid}/pages/{page.id}")


def _approve(request: GatewayRequest, store: WooStore, rid: str, page: Page) -> GatewayResponse:
    access = _access(request)
    items = access.items(page)
    with store.update(rid) as woo:
        review = _open_review(woo, page.id)
        texts = _texts(request, page, review)
        public = write_public_page(request.archive_dir, access, page, items, review,
                                   [(texts[t.id], t.ground) for t in review.texts if not t.region],
                                   [(texts[t.id], t.ground) for t in review.texts if t.region])
        review.status, review.approved_by, review.approved_at = "approved", request.user, now_iso()
        review.public_warc = public.path.name
    request.views.refresh("public")
    decided = {k: v.get("decision") for k, v in review.items.items()}
    request.audit("approval", f"{rid}/{page.id}", {
        "url": page.url, "public_warc": public.path.name, "records": public.records,
        "replacements": public.replacements, "accepted": sum(v == "accept" for v in decided.values()),
        "rejected": sum(v == "reject" for v in decided.values()),
        "undecided_redacted": sum(1 for i in items if i.key not in decided),
        "texts": sum(not t.region for t in review.texts), "regions": len(review.regions),
        "region_texts": sum(bool(t.region) for t in review.texts)})
    return _redirect(f"/_sma/woo/requests/{rid}/pages/{page.id}")
