"""The forms a known value takes in captured bytes, as one regex per value.

A commenter's name or handle appears as typed in page text, but also HTML-escaped in attributes
(`&#39;`, `&amp;`, numeric entities), JSON-escaped in API responses and inline state (`\\u00e9`,
`\\/`), URL-encoded in links (`%20`, `+`, `%C3%A9`) and lower-cased in URLs and slugs. Matching
the value through a regex that accepts each character in any of those spellings finds them all
in one pass, and the span it reports is exactly the bytes to replace.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

# Whitespace between words in every spelling: space, NBSP, entity, JSON escape, URL encoding, "+".
SPACE = r"(?:\s|\xa0|&nbsp;|&#160;|&#xa0;|&#32;|\\u00a0|\\u0020|%20|%C2%A0|\+|_|-)+"
_WORD_CHAR = r"[\w]"


def char_forms(ch: str) -> str:
    """A regex alternation of the spellings of one character (case-insensitive for letters)."""
    forms = {re.escape(ch)}
    code = ord(ch)
    if not ch.isascii() or not ch.isalnum():
        forms |= {re.escape(f"&#{code};"), re.escape(f"&#x{code:x};"), re.escape(f"&#x{code:X};"),
                  re.escape(f"\\u{code:04x}"), re.escape(f"\\u{code:04X}"), re.escape(quote(ch, safe="")),
                  re.escape(quote(ch, safe="").lower())}
        named = html.escape(ch, quote=True)
        if named != ch:
            forms.add(re.escape(named))
        if ch == "/":
            forms.add(re.escape("\\/"))
    if len(forms) == 1:
        return re.escape(ch)
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def value_regex(value: str) -> str:
    """Regex source matching `value` in any of the spellings above; words may be separated by any
    spacing form, so 'Pieter Jansen' also matches 'pieter+jansen', 'Pieter&nbsp;Jansen'."""
    words = [w for w in re.split(r"\s+", value.strip()) if w]
    return SPACE.join("".join(char_forms(c) for c in word) for word in words)


def bounded(source: str) -> str:
    """Not inside a longer identifier: no word character around it, but an escape sequence right
    before it (`%40handle`, `\\u0040handle`, `&#64;handle`) does not count as one."""
    left = r"(?:(?<![\w])|(?<=%[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4})|(?<=&#\d{2};)|(?<=&#x\w{2};))"
    return f"{left}(?:{source})(?![A-Za-z0-9_])"


def compile_values(values: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation of many values, longest first (so 'Jan van den Berg' wins
    over 'Jan')."""
    unique = sorted({v for v in values if v and v.strip()}, key=len, reverse=True)
    if not unique:
        return None
    # A lookahead on the possible first characters lets the engine skip almost every position
    # without trying each value's alternation (first three characters of each value).
    heads = {re.escape(m.group(0).lower()) for v in unique if (m := re.match(r"[A-Za-z0-9]{1,3}", v.strip()))}
    heads |= {char_forms(v.strip()[0]) for v in unique if not v.strip()[0].isascii() or not v.strip()[0].isalnum()}
    lead = "(?=" + "|".join(sorted(heads | {"%", "&", r"\\"})) + ")"
    return re.compile(lead + "(?:" + "|".join(bounded(value_regex(v)) for v in unique) + ")", re.IGNORECASE)
