"""Registry of skins. To add one: write `skins/<name>.py` with a `Skin` subclass (see base.py)
and add an instance here; the server routes, compresses and publishes its truth automatically.
Order matters only for truth listing; routing tries longer prefixes first.
"""

from __future__ import annotations

from demo_platform.skins.base import Skin
from demo_platform.skins.mastodon import MastodonSkin

SKINS: dict[str, Skin] = {
    skin.name: skin for skin in (
        MastodonSkin(),
    )
}

__all__ = ["SKINS", "Skin"]
