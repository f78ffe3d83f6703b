"""The overview on the gateway's home page: per account its last capture, how complete it was, what
changed since the capture before, and a chart of completeness and volume over time.

Read from the archive on disk, never from a platform: `DIR/accounts/<account>/runs.jsonl` (the
runs), `DIR/crawls/<crawl id>/summary.json` and `completeness.json` (what each run captured of what
the platform displayed), `DIR/accounts/<account>/changes.jsonl` (new, edited, deleted). A number
the platform did not show, or SMA could not read, is "onbekend" (unknown), never 100%.

Per role: the archivist and the researcher see the accounts (official accounts, no third party's
data: counts only); the public sees how many pages are published. The chart is an SVG drawn here
(no script, no CDN).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archive.jsonl import read_jsonl

UNKNOWN = "onbekend"


@dataclass
class Run:
    crawl_id: str
    ended: str
    pages: int | None
    bytes: int | None
    posts_displayed: int | None
    posts_found: int | None
    comments_displayed: int | None
    comments_captured: int | None
    complete: bool | None
    message: str


@dataclass
class AccountOverview:
    account: str
    url: str
    runs: list[Run] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)  # "new post" -> n, since the previous capture

    @property
    def last(self) -> Run | None:
        return self.runs[-1] if self.runs else None


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load(archive_dir: Path) -> list[AccountOverview]:
    archive_dir = Path(archive_dir)
    out = []
    accounts = archive_dir / "accounts"
    for folder in sorted(p for p in accounts.iterdir() if p.is_dir()) if accounts.is_dir() else []:
        state = _json(folder / "state.json") or {}
        overview = AccountOverview(folder.name, str(state.get("url") or ""))
        for run in read_jsonl(folder / "runs.jsonl"):
            crawl_id = str(run.get("crawl_id") or "")
            crawl = archive_dir / "crawls" / crawl_id
            summary = _json(crawl / "summary.json") or {}
            completeness = _json(crawl / "completeness.json") or {}
            profile = completeness.get("profile") or {}
            comments = completeness.get("comments") or summary.get("comments") or {}
            overview.runs.append(Run(
                crawl_id=crawl_id, ended=str(run.get("ended") or ""),
                pages=_int(summary.get("pages", run.get("pages"))), bytes=_int(summary.get("bytes", run.get("bytes"))),
                posts_displayed=_int(profile.get("posts_displayed")),
                posts_found=_int(profile.get("posts_found")), comments_displayed=_int(comments.get("displayed")),
                comments_captured=_int(comments.get("captured")),
                complete=completeness.get("complete") if isinstance(completeness.get("complete"), bool) else None,
                message=str(run.get("message") or "")))
        if overview.last is not None:
            for change in read_jsonl(folder / "changes.jsonl"):
                if change.get("crawl_id") == overview.last.crawl_id:
                    key = f"{change.get('change')} {change.get('kind')}"
                    overview.changes[key] = overview.changes.get(key, 0) + 1
        out.append(overview)
    return out


def ratio(captured: int | None, displayed: int | None) -> str:
    """"12 / 13 (92%)", or with "onbekend" where the platform gave no number."""
    if captured is None and displayed is None:
        return UNKNOWN
    shown = UNKNOWN if displayed is None else str(displayed)
    got = UNKNOWN if captured is None else str(captured)
    if captured is None or not displayed:
        return f"{got} / {shown}"
    return f"{got} / {shown} ({min(100, round(100 * captured / displayed))}%)"


def chart(runs: list[Run], width: int = 360, height: int = 90) -> str:
    """Bars: pages captured per run (volume); line: comments captured / displayed (completeness).
    A run whose completeness is unknown has no point on the line (a gap, not a zero)."""
    if not runs:
        return ""
    runs = runs[-30:]
    step = width / len(runs)
    top = max((r.pages or 0) for r in runs) or 1
    parts = [f'<svg class="sma-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 14}" '
             f'viewBox="0 0 {width} {height + 14}" role="img" aria-label="volume en volledigheid per opname">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f6f6"/>']
    points = []
    for i, run in enumerate(runs):
        h = (run.pages or 0) / top * (height - 4)
        x = i * step
        parts.append(f'<rect class="sma-bar" x="{x + step * 0.15:.1f}" y="{height - h:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{h:.1f}" fill="#9bb7d4"><title>{escape(run.ended[:16])}: {run.pages or 0} '
                     f"pagina's</title></rect>")
        if run.comments_displayed and run.comments_captured is not None:
            share = min(1.0, run.comments_captured / run.comments_displayed)
            points.append((x + step / 2, height - share * (height - 4)))
        elif points:
            parts.append(_line(points))
            points = []
    parts.append(_line(points))
    parts.append(f'<text x="0" y="{height + 12}" font-size="10" fill="#555">{escape(runs[0].ended[:10])}</text>')
    parts.append(f'<text x="{width}" y="{height + 12}" font-size="10" fill="#555" text-anchor="end">'
                 f"{escape(runs[-1].ended[:10])}</text></svg>")
    return "".join(parts)


def _line(points: list[tuple[float, float]]) -> str:
    if not points:
        return ""
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#1f5c99"/>' for x, y in points)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline class="sma-completeness" points="{path}" fill="none" stroke="#1f5c99" stroke-width="2"/>{dots}'


def section(archive_dir: Path, role: str, public_pages: int = 0) -> str:
    """The overview's HTML for the role's home page ("" where the role has none)."""
    if role == "public":
        return f'<p id="sma-overview" data-role="public">{public_pages} gepubliceerde pagina\'s.</p>'
    rows = []
    for account in load(archive_dir):
        last = account.last
        if last is None:
            continue
        changes = ", ".join(f"{n} {escape(k)}" for k, n in sorted(account.changes.items())) or "geen"
        calendar = (f' <a class="sma-calendar" href="/archive/*/{escape(quote(account.url, safe=":/@"))}">opnamen</a>'
                    if account.url else "")
        rows.append(
            f'<tr class="sma-account" data-account="{escape(account.account)}">'
            f"<td>{escape(account.account)}{calendar}</td>"
            f'<td class="sma-last">{escape(last.ended[:16].replace("T", " "))}<br>'
            f'<span class="ts">{escape(last.message)}</span></td>'
            f'<td class="sma-posts">{escape(ratio(last.posts_found, last.posts_displayed))}</td>'
            f'<td class="sma-comments">{escape(ratio(last.comments_captured, last.comments_displayed))}</td>'
            f'<td class="sma-changes">{changes}</td><td>{chart(account.runs)}</td></tr>')
    if not rows:
        return '<p id="sma-overview">Nog geen opnamen.</p>'
    return ('<section id="sma-overview"><h2>Overzicht per account</h2><table><tr><th>account</th>'
            "<th>laatste opname</th><th>posts gevonden / getoond</th><th>reacties vastgelegd / getoond</th>"
            "<th>wijzigingen sinds de vorige</th><th>pagina's (staven) en volledigheid reacties (lijn)</th></tr>"
            + "".join(rows) + '</table><p><a id="sma-search-link" href="/_sma/search">Zoeken</a></p></section>')
