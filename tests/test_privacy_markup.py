"""The recognisers read an HTML document's text flow and values (crawler/privacy/markup.py), not its
markup: nothing but markup punctuation is left out, the parts agree with a real HTML parser, and
the pseudonymised copy is what scanning the whole markup gave."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from crawler.privacy import markup
from crawler.privacy.detect import PiiDetector, ThirdParty
from crawler.privacy.pseudonym import Pseudonymiser
from crawler.privacy.rewrite import pseudonymise_body

PAGE = """<!DOCTYPE html><html lang="nl"><head><title>Reacties - demo</title>
<style>.a{color:red}</style><script>window.state = {"author": "Jan de Vries", "mail": "jan@example.nl"};</script>
</head><body class="app">
<!-- reactie van Petra Bakker -->
<article data-id="113444605132811085" data-user-kees_1984="1"><a class="status__display-name" href="/@kees_1984"
 title="Kees Jansen"><img src="/media/avatars/ab12cd34ef56ab78.png" alt="Kees Jansen"></a>
<p>Bel me op 06-12345678 of mail k.jansen@example.nl. Ik woon op Kerkstraat 12, 1234 AB Utrecht.</p>
<p>Groetjes,<br>Kees</p><p>a &lt; b en 3 <b>x</b> > 2</p>
<div title='BSN 111222333' data-x=unquoted>mijn <b>IBAN</b> is NL91ABNA0417164300</div></article>
<svg viewBox="0 0 10 10"><path d="M0 0L10 10"/></svg><textarea>Henk &amp; Ria</textarea>
<p>onaf <a href="/x" title=\"open
"""

PUNCTUATION = set("<>/=\"'!?-[] \t\n\r\f")


def _detector() -> PiiDetector:
    detector = PiiDetector(own_identities=["ministerie-demo", "Ministerie van Demo"])
    detector.presidio = False
    detector.learn([ThirdParty("Kees Jansen", "kees_1984", "/@kees_1984", "/media/avatars/ab12cd34ef56ab78.png")])
    return detector


def test_every_character_but_markup_punctuation_is_read() -> None:
    split = markup.parts(PAGE)
    read = [False] * len(PAGE)
    for _at, start, length in split.runs:
        read[start:start + length] = [True] * length
    for start, end, _plain in split.values:
        read[start:end] = [True] * (end - start)
    unread = {PAGE[i] for i, r in enumerate(read) if not r}
    assert unread <= PUNCTUATION, unread
    for at, start, length in split.runs:  # the flow holds each run verbatim
        assert split.flow[at:at + length] == PAGE[start:start + length]
    # A '<' that opens no tag and a tag that never closes are text, read by the recognisers.
    assert "a &lt; b en 3 " in split.flow and "> 2" in split.flow
    assert '<a href="/x" title="open' in split.flow


class _Oracle(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values += [v for _k, v in attrs if v]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def test_the_parts_are_what_a_real_html_parser_reads() -> None:
    document = PAGE.rsplit("<p>onaf", 1)[0]  # html.parser keeps an unclosed tag back; the rest agrees
    oracle = _Oracle()
    oracle.feed(document)
    oracle.close()
    split = markup.parts(document)
    values = [html.unescape(document[s:e]) for s, e, _plain in split.values]
    assert all(v in values for v in oracle.values)
    words = re.findall(r"\S+", html.unescape(" ".join(oracle.texts)))
    ours = re.findall(r"\S+", html.unescape(split.flow + " " + " ".join(values)))
    assert [w for w in words if w not in ours] == []


def test_copy_is_what_scanning_the_whole_markup_gave() -> None:
    body = PAGE.encode()
    old_detector, new_detector = _detector(), _detector()
    old = _whole_markup(PAGE, old_detector)
    new_body, new = pseudonymise_body(body, "text/html; charset=utf-8", "http://127.0.0.1/p", new_detector,
                                      Pseudonymiser(b"k" * 32))
    assert {(f.start, f.end, f.type) for f in old} <= {(f.start, f.end, f.type) for f in new}
    text = new_body.decode()
    for value in ("Jan de Vries", "jan@example.nl", "Petra Bakker", "kees_1984", "Kees Jansen", "06-12345678",
                  "k.jansen@example.nl", "1234 AB", "111222333", "NL91ABNA0417164300", "ab12cd34ef56ab78"):
        assert value not in text, value
    assert "Groetjes," in text and '<path d="M0 0L10 10"/>' in text and "color:red" in text


def test_a_name_across_inline_tags_is_replaced_in_each_part() -> None:
    detector = _detector()
    body = b"<p>Reactie van <b>Kees</b> <i>Jansen</i>: dank!</p>"
    out, findings = pseudonymise_body(body, "text/html", "http://127.0.0.1/p", detector, Pseudonymiser(b"k" * 32))
    assert b"Kees" not in out and b"Jansen" not in out and b"<b>" in out and b"</i>: dank!</p>" in out
    assert all(f.value in ("Kees", "Jansen") for f in findings if f.type == "name")


def _whole_markup(text: str, detector: PiiDetector) -> list:
    """The findings over whole markup, as the derivative scanned HTML before markup.py."""
    skip = re.compile(r"<style\b[^>]*>.*?</style>|\s(?:class|style|id|rel|type|integrity|nonce)\s*=\s*"
                      r"(?:\"[^\"]*\"|'[^']*')", re.I | re.S)
    skipped = [m.span() for m in skip.finditer(text)]
    return [f for f in detector.find(text)
            if not (f.source == "text" and any(s <= f.start and f.end <= e for s, e in skipped))]
