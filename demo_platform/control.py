"""The test-control endpoints: only POST changes state, and no page ever links here.

POST /_clock/advance?days=N (or hours=N)   move the clock on; JSON {"now", "revision", "changes"}
POST /_auth/login?account=<handle>          a login session as a Playwright storage_state document
POST /_auth/expire                          invalidate every session
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

from demo_platform import clock
from demo_platform.model import iso
from demo_platform.sessions import SESSION_DAYS, Sessions, login_headers, storage_state
from demo_platform.skins import SKINS
from demo_platform.web import Request, Response, json_response


def bad(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status, cache="error")


def handle_post(request: Request, sessions: Sessions) -> Response | None:
    """The response to a POST, or None for paths that take no POST (the server says 405)."""
    if request.path == "/_clock/advance":
        return advance(request)
    if request.path == "/_auth/login":
        return login(request, sessions)
    if request.path == "/_auth/expire":
        return json_response({"expired": sessions.expire_all()}, cache="truth")
    return None


def advance(request: Request) -> Response:
    delta = timedelta(0)
    for unit in ("days", "hours"):
        raw = request.arg(unit)
        if raw is None:
            continue
        try:
            amount = float(raw)
        except ValueError:
            return bad(f"{unit} must be a number, got {raw!r}")
        if not math.isfinite(amount) or amount <= 0:
            return bad(f"{unit} must be more than 0, got {raw!r}")
        delta += timedelta(**{unit: amount})
    if not delta:
        return bad("give days=N or hours=N")
    world = request.world
    try:
        changes = clock.advance(world, delta)
    except (ValueError, OverflowError) as exc:
        return bad(str(exc))
    base = request.base_url
    return json_response({"now": iso(world.now), "revision": world.revision,
                          "changes": [SKINS[c.skin].change_json(c, base) for c in changes]},
                         cache="truth")


def login(request: Request, sessions: Sessions) -> Response:
    handle = request.arg("account", "") or ""
    if not any(request.world.account(skin, handle) for skin in request.world.accounts):
        return bad(f"unknown account {handle!r}", 404)
    session = sessions.login(handle)
    expires = int(time.time()) + SESSION_DAYS * 86400
    return json_response(storage_state(session, request.base_url, expires), cache="truth",
                         headers=login_headers(session))
