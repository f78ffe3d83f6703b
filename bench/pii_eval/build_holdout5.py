"""Builds held-out set v5 (`holdout5.jsonl`) from its hand-written source, and checks it.

    python bench/pii_eval/build_holdout5.py [SOURCE]   # build holdout5_source.txt -> holdout5.jsonl + .sha256
    python bench/pii_eval/build_holdout5.py --check    # validate the frozen file only (exit 1 on any error)

Adapted by h4 from build_holdout4.py (the only builder read; standard library only; see holdout5.md). Source markup:
`=== platform | style` starts a comment (ids `w001`... are given in order), `%%` lines are notes and are
dropped, `[[type:value]]` marks a third party's personal value, `{{text}}` a hard negative. The comment's text
is the lines up to the next header, without trailing blank lines.

Each value carries its exact character span (`start`, `end`: `text[start:end] == value`). The check: schema
keys, id form, known platforms and types, spans exact, BSNs pass the 11-proof, IBANs mod-97, each value's
shape fits its type (plate sidecodes, postcode, phone digits, ...), every whole-word occurrence of a labelled
value is labelled, no occurrence of a negative overlaps a labelled span, nine-digit negatives fail the 11-proof,
and (with --check) the SHA-256 equals holdout5.sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT, DIGEST, SOURCE = HERE / "holdout5.jsonl", HERE / "holdout5.sha256", HERE / "holdout5_source.txt"
KEYS = {"id", "style", "platform", "text", "values", "negatives"}
PLATFORMS = {"x", "facebook", "instagram", "linkedin", "youtube", "mastodon", "tiktok"}
TYPES = {"name", "address", "postcode", "phone", "email", "birthdate", "plate", "bsn", "iban", "mention"}
STYLES = {"informal", "typo", "no-caps", "all-caps", "emoji", "rant", "quote", "signature", "formal",
          "english", "mixed", "question", "flemish", "frisian", "papiamento", "limburgish", "turkish-dutch",
          "polish-dutch"}
MARK = re.compile(r"\[\[(\w+):(.+?)\]\]|\{\{(.+?)\}\}")
L, D = "[A-Za-z]", r"\d"
SIDECODES = [  # Dutch licence plates, sidecodes 1-14 (letters and digits groups)
    (L * 2, D * 2, D * 2), (D * 2, D * 2, L * 2), (D * 2, L * 2, D * 2), (L * 2, D * 2, L * 2),
    (L * 2, L * 2, D * 2), (D * 2, L * 2, L * 2), (D * 2, L * 3, D), (D, L * 3, D * 2), (L * 2, D * 3, L),
    (L, D * 3, L * 2), (L * 3, D * 2, L), (L, D * 2, L * 3), (D, L * 2, D * 3), (D * 3, L * 2, D)]
SHAPES = {
    "postcode": re.compile(r"[1-9]\d{3} ?[A-Za-z]{2}"),
    "mention": re.compile(r"@[\w.]+(@[\w.-]+\.\w+)?"),
    "email": re.compile(r".+(@|\bat\b|\(a\)|apenstaartje).+", re.I),
    "address": re.compile(r".*\D\s?\d+.*"),
    "birthdate": re.compile(r".*(\d|januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
                            r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|okt|oct|nov|dec).*", re.I),
    "name": re.compile(r"[^\d@]+"),
}


def bsn_valid(value: str) -> bool:
    digits = [int(c) for c in re.sub(r"[ .]", "", value) if c.isdigit()]
    if len(digits) != 9 or not re.fullmatch(r"[\d .]+", value):
        return False
    return (sum(d * (9 - i) for i, d in enumerate(digits[:8])) - digits[8]) % 11 == 0


def iban_valid(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def plate_valid(value: str) -> bool:
    groups = re.split(r"[- ]", value)
    if len(groups) == 1:
        return any(re.fullmatch("".join(code), value) for code in SIDECODES)
    if len(groups) != 3:
        return False
    return any(all(re.fullmatch(p, g) for p, g in zip(code, groups, strict=True)) for code in SIDECODES)


def shape_ok(kind: str, value: str) -> bool:
    if kind == "bsn":
        return bsn_valid(value)
    if kind == "iban":
        return iban_valid(value)
    if kind == "plate":
        return plate_valid(value)
    if kind == "phone":
        return 9 <= len(re.sub(r"\D", "", value)) <= 15 and bool(re.fullmatch(r"[\d +().\-/]+", value))
    return bool(SHAPES[kind].fullmatch(value))


def parse(source: str) -> list[dict]:
    """The comments of the markup source, with values' spans taken from where they were marked."""
    lines = [line for line in source.splitlines() if not line.startswith("%%")]
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("=== "):
            blocks.append((line[4:], []))
        elif blocks:
            blocks[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"text before the first header: {line!r}")
    comments = []
    for number, (header, body) in enumerate(blocks, 1):
        platform, style = (part.strip() for part in header.split("|"))
        raw = "\n".join(body).strip("\n").rstrip()
        text, values, negatives, pos = "", [], [], 0
        for m in MARK.finditer(raw):
            text += raw[pos:m.start()]
            if m.group(1):
                values.append({"type": m.group(1), "value": m.group(2), "start": len(text),
                               "end": len(text) + len(m.group(2))})
                text += m.group(2)
            else:
                if m.group(3) not in negatives:
                    negatives.append(m.group(3))
                text += m.group(3)
            pos = m.end()
        text += raw[pos:]
        comments.append({"id": f"w{number:03d}", "style": style, "platform": platform, "text": text,
                         "values": values, "negatives": negatives})
    return comments


