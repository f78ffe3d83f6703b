"""HTML of the Woo review UI: the request list, one request with its pages, the review of one page.

Every value shown comes from the access copy (pseudonyms, pseudonymised titles and URLs) or from the
officer's own input; every form posts the gateway's CSRF token.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from .access import Item, Page
from .model import DEFAULT_GROUND, GROUNDS, PageReview, WooRequest
from .proposals import Proposal

BASE = "/_sma/woo"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def layout(title: str, body: str, main_class: str = "page") -> bytes:
    return (f"<!doctype html><html lang=nl><head><meta charset=utf-8><title>{esc(title)} – Woo</title>"
            f'<link rel=stylesheet href="{BASE}/static/review.css"></head><body>'
            f'<header><a href="{BASE}/">Woo-verzoeken</a> · {esc(title)}</header>'
            f'<main class="{main_class}">{body}</main></body></html>').encode()


def csrf(token: str) -> str:
    return f'<input type=hidden name=csrf_token value="{esc(token)}">'


def ground_select(name: str = "ground", selected: str = DEFAULT_GROUND) -> str:
    options = "".join(f'<option value="{esc(code)}"{" selected" if code == selected else ""}>{esc(code)} – '
                      f"{esc(text)}</option>" for code, text in GROUNDS.items())
    return f'<select name="{name}" aria-label="Woo-grond">{options}</select>'


def index_page(requests: Iterable[WooRequest], token: str, error: str = "") -> bytes:
    rows = "".join(
        f'<tr><td><a href="{BASE}/requests/{esc(r.id)}">{esc(r.id)}</a></td><td>{esc(r.subject)}</td>'
        f"<td>{esc(r.period_from)} – {esc(r.period_to)}</td><td>{esc(r.created_by)}</td><td>{esc(r.status)}</td>"
        f"<td>{sum(p.status == 'approved' for p in r.pages.values())}</td></tr>" for r in requests)
    body = (f"<h1>Woo-verzoeken</h1>{f'<p class=error>{esc(error)}</p>' if error else ''}"
            "<table><tr><th>id</th><th>onderwerp</th><th>periode</th><th>door</th><th>status</th>"
            f"<th>goedgekeurd</th></tr>{rows}</table>"
            f'<h2>Nieuw verzoek</h2><form method=post action="{BASE}/requests">{csrf(token)}'
            '<label>Onderwerp <input name=subject required size=40></label> '
            "<label>Van <input name=period_from type=date required></label> "
            "<label>Tot en met <input name=period_to type=date required></label> "
            "<button class=primary type=submit>Verzoek aanmaken</button></form>")
    return layout("Woo-verzoeken", body)


def _page_link(request: WooRequest, page: Page) -> str:
    return (f'<a class=open-page href="{BASE}/requests/{esc(request.id)}/pages/{esc(page.id)}">'
            f"{esc(page.title or page.url)}</a><br><span class=muted>{esc(page.url)}</span>")


def request_page(request: WooRequest, proposed: list[Proposal], on_request: list[tuple[Page | None, PageReview]],
                 token: str) -> bytes:
    """The request: the pages on it (added or reviewed), then the pages its search proposes, each with a
    checkbox, and one button that adds every proposed page not yet on the request."""
    added_rows = []
    for page, review in on_request:
        shown = _page_link(request, page) if page else f"{esc(review.page_id)} <span class=muted>(niet meer in " \
                                                        "de kopie)</span>"
        by = f"{esc(review.added_by)} · {esc(review.added_at)}" if review.added_by else "bij beoordelen"
        added_rows.append(f'<tr data-page-id="{esc(review.page_id)}"><td>{shown}</td><td>{by}</td>'
                          f'<td class="{esc(review.status)}">{esc(review.status)}</td></tr>')
    rows = []
    for proposal in proposed:
        page = proposal.page
        review = request.pages.get(page.id)
        status = "in verzoek" if review else "voorgesteld"
        box = "✓" if review else (f'<input type=checkbox name="page:{esc(page.id)}" value=1 form=add-pages '
                                  f'aria-label="toevoegen: {esc(page.title or page.url)}">')
        rows.append(f'<tr data-page-id="{esc(page.id)}" data-proposed="{0 if review else 1}"><td>{box}</td>'
                    f"<td>{_page_link(request, page)}</td><td>{esc(proposal.published)}</td><td>{esc(page.ts)}</td>"
                    f"<td>{proposal.hits} ({esc(', '.join(proposal.terms))})</td>"
                    f'<td class="{esc(review.status if review else "proposed")}">{esc(status)}</td></tr>')
    open_count = sum(1 for p in proposed if p.page.id not in request.pages)
    terms = ", ".join(request.terms())
    body = (f"<h1>{esc(request.subject)}</h1><p>{esc(request.id)} · periode {esc(request.period_from)} – "
            f"{esc(request.period_to)} · aangemaakt door {esc(request.created_by)} op {esc(request.created_at)}</p>"
            f"<h2>Pagina's in dit verzoek ({len(on_request)})</h2><table id=request-pages><tr><th>pagina</th>"
            f"<th>toegevoegd</th><th>status</th></tr>{''.join(added_rows)}</table>"
            f"<h2>Voorgestelde pagina's ({len(proposed)})</h2>"
            f"<p>Zoektermen: {esc(terms)} (elk woord of \u201czin\u201d; in de tekst, hashtags en reacties van de "
            "gepseudonimiseerde kopie) · berichten gepubliceerd in de periode (UTC)</p>"
            f'<form id=add-pages method=post action="{BASE}/requests/{esc(request.id)}/add">{csrf(token)}'
            f'<button class=primary name=add value=all{" disabled" if not open_count else ""}>Alle {open_count} '
            "voorgestelde pagina's toevoegen</button> <button name=add value=selected>Aangevinkte toevoegen</button>"
            "</form>"
            f"<table id=found-pages><tr><th>kies</th><th>pagina</th><th>gepubliceerd</th><th>vastgelegd</th>"
            f"<th>treffers</th><th>status</th></tr>{''.join(rows)}</table>"
            f"<p class=muted>Export: <code>sma woo export {esc(request.id)} --archive DIR --out MAP</code></p>")
    return layout(request.subject, body)


def _item_rows(request: WooRequest, page: Page, items: list[Item], review: PageReview, token: str) -> str:
    rows = []
    action = f"{BASE}/requests/{esc(request.id)}/pages/{esc(page.id)}/decide"
    for item in items:
        decision = review.items.get(item.key, {})
        state = decision.get("decision") or "undecided"
        ground = decision.get("ground") or DEFAULT_GROUND
        caption = f"{'/'.join(item.types)} · {item.pseudonym} · {ground}"
        boxes = json.dumps(item.boxes)
        rows.append(
            f'<tr class="{state}" data-item-key="{esc(item.key)}" data-state="{state}" data-caption="{esc(caption)}" '
            f'data-boxes="{esc(boxes)}"><td>{esc(item.pseudonym)}<br><span class=muted>{esc(", ".join(item.types))} · '
            f'{item.occurrences}× · overlays <span class=overlays>0</span></span></td>'
            f'<td class=state>{esc(state)}{_decided_by(decision)}</td>'
            f'<td><form class=inline method=post action="{action}">{csrf(token)}'
            f'<input type=hidden name=item value="{esc(item.key)}">{ground_select(selected=ground)}'
            f'<input name=reason maxlength=500 placeholder="reden bij wijzigen" aria-label="reden bij wijzigen">'
            f'<button name=decision value=accept>Lakken</button>'
            f'<button name=decision value=reject>Niet lakken</button></form></td></tr>')
    return "".join(rows)


def _decided_by(decision: dict) -> str:
    """Who decided, when, and what they replaced: an officer sees a colleague's decision before changing it."""
    if not decision.get("by"):
        return ""
    text = f'<br><span class="decided-by muted" data-by="{esc(decision["by"])}">door {esc(decision["by"])} · ' \
           f'{esc(str(decision.get("at", ""))[:16])}</span>'
    replaced = decision.get("replaces")
    if isinstance(replaced, dict):
        text += (f'<br><span class="replaces muted">wijzigt {esc(str(replaced.get("decision")))} van '
                 f'{esc(str(replaced.get("by")))}: {esc(str(decision.get("reason", "")))}</span>')
    return text


