"""What of an HTML or XML document the recognisers read, as the browser's tokeniser splits it.

The textual recognisers cost per character; over whole markup most of that goes to tag names,
class lists and SVG paths (a rendered Mastodon page: 22% of its characters are text). `parts`
splits a document the way the HTML tokeniser does (WHATWG HTML 13.2.5: start and end tags with
their attributes, comments, declarations and processing instructions, CDATA sections, and the
raw-text elements whose content runs to their end tag) into

* the text flow: every text node in document order, joined as a reader sees them (a space across
  an inline element's tag, a line break across any other), one text: a context word before a
  value in another element still counts, a greeting on the line above a name marks it;
* values: every tag name, attribute name, attribute value, comment, declaration, CDATA section
  and raw-text element's content (script, style, title, ...), each on its own. They recur in every
  page of a crawl (class lists, links, the platform's inline scripts) and are scanned once.

Nothing else is left out but the markup's own punctuation (`<`, `>`, `/`, `=`, quotes, whitespace
inside a tag): fail closed, a character the tokeniser does not place in a tag is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WS = "\t\n\f\r "
# One token of markup; whatever lies between two tokens is text. Possessive quantifiers: a tag that
# never closes fails at once (no backtracking) and its characters are read as text.
_TOKEN = re.compile(
    r"<!--(?P<comment>.*?)(?:-->|\Z)"
    r"|<!\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)"
    r"|<[!?](?P<bogus>[^>]*+)(?:>|\Z)"
    rf"|<(?P<end>/)?(?P<name>[A-Za-z][^{_WS}/>]*+)"
    rf"(?P<attrs>(?:[{_WS}/]*+[^{_WS}/>][^{_WS}/>=]*+"
    rf"(?:[{_WS}]*+=[{_WS}]*+(?:\"[^\"]*+\"|'[^']*+'|[^{_WS}>]*+))?)*+)[{_WS}/]*+>",
    re.S)
_ATTRIBUTE = re.compile(
    rf"(?P<name>[^{_WS}/>][^{_WS}/>=]*+)(?:[{_WS}]*+=[{_WS}]*+"
    rf"(?:\"(?P<dq>[^\"]*+)\"|'(?P<sq>[^']*+)'|(?P<bare>[^{_WS}>]*+)))?")
# Elements whose content is not markup (raw text and escapable raw text): it runs to the end tag.
RAW_TEXT = frozenset(("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"))
# Elements that only style words within a line: their tags part words with a space, any other tag (links,
# spans, which platforms lay out as blocks as often as not) with a line break.
INLINE = frozenset(("abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark",
                    "q", "s", "samp", "small", "strong", "sub", "sup", "tt", "u", "var", "wbr"))
# Values that never hold what a person wrote but look like it (class lists, inline CSS, ids):
# only learned people are found there (as over whole markup before: quoted values, <style>).
PLAIN_ATTRIBUTES = frozenset(("class", "style", "id", "rel", "type", "integrity", "nonce"))


@dataclass
class Parts:
    """A document's text flow (with where each of its runs is in the document) and its values."""

    flow: str = ""
    runs: list[tuple[int, int, int]] = field(default_factory=list)  # (offset in flow, offset in document, length)
    values: list[tuple[int, int, bool]] = field(default_factory=list)  # (start, end, plain) in the document


class _Builder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.chunks: list[str] = []
        self.size = 0
        self.gap = ""

    def text(self, document: str, start: int, end: int) -> None:
        if end <= start:
            return
        if self.size and self.gap:
            self.chunks.append(self.gap)
            self.size += len(self.gap)
        self.gap = ""
        self.parts.runs.append((self.size, start, end - start))
        self.chunks.append(document[start:end])
        self.size += end - start

    def tag(self, name: str) -> None:
        if name.lower() not in INLINE:
            self.gap = "\n"
        elif not self.gap:
            self.gap = " "

    def value(self, start: int, end: int, plain: bool = False) -> None:
        if end > start:
            self.parts.values.append((start, end, plain))


def parts(document: str) -> Parts:
    """The document's text flow and values (module docstring); every character of the document is
    in one of them but markup punctuation."""
    out = _Builder()
    pos, length = 0, len(document)
    while pos < length:
        lt = document.find("<", pos)
        if lt < 0:
            break
        m = _TOKEN.match(document, lt)
        if m is None:  # '<' that opens nothing ('a < b', a tag that never closes): text
            out.text(document, pos, lt + 1)
            pos = lt + 1
            continue
        out.text(document, pos, lt)
        pos = m.end()
        for group in ("comment", "cdata", "bogus"):
            if m.group(group) is not None:
                out.value(*m.span(group))
                out.tag("span" if group == "comment" else group)  # a comment shows nothing: words go on
                break
        else:
            name = m.group("name")
            out.value(*m.span("name"))
            out.tag(name)
            _attributes(m, out)
            lower = name.lower()
            if not m.group("end") and lower in RAW_TEXT:
                close = re.compile(rf"</{lower}(?=[{_WS}/>])", re.I).search(document, pos)
                stop = close.start() if close else length
                out.value(pos, stop, plain=lower == "style")
                pos = stop
    out.text(document, pos, length)
    out.parts.flow = "".join(out.chunks)
    return out.parts


def _attributes(tag: re.Match[str], out: _Builder) -> None:
    start, end = tag.span("attrs")
    for a in _ATTRIBUTE.finditer(tag.string, start, end):
        out.value(*a.span("name"))
        for group in ("dq", "sq", "bare"):
            if a.group(group) is not None:
                quoted = group != "bare"
                out.value(*a.span(group), plain=quoted and a.group("name").lower() in PLAIN_ATTRIBUTES)
                break