def problems(c: dict) -> list[str]:
    cid, out = c.get("id", "?"), []
    if set(c) != KEYS:
        return [f"{cid}: keys {sorted(c)}"]
    text = c["text"]
    if not re.fullmatch(r"w\d{3}", cid):
        out.append(f"{cid}: id form")
    if c["platform"] not in PLATFORMS or c["style"] not in STYLES:
        out.append(f"{cid}: platform/style {c['platform']!r} {c['style']!r}")
    if "[[" in text or "]]" in text or "{{" in text or "}}" in text:
        out.append(f"{cid}: markup left in the text")
    if not c["values"] and not c["negatives"]:
        out.append(f"{cid}: neither a value nor a hard negative")
    covered: set[int] = set()
    spans = {(v["start"], v["end"]) for v in c["values"]}
    for v in c["values"]:
        kind, value, s, e = v["type"], v["value"], v["start"], v["end"]
        if kind not in TYPES or text[s:e] != value or value != value.strip():
            out.append(f"{cid}: bad value {v}")
        elif not shape_ok(kind, value):
            out.append(f"{cid}: {kind} {value!r} does not have the shape of its type / fails its check digits")
        covered |= set(range(s, e))
        for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text):
            inside_negative = any(text.find(n) <= m.start() < text.find(n) + len(n) for n in c["negatives"])
            if (m.start(), m.end()) not in spans and not inside_negative:
                if not any(vs <= m.start() and m.end() <= ve for vs, ve in spans):
                    out.append(f"{cid}: {value!r} also at {m.start()} unlabelled")
    for n in c["negatives"]:
        found = [(m.start(), m.end()) for m in re.finditer(re.escape(n), text)]
        if not found:
            out.append(f"{cid}: negative {n!r} not in text")
        elif any(set(range(s, e)) & covered for s, e in found):
            out.append(f"{cid}: negative {n!r} overlaps a labelled value")
        if re.fullmatch(r"\d{9}|\d{3}[ .]\d{3}[ .]\d{3}|\d{4}\.\d{2}\.\d{3}", n) and bsn_valid(n):
            out.append(f"{cid}: negative {n!r} passes the 11-proof")
        if any(n == v["value"] for v in c["values"]):
            out.append(f"{cid}: {n!r} both value and negative")
    return out


def notes(c: dict) -> list[str]:
    """Words of a labelled name that also occur outside every labelled span (to read back, not errors)."""
    text, out = c["text"], []
    covered = {i for v in c["values"] for i in range(v["start"], v["end"])}
    for v in c["values"]:
        if v["type"] != "name":
            continue
        for word in re.findall(r"\w{3,}", v["value"]):
            for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I):
                if m.start() not in covered and word.lower() not in {"van", "der", "den", "ten", "ter"}:
                    out.append(f"{c['id']}: {word!r} of {v['value']!r} also at {m.start()}")
    return out


def report(comments: list[dict]) -> None:
    types = Counter(v["type"] for c in comments for v in c["values"])
    with_pii = sum(bool(c["values"]) for c in comments)
    print(f"comments {len(comments)}, values {sum(types.values())}, "
          f"negatives {sum(len(c['negatives']) for c in comments)}, with personal data {with_pii} "
          f"({with_pii / len(comments):.0%}), without {len(comments) - with_pii}, "
          f"800+ chars {sum(len(c['text']) >= 800 for c in comments)}")
    print("types: " + ", ".join(f"{k} {n}" for k, n in sorted(types.items(), key=lambda kv: -kv[1])))
    for title, key in (("styles", "style"), ("platforms", "platform")):
        print(f"{title}: " + ", ".join(f"{k} {n}" for k, n in Counter(c[key] for c in comments).most_common()))
    per = Counter(len(c["values"]) for c in comments)
    print("values per comment: " + ", ".join(f"{k}: {per[k]}" for k in sorted(per)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=SOURCE)
    parser.add_argument("--check", action="store_true", help="validate the frozen holdout5.jsonl")
    args = parser.parse_args(argv)
    if args.check:
        data = OUTPUT.read_text(encoding="utf-8")
        if hashlib.sha256(data.encode()).hexdigest() != DIGEST.read_text().split()[0]:
            print(f"{OUTPUT.name} differs from {DIGEST.name}: the set is frozen", file=sys.stderr)
            return 1
        comments = [json.loads(line) for line in data.splitlines()]
    else:
        comments = parse(args.source.read_text(encoding="utf-8"))
        data = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in comments)
    errors = [e for c in comments for e in problems(c)]
    if len({c["id"] for c in comments}) != len(comments):
        errors.append("duplicate ids")
    report(comments)
    for note in (n for c in comments for n in notes(c)):
        print("note:", note, file=sys.stderr)
    for error in errors:
        print("error:", error, file=sys.stderr)
    if errors:
        return 1
    if not args.check:
        OUTPUT.write_text(data, encoding="utf-8")
        digest = hashlib.sha256(data.encode()).hexdigest()
        DIGEST.write_text(f"{digest}  {OUTPUT.name}\n")
        print(f"sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
