"""A redesign per seed: `sma platform serve --mutate random --seed N` rewrites every skin's markup.

What a platform's front-end team does on a Tuesday, applied at the response level so the world
(and `/_truth`) never changes: class names, ids, data-* attributes and test ids renamed (the same
way in HTML, CSS and the skin's JS, so the pages keep working), labels swapped for Dutch or English
synonyms, extra wrappers and sibling reordering in server-rendered markup, buttons turned into
links or `div[role=button]`, scripts loaded late and API answers delayed, long comment lists
virtualised (far-away comments are detached from the DOM while scrolling), threads paged
(mutation_pages.py). Every choice is a
function of (seed, thing), so the same seed gives byte-identical pages and another seed another
design. JSON bodies are never touched: the API is what the page's own scripts read.

Renaming works on three kinds of text:
- HTML: inside tags only (text nodes carry content and are left alone, except UI labels).
- CSS: in selectors, never in declarations.
- JS: inside string literals only (a small lexer skips comments and regex literals), where HTML
  fragments, selectors, `getAttribute('data-…')` names and class-name literals live.
Names that appear only as whole JS literals (`classList.add('x')`) are renamed when the skins'
templates or style sheets know them as a class or id (`Vocabulary`).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from demo_platform import mutation_markup as markup

HERE = Path(__file__).resolve().parent
IDENT = r"-?[A-Za-z_][\w-]*"
CUSTOM_TAG = re.compile(r"</?((?:ytd|yt|tp-yt)-[a-z0-9-]+)")
CLASS_ATTR = re.compile(r"""\bclass="([^"{}']*)""")
ID_ATTR = re.compile(r"""\bid="([^"{}']*)""")
TESTID_ATTR = re.compile(r"""\bdata-(?:testid|e2e)="([^"{}']*)""")
CSS_SELECTOR = re.compile(r"([^{}]+)\{")

# UI labels and what other designs call them (Dutch and English, as the platforms' own A/B tests
# do). Applied to JS string literals, HTML text nodes and aria-label/title/placeholder values.
LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Show more replies", ("Meer reacties", "Load more comments", "Toon meer", "View more replies",
                           "Meer antwoorden laden")),
    ("Meer reacties weergeven", ("Meer reacties", "Load more comments", "Toon meer reacties",
                                 "View more comments")),
    ("Meer reacties laden", ("Load more comments", "Meer opmerkingen laden", "Toon meer")),
    ("Eerdere antwoorden weergeven", ("Load previous replies", "Toon eerdere antwoorden",
                                      "Eerdere reacties laden")),
    ("Meer antwoorden weergeven", ("Meer antwoorden", "Show more replies", "Toon meer")),
    ("Toon meer antwoorden", ("Meer antwoorden", "Show more replies", "Nog meer reacties")),
    ("Toon antwoorden", ("Antwoorden bekijken", "View replies", "Show replies")),
    (" antwoorden weergeven", (" antwoorden tonen", " replies", " reacties bekijken")),
    ("1 antwoord weergeven", ("1 antwoord tonen", "1 reply", "1 reactie bekijken")),
    ("Meer weergeven", ("Lees meer", "See more", "Toon meer")),
    ("…meer", ("… meer", "Lees meer", "See more")),
    ("meer weergeven", ("lees meer", "see more")),
    ("Alle reacties", ("All comments", "Alle opmerkingen", "Alles")),
    ("Meest relevant", ("Most relevant", "Relevantste eerst", "Top comments")),
    ("Beantwoorden", ("Reageren", "Reply", "Antwoorden")),
    ("Volgen", ("Follow", "Abonneren")),
    ("Laden…", ("Loading…", "Even geduld…", "Bezig met laden")),
    ("Opnieuw proberen", ("Retry", "Probeer opnieuw")),
    ("Einde van de tijdlijn", ("You are all caught up", "Geen oudere berichten")),
    (" reacties</", (" comments</", " opmerkingen</")),
    (" antwoorden", (" replies", " reacties")),
    ("1 antwoord", ("1 reply", "1 reactie")),
    ("Nog ", ("Toon nog ", "View ")),
)
# One pass over all labels, longest first, whole words only: a replacement is never replaced again.
LABEL_RE = re.compile("|".join(
    (r"(?<!\w)" if o[0].isalnum() else "") + re.escape(o) + (r"(?!\w)" if o[-1].isalnum() else "")
    for o, _ in sorted(LABELS, key=lambda item: -len(item[0]))))
