"""@mentions and user names in free text: '@handle' (not e-mail addresses, CSS at-rules or JSDoc tags), a
user name as a line of its own or as a forum's comment header, and a user name the writer names as such.
Handles of government bodies and other organisations (foundations, associations, museums, hospitals,
universities, unions: lexicon.is_public_body, lexicon.is_organisation) are no third parties."""

from __future__ import annotations

import re

from crawler.privacy import lexicon
from crawler.privacy.recognizers import Match

# "@handle", not e-mail addresses (a word character before "@") nor CSS/JSDoc at-rules.
MENTION_RE = re.compile(r"(?<![\w@.%\\&#;])@(?P<h>[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)"
                        r"(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?(?![\w-])")
AT_RULES = frozenset("""
media import font-face keyframes supports charset page namespace layer container property counter-style
license preserve type param returns return typedef private public protected see example deprecated since
author version throws override const enum interface todo fileoverview class module global define
""".split())


# A user name as a line of its own (a page's comment header on Instagram, TikTok, forums: 'sanne.bakker_',
# 'jeroen1984'): a login-name shape with '_', '.', or digits after letters; never a domain or version.
_HANDLE_LINE = re.compile(r"^[ \t\xa0]*(?P<h>[A-Za-z][A-Za-z0-9_.]{2,29}[A-Za-z0-9_])[ \t\xa0]*$", re.MULTILINE)
_DOMAIN_END = re.compile(r"\.(?:nl|com|org|net|eu|be|de|io|gov|info|social|online|app|html?|php|js|css|png|jpe?g)$",
                         re.IGNORECASE)


def _handle_line(h: str) -> bool:
    return (sum(c.isalpha() for c in h) >= 3 and (("_" in h) or re.search(r"[a-z]\.[a-z]", h, re.I) is not None
                                                 or re.search(r"[A-Za-z]{2}\d", h) is not None)
            and _DOMAIN_END.search(h) is None and ".." not in h)


# A forum's comment header: the user name, then ' · ' and the member's facts ('TanjaK · Lid sinds: 2023').
_HANDLE_HEADER = re.compile(r"^[ \t\xa0]*(?P<h>[A-Za-z][A-Za-z0-9_.]{1,28}[A-Za-z0-9_])[ \t\xa0]+[·•|][ \t\xa0]",
                            re.MULTILINE)
# A user name the writer names as such: 'mijn gebruikersnaam is w.dejong58', 'username: anna_b'.
_HANDLE_NAMED = re.compile(r"\b(?:gebruikersnaam|username|user name|inlognaam|accountnaam|nickname|schermnaam|"
                           r"login)(?:[ \t\xa0]+(?:is|was|=))?[ \t\xa0]*:?[ \t\xa0]+[\"'“‘]?"
                           r"(?P<h>[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9])", re.IGNORECASE)


def _header_handle(h: str) -> bool:
    return _handle_line(h) or (re.search(r"[a-z][A-Z]", h) is not None and _DOMAIN_END.search(h) is None)


def _organisation(handle: str) -> bool:
    """A government body's or another organisation's handle (a foundation, museum, union): no third party."""
    return lexicon.is_public_body(handle) or lexicon.is_organisation(handle)


def mentions(text: str) -> list[Match]:
    found = [Match("mention", m.start(), m.end(), 0.8) for m in MENTION_RE.finditer(text)
             if m.group("h").lower() not in AT_RULES and len(m.group("h")) >= 3
             and not _organisation(m.group("h"))]
    if "\n" in text:
        found += [Match("mention", m.start("h"), m.end("h"), 0.6) for m in _HANDLE_LINE.finditer(text)
                  if _handle_line(m.group("h")) and not _organisation(m.group("h"))]
        found += [Match("mention", m.start("h"), m.end("h"), 0.6) for m in _HANDLE_HEADER.finditer(text)
                  if _header_handle(m.group("h")) and not _organisation(m.group("h"))]
    found += [Match("mention", m.start("h"), m.end("h"), 0.7) for m in _HANDLE_NAMED.finditer(text)
              if m.group("h").lower() not in _NOT_HANDLES and not _organisation(m.group("h"))]
    return found


_NOT_HANDLES = frozenset(("is", "was", "niet", "not", "en", "of", "and", "kwijt", "vergeten", "onbekend", "fout",
                          "wrong", "incorrect", "ongeldig", "invalid", "mijn", "my", "the", "de", "het"))
