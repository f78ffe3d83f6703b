"""Registry of skins. To add one: write `skins/<name>.py` with a `Skin` subclass (see base.py)
and add an instance here; the server routes, compresses and publishes its truth automatically.
Order matters only for truth listing; routing tries longer prefixes first.
"""

from __future__ import annotations

from demo_platform.skins.base import Skin
from demo_platform.skins.facebook import FacebookSkin
from demo_platform.skins.instagram import InstagramSkin
from demo_platform.skins.linkedin import LinkedInSkin
from demo_platform.skins.mastodon import MastodonSkin
from demo_platform.skins.tiktok import TikTokSkin
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

__all__ = ["SKINS", "Skin"]