LABEL_CHOICES = dict(LABELS)

# The comment list of each skin (original names; the runtime's selectors are renamed with the
# page): container, and which of its children are comments. Only those are virtualised.
VIRTUAL_LISTS: dict[str, tuple[str, str]] = {
    "mastodon": (".replies--root", ".thread-node"),
    "instagram": ("ul.comments-list", "li.comment"),
    "linkedin": (".comments-comments-list__comments", "article.comments-comment-item"),
    "facebook": (".comment-list", ".comment-node"),
    "x": (".replies--root", ".reply-node"),
    "youtube": ("ytd-comments #contents", "ytd-comment-thread-renderer"),
    "tiktok": ('[data-e2e="comment-list"]', ".DivCommentObjectWrapper"),
    "forum": (".post-stream", ".topic-post"),
}

# Whole JS literals that are tag names stay (closest('main')), even where a class is so named.
HTML_TAGS = frozenset("""a abbr article aside b body button code details dialog div dl em footer form h1
h2 h3 h4 header html i img input label li main nav ol p section select span strong summary table
td template time tr ul video""".split())

# Skins whose pages need no script (forum, timeline): wrappers and reordering anywhere.
SERVER_RENDERED: frozenset[str] = frozenset({"timeline"})

# Code before a JS literal that makes a whole literal a class name or id: classList.add('x'),
# getElementById('x'), and the two arms of `cond ? 'a' : 'b'` inside a class attribute.
# Also a template helper's class argument: textHtml(c.body.text, 'comment-body').
NAME_ARGUMENT = re.compile(r"(classList\.\w+\(|getElementById\(|[?:]|Html\([^'()]*(\([^()]*\))?[^'()]*,)\s*$")
# A literal that goes on with a class attribute opened before it: '<div class="' + cls + ' is-x"'.
CLASS_CONTINUES = re.compile(r"""class="'\s*\+[^']*\+\s*$""")

OPERATIONS = ("rename", "labels", "wrap", "reorder", "buttons", "async", "delay", "virtualise", "paginate")
# "paginate" (the seven older skins' threads split over pages behind a paging control,
# mutation_pages.py) is drawn apart from the others, so that every older seed keeps them.
DRAWN = OPERATIONS[2:-1]
PAGINATE_SHARE = 0.5


class Vocabulary:
    """Class names, ids, test ids and custom element names the skins' sources use."""

    def __init__(self, sources: list[str], styles: list[str]) -> None:
        self.names: set[str] = set()
        self.tags: set[str] = set()
        for text in sources:
            for match in CLASS_ATTR.finditer(text):
                self.names.update(t for t in match[1].split() if re.fullmatch(IDENT, t))
            for match in ID_ATTR.finditer(text):
                self.names.update(t for t in match[1].split() if re.fullmatch(IDENT, t))
            for match in TESTID_ATTR.finditer(text):
                self.names.update(t for t in match[1].split() if re.fullmatch(IDENT, t))
            self.tags.update(CUSTOM_TAG.findall(text))
        for css in styles:
            for match in CSS_SELECTOR.finditer(css):
                self.names.update(re.findall(rf"[.#]({IDENT})", match[1]))

    @classmethod
    def of_skins(cls) -> Vocabulary:
        sources = [p.read_text() for p in sorted((HERE / "skins").glob("*.py"))]
        sources += [p.read_text() for p in sorted((HERE / "static").glob("*.js"))]
        sources.append((HERE / "mutation_runtime.js").read_text())
        styles = [p.read_text() for p in sorted((HERE / "static").glob("*.css"))]
        return cls(sources, styles)