def _manual_rows(request: WooRequest, page: Page, review: PageReview, texts: dict[str, str], token: str) -> str:
    remove = f"{BASE}/requests/{esc(request.id)}/pages/{esc(page.id)}/remove"
    rows = []
    for t in review.texts:
        if t.region:
            continue  # shown with its region
        rows.append(f'<tr class=accept data-item-key="manual-{esc(t.id)}" data-manual=1 data-state=accept '
                    f'data-caption="selectie · {esc(t.ground)}" data-boxes="{esc(json.dumps(t.boxes))}"><td>tekst '
                    f'“{esc(texts.get(t.id, "?"))}” ({t.length} tekens) · overlays <span class=overlays>0</span></td>'
                    f"<td>{esc(t.ground)}</td><td>{_remove_form(remove, t.id, token)}</td></tr>")
    for r in review.regions:
        covered = [texts.get(t.id, "?") for t in review.texts if t.region == r.id]
        listed = "".join(f"<li>“{esc(text)}”</li>" for text in covered)
        rows.append(f'<tr class=accept data-item-key="manual-{esc(r.id)}" data-manual=1 data-state=accept '
                    f'data-caption="gebied · {esc(r.ground)}" data-boxes="{esc(json.dumps([r.box]))}"><td>gebied '
                    f'{" × ".join(str(round(v)) for v in r.box[2:])} px · overlays <span class=overlays>0</span>'
                    f'<br><span class=region-texts data-count="{len(covered)}">lakt ook {len(covered)} '
                    f"tekstfragment(en) onder het gebied, in alle records van de pagina</span>"
                    f"{f'<details><summary>tonen</summary><ul>{listed}</ul></details>' if covered else ''}</td>"
                    f"<td>{esc(r.ground)}</td><td>{_remove_form(remove, r.id, token)}</td></tr>")
    return "".join(rows)


