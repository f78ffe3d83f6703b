"""Records management in the gateway: a Woo request holds its pages (records/holds.py).

A Woo request created in the review UI places a legal hold on every post page it finds (its period
and subject terms, the same search the review list proposes), and a page the officer adds to it
later gets the same hold, so nothing it may disclose is destroyed while it runs. Releasing is the
archivist's act (`sma hold release`), with a reason.
"""

from __future__ import annotations

from pathlib import Path

from records.holds import Hold, Holds


def hold_woo_pages(archive_dir: Path, woo, user: str, pages: list | None = None,  # noqa: ANN001
                   access=None) -> list[Hold]:  # noqa: ANN001
    """Holds `pages` (access-copy Pages; by default every page the request's search proposes in
    `access`, the AccessArchive, read afresh when not given) for the WooRequest `woo`; a page
    already held is not held twice."""
    from replay.woo.access import open_access
    from replay.woo.proposals import propose  # not replay.woo.app, which imports this module

    holds = Holds(archive_dir)
    held = {h.value for h in holds.active() if h.kind == "post"}
    placed = []
    if pages is None:
        pages = [proposal.page for proposal in propose(access or open_access(archive_dir), woo)]
    for page in pages:
        if page.kind != "post" or page.url in held:
            continue
        placed.append(holds.add("post", page.url, f"Woo-verzoek {woo.id}: {woo.subject}", user, role="woo-officer"))
        held.add(page.url)
    return placed


# ---- /_sma/records/destroy: an archivist approves a proposed destruction list ----------------------


def serve(gateway, start_response, principal, method: str, path: str, form: dict[str, str]):  # noqa: ANN001, ANN201
    """GET the lists; POST .../<id>/approve (the gateway checked the CSRF token). Archivists only."""
    import re

    from records.destroy import DestroyError, approve

    if principal is None or principal.role != "archivist":
        return gateway.error_response(start_response, 403)
    csrf = principal.session.csrf if principal.session else ""
    if path.rstrip("/") == "/_sma/records/destroy":
        if method not in ("GET", "HEAD"):
            return gateway.error_response(start_response, 405)
        return gateway._respond(start_response, 200, _lists_page(gateway.archive_dir, csrf).encode(),
                                [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
    match = re.fullmatch(r"/_sma/records/destroy/(vl-[0-9]{14}-[0-9a-f]{4})/approve", path)
    if not match:
        return gateway.error_response(start_response, 404)
    if method != "POST":
        return gateway.error_response(start_response, 405)
    try:
        approve(gateway.archive_dir, match.group(1), principal.user)
    except DestroyError as exc:
        return gateway.error_response(start_response, 409, note=str(exc).split(": ", 1)[-1])
    return gateway._respond(start_response, 303, b"", [("Location", "/_sma/records/destroy")])


def _lists_page(archive_dir: Path, csrf: str) -> str:
    import json
    from html import escape as e

    from records.destroy import LISTS

    parts = []
    for path in sorted((Path(archive_dir) / LISTS).glob("vl-*.json"), reverse=True):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows = "".join(
            f"<tr><td>{e(i['url'])}</td><td>{e(i['category_code'])} {e(i['category_title'])}</td>"
            f"<td>{e(str(i['bewaartermijn']))}</td><td>{e(i['term_start'])} – {e(i['term_end'])}</td></tr>"
            for i in data.get("items", []))
        approved = data.get("approved")
        state = (f"goedgekeurd door {e(approved['by'])} op {e(approved['at'])}" if approved else "voorgesteld")
        button = "" if approved or data.get("status") != "proposed" else (
            f'<form method="post" action="/_sma/records/destroy/{e(data["id"])}/approve">'
            f'<input type="hidden" name="csrf_token" value="{e(csrf)}">'
            f'<button>Goedkeuren ({len(data.get("items", []))} berichten)</button></form>')
        parts.append(f"<section><h2>{e(data['id'])} ({e(data.get('status', ''))})</h2><p>Voorgesteld door "
                     f"{e(data.get('created_by', ''))} op {e(data.get('created', ''))}, peildatum "
                     f"{e(data.get('due', ''))}; {state}; {len(data.get('held', []))} bericht(en) onder "
                     f"bewaarplicht (hold) niet opgenomen.</p><table><tr><th>bericht</th><th>categorie</th>"
                     f"<th>bewaartermijn</th><th>termijn</th></tr>{rows}</table>{button}</section>")
    body = "".join(parts) or "<p>Geen vernietigingslijsten. Maak er een met <code>sma destroy list</code>.</p>"
    return ("<!doctype html><html lang=nl><meta charset=utf-8><title>Vernietigingslijsten</title>"
            "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style>"
            f"<h1>Vernietigingslijsten</h1>{body}</html>")
