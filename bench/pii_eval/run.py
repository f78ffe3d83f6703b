"""Textual PII recognition on the frozen, independently written corpus (bench/pii_eval/README.md).

    .venv/bin/python bench/pii_eval/run.py [--corpus bench/pii_eval/corpus.jsonl] [--misses N]

Each comment goes through a fresh PiiDetector (recognisers only, nothing learned from page structure).

Overlap rule. A labelled value is FOUND when the findings overlapping it, of any type, together cover
every letter and digit of it: what matters for a citizen is that none of their value reaches the
researcher, not which label the recogniser gave it (typed recall, where a covering finding must also
have the value's type, postcode and address counting as one, is printed beside it). A finding is
CORRECT when at least half of its letters and digits lie inside labelled values; a finding that
overlaps a negative or lies mostly in ordinary text is a false positive. Per-type precision is by
the finding's type. Also printed: the time per recogniser (the slowest first) and comments per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from crawler.privacy import recognizers, recognizers_presidio  # noqa: E402
from crawler.privacy.detect import PiiDetector  # noqa: E402

TYPES = ("name", "email", "phone", "address", "postcode", "iban", "bsn", "plate", "birthdate", "mention")
SAME = {"postcode": "address", "address": "address"}
ANALYZER = recognizers_presidio.TextAnalyzer()  # one Presidio engine for every comment's fresh detector
TARGET_RECALL, TARGET_PRECISION, TARGET_TYPE_RECALL = 0.97, 0.95, 0.95


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(value)
    while start >= 0:
        spans.append((start, start + len(value)))
        start = text.find(value, start + 1)
    return spans


def alnum(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if text[i].isalnum()}


def evaluate(corpus: list[dict]) -> dict:
    truth_n, found_n, typed_n = Counter(), Counter(), Counter()
    det_n, correct_n = Counter(), Counter()
    misses: list[str] = []
    started = time.perf_counter()
    for comment in corpus:
        text = comment["text"]
        findings = PiiDetector(analyzer=ANALYZER).find(text)
        labelled: set[int] = set()
        for item in comment["values"]:
            kind = item["type"]
            spans = occurrences(text, item["value"]) or [(0, 0)]
            for s, e in spans[:1] if kind else spans:
                chars = alnum(text, s, e)
                labelled |= chars
                covering = [f for f in findings if f.start < e and s < f.end]
                covered = set().union(*(alnum(text, f.start, f.end) for f in covering)) if covering else set()
                typed = set().union(*(alnum(text, f.start, f.end) for f in covering
                                      if SAME.get(f.type, f.type) == SAME.get(kind, kind))) if covering else set()
                truth_n[kind] += 1
                if chars and chars <= covered:
                    found_n[kind] += 1
                    typed_n[kind] += chars <= typed
                else:
                    misses.append(f"FN {kind:<9} {item['value']!r} in {comment['id']}: {text[:160]!r} "
                                  f"-> {[(f.type, f.value) for f in covering]}")
            for s, e in spans[1:]:
                labelled |= alnum(text, s, e)  # every occurrence of a labelled string is personal
        for f in findings:
            chars = alnum(text, f.start, f.end)
            det_n[f.type] += 1
            if chars and len(chars & labelled) * 2 >= len(chars):
                correct_n[f.type] += 1
            else:
                misses.append(f"FP {f.type:<9} {f.value!r} in {comment['id']}: {text[:160]!r}")
    elapsed = time.perf_counter() - started
    return {"truth": truth_n, "found": found_n, "typed": typed_n, "detected": det_n, "correct": correct_n,
            "misses": misses, "seconds": elapsed, "comments": len(corpus)}


def recogniser_times(corpus: list[dict], rounds: int = 1) -> list[tuple[str, float]]:
    """Seconds per recogniser over the whole corpus, without Presidio's engine around them."""
    texts = [c["text"] for c in corpus]
    timings: dict[str, float] = defaultdict(float)
    for _ in range(rounds):
        for spec in recognizers.SPECS:
            started = time.perf_counter()
            for text in texts:
                recognizers.scan(text, [spec])
            timings[f"{spec.type} (pattern)"] += time.perf_counter() - started
        for name, _types, function in recognizers_presidio.FUNCTIONS:
            started = time.perf_counter()
            for text in texts:
                function(text)
            timings[name] += time.perf_counter() - started
    return sorted(timings.items(), key=lambda kv: -kv[1])


def pct(a: int, b: int) -> str:
    return f"{a / b:7.1%}" if b else "     - "


def report(result: dict, times: list[tuple[str, float]]) -> bool:
    t, f, ty, d, c = (result[k] for k in ("truth", "found", "typed", "detected", "correct"))
    print(f"{'type':<10} {'values':>6} {'found':>6} {'recall':>8} {'typed':>8} {'findings':>8} {'correct':>8} "
          f"{'precision':>9}")
    for kind in TYPES:
        print(f"{kind:<10} {t[kind]:>6} {f[kind]:>6} {pct(f[kind], t[kind]):>8} {pct(ty[kind], t[kind]):>8} "
              f"{d[kind]:>8} {c[kind]:>8} {pct(c[kind], d[kind]):>9}")
    others = sorted(set(d) - set(TYPES))
    for kind in others:
        print(f"{kind:<10} {'':>6} {'':>6} {'':>8} {'':>8} {d[kind]:>8} {c[kind]:>8} {pct(c[kind], d[kind]):>9}")
    tt, tf, tty, td, tc = (sum(x.values()) for x in (t, f, ty, d, c))
    print(f"{'all':<10} {tt:>6} {tf:>6} {pct(tf, tt):>8} {pct(tty, tt):>8} {td:>8} {tc:>8} {pct(tc, td):>9}")
    print(f"\n{result['comments']} comments in {result['seconds']:.2f} s: "
          f"{result['comments'] / result['seconds']:.0f} comments/s (PiiDetector.find, Presidio included)")
    print("\nrecogniser                      seconds (whole corpus, without Presidio)")
    for name, seconds in times:
        print(f"{name:<31} {seconds:7.3f}")
    recall, precision = (tf / tt if tt else 0), (tc / td if td else 0)
    worst = min((f[k] / t[k], k) for k in TYPES if t[k])
    ok = recall >= TARGET_RECALL and precision >= TARGET_PRECISION and worst[0] >= TARGET_TYPE_RECALL
    print(f"\ntargets: recall >= {TARGET_RECALL:.0%} (is {recall:.1%}), precision >= {TARGET_PRECISION:.0%} "
          f"(is {precision:.1%}), no type below {TARGET_TYPE_RECALL:.0%} recall (lowest: {worst[1]} "
          f"{worst[0]:.1%}): {'met' if ok else 'NOT met'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent / "corpus.jsonl")
    parser.add_argument("--misses", type=int, default=0, help="list this many false negatives/positives")
    args = parser.parse_args(argv)
    try:
        corpus = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        print(f"pii_eval: cannot read the corpus {args.corpus}: {exc}", file=sys.stderr)
        return 2
    PiiDetector(analyzer=ANALYZER).find("opwarmen")  # builds the Presidio engine: not part of the rate
    result = evaluate(corpus)
    report(result, recogniser_times(corpus))
    if args.misses:
        print("\n" + "\n".join(result["misses"][:args.misses]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
