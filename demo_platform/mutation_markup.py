"""The markup side of a mutation (mutation.py): a lossless HTML tree, and JS string literals.

`rewrite_html` parses a page into a tree that serialises back to the same bytes, then renames
inside tags, swaps labels in text nodes that are only a label, converts buttons, wraps and
reorders elements that the page's scripts do not address by position, delays the skin's script
and adds the small runtime (mutation_runtime.js) that makes `div[role=button]` keyboard-operable,
keeps `a[role=button]` from navigating and virtualises the comment list.
`rewrite_js_strings` hands every string literal of a script to a function and leaves the rest
(code, comments, regex literals) byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demo_platform.mutation import Mutation

RUNTIME = (Path(__file__).resolve().parent / "mutation_runtime.js").read_text()
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
WRAPPABLE = {"div", "article", "section", "ul", "ol", "nav", "aside", "header", "footer", "form"}
NO_WRAP_INSIDE = {"ul", "ol", "dl", "table", "tbody", "thead", "tr", "select", "head", "html",
                  "p", "button", "a", "span", "h1", "h2", "h3", "h4", "label", "summary"}
REORDERABLE = {"nav", "header", "footer", "aside"}
ATTR = re.compile(r"""(\s)([^\s"'>/=]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
ADDRESSED = re.compile(r"\s(id|data-[\w-]+)=")
REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {""}


# --- JS ----------------------------------------------------------------------------------
def rewrite_js_strings(text: str, change: Callable[[str, str], str], strip_comments: bool = False) -> str:
    """Apply `change(content, code before it)` to every '…' and "…" literal; all else is kept
    (comments too, unless `strip_comments`, as a production build drops them)."""
    out: list[str] = []
    i, n, last = 0, len(text), ""
    while i < n:
        ch = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append("" if strip_comments else text[i:end])
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(" " if strip_comments else text[i:end])
            i = end
        elif ch in "'\"`":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            content = text[i + 1:j]
            before = text[max(0, i - 40):i]
            out.append(ch + (content if ch == "`" else change(content, before)) + ch)
            i, last = j + 1, ch
        elif ch == "/" and (last in REGEX_BEFORE or re.search(r"(return|typeof|case)\s*$", "".join(out[-3:]))):
            j, in_class = i + 1, False
            while j < n and (in_class or text[j] != "/") and text[j] != "\n":
                if text[j] == "\\":
                    j += 1
                elif text[j] == "[":
                    in_class = True
                elif text[j] == "]":
                    in_class = False
                j += 1
            out.append(text[i:j + 1])
            i, last = j + 1, "/"
        else:
            out.append(ch)
            if not ch.isspace():
                last = ch if not (ch.isalnum() or ch in "_$") else "a"
            i += 1
    return "".join(out)


# --- HTML tree ---------------------------------------------------------------------------
@dataclass
class Node:
    tag: str  # "" = raw text (data, comment, doctype, stray end tag)
    start: str  # the start tag as written, or the raw text
    children: list[Node] = field(default_factory=list)
    end: str = ""  # the end tag as written ("" if implied or void)

    def attrs(self) -> dict[str, str]:
        return {m[2].lower(): (m[3] or "").split("=", 1)[-1].strip().strip("\"'")
                for m in ATTR.finditer(self.start[len(self.tag) + 1:])} if self.tag else {}

    def serialise(self) -> str:
        return self.start + "".join(c.serialise() for c in self.children) + self.end


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.root = Node("#root", "")
        self.stack = [self.root]

    def raw(self, text: str) -> None:
        self.stack[-1].children.append(Node("", text))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = Node(tag, self.get_starttag_text() or f"<{tag}>")
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.stack[-1].children.append(Node(tag, self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                self.stack[depth].end = f"</{tag}>"
                del self.stack[depth:]
                return
        self.raw(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.raw(data)

    def handle_entityref(self, name: str) -> None:
        self.raw(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.raw(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.raw(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.raw(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.raw(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.raw(f"<![{data}]>")


def parse(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# --- the rewrite -------------------------------------------------------------------------
def rewrite_html(mutation: Mutation, text: str, skin: str | None) -> str:
    root = parse(text)
    Rewriter(mutation, skin).visit(root, parent_tag="#root", path="0")
    out = root.serialise()
    if "<body" in out and "</body>" in out:
        out = out.replace("</body>", runtime(mutation, skin) + "</body>", 1)
    return out


def runtime(mutation: Mutation, skin: str | None) -> str:
    from demo_platform.mutation import VIRTUAL_LISTS

    virtual = VIRTUAL_LISTS.get(skin or "") if "virtualise" in mutation.ops else None
    config = {"list": virtual[0], "item": virtual[1], "keep": 6} if virtual else None
    script = RUNTIME.replace("/*CONFIG*/null", json.dumps(config).replace('"', "'"))
    return "<script>" + mutation.js(script) + "</script>\n"


def addressed(node: Node) -> bool:
    """True if a script may find this subtree by id or data-* (and so by its place in the tree:
    `x.parentNode.insertBefore(y, sentinel)`): such parts are not moved or wrapped."""
    return bool(ADDRESSED.search(node.start)) or any(
        addressed(c) for c in node.children if c.tag)


class Rewriter:
    def __init__(self, mutation: Mutation, skin: str | None) -> None:
        from demo_platform.mutation import SERVER_RENDERED

        self.m, self.skin = mutation, skin
        # Skins whose pages are whole without scripts may be rearranged anywhere.
        self.free = skin in SERVER_RENDERED
        self.parents: dict[int, Node] = {}

    def siblings(self, child: Node) -> list[Node]:
        parent = self.parents.get(id(child))
        return [c for c in parent.children if c is not child and c.tag] if parent else []

    def visit(self, node: Node, parent_tag: str, path: str) -> None:
        if node.tag in ("script", "style"):
            self.inline(node)
            return
        for index, child in enumerate(node.children):
            where = f"{path}.{index}"
            self.parents[id(child)] = node
            if child.tag:
                self.element(child)
                self.visit(child, node.tag, where)
            elif node.tag not in ("script", "style"):
                child.start = self.text(child.start)
        if "reorder" in self.m.ops and node.tag in REORDERABLE:
            self.reorder(node, path)
        if "wrap" in self.m.ops:
            node.children = [self.wrap(c, node.tag, f"{path}.{i}") for i, c in enumerate(node.children)]

    def inline(self, node: Node) -> None:
        kind = node.attrs().get("type", "")
        for child in node.children:
            if node.tag == "style":
                child.start = self.m.css(child.start)
            elif kind in ("", "text/javascript", "module"):
                child.start = self.m.js(child.start)
        if node.tag == "script" and "async" in self.m.ops and "src" in node.attrs():
            # Loaded late, as a tag manager would: the skin's script runs after the page has settled.
            src = node.attrs()["src"]
            wait = 200 + self.m.digest(f"async/{src}")[0] * 3
            node.start = (f"<script>setTimeout(function(){{var s=document.createElement('script');"
                          f"s.src={json.dumps(src)};document.head.appendChild(s)}},{wait})")
            node.children = []

    def text(self, raw: str) -> str:
        """A text node that is nothing but a label (or a count and a label) gets a synonym;
        any other text is content and never changes."""
        from demo_platform.mutation import LABEL_RE

        stripped = raw.strip()
        if "labels" not in self.m.ops or not re.fullmatch(rf"[\d.]*\s?(?:{LABEL_RE.pattern})", stripped):
            return raw
        return raw.replace(stripped, self.m.labels(stripped))

    def element(self, node: Node) -> None:
        start = node.start
        if "buttons" in self.m.ops and node.tag == "button":
            start = self.m.buttons(start)
            node.end = self.m.buttons(node.end) if node.end else node.end
            node.tag = self.m.button_kind
        head, tail = start[:len(node.tag) + 1], start[len(node.tag) + 1:]
        if "rename" in self.m.ops and node.tag in self.m.vocabulary.tags:
            head = "<" + self.m.tag(node.tag)
            node.end = f"</{self.m.tag(node.tag)}>" if node.end else ""
        if "labels" in self.m.ops:
            tail = re.sub(r'\b(aria-label|title|placeholder)="([^"]*)"',
                          lambda m: f'{m[1]}="{self.m.labels(m[2])}"', tail)
        if "rename" in self.m.ops:
            tail = self.m.fragment(tail)
            tail = re.sub(r'\bhref="#([^"]+)"', lambda m: f'href="#{self.m.known_tokens(m[1])}"', tail)
        node.start = head + tail

    def reorder(self, node: Node, path: str) -> None:
        elements = [i for i, c in enumerate(node.children) if c.tag]
        if len(elements) < 2 or not self.m.chance(f"reorder/{self.skin}/{path}", 0.7):
            return
        if not self.free and any(addressed(node.children[i]) for i in elements):
            return
        picked = [node.children[i] for i in elements]
        picked.reverse()
        for slot, child in zip(elements, picked, strict=True):
            node.children[slot] = child

    def wrap(self, child: Node, parent_tag: str, path: str) -> Node:
        if (child.tag not in WRAPPABLE or not child.end or parent_tag in NO_WRAP_INSIDE
                or not self.m.chance(f"wrap/{self.skin}/{path}", 0.3)):
            return child
        parent = self.parents.get(id(child))
        if not self.free and (addressed(child) or any(addressed(s) for s in self.siblings(child))
                              or (parent is not None and ADDRESSED.search(parent.start))):
            return child
        name = self.m.name(f"wrapper/{self.skin}/{path}")
        return Node("div", f'<div class="{name}">', [child], "</div>")