def _remove_form(action: str, redaction_id: str, token: str) -> str:
    return (f'<form class=inline method=post action="{action}">{csrf(token)}<input type=hidden name=id '
            f'value="{esc(redaction_id)}"><button>Verwijderen</button></form>')


def review_page(request: WooRequest, page: Page, items: list[Item], review: PageReview, texts: dict[str, str],
                token: str, notice: str = "") -> bytes:
    base = f"{BASE}/requests/{esc(request.id)}/pages/{esc(page.id)}"
    undecided = sum(1 for i in items if i.key not in review.items)
    status = (f'<p class=approved id=page-status>Goedgekeurd door {esc(review.approved_by)} op '
              f'{esc(review.approved_at)}: openbaar zoals beoordeeld.</p>' if review.status == "approved"
              else f"<p id=page-status>In beoordeling · {undecided} item(s) nog zonder besluit (die worden bij "
                   "goedkeuren gelakt met 5.1.2e)</p>")
    body = (
        f'<iframe id=woo-frame src="{base}/frame" sandbox="allow-same-origin allow-scripts" '
        f' title="pagina (gepseudonimiseerd)">'
        f"</iframe><aside><h1>{esc(page.title or page.url)}</h1><p class=muted>{esc(page.url)} · {esc(page.ts)}</p>"
        f"{f'<p class=error>{esc(notice)}</p>' if notice else ''}{status}"
        f"<h2>Persoonsgegevens ({len(items)})</h2><table id=items>{_item_rows(request, page, items, review, token)}"
        f'</table><form method=post action="{base}/acceptrest">{csrf(token)}{ground_select()} '
        f"<button id=accept-rest type=submit>Alle overige lakken</button></form><h2>Handmatig lakken</h2>"
        f'<form id=redact-text-form method=post action="{base}/text">{csrf(token)}'
        f'<input type=hidden name=text><input type=hidden name=boxes>{ground_select()}'
        f'<button id=redact-selection type=submit>Selectie lakken</button> <span id=text-hint class=muted>'
        f"Selecteer tekst in de pagina.</span></form><p><button id=draw-region type=button>Draw a region</button></p>"
        f'<form id=region-form method=post action="{base}/region" hidden>{csrf(token)}'
        '<input type=hidden name=x><input type=hidden name=y><input type=hidden name=w><input type=hidden name=h>'
        '<input type=hidden name=texts>'
        f'<span id=region-size></span> {ground_select()} <button id=redact-region type=submit>Gebied lakken</button>'
        f"</form><table id=manual>{_manual_rows(request, page, review, texts, token)}</table>"
        f'<h2>Goedkeuren</h2><form id=approve-form method=post action="{base}/approve">{csrf(token)}'
        f"<button id=approve class=primary type=submit>Pagina goedkeuren voor openbaarmaking</button></form>"
        f'<p><a href="{BASE}/requests/{esc(request.id)}">terug naar het verzoek</a></p></aside>'
        f'<script src="{BASE}/static/review.js"></script>')
    return layout(page.title or page.url, body, "review")


def message_page(status_text: str) -> bytes:
    return layout(status_text, f"<h1>{esc(status_text)}</h1>")
