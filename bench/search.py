"""Benchmark: search index build and query time at 100,000 comments.

The comments are the demo platform's (demo_platform.content: its citizens, its reply sentences
with their personal data, its post texts and hashtags), spread over posts of 50 comments, written
to a fresh index with search.index.add_items, one transaction per 200 post pages (a WARC file).
Queries: 1-2 words drawn from the indexed texts, a prefix, and the same with filters (account,
period, has comments). Targets: median query <= 100 ms, build >= 2,000 comments/s.

With --archive DIR it also times a full `sma index` of that archive's copies (reading WARCs and
parsing each post page's DOM), which is what a capture adds.

Usage: .venv/bin/python bench/search.py [--comments 100000] [--queries 200] [--archive DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo_platform import texts  # noqa: E402
from demo_platform.content import EPOCH, ContentGenerator, new_world  # noqa: E402
from search.copies import index_path  # noqa: E402
from search.extract import HASHTAG, Item  # noqa: E402
from search.index import add_items, build_all, open_index  # noqa: E402
from search.query import Filters, Searcher  # noqa: E402

PER_POST = 50


def make_pages(count: int, seed: int = 1) -> list[list[Item]]:
    world = new_world(seed, skins=[])
    generator = ContentGenerator(seed)
    rng = random.Random(seed)
    accounts = ["ministerie-demo", "gemeente-demo", "provincie-demo"]
    pages: list[list[Item]] = []
    made = 0
    index = 0
    while made < count:
        hashtag, body = texts.POSTS[index % len(texts.POSTS)]
        when = EPOCH.replace(microsecond=0) - __import__("datetime").timedelta(days=index % 900, hours=index % 24)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        post_id = str(10**17 + index)
        text = body.format(city=rng.choice(texts.CITIES), n=rng.randint(3, 95), pct=rng.randint(4, 45),
                           amount=100, day=rng.choice(texts.WEEKDAYS), hour=10, date="1 maart", year=2030,
                           road=12) + " " + hashtag
        base = dict(post_id=post_id, page_url=f"https://demo.social/@{accounts[index % 3]}/{post_id}",
                    account=accounts[index % 3], platform="mastodon", captured=stamp,
                    warc_file=f"warcs/bench-{index // 200:05d}.warc.gz", warc_offset=index * 1000,
                    warc_digest="sha256:BENCH")
        page = [Item(kind="post", id=post_id, parent_id=None, published=stamp, author_name=None,
                     author_handle=None, text=text, hashtags=HASHTAG.findall(text),
                     counts={"comments": PER_POST, "comments_captured": PER_POST}, **base)]
        previous = None
        for n in range(min(PER_POST, count - made)):
            author = rng.choice(world.citizens)
            replying = previous.author if previous is not None and rng.random() < 0.5 else None
            ctext, _ = generator.comment_text(world, author, replying, rng)
            cid = f"{post_id}{n:03d}"
            page.append(Item(kind="comment", id=cid, parent_id=None, published=stamp, author_name=author.name,
                             author_handle="@" + author.handle, text=ctext, hashtags=HASHTAG.findall(ctext),
                             **base))
            previous = author
            previous.author = author  # type: ignore[attr-defined] - a Person stands in for its comment here
            made += 1
        pages.append(page)
        index += 1
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--archive", type=Path, help="also time a full index of this archive")
    args = parser.parse_args()

    pages = make_pages(args.comments)
    comments = sum(len(p) - 1 for p in pages)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp)
        conn = open_index(index_path(archive, "original"), create=True)
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, len(pages), 200):  # one batch and transaction per WARC file, as `sma index` does
            with conn:
                add_items(conn, (item for page in pages[start:start + 200] for item in page))
        build_s, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        conn.close()
        size = index_path(archive, "original").stat().st_size

        rng = random.Random(7)
        words = [w for p in pages[:500] for i in p for w in re.findall(r"[^\W\d_]{5,}", i.text)]
        queries: list[tuple[str, Filters]] = []
        for n in range(args.queries):
            kind = n % 4
            if kind == 0:
                queries.append((rng.choice(words), Filters()))
            elif kind == 1:
                queries.append((f"{rng.choice(words)} {rng.choice(words)}", Filters()))
            elif kind == 2:
                queries.append((rng.choice(words)[:4] + "*", Filters()))
            else:
                queries.append((rng.choice(words), Filters(account="gemeente-demo", since="2023-01-01",
                                                           until="2024-12-31", has_comments=True)))
        searcher = Searcher(archive, "archivist")
        times: list[float] = []
        cpu: list[float] = []
        totals: list[int] = []
        for text, filters in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            total, _hits = searcher.search(text, filters, limit=50)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            totals.append(total)
        searcher.close()

    times.sort()
    cpu.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    cpu_p95 = cpu[int(len(cpu) * 0.95) - 1]
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| comments indexed (+ {len(pages)} posts) | {comments:,} | 100,000 |")
    print(f"| build (wall) | {build_s:.1f} s, {comments / build_s:,.0f} comments/s | >= 2,000 comments/s |")
    print(f"| build (CPU of this process) | {build_cpu:.1f} s, {comments / build_cpu:,.0f} comments/s | |")
    print(f"| index size | {size / 1e6:.1f} MB | |")
    print(f"| queries | {len(times)} (median {statistics.median(totals):,.0f} hits) | |")
    print(f"| query median (wall) | {statistics.median(times):.1f} ms | <= 100 ms |")
    print(f"| query p95 (wall) | {p95:.1f} ms | |")
    print(f"| query max (wall) | {times[-1]:.1f} ms | |")
    print(f"| query median / p95 (CPU) | {statistics.median(cpu):.1f} / {cpu_p95:.1f} ms | |")
    print(f"| load average at the end | {' '.join(f'{v:.1f}' for v in __import__('os').getloadavg())} | |")
    if args.archive:
        with tempfile.TemporaryDirectory() as tmp:
            import shutil

            copy = Path(tmp) / "archive"
            shutil.copytree(args.archive, copy, ignore=shutil.ignore_patterns(".sma", ".pywb"))
            t0 = time.perf_counter()
            results = build_all(copy)
            seconds = time.perf_counter() - t0
            items = sum(r.items for r in results.values())
            print(f"| `sma index` of {args.archive.name} ({', '.join(results)}) | {items:,} items in {seconds:.1f} s, "
                  f"{items / seconds:,.0f} items/s (WARC read + DOM parse) | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
