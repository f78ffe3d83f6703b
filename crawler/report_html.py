"""`crawls/<id>/report.html`: the completeness report a web archivist reads after a crawl.

Self-contained HTML beside `summary.json` and `completeness.json`; thumbnails are the viewport
JPEGs in `thumbs/`, linked relatively so the crawl folder can be moved or zipped as a whole.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from .completeness import describe, describe_drift

STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f4f4f4}.bad{background:#fde8e8}.ok{background:#e8f6e8}
img{width:240px;border:1px solid #ccc}.verdict{font-size:1.3em;padding:.5em 1em;display:inline-block}"""


def _row(cells: list[str], cls: str = "") -> str:
    return f"<tr class='{cls}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _num(value: Any) -> str:
    return "–" if value is None else escape(str(value))


def verdict_of(summary: dict[str, Any], report: dict[str, Any]) -> str:
    """COMPLETE only as summary.json says (and so the exit code and the terminal's last line);
    else INCOMPLETE, naming what SMA cannot tell (unknown is never complete)."""
    if summary.get("complete"):
        return "COMPLETE"
    unknown = sum(1 for s in report.get("shortfalls") or [] if s.get("what") == "unknown")
    return f"INCOMPLETE (UNKNOWN: {unknown} count(s) SMA cannot read)" if unknown else "INCOMPLETE"


def render(summary: dict[str, Any], report: dict[str, Any]) -> str:
    observed = report.get("observed", {})
    thumbs: dict[str, str] = observed.get("thumbnails", {})
    complete = summary.get("complete")
    verdict = verdict_of(summary, report)
    crawl_id = escape(str(summary.get("crawl_id")))
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>SMA crawl {crawl_id}: {escape(verdict)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Crawl {crawl_id}</h1>",
        f"<p class='verdict {'ok' if complete else 'bad'}'>{escape(verdict)}</p>",
        "<table>",
        _row(["account", escape(str(summary.get("url")))]),
        _row(["profile", escape(str(summary.get("profile")))]),
        _row(["pages", _num(summary.get("pages"))]),
        _row(["posts displayed / found / visited",
              " / ".join(_num(report["profile"].get(k)) for k in ("posts_displayed", "posts_found", "posts_visited"))]),
        _row(["comments displayed / captured",
              f"{_num(report['comments']['displayed'])} / {_num(report['comments']['captured'])}"
              + (f" ({report['comments']['unknown']} posts: displayed unknown)"
                 if report["comments"].get("unknown") else "")]),
        _row(["records / MB", f"{_num(summary.get('records'))} / {summary.get('bytes', 0) / 1e6:.1f}"]),
        _row(["duration (s)", _num(summary.get("duration_s"))]),
        "</table>",
    ]
    if summary.get("fatal_error"):
        parts.append(f"<p class='bad'>Stopped: {escape(summary['fatal_error'])}</p>")
    drift = report.get("drift", [])
    if drift:
        parts.append(f"<h2>Profile drift ({len(drift)})</h2><p>Profile steps that no longer fit the pages; "
                     "the reader did them instead.</p>")
        parts.append("<ul>" + "".join(f"<li>{escape(describe_drift(d))}</li>" for d in drift) + "</ul>")
    shortfalls = report.get("shortfalls", [])
    parts.append(f"<h2>Shortfalls ({len(shortfalls)})</h2>")
    if shortfalls:
        parts.append("<ul>" + "".join(f"<li>{escape(describe(s))}</li>" for s in shortfalls) + "</ul>")
    else:
        parts.append("<p>None: everything the pages displayed was captured.</p>")

    parts.append("<h2>Pages</h2><table><tr><th>page</th><th>displayed</th><th>captured</th>"
                 "<th>actions (matched)</th><th>selectors matching nothing</th></tr>")
    profile = observed.get("profile") or {}
    pages = [dict(profile, kind="profile")] if profile else []
    pages += [dict(p, kind="post") for p in observed.get("posts", [])]
    for page in pages:
        url = page.get("url", "")
        thumb = thumbs.get(url)
        img = f"<br><img src='{escape(thumb)}' alt='' loading='lazy'>" if thumb else ""
        counters = page.get("counters") or {}
        if page["kind"] == "profile":
            shown, got = counters.get("posts"), page.get("posts_found")
        else:
            shown, got = counters.get("comments"), page.get("comments_captured")
        short = shown is None or got is None or got < shown
        actions = ", ".join(f"{escape(str(a.get('name')))} ({a.get('matched')})" for a in page.get("actions", []))
        dead = ", ".join(escape(n) for n, c in (page.get("selectors") or {}).items() if c == 0)
        parts.append(_row([f"<a href='{escape(url)}'>{escape(url)}</a>{img}", _num(shown), _num(got), actions, dead],
                          "bad" if short else "ok"))
    parts.append("</table></body></html>")
    return "\n".join(parts)


def write(out_dir: Path, summary: dict[str, Any], report: dict[str, Any]) -> Path:
    path = Path(out_dir) / "report.html"
    path.write_text(render(summary, report), encoding="utf-8")
    return path
