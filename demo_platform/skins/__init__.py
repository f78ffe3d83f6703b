"""Registry of skins. To add one: write `skins/<name>.py` with a `Skin` subclass (see base.py)
and add an instance here; the server routes, compresses and publishes its truth automatically.
Order matters only for truth listing; routing tries longer prefixes first.
"""

from __future__ import annotations

from demo_platform.skins.base import Skin
from demo_platform.skins.facebook import FacebookSkin
from demo_platform.skins.forum import ForumSkin
from demo_platform.skins.instagram import InstagramSkin
from demo_platform.skins.linkedin import LinkedInSkin
from demo_platform.skins.mastodon import MastodonSkin
from demo_platform.skins.tiktok import TikTokSkin
from demo_platform.skins.timeline import TimelineSkin
from demo_platform.skins.x import XSkin
from demo_platform.skins.youtube import YouTubeSkin

SKINS: dict[str, Skin] = {
    skin.name: skin for skin in (
        MastodonSkin(),
        InstagramSkin(),
        LinkedInSkin(),
        XSkin(),
        FacebookSkin(),
        YouTubeSkin(),
        TikTokSkin(),
    )
}
# Skins of other kinds with no profile in profiles/, to test capture without selectors: served,
# listed in /_truth/index.json and redesigned by --mutate random like the others, but not in
# SKINS (which the capture tests take as "the platforms with a profile") and not moved on by
# the clock (they stay at day 0).
OTHER_SKINS: dict[str, Skin] = {skin.name: skin for skin in (ForumSkin(), TimelineSkin())}
ALL_SKINS: dict[str, Skin] = {**SKINS, **OTHER_SKINS}

__all__ = ["ALL_SKINS", "OTHER_SKINS", "SKINS", "Skin"]
