"""Replay's pywb side, by the names the rest of replay and the CLI import from here.

It lives in two modules: `replay.pywb_index` (a view's working dir, config and CDXJ index, derived
from its WARCs) and `replay.pywb_process` (the guarded `wayback` process of one view: start, stop).
`sma replay` (replay/server.py) runs one of each per view (replay/views.py) behind the gateway; there
is no other way to replay an archive, so tests replay through the gateway users get.
"""

from __future__ import annotations

from archive.pages import timestamp14
from replay.pywb_index import (
    FUZZY_SEARCH_LIMIT,
    INDEX_FORMAT,
    PYWB_DIRNAME,
    list_warcs,
    prepare,
    prepare_view,
    refresh_view_index,
)
from replay.pywb_process import (
    COLLECTION,
    START_TIMEOUT,
    VIEW_KEY_HEADER,
    ReplayError,
    ViewGuard,
    pywb_venv,
    start_view,
    stop,
)

__all__ = [
    "COLLECTION", "FUZZY_SEARCH_LIMIT", "INDEX_FORMAT", "PYWB_DIRNAME", "START_TIMEOUT", "VIEW_KEY_HEADER",
    "ReplayError", "ViewGuard", "list_warcs", "prepare", "prepare_view", "pywb_venv", "refresh_view_index",
    "start_view", "stop", "timestamp14",
]
