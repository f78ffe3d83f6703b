"""Marks replayed pages with what happened to them later: "verwijderd op <date>" on every copy of a
post that was deleted, "bewerkt op <date>" on copies older than an edit, and a note on a post whose
comments were later removed or edited. Rendered by pywb itself (server-side, no script needed) from
a `custom_banner.html` template written beside its config; the facts come from the accounts'
change logs in the archive (crawler/archive/history.py).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from crawler.archive.history import AccountHistory
from replay.banner import banner_template

LABELS = {
    ("post", "deleted"): "Deze post is verwijderd op {date}; dit is de laatste gearchiveerde kopie.",
    ("post", "edited"): "Deze post is bewerkt op {date}; deze kopie toont de eerdere tekst.",
    ("comment", "deleted"): "{n} reactie(s) onder deze post zijn later verwijderd (laatst op {date}).",
    ("comment", "edited"): "{n} reactie(s) onder deze post zijn later bewerkt (laatst op {date}).",
}

_TEMPLATE = """{%- set marks = MARKS -%}
{#- cdx.timestamp: the capture actually served (a request without timestamp gets the latest) -#}
{%- set shown = (marks[cdx.url] if cdx.url in marks else [])
    | selectattr('ts', 'gt', cdx.timestamp or '99999999999999') | list -%}
{%- if shown -%}
<div id="sma-change-marks" role="note" style="position:relative;z-index:2147483647;background:#fff3cd;
 color:#3d2f00;border-bottom:2px solid #b8860b;padding:8px 12px;font:14px/1.4 sans-serif">
{%- for mark in shown %}
<div class="sma-change-mark" data-change="{{ mark.change }}" data-kind="{{ mark.kind }}">{{ mark.text }}</div>
{%- endfor %}
</div>
{%- endif -%}
"""


def _ts14(rfc3339: str) -> str:
    return "".join(ch for ch in rfc3339 if ch.isdigit())[:14]


def collect_marks(archive_dir: Path) -> dict[str, list[dict[str, str]]]:
    """URL -> marks, one per (kind, change), for captures made before the change was seen."""
    grouped: dict[tuple[str, str, str], list[dict]] = {}
    accounts = Path(archive_dir) / "accounts"
    for folder in sorted(accounts.iterdir()) if accounts.is_dir() else []:
        for change in AccountHistory(archive_dir, folder.name).changes():
            if change.get("change") in ("deleted", "edited"):
                grouped.setdefault((change["url"], change["kind"], change["change"]), []).append(change)
    marks: dict[str, list[dict[str, str]]] = {}
    for (url, kind, what), changes in sorted(grouped.items()):
        last = max(c["detected"] for c in changes)
        text = LABELS[(kind, what)].format(date=last[:10], n=len(changes))
        # Shown on captures older than the change (a later copy already shows the new state).
        marks.setdefault(url, []).append({"kind": kind, "change": what, "ts": _ts14(last), "text": text})
    return marks


def write_banner_template(archive_dir: Path, pywb_dir: Path) -> Path:
    """`templates/custom_banner.html` in pywb's working directory, where pywb looks first."""
    marks = collect_marks(archive_dir)
    templates = pywb_dir / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    path = templates / "custom_banner.html"
    # JSON is a valid Jinja literal for these plain strings and lists.
    marks_html = _TEMPLATE.replace("MARKS", json.dumps(marks, ensure_ascii=False))
    # The "archived copy" bar of the view (replay/banner.py) goes first, the marks under it.
    # Rewritten while pywb serves (ViewSet.refresh): atomically, so no page gets half a template.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(banner_template(archive_dir, pywb_dir) + marks_html)
    os.replace(tmp, path)
    return path
