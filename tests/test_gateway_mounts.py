"""replay/gateway.py's mount table: the Woo review is mounted at /_sma/woo for the woo-officer only,
from a fixed table (no module looked up by name). The gateway's WSGI app in-process, no pywb."""

from __future__ import annotations

from security_support import USERS, basic, call, make_gateway

from replay.gateway import MOUNTS


def test_the_woo_review_answers_only_the_woo_officer(tmp_path):
    gateway = make_gateway(tmp_path / "archive", {name: USERS[name] for name in ("wim", "anna")})
    officer = call(gateway, "GET", "/_sma/woo", headers=basic("wim", USERS["wim"][1]))
    assert officer.status == 200 and b"Woo" in officer.body
    assert call(gateway, "GET", "/_sma/woo/requests/x", headers=basic("anna", USERS["anna"][1])).status == 403
    assert call(gateway, "GET", "/_sma/woodoo", headers=basic("wim", USERS["wim"][1])).status == 404  # no prefix match
    assert set(MOUNTS) == {"/_sma/woo"} and MOUNTS["/_sma/woo"][0] == "woo-officer"
