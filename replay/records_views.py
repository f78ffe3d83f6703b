"""Records management in the gateway: a Woo request holds its pages (records/holds.py).

A Woo request created in the review UI places a legal hold on every post page it finds (its period
and subject terms, the same search the review list shows), so nothing it may disclose is destroyed
while it runs. Releasing is the archivist's act (`sma hold release`), with a reason.
"""

from __future__ import annotations

from pathlib import Path

from records.holds import Hold, Holds


def hold_woo_pages(archive_dir: Path, woo, user: str) -> list[Hold]:  # noqa: ANN001 - a WooRequest
    from replay.woo.access import open_access
    from replay.woo.app import find_pages

    holds = Holds(archive_dir)
    held = {h.value for h in holds.active() if h.kind == "post"}
    placed = []
    for page, _ in find_pages(open_access(archive_dir), woo):
        if page.kind != "post" or page.url in held:
            continue
        placed.append(holds.add("post", page.url, f"Woo-verzoek {woo.id}: {woo.subject}", user, role="woo-officer"))
        held.add(page.url)
    return placed
