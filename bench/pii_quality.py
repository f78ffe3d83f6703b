"""PII detection quality against the demo platform's ground truth, per PII type.

    .venv/bin/python bench/pii_quality.py [--skins mastodon,x] [--max-posts N] [--no-structural]

(a) textual: every comment text of every skin through a fresh PiiDetector (recognisers only, no
    learned commenters): a finding is a true positive when its type and value match a truth value of
    that comment; precision counts every finding on comment and post texts (posts hold no citizen PII).
(b) structural: each skin's post pages rendered in Chromium with the profile's post-page actions,
    the profile's `third_parties:` selectors read from the DOM and learned; recall of the commenters'
    names and handles the page displays (names a platform never shows are counted apart).
Starts the demo platform in-process on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.privacy.detect import PiiDetector, ThirdParty, completed, handle_key, normalise_form  # noqa: E402
from crawler.privacy.pseudonym import normalise  # noqa: E402
from crawler.privacy.recognizers_presidio import TextAnalyzer  # noqa: E402

ANALYZER = TextAnalyzer()  # one Presidio engine for every skin's detector

CHROMIUM = os.environ.get("SMA_CHROMIUM", "/usr/bin/chromium")
TYPES = ("name", "email", "phone", "postcode", "iban", "bsn", "plate", "birthdate", "mention")
# The capture's reader, plus `name_attr`/`handle_attr` (read an attribute instead of the text).
READ_THIRD_PARTIES = """
(spec) => {
  const all = (root, sel) => { if (!sel) return []; try { return Array.from(root.querySelectorAll(sel)); }
                               catch (e) { return []; } };
  const read = (el, attr) => !el ? null : ((attr ? el.getAttribute(attr) : (el.innerText || el.textContent)) || '')
                                          .trim() || null;
  return all(document, spec.item).map(item => {
    const link = all(item, spec.profile_link)[0], avatar = all(item, spec.avatar)[0];
    return {name: read(all(item, spec.name)[0], spec.name_attr),
            handle: read(all(item, spec.handle)[0], spec.handle_attr),
            profile_url: link ? (link.href || null) : null,
            avatar_url: avatar ? (avatar.currentSrc || avatar.src || null) : null};
  });
}
"""


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def start_platform() -> tuple[object, str]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def skin_truths(base: str, skins: list[str] | None) -> dict[str, dict]:
    index = get_json(base + "/_truth/index.json")
    return {s["skin"]: get_json(base + s["accounts"][0]["truth"]) for s in index["skins"]
            if not skins or s["skin"] in skins}


def same(kind: str, found: str, truth: str) -> bool:
    return found.strip() == truth.strip() or normalise(kind, found) == normalise(kind, truth)


def textual(truths: dict[str, dict]) -> tuple[Counter, Counter, Counter, Counter, list[str]]:
    truth_n, recalled, found_n, correct = Counter(), Counter(), Counter(), Counter()
    misses: list[str] = []
    for truth in truths.values():
        account = truth["account"]
        detector = PiiDetector(own_identities=[account["name"], account["handle"]], analyzer=ANALYZER)
        for post in truth["posts"]:
            for f in detector.find(post["text"]):
                found_n[f.type] += 1
                misses.append(f"FP {f.type} {f.value!r} in post text")
            for comment in post["comments"]:
                findings = detector.find(comment["text"])
                for item in comment["pii"]:
                    truth_n[item["type"]] += 1
                    if any(f.type == item["type"] and same(f.type, f.value, item["value"]) for f in findings):
                        recalled[item["type"]] += 1
                    else:
                        misses.append(f"FN {item['type']} {item['value']!r} in {comment['text']!r}")
                for f in findings:
                    found_n[f.type] += 1
                    if any(f.type == i["type"] and same(f.type, f.value, i["value"]) for i in comment["pii"]):
                        correct[f.type] += 1
                    else:
                        misses.append(f"FP {f.type} {f.value!r} in {comment['text']!r}")
    return truth_n, recalled, found_n, correct, misses


async def structural(base: str, truths: dict[str, dict], max_posts: int | None) -> dict[str, Counter]:
    from playwright.async_api import async_playwright

    from crawler.capture.behaviours import PageDriver
    from crawler.capture.network import NetworkRecorder
    from crawler.profiles import all_profiles

    profiles = all_profiles()
    results: dict[str, Counter] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for skin, truth in truths.items():
            profile, counts = profiles[skin], Counter()
            context = await browser.new_context(viewport={"width": 1280, "height": 1000}, locale="nl-NL")
            posts = [p for p in truth["posts"] if p["comments"]][:max_posts]
            for post in posts:
                page = await context.new_page()
                recorder = NetworkRecorder(page)
                await recorder.start()
                await page.goto(post["url"])
                spec = profile.page("post")
                driver = PageDriver(page, recorder, profile, spec)
                await recorder.wait_idle(300, 8000)
                await driver.close_dialogs()
                if spec.ready:
                    await page.locator(spec.ready).first.wait_for(state="attached", timeout=15_000)
                await driver.run()
                people = await page.evaluate(READ_THIRD_PARTIES, profile.third_parties)
                shown = (await page.content()).lower()
                await page.close()
                detector = PiiDetector(own_identities=[truth["account"]["name"], truth["account"]["handle"]],
                                       analyzer=ANALYZER)
                detector.learn(ThirdParty(**p) for p in people)
                learned = [completed(p) for p in detector.people()]
                names = {normalise_form(p.name) for p in learned if p.name}
                handles = {handle_key(p.handle) for p in learned if p.handle}
                for author in {(c["author"]["name"], c["author"]["handle"]) for c in post["comments"]}:
                    name, handle = author
                    for kind, value, known in (("name", name, names), ("handle", handle, handles)):
                        key = normalise_form(value) if kind == "name" else handle_key(value)
                        if value.lower() not in shown:
                            counts[f"{kind}:not shown"] += 1
                            continue
                        counts[f"{kind}:truth"] += 1
                        counts[f"{kind}:found"] += key in known
            await context.close()
            results[skin] = counts
        await browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skins", help="comma-separated skins (default: all)")
    parser.add_argument("--max-posts", type=int, default=None, help="post pages per skin for (b)")
    parser.add_argument("--no-structural", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list false negatives/positives")
    args = parser.parse_args(argv)
    server, base = start_platform()
    truths = skin_truths(base, args.skins.split(",") if args.skins else None)
    started = time.monotonic()
    truth_n, recalled, found_n, correct, misses = textual(truths)
    print(f"(a) textual, {len(truths)} skins, {time.monotonic() - started:.1f} s")
    print(f"{'type':<10} {'truth':>6} {'found':>6} {'recall':>8} {'precision':>10}")
    for kind in TYPES:
        recall = recalled[kind] / truth_n[kind] if truth_n[kind] else float("nan")
        precision = correct[kind] / found_n[kind] if found_n[kind] else float("nan")
        print(f"{kind:<10} {truth_n[kind]:>6} {found_n[kind]:>6} {recall:>8.1%} {precision:>10.1%}")
    total_t, total_r, total_f, total_c = (sum(c.values()) for c in (truth_n, recalled, found_n, correct))
    print(f"{'all':<10} {total_t:>6} {total_f:>6} {total_r / total_t:>8.1%} {total_c / max(total_f, 1):>10.1%}")
    if args.misses:
        print("\n".join(misses[:300]))
    if not args.no_structural:
        started = time.monotonic()
        results = asyncio.run(structural(base, truths, args.max_posts))
        print(f"\n(b) structural (commenters shown on rendered post pages), {time.monotonic() - started:.1f} s")
        print(f"{'skin':<10} {'type':<7} {'truth':>6} {'found':>6} {'recall':>8} {'not shown':>10}")
        for skin, c in results.items():
            for kind in ("name", "handle"):
                t, f = c[f"{kind}:truth"], c[f"{kind}:found"]
                print(f"{skin:<10} {kind:<7} {t:>6} {f:>6} {(f / t if t else float('nan')):>8.1%} "
                      f"{c[f'{kind}:not shown']:>10}")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
