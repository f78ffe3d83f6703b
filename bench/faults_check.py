"""The checks bench/faults.py runs on an archive after its kills: (name, ok, detail) rows."""

from __future__ import annotations

import html
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.archive.pages import read_pages
from crawler.archive.read import iter_records, warc_files


def norm(text: str) -> str:
    return " ".join(html.unescape(text).split())


def warcio_problems(root: Path) -> tuple[int, list[str]]:
    warcio = Path(sys.executable).with_name("warcio")
    files = warc_files(root)
    bad = []
    for path in files:
        proc = subprocess.run([str(warcio), "check", str(path)], capture_output=True, text=True)
        if proc.returncode != 0:
            bad.append(f"{path.name}: {(proc.stdout + proc.stderr).strip()[-200:]}")
    return len(files), bad


def check(archive: Path, platform: Any, truth_paths: dict[str, str], max_posts: int) -> list[tuple[str, bool, str]]:
    rows: list[tuple[str, bool, str]] = []
    left_open = sorted(p.name for p in archive.glob("**/*.open"))
    rows.append(("no WARC left .open", not left_open, ", ".join(left_open[:3]) or "none"))
    for label, root in (("original", archive), ("access copy", archive / "access")):
        n, bad = warcio_problems(root)
        detail = f"{n} files; " + ("; ".join(bad[:2]) or "all valid")
        rows.append((f"warcio check ({label})", not bad and n > 0, detail))

    records = list(iter_records(archive))
    responses = Counter(r.uri for r in records if r.type == "response")
    texts: dict[str, list[str]] = {}
    for r in records:
        if r.uri.startswith("urn:text:") and r.type in ("resource", "revisit"):
            texts.setdefault(r.uri[len("urn:text:"):], []).append(r.payload.decode("utf-8", "replace"))
    pages = [row for row in read_pages(archive) if row.get("kind") == "post"]
    captures = Counter(row["url"] for row in pages)
    # Within one crawl a post page is visited once: a second row of the same crawl is a page captured
    # twice (a kill after its commit, a lease given back), never a young post's recapture by design.
    per_crawl = Counter((crawl_of(row), row["url"]) for row in pages)
    twice = sorted(f"{url.rsplit('/', 1)[-1]} x{n} in {crawl}" for (crawl, url), n in per_crawl.items() if n > 1)

    posts_total = posts_once = docs_once = 0
    comments_total = comments_found = 0
    problems: list[str] = []
    revisited: list[str] = []
    for skin, path in truth_paths.items():
        truth = platform.get(path.replace(platform.base, ""))
        for post in truth["posts"][:max_posts]:
            url = post["url"]
            posts_total += 1
            n = captures.get(url, 0)
            if n == 1:
                posts_once += 1
            elif n > 1:
                revisited.append(f"{skin} {url.rsplit('/', 1)[-1]} x{n}")
            else:
                problems.append(f"{skin} post {url} never captured")
            if responses.get(url, 0) == 1:
                docs_once += 1
            else:
                problems.append(f"{skin} post {url}: {responses.get(url, 0)} response records")
            page_text = norm(" ".join(texts.get(url, [])))
            for comment in post["comments"]:
                comments_total += 1
                if norm(comment["text"]) in page_text:
                    comments_found += 1
    rows.append(("every post's document: one response record", docs_once == posts_total,
                 f"{docs_once}/{posts_total}" + (f"; {'; '.join(problems[:2])}" if problems else "")))
    young = f"; revisited by revisit_days (young): {', '.join(revisited)}" if revisited else ""
    rows.append(("every post captured (once, unless young)", posts_once + len(revisited) == posts_total,
                 f"{posts_once} once{young}"))
    rows.append(("no page captured twice within one crawl", not twice,
                 f"{len(per_crawl)} (crawl, post) captures" + (f"; {', '.join(twice[:3])}" if twice else "")))
    rows.append(("every truth comment in its post's capture", comments_found == comments_total,
                 f"{comments_found}/{comments_total}"))

    # The access copy and the ledger of every crawl that wrote a page.
    from crawler.privacy.keys import load_keys
    from crawler.privacy.ledger import LEDGER_NAME, read_entries

    access_ids = {row.get("id") for row in read_pages(archive / "access")}
    crawl_ids = sorted({crawl_of(row) for row in read_pages(archive)})
    fernet = load_keys("ministerie-demo").fernet()
    missing_rows = [row["id"] for row in read_pages(archive) if row["id"] not in access_ids]
    no_summary, bad_ledger, entries = [], [], 0
    for crawl in crawl_ids:
        if not (archive / "crawls" / crawl / "privacy.json").exists():
            no_summary.append(crawl)
        try:
            entries += len(read_entries(archive / "crawls" / crawl / LEDGER_NAME, fernet))
        except Exception as exc:  # noqa: BLE001 - reported, with the crawl
            bad_ledger.append(f"{crawl}: {str(exc)[-80:]}")
    rows.append(("access copy of every captured page", not missing_rows and not no_summary,
                 f"{len(read_pages_list(archive)) - len(missing_rows)}/{len(read_pages_list(archive))} page rows; "
                 f"crawls without privacy.json: {len(no_summary)}/{len(crawl_ids)}"))
    rows.append(("PII ledger of every crawl decrypts whole", not bad_ledger,
                 f"{len(crawl_ids) - len(bad_ledger)}/{len(crawl_ids)} crawls, {entries} entries"
                 + (f"; {bad_ledger[0]}" if bad_ledger else "")))
    return rows


def crawl_of(row: dict) -> str:
    """The crawl id of a pages.jsonl row: `<crawl>-<records>` or, by a worker, `<crawl>-<worker>.<records>`."""
    return str(row["id"]).rsplit("-", 1)[0]


def read_pages_list(archive: Path) -> list[dict]:
    return list(read_pages(archive))