@dataclass
class Mutation:
    """One seed's redesign. `ops` is the set of OPERATIONS it applies."""

    seed: int
    ops: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_seed(cls, seed: int) -> Mutation:
        rng = random.Random(f"mutation/{seed}")
        # Renaming and labels always; each other operation in about two of three seeds, and
        # never fewer than three of them, so every seed is a real redesign.
        extra = [op for op in DRAWN if rng.random() < 0.65]
        while len(extra) < 3:
            op = rng.choice(DRAWN)
            if op not in extra:
                extra.append(op)
        if int.from_bytes(hashlib.blake2b(f"{seed}/paginate".encode(), digest_size=4).digest(), "big") \
                / 2**32 < PAGINATE_SHARE:
            extra.append("paginate")
        return cls(seed, frozenset(("rename", "labels", *extra)))

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, bytes], bytes] = {}

    # --- deterministic choices ----------------------------------------------------------
    def digest(self, what: str, size: int = 8) -> bytes:
        return hashlib.blake2b(f"{self.seed}/{what}".encode(), digest_size=size).digest()

    def chance(self, what: str, p: float) -> bool:
        return int.from_bytes(self.digest(what, 4), "big") / 2**32 < p

    @cached_property
    def style(self) -> int:
        return self.digest("naming-style")[0] % 3

    def name(self, token: str) -> str:
        """The new name of a class, id or test id (stable per seed, unique per token)."""
        raw = int.from_bytes(self.digest(f"name/{token}"), "big")
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        text = ""
        for _ in range(7):
            raw, rest = divmod(raw, 36)
            text += alphabet[rest]
        if self.style == 0:
            return "x" + text  # atomic CSS, as Facebook's
        if self.style == 1:
            return "css-" + text  # emotion
        return "sc-" + text.replace("0", "q").replace("1", "z")  # styled-components

    def attr(self, data_name: str) -> str:
        """`data-foo` -> `data-<new>` (lower case: HTML attribute names are case-insensitive)."""
        return "data-" + self.name("data:" + data_name).lower()

    def tag(self, custom: str) -> str:
        return "x-" + self.name("tag:" + custom).lower().replace("_", "-")

    def label(self, original: str, choices: tuple[str, ...]) -> str:
        return choices[self.digest(f"label/{original}")[0] % len(choices)]

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary.of_skins()

    @cached_property
    def button_kind(self) -> str:
        return ("div", "a")[self.digest("buttons")[0] % 2]

    def delay(self, path: str) -> float:
        """Seconds an API answer waits (0.05-0.6 s), if this seed delays."""
        if "delay" not in self.ops:
            return 0.0
        return 0.05 + (self.digest(f"delay/{path}")[0] / 255) * 0.55

    # --- bodies -------------------------------------------------------------------------
    def apply(self, kind: str, body: bytes, skin: str | None) -> bytes:
        """`kind` is "html", "css" or "js"; other bodies are never given here."""
        key = (f"{kind}/{skin}", hashlib.sha1(body).digest())
        if key not in self._cache:
            text = body.decode("utf-8")
            if kind == "html":
                out = markup.rewrite_html(self, text, skin)
            elif kind == "css":
                out = self.css(text)
            else:
                out = self.js(text)
            if len(self._cache) > 2000:
                self._cache.clear()
            self._cache[key] = out.encode("utf-8")
        return self._cache[key]

    def css(self, text: str) -> str:
        if "rename" not in self.ops and "buttons" not in self.ops:
            return text
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # a build drops comments
        return CSS_SELECTOR.sub(lambda m: self.selector(m[1], css=True) + "{", text)

    def js(self, text: str) -> str:
        return markup.rewrite_js_strings(text, self.js_string, strip_comments="rename" in self.ops)

    def js_string(self, content: str, before: str = "") -> str:
        """One JS string literal's content (escapes kept as written); `before` is the code
        just before it, which tells a class-name argument from any other word."""
        vocab = self.vocabulary
        bare = content.strip()
        if "rename" in self.ops and bare in vocab.names and NAME_ARGUMENT.search(before):
            # classList.add('x'), getElementById('x'), ternaries, ' active'
            return content.replace(bare, self.name(bare))
        if "rename" in self.ops and content in vocab.tags:
            return self.tag(content)
        if "rename" in self.ops and CLASS_CONTINUES.search(before) and (
                head := re.match(r'[\w\s-]*(?=")', content)):
            content = self.tokens(head[0], "class") + content[head.end():]
        out = self.fragment(content)
        out = self.selector(out)
        return self.labels(out)

    def labels(self, text: str) -> str:
        if "labels" not in self.ops:
            return text
        return LABEL_RE.sub(lambda m: self.label(m[0], LABEL_CHOICES[m[0]]), text)

    def fragment(self, text: str) -> str:
        """HTML inside a JS string (possibly a piece of a tag): attributes and tags."""
        if "buttons" in self.ops:
            text = self.buttons(text)
        if "rename" not in self.ops:
            return text
        text = re.sub(r'\b(class|id)="([^"]*)', lambda m: f'{m[1]}="{self.tokens(m[2], m[1])}', text)
        text = re.sub(r'\b(aria-controls|aria-labelledby|aria-describedby|for)="([^"]*)',
                      lambda m: f'{m[1]}="{self.known_tokens(m[2])}', text)
        text = re.sub(r'\bdata-(testid|e2e)=("?)([^"\]\s]*)',
                      lambda m: f"data-{m[1]}={m[2]}{self.known_tokens(m[3])}", text)
        text = CUSTOM_TAG.sub(lambda m: m[0].replace(m[1], self.custom(m[1])), text)
        return re.sub(r"\bdata-[a-z0-9][a-z0-9-]*", lambda m: self.attr(m[0]), text)

    def buttons(self, text: str) -> str:
        if self.button_kind == "div":
            text = text.replace("<button", '<div role="button" tabindex="0"')
            return text.replace("</button>", "</div>")
        text = text.replace("<button", '<a role="button" tabindex="0" href="#"')
        return text.replace("</button>", "</a>")

    def custom(self, tag: str) -> str:
        return self.tag(tag) if tag in self.vocabulary.tags else tag

    def tokens(self, value: str, attr: str) -> str:
        """Every name in a class or id attribute (numeric ids are content ids: kept)."""
        def one(token: str) -> str:
            if not re.fullmatch(IDENT, token) or (attr == "id" and token not in self.vocabulary.names):
                return token
            return self.name(token)
        return " ".join(one(t) for t in value.split(" "))

    def known_tokens(self, value: str) -> str:
        return " ".join(self.name(t) if t in self.vocabulary.names else t for t in value.split(" "))

    def selector(self, text: str, css: bool = False) -> str:
        """Class, id, attribute and custom-tag selectors; `css` renames every class and id in
        a style sheet's selectors, JS selectors only known names (strings are not all selectors)."""
        vocab = self.vocabulary
        if "rename" in self.ops:
            def dot(m: re.Match[str]) -> str:
                tag = m[1] or ""
                if tag and tag not in HTML_TAGS and tag not in vocab.tags:
                    return m[0]  # "x.png", "a.b": not a selector
                if css or m[3] in vocab.names:
                    return tag + m[2] + self.name(m[3])
                return m[0]
            text = re.sub(rf"()([.#])({IDENT})(?![\w(])" if css
                          else rf"(?<![\w/.\-])([a-z][a-z0-9-]*)?([.#])({IDENT})", dot, text)
            text = re.sub(r'\[data-(testid|e2e)=("?)([\w-]+)',
                          lambda m: f"[data-{m[1]}={m[2]}{self.known_tokens(m[3])}", text)
            text = re.sub(r'\[(aria-controls|for)=("?)([\w-]+)',
                          lambda m: f"[{m[1]}={m[2]}{self.known_tokens(m[3])}", text)
            text = re.sub(r"(?<![\w-])((?:ytd|yt|tp-yt)-[a-z0-9-]+)", lambda m: self.custom(m[1]), text)
            if css:  # in JS strings `fragment` has renamed every data-* name already
                text = re.sub(r"\[data-[a-z0-9][a-z0-9-]*", lambda m: "[" + self.attr(m[0][1:]), text)
        if "buttons" in self.ops:
            text = re.sub(r'(^|[\s,>(])button(?=$|[\s\[.:#,>)])', r'\1[role="button"]', text)
        return text


def serve_delay(mutation: Mutation | None, path: str, content_type: str) -> float:
    """How long to hold an answer: JSON APIs only (pages and assets come at once)."""
    if mutation is None or not content_type.startswith("application/json") or path.startswith("/_"):
        return 0.0
    return mutation.delay(path)
