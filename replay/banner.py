"""The banner on every replayed page: "Gearchiveerde kopie", when it was captured, which copy (and so
which roles) it is, links to the page's other captures, and for a published Woo page the grounds
its redactions applied. Rendered server-side by pywb from its `custom_banner.html` (written with
the change marks, replay/change_marks.py), as a bar above the page's own layout: no script, and the
archived page's styles cannot reach it (inline styles, `all: initial`).

One template per view, written into that view's pywb folder (DIR/.pywb/<view>/): the access view
is shown to researchers and Woo officers, the public view to everyone else; the view, not the
request, decides what the banner says, as it decides every other byte.
"""

from __future__ import annotations

import json
from pathlib import Path

from archive.layout import COPY_DIRS, ArchiveDir
from archive.pages import read_pages, timestamp14

COPY_OF_VIEW = {"original": "original", "access": "access", "public": "public"}
LABELS = {
    "original": ("originele opname", "archivaris: de authentieke opname, met persoonsgegevens van burgers"),
    "access": ("gepseudonimiseerde kopie", "onderzoeker / Woo-behandelaar: namen en persoonsgegevens van "
               "burgers zijn vervangen door pseudoniemen"),
    "public": ("openbare versie", "openbaar: goedgekeurd na Woo-beoordeling, gelakt waar nodig"),
}
_SOURCES = COPY_DIRS

_TEMPLATE = """{%- set sma_caps = CAPTURES -%}
{%- set sma_grounds = GROUNDS -%}
{%- set sma_ts = cdx.timestamp or '' -%}
{%- set sma_others = (sma_caps[cdx.url] if cdx.url in sma_caps else []) | reject('equalto', sma_ts) | list -%}
<div id="sma-banner" role="banner" data-copy="COPY" data-ts="{{ sma_ts }}" style="all:initial;display:block;
 position:relative;z-index:2147483647;box-sizing:border-box;width:100%;background:#14325c;color:#fff;
 font:14px/1.5 system-ui,sans-serif;padding:6px 12px;border-bottom:3px solid #f0b400">
<strong style="color:#fff">Gearchiveerde kopie</strong> &middot;
<span id="sma-banner-time" style="color:#fff">vastgelegd {{ sma_ts[0:4] }}-{{ sma_ts[4:6] }}-{{ sma_ts[6:8] }}
 {{ sma_ts[8:10] }}:{{ sma_ts[10:12] }}:{{ sma_ts[12:14] }} UTC</span> &middot;
<span id="sma-banner-copy" data-copy="COPY" title="ROLE_NOTE" style="color:#fff">COPY_LABEL</span>
{%- if sma_others %} &middot; <span id="sma-banner-others" style="color:#fff">andere opnamen:
{%- for t in sma_others[-6:] %} <a class="sma-other-capture" href="/archive/{{ t }}/{{ cdx.url }}"
 style="color:#ffe38a">{{ t[0:4] }}-{{ t[4:6] }}-{{ t[6:8] }} {{ t[8:10] }}:{{ t[10:12] }}</a>{% endfor %}</span>
{%- endif %} &middot;
<a id="sma-banner-calendar" href="/archive/*/{{ cdx.url }}" style="color:#ffe38a">alle opnamen</a> &middot;
<a href="/_sma/search" style="color:#ffe38a">zoeken</a> &middot; <a href="/" style="color:#ffe38a">overzicht</a>
{%- if cdx.url in sma_grounds %}
<div id="sma-banner-woo" style="color:#fff">Woo: gelakt op grond van
{%- for g in sma_grounds[cdx.url] %} <span class="sma-ground" data-ground="{{ g.code }}">art. {{ g.code }} Woo
 ({{ g.text }})</span>{{ ";" if not loop.last }}{% endfor %}</div>
{%- endif %}
</div>
"""


def captures(pywb_dir: Path, source: Path) -> dict[str, list[str]]:
    """URL -> capture timestamps (14 digits, oldest first) of the view's HTML pages: from its CDXJ
    (the timestamps pywb replays by), else from the copy's pages.jsonl."""
    out: dict[str, list[str]] = {}
    try:
        with open(Path(pywb_dir) / "indexes" / "index.cdxj", encoding="utf-8") as fh:
            for line in fh:
                _, ts, data = (line.split(" ", 2) + ["", ""])[:3]
                try:
                    fields = json.loads(data)
                except ValueError:
                    continue
                if str(fields.get("mime", "")).startswith("text/html") and str(fields.get("status")) == "200":
                    out.setdefault(str(fields.get("url")), []).append(ts)
        if out:
            return {url: sorted(set(ts)) for url, ts in out.items()}
    except OSError:
        pass
    for row in read_pages(Path(source)):
        ts = timestamp14(row.get("ts"))
        if isinstance(row.get("url"), str) and ts:
            out.setdefault(row["url"], []).append(ts)
    return {url: sorted(set(ts)) for url, ts in out.items()}


def woo_grounds(archive_dir: Path) -> dict[str, list[dict[str, str]]]:
    """Public page URL -> the Woo grounds its approval applied (from DIR/woo/requests/*.json)."""
    from replay.woo.model import DEFAULT_GROUND, GROUNDS

    public_urls = {}
    for line in read_pages(ArchiveDir(archive_dir).copy("public")):
        if isinstance(line.get("id"), str) and isinstance(line.get("url"), str):
            public_urls[line["id"]] = line["url"]
    out: dict[str, set[str]] = {}
    for path in sorted((Path(archive_dir) / "woo" / "requests").glob("*.json")):
        try:
            request = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for page_id, review in (request.get("pages") or {}).items():
            if not isinstance(review, dict) or review.get("status") != "approved" or page_id not in public_urls:
                continue
            decisions = [d for d in (review.get("items") or {}).values() if isinstance(d, dict)]
            grounds = {d.get("ground") or DEFAULT_GROUND for d in decisions if d.get("decision") != "reject"}
            grounds |= {t.get("ground") for t in review.get("texts") or [] if isinstance(t, dict)}
            grounds |= {r.get("ground") for r in review.get("regions") or [] if isinstance(r, dict)}
            if not decisions or any(d.get("decision") != "reject" for d in decisions):
                grounds.add(DEFAULT_GROUND)  # commenters not decided on are redacted under the default ground
            out.setdefault(public_urls[page_id], set()).update(g for g in grounds if g in GROUNDS)
    return {url: [{"code": g, "text": GROUNDS[g]} for g in sorted(codes)] for url, codes in out.items()}


def banner_template(archive_dir: Path, pywb_dir: Path) -> str:
    """The Jinja snippet for the view's pywb (a folder that is no view, e.g. `sma replay`'s own
    standalone pywb over DIR/warcs, is the original)."""
    copy = COPY_OF_VIEW.get(Path(pywb_dir).name, "original")
    label, note = LABELS[copy]
    grounds = woo_grounds(archive_dir) if copy == "public" else {}
    caps = captures(pywb_dir, Path(archive_dir) / _SOURCES[copy])
    # JSON is a valid Jinja literal for these plain strings, lists and mappings.
    text = _TEMPLATE.replace("COPY_LABEL", label).replace("ROLE_NOTE", note).replace("COPY", copy)
    return (text.replace("CAPTURES", json.dumps(caps, ensure_ascii=False))
            .replace("GROUNDS", json.dumps(grounds, ensure_ascii=False)))
