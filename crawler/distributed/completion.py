"""The end of an account crawl that several workers did: what each page showed (sent with the page's
lease, `Observer`) merged into one observation, then the same ending as `sma crawl`'s: the dead workers'
`.open` WARCs repaired, the pseudonymised access copy and ledger (privacy pipeline), completeness.json,
summary.json and report.html."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.layout import WARC_SUFFIX, ArchiveDir
from sma.exitcodes import ExitCode

from ..archive.pages import read_pages
from ..archive.recovery import OPEN_SUFFIX, repair_open_file
from ..extensions import count_changes
from ..run import CrawlOutcome
from ..spec import SETTING as SPEC_SETTING
from ..spec import CrawlSpec
from ..state import CrawlState
from .frontier import Frontier

LISTS = ("posts", "drift", "actions", "timeline_pages")


class Observer:
    """What a worker's crawl state observed since its last page was done: only the new part is sent."""

    def __init__(self) -> None:
        self.sent: dict[str, Any] = {}

    def delta(self, state: CrawlState | None) -> dict[str, Any]:
        if state is None:
            return {}
        seen = state.completeness
        out: dict[str, Any] = {}
        for name in LISTS:
            items = list(seen.get(name) or [])
            out[name], self.sent[name] = items[self.sent.get(name, 0):], len(items)
        for name, items in (("errors", state.errors), ("changes", state.changes)):
            out[name], self.sent[name] = list(items)[self.sent.get(name, 0):], len(items)
        thumbs = dict(seen.get("thumbnails") or {})
        out["thumbnails"] = {k: v for k, v in thumbs.items() if k not in self.sent.setdefault("thumbnails", set())}
        self.sent["thumbnails"].update(thumbs)
        for name, value in (("profile", seen.get("profile")), ("posts_selected", seen.get("posts_selected")),
                            ("plan", state.plan or None), ("fatal_error", state.fatal_error),
                            ("paused", state.paused), ("browser_version", state.browser_version)):
            if value is not None and self.sent.get(name) != json.dumps(value, sort_keys=True, default=str):
                out[name] = value
                self.sent[name] = json.dumps(value, sort_keys=True, default=str)
        return {k: v for k, v in out.items() if v not in ([], {}, None)}


def merge(observations: list[dict[str, Any]]) -> dict[str, Any]:
    """One crawl's observation from its pages'; a page done twice (a lost lease) counts once."""
    merged: dict[str, Any] = {"profile": None, "posts": [], "actions": [], "drift": [], "timeline_pages": [],
                              "thumbnails": {}, "errors": [], "changes": [], "plan": {}, "fatal_error": None,
                              "paused": None, "browser_version": None}
    posts: dict[str, dict[str, Any]] = {}
    for obs in observations:
        for post in obs.get("posts", []):
            posts[post.get("url", "")] = post
        for name in ("actions", "drift", "timeline_pages", "errors", "changes"):
            for entry in obs.get(name, []):
                if entry not in merged[name]:
                    merged[name].append(entry)
        merged["thumbnails"].update(obs.get("thumbnails", {}))
        profile = obs.get("profile")
        if profile and (merged["profile"] is None or profile.get("posts_found", 0) >= merged["profile"]["posts_found"]):
            merged["profile"] = profile
        for name in ("plan", "posts_selected", "fatal_error", "paused", "browser_version"):
            if obs.get(name) is not None:
                merged[name] = merged.get(name) or obs[name]
    merged["posts"] = list(posts.values())
    if merged["profile"] is not None:
        # A timeline read in pieces: each further piece's worker counts the posts it found there (per
        # page URL once, a page done twice by a lost lease counts once); the profile page counted its own.
        pieces: dict[str, int] = {}
        for entry in merged["timeline_pages"]:
            url = entry.get("url", "")
            pieces[url] = max(pieces.get(url, 0), int(entry.get("posts_found") or 0))
        merged["profile"] = {**merged["profile"],
                             "posts_found": int(merged["profile"].get("posts_found") or 0) + sum(pieces.values())}
    return merged


def repair_dead_writers(archive_dir: Path, crawl_id: str) -> list[Path]:
    """`.open` files of this crawl once no live worker writes it: a killed worker's; whole records kept."""
    repaired = []
    for path in sorted((Path(archive_dir) / "warcs").glob(f"*-{crawl_id}-*.warc.gz{OPEN_SUFFIX}")):
        final = repair_open_file(path)
        if final is not None:
            repaired.append(final)
    return repaired


def warc_stats(archive_dir: Path, crawl_id: str) -> dict[str, Any]:
    files = [p for p in ArchiveDir(archive_dir).crawl_warcs(crawl_id) if p.name.endswith(WARC_SUFFIX)]  # closed
    records = revisits = 0
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                records += 1
                revisits += record.rec_type == "revisit"
    return {"records": records, "revisits": revisits, "bytes": sum(p.stat().st_size for p in files),
            "warc_files": [str(p) for p in files]}


