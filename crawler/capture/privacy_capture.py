"""Capture-time privacy facts, read in the browser just before the screenshot.

Per page: the commenters it shows (the profile's `third_parties:` selectors), and the page
coordinates of every place a third party's personal data is drawn -- text ranges of every
detected value and every name/handle learned so far (`Range.getClientRects`), alt/title texts,
and avatars. The access derivative covers those boxes in the screenshot; the DOM is only in the
state the screenshot shows now.

The crawl's privacy pipeline puts a `CrawlPrivacy` in the crawl's state when the crawl opens
(crawler/state.py); the page recorders hand it to these functions. Without one (privacy off, or
`snapshot` used outside a crawl) nothing is done.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..archive.model import PiiBox

logger = logging.getLogger(__name__)

# Reads commenters and their elements' boxes. Selectors are CSS (querySelectorAll), relative to
# each item; a selector the browser rejects matches nothing rather than failing the capture.
_READ_THIRD_PARTIES = """
(spec) => {
  const sx = window.scrollX, sy = window.scrollY;
  const all = (root, sel) => { if (!sel) return []; try { return Array.from(root.querySelectorAll(sel)); }
                               catch (e) { return []; } };
  const text = (el) => el ? (el.innerText || el.textContent || '').trim() || null : null;
  const people = [];
  for (const item of all(document, spec.item)) {
    const name = all(item, spec.name)[0], handle = all(item, spec.handle)[0];
    const link = all(item, spec.profile_link)[0], avatar = all(item, spec.avatar)[0];
    const boxes = [];
    for (const [type, el] of [['name', name], ['handle', handle], ['avatar', avatar]]) {
      if (!el) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0)
        boxes.push({type, x: r.left + sx, y: r.top + sy, width: r.width, height: r.height});
    }
    // A platform may show a name only in an attribute (YouTube's title): the profile says which.
    const read = (el, attr) => el ? (attr ? (el.getAttribute(attr) || '').trim() || null : text(el)) : null;
    people.push({name: read(name, spec.name_attr), handle: read(handle, spec.handle_attr),
                 profile_url: link ? (link.href || null) : null,
                 avatar_url: avatar ? (avatar.currentSrc || avatar.src || null) : null, boxes});
  }
  return people;
}
"""

# Finds every occurrence of the given values in the page's visible text (across element
# boundaries, case-insensitive) and in alt/title/aria-label attributes; returns their boxes.
_LOCATE_VALUES = """
(args) => {
  const sx = window.scrollX, sy = window.scrollY;
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE']);
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement && skip.has(n.parentElement.tagName) ? NodeFilter.FILTER_REJECT
                                                                            : NodeFilter.FILTER_ACCEPT});
  const nodes = [], starts = [];
  let joined = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push(n); starts.push(joined.length); joined += n.data;
  }
  const lower = joined.toLowerCase();
  const at = (offset) => {  // the text node holding `offset`, by binary search
    let lo = 0, hi = nodes.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= offset) lo = mid; else hi = mid - 1; }
    return [nodes[lo], offset - starts[lo]];
  };
  const out = [];
  const push = (i, r, src) => {
    if (r.width > 0 && r.height > 0)
      out.push({i, x: r.left + sx, y: r.top + sy, width: r.width, height: r.height, src: src || ''});
  };
  args.values.forEach((value, i) => {
    const needle = value.toLowerCase();
    if (!needle) return;
    for (let from = lower.indexOf(needle); from >= 0; from = lower.indexOf(needle, from + needle.length)) {
      const [sn, so] = at(from), [en, eo] = at(from + needle.length - 1);
      const range = document.createRange();
      range.setStart(sn, so); range.setEnd(en, eo + 1);
      for (const r of range.getClientRects()) push(i, r);
      if (out.length > args.limit) return;
    }
  });
  for (const el of document.querySelectorAll('[alt], [title], [aria-label]')) {
    const attrs = ['alt', 'title', 'aria-label'].map(a => (el.getAttribute(a) || '').toLowerCase()).join('\\n');
    args.values.forEach((value, i) => {
      if (value && attrs.includes(value.toLowerCase())) push(i, el.getBoundingClientRect());
    });
  }
  const avatarRes = args.avatar_patterns.map(p => new RegExp(p));
  if (avatarRes.length) for (const img of document.images) {
    const src = img.currentSrc || img.src || '';
    if (avatarRes.some(re => re.test(src))) push(-1, img.getBoundingClientRect(), src);
  }
  return out;
}
"""
MAX_BOXES = 20_000


@dataclass
class CrawlPrivacy:
    """What capture needs from the crawl's privacy pipeline."""

    detector: Callable[[], Any]  # -> PiiDetector (made lazily: own identities are read on the first page)
    third_parties: Callable[[], dict[str, Any]]  # -> the profile's `third_parties:` section
    block_avatars: bool = False


