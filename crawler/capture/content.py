"""Reads what a post page says (post text, publication time, comment ids and texts) for recapture's
edit and deletion detection. Which elements mean what is the profile's `content:` section."""

from __future__ import annotations

from typing import Any

from ..profiles import Profile

# Sub-selectors (comment_text, comment_id.selector) are CSS, relative to each comment element.
_COMMENTS_JS = """(els, spec) => els.map((el, i) => {
  const pick = (sel) => !sel ? el : (el.matches(sel) ? el : el.querySelector(sel));
  let id = null;
  if (spec.id) {
    const src = pick(spec.id.selector);
    if (src) id = spec.id.attr ? src.getAttribute(spec.id.attr) : src.textContent.trim();
  }
  const t = pick(spec.text);
  return {id: id || null, text: t ? (t.innerText || t.textContent || '').trim() : ''};
})"""


async def _read(page: Any, spec: dict[str, Any] | None) -> str | None:
    if not spec:
        return None
    loc = page.locator(spec.get("selector") or ":root").first
    if not await loc.count():
        return None
    if spec.get("attr"):
        return await loc.get_attribute(spec["attr"])
    return (await loc.inner_text()).strip()


async def read_post_content(page: Any, profile: Profile) -> dict[str, Any]:
    """{"text", "published", "comments": [{"id", "text"}], "gone": bool} of the page as it is now."""
    content = profile.content
    post_spec = profile.page("post")
    gone = False
    for selector in content.get("gone", []):
        if await page.locator(selector).count():
            gone = True
    text = await _read(page, {"selector": content["post_text"]}) if content.get("post_text") else None
    published = await _read(page, content.get("published"))
    comments: list[dict[str, Any]] = []
    if "comment" in post_spec.selectors:
        comments = await page.locator(post_spec.selectors["comment"]).evaluate_all(
            _COMMENTS_JS, {"id": content.get("comment_id"), "text": post_spec.selectors.get("comment_text")}
        )
    return {"text": text, "published": published, "comments": comments, "gone": gone}