def finish(frontier: Frontier, crawl_id: str, archive_dir: Path, settings: Any, wait_s: float | None = None
           ) -> CrawlOutcome:
    """Ends crawl `crawl_id` (its last page is done): `settings` are the crawl's Scrapy settings."""
    from .. import report_html
    from ..completeness import assess
    from ..profiles import resolve

    archive_dir = Path(archive_dir)
    spec = frontier.spec(crawl_id)
    created = float(frontier.result(crawl_id).get("created", time.time()))
    deadline = time.monotonic() + (wait_s if wait_s is not None else 2 * frontier.lease_s)
    while frontier.live_writers(crawl_id) and time.monotonic() < deadline:
        time.sleep(0.5)  # a worker still closing its WARC of this crawl
    repaired = repair_dead_writers(archive_dir, crawl_id)
    merged = merge(frontier.observations(crawl_id))
    profile, _ = resolve(spec["url"], spec.get("profile") or "auto")
    state = CrawlState(
        profile=profile, completeness={k: merged[k] for k in (
            "profile", "posts", "actions", "drift", "timeline_pages", "thumbnails") if merged[k] is not None},
        errors=list(merged["errors"]), fatal_error=merged["fatal_error"], paused=merged["paused"],
        plan=merged["plan"], changes=merged["changes"])
    if merged.get("posts_selected") is not None:
        state.completeness["posts_selected"] = merged["posts_selected"]
    _access_copy(archive_dir, crawl_id, settings, state, CrawlSpec.from_redis(spec, archive_dir, crawl_id))
    report = assess(state.observed())
    pages = [p for p in read_pages(archive_dir) if str(p.get("id", "")).startswith(f"{crawl_id}-")]
    stats = warc_stats(archive_dir, crawl_id)
    summary = {
        "crawl_id": crawl_id, "url": spec["url"], "profile": profile.name, "finish_reason": "finished",
        "fatal_error": state.fatal_error, "pages": len(pages),
        "pages_by_kind": {k: sum(p.get("kind") == k for p in pages) for k in ("profile", "post")},
        **stats, "errors": state.errors, "duration_s": round(time.time() - created, 1),
        "complete": report["complete"] and not state.fatal_error, "comments": report["comments"],
        "shortfalls": len(report["shortfalls"]), "drift": report["drift"], "account": spec["account"],
        "visits": {reason: len(urls) for reason, urls in (state.plan or {}).items()},
        "changes": count_changes(state.changes), "paused": state.paused,
        "workers": sorted({Path(p).name.split(f"-{crawl_id}-")[0].rsplit("-", 1)[0] for p in stats["warc_files"]}),
        "repaired_warcs": [str(p) for p in repaired],
    }
    report["complete"] = summary["complete"]
    out = archive_dir / "crawls" / crawl_id
    out.mkdir(parents=True, exist_ok=True)
    summary["report"] = str(report_html.write(out, summary, report))
    for name, data in (("summary.json", summary), ("completeness.json", report)):
        (out / name).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return _outcome(summary, report, archive_dir)


def _outcome(summary: dict[str, Any], report: dict[str, Any], archive_dir: Path) -> CrawlOutcome:
    if summary["paused"]:
        return CrawlOutcome(ExitCode.PAUSED, f"PAUSED: {summary['paused']}", summary, report)
    if summary["fatal_error"]:
        return CrawlOutcome(ExitCode.FAILED, summary["fatal_error"], summary, report)
    if not summary["complete"]:
        return CrawlOutcome(ExitCode.INCOMPLETE, f"INCOMPLETE: {summary['shortfalls']} shortfall(s); see "
                            f"{summary['report']}", summary, report)
    return CrawlOutcome(ExitCode.OK, "complete", summary, report)


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set_value(self, key: str, value: Any, spider: Any = None) -> None:
        self.values[key] = value


def _access_copy(archive_dir: Path, crawl_id: str, settings: Any, state: CrawlState, spec: CrawlSpec) -> None:
    """The privacy pipeline's ending, over every worker's pages: their facts from the crawl's encrypted
    file, the records from every WARC of the crawl. A failure fails the crawl (as in `sma crawl`)."""
    from ..privacy.derivative import PageFacts
    from ..privacy.keys import KeyProblem, load_keys
    from ..privacy.ledger import CAPTURE_FACTS_NAME, EncryptedJsonLines
    from ..privacy_pipeline import PrivacyPipeline

    if not settings.getbool("SMA_PRIVACY", True):
        return
    from ..settings import environment_settings

    settings = settings.copy()
    settings.setdict(environment_settings(), priority="project")  # under the worker's own -s settings
    settings.set(SPEC_SETTING, spec, priority="cmdline")
    pipeline = PrivacyPipeline(SimpleNamespace(settings=settings, stats=_Stats(), engine=None), state)
    try:
        pipeline.keys = load_keys(pipeline.organisation, create=False, archive_dir=archive_dir)
    except KeyProblem as exc:
        state.fail(f"no pseudonymisation key: {exc}")
        return
    facts = EncryptedJsonLines(pipeline.crawl_dir / CAPTURE_FACTS_NAME, pipeline.keys.fernet())
    if facts.path.exists():
        pipeline.pages = {row["url"]: PageFacts(**row) for row in facts.read()}
    pipeline.close_spider()
    pipeline.write_access_copy()  # every worker's WARC of the crawl is closed or repaired by now