def avatar_patterns(spec: dict[str, Any]) -> list[str]:
    raw = spec.get("avatar_url") or []
    return [raw] if isinstance(raw, str) else [str(p) for p in raw]


async def on_page_init(page: Any, privacy: CrawlPrivacy | None) -> None:
    """Data minimisation: third parties' avatars are never even requested when the crawl says so."""
    if privacy is None or not privacy.block_avatars:
        return
    patterns = [re.compile(p) for p in avatar_patterns(privacy.third_parties())]
    if not patterns:
        return

    async def abort(route: Any) -> None:
        await route.abort("blockedbyclient")

    # Registered after scrapy-playwright's catch-all route, so it is asked first; URLs it does
    # not match never reach it and go on to scrapy-playwright as before.
    await page.route(lambda url: any(p.search(url) for p in patterns), abort)


async def read_page(page: Any, privacy: CrawlPrivacy | None) -> tuple[list[dict[str, str | None]], list[PiiBox]]:
    """The page's commenters and the boxes of every third-party datum it draws.

    Fails closed: if the page cannot be read, one box covers the whole screenshot.
    """
    if privacy is None:
        return [], []
    try:
        return await _read_page(page, privacy)
    except Exception as exc:  # noqa: BLE001 - a page script or detector failure must not lose the capture
        logger.error("privacy: could not read %s (%s); its access screenshot is covered whole", page.url, exc)
        return [], [PiiBox(0, 0, 1e7, 1e7, "unknown", "", "capture-error")]


async def _read_page(page: Any, privacy: CrawlPrivacy) -> tuple[list[dict[str, str | None]], list[PiiBox]]:
    spec = privacy.third_parties() or {}
    people = await page.evaluate(_READ_THIRD_PARTIES, spec) if spec.get("item") else []
    detector = privacy.detector()
    from ..privacy.detect import ThirdParty

    third_parties = [
        ThirdParty(name=p["name"], handle=p["handle"], profile_url=p["profile_url"], avatar_url=p["avatar_url"])
        for p in people
    ]
    detector.learn(third_parties)
    # What the detector accepted as third parties (the organisation's own replies are not).
    known = {(p.name, p.handle) for p in detector.people()}
    boxes: list[PiiBox] = []
    for person in people:
        if (person["name"], person["handle"]) not in known:
            continue
        value = {"name": person["name"], "handle": person["handle"], "avatar": person["avatar_url"]}
        for b in person["boxes"]:
            boxes.append(PiiBox(b["x"], b["y"], b["width"], b["height"], b["type"], value[b["type"]] or "",
                                "structural"))
    text = await page.evaluate("() => document.body ? document.body.innerText : ''")
    values: dict[str, tuple[str, str]] = {}
    findings = detector.find(text)
    for finding in findings:
        values.setdefault(finding.value, (finding.type, finding.source))
    # A citizen @mentioned on the page is a third party too, also where the page's JSON names
    # them without the "@" (e.g. a mentions list): learnt, their handle is found everywhere.
    detector.learn(ThirdParty(name=None, handle=f.value, profile_url=None, avatar_url=None)
                   for f in findings if f.type == "mention")
    for person in detector.people():
        handle = person.handle.strip().lstrip("@").split("@")[0] if person.handle else None
        for kind, value in (("name", person.name), ("handle", person.handle), ("handle", handle)):
            if value:
                values.setdefault(value, (kind, "propagated"))
    ordered = list(values)
    located = await page.evaluate(
        _LOCATE_VALUES, {"values": ordered, "limit": MAX_BOXES, "avatar_patterns": avatar_patterns(spec)}
    )
    from ..privacy.structural import own_avatar

    for b in located:
        if b["i"] < 0 and own_avatar(b["src"], detector.own_identities, detector.own_avatars):
            # The organisation's own picture (its URL names the own handle): no box; remembered, it is
            # recorded with the page's facts (PageFacts.own), so every later derivation knows it too.
            detector.own_avatars.add(b["src"])
            continue
        kind, source = values[ordered[b["i"]]] if b["i"] >= 0 else ("avatar", "structural")
        value = ordered[b["i"]] if b["i"] >= 0 else b["src"]
        boxes.append(PiiBox(b["x"], b["y"], b["width"], b["height"], kind, value, source))
    return [asdict(t) for t in third_parties if (t.name, t.handle) in known], boxes
