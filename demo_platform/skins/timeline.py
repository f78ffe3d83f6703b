"""A server-rendered timeline under /timeline, after Mastodon's and Nitter's pages without
JavaScript: no script at all, everything paged by links. No profile of its own in profiles/.

Pages:  /timeline/<handle>[?max_id=]               10 posts a page, "Oudere berichten" (rel=next)
        /timeline/<handle>/status/<id>[?page=N]    a post or a reply: its ancestors, the status,
            its direct replies 8 a page ("Volgende", rel=next), each followed by up to 3 of its
            own replies; replies are sibling [role=article] elements (no nesting in the DOM).
            A reply with more below than is shown links to its own page ("Toon N antwoorden"),
            where the deeper replies live.
Media:  /timeline/avatars/<handle> and the rest of assets.SkinAssets
"""

from __future__ import annotations

import re

from demo_platform.model import Account, Comment, Post
from demo_platform.skins import timeline_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, page

PREFIX = "/timeline"
POSTS_PER_PAGE = 10
REPLIES_PER_PAGE = 8
INLINE_CHILDREN = 3


class TimelineSkin(Skin):
    name = "timeline"
    prefix = PREFIX
    official = (("ministerie-demo", "Ministerie van Demo", 30),)
    accent = "#2b90d9"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{PREFIX}/{account.handle}"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{PREFIX}/{account.handle}/status/{post.id}"

    def not_found(self, request: Request) -> Response:
        return page(ui.not_found_page(), 404)

    def handle(self, request: Request) -> Response | None:
        path, world = request.path[len(PREFIX):], request.world
        if path in ("", "/"):
            return page(ui.landing_page(self.accounts(world)))
        if path.startswith(("/avatars/", "/media/")):
            return self.assets.serve(world, path)
        if match := re.fullmatch(rf"/({HANDLE})/?", path):
            return self._profile(request, match[1])
        if match := re.fullmatch(rf"/({HANDLE})/status/(\d+)/?", path):
            return self._status(request, match[1], match[2])
        return None

    def _profile(self, request: Request, handle: str) -> Response | None:
        world = request.world
        account = world.account(self.name, handle)
        who = account or world.citizen(handle)
        max_id = request.arg("max_id", "") or ""
        if who is None or (max_id and not max_id.isdigit()):
            return None
        posts = account.live_posts() if account else []
        if max_id:
            posts = [p for p in posts if int(p.id) < int(max_id)]
        chunk = posts[:POSTS_PER_PAGE]
        older = chunk[-1].id if len(posts) > POSTS_PER_PAGE else None
        total = len(account.live_posts()) if account else 0
        return page(ui.profile_page(who, chunk, older, total, bool(max_id)))

    def _status(self, request: Request, handle: str, status_id: str) -> Response | None:
        world = request.world
        account = world.account(self.name, handle)
        status = world.status(self.name, status_id)
        raw = request.arg("page", "1") or "1"
        if account is None or status is None or not raw.isdigit() or int(raw) < 1:
            return None
        post = world.post_of(self.name, status)
        if post.account is not account:
            return None
        number = int(raw)
        parent = status.id if isinstance(status, Comment) else None
        children = post.children(parent)
        pages = max(1, -(-len(children) // REPLIES_PER_PAGE))
        if number > pages:
            return None
        by_id = {c.id: c for c in post.live_comments()}
        ancestors: list[Comment] = []
        up = status.parent if isinstance(status, Comment) else None
        while up is not None:
            ancestors.insert(0, by_id[up])
            up = by_id[up].parent
        shown = []
        gated = request.login_required and request.session is None
        for child in children[(number - 1) * REPLIES_PER_PAGE:number * REPLIES_PER_PAGE]:
            below = post.children(child.id)
            shown.append((child, len(below), False))
            for grandchild in below[:INLINE_CHILDREN]:
                shown.append((grandchild, len(post.children(grandchild.id)), True))
        return page(ui.status_page(post, status, ancestors, [] if gated else shown, number, pages,
                                   len(post.live_comments())))
