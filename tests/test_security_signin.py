"""Issue 13 findings 2 and 3 (sign-in throttling under concurrency): the gateway's WSGI app, called
from parallel threads as waitress would, on a temporary archive with real argon2id users."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from security_support import USERS, basic, call, form_sign_in, make_gateway, session_of

from replay.gateway import Gateway
from replay.signin_flood import LoginThrottle


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    return make_gateway(tmp_path / "archive")


def audit(gw: Gateway) -> list[dict]:
    return [json.loads(line) for line in gw.audit_log.path.read_text().splitlines()]


def test_a_burst_of_parallel_guesses_is_refused_not_verified(gw: Gateway) -> None:
    """Was: 10 parallel wrong Basic passwords all verified (0 refused), the right one in the burst accepted."""
    tries = [basic("rob", f"wrong-guess-{n:04d}") for n in range(10)] + [basic("rob", USERS["rob"][1])]
    with ThreadPoolExecutor(len(tries)) as pool:
        answers = list(pool.map(lambda h: call(gw, "GET", "/", headers=h, client="10.0.0.66"), tries))
    assert gw.verifier.verifications <= gw.throttle.FREE  # counted before checking: the rest never verified
    assert sum(a.status == 401 for a in answers) >= len(tries) - gw.throttle.FREE
    # audited, once per client and interval (a flood of fsync'd entries would be a denial of service)
    refused = [e for e in audit(gw) if e["action"] == "login-refused"]
    assert refused and refused[0]["detail"]["client"] == "10.0.0.66"


def test_a_guessing_client_cannot_lock_the_user_out(gw: Gateway) -> None:
    """Was: 8 parallel wrong tries locked a user out for 128 s, and their right form sign-in got 429."""
    signed_in = session_of(form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.5"))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: call(gw, "GET", "/", headers=basic("rob", f"guess-{n}"), client="10.0.0.66"),
                      range(8)))
        list(pool.map(lambda n: form_sign_in(gw, "rob", f"guess-{n}", client="10.0.0.66"), range(8)))
    # the guessing client is the one locked out, even with the right password
    assert form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.66").status == 429
    # the user: the session keeps working, a new sign-in from their own address works
    assert b'data-role="researcher"' in call(gw, "GET", "/", headers=signed_in, client="10.0.0.5").body
    assert form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.5").status == 303
    assert call(gw, "GET", "/", headers=basic("rob", USERS["rob"][1]), client="10.0.0.7").status == 200


def test_one_client_spraying_names_is_stopped(gw: Gateway) -> None:
    names = [f"user{n}" for n in range(gw.throttle.CLIENT_FREE + 5)]
    for name in names:
        call(gw, "GET", "/", headers=basic(name, "password-guess"), client="10.0.0.66")
    assert call(gw, "GET", "/", headers=basic("rob", USERS["rob"][1]), client="10.0.0.66").status == 401
    assert call(gw, "GET", "/", headers=basic("rob", USERS["rob"][1]), client="10.0.0.5").status == 200


def test_colleagues_signing_in_through_one_address_are_never_slowed() -> None:
    """One address's count is of failures: many good sign-ins behind one proxy address (or 127.0.0.1)
    leave a new user's first sign-in unchecked by nothing, while failures still count there."""
    throttle = LoginThrottle()
    for n in range(3 * throttle.CLIENT_FREE):
        assert throttle.begin(f"colleague{n}", "10.0.0.9") == 0.0
        throttle.succeeded(f"colleague{n}", "10.0.0.9")
    assert throttle.begin("newcomer", "10.0.0.9") == 0.0
    throttle.succeeded("newcomer", "10.0.0.9")
    for n in range(throttle.CLIENT_FREE):
        assert throttle.begin(f"guess{n}", "10.0.0.9") == 0.0
        throttle.failed(f"guess{n}", "10.0.0.9")
    assert throttle.begin("another", "10.0.0.9") > 0  # the failures still hold the address back


def test_unknown_names_cost_no_argon2_run(gw: Gateway) -> None:
    """Was: each unknown name cost one argon2 verification (16 in parallel: 844 ms page times)."""
    before = gw.verifier.verifications
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: call(gw, "GET", "/", headers=basic(f"nobody{n}", "x" * 12),
                                               client=f"10.1.0.{n}"), range(16)))
    assert all(a.status == 401 for a in answers)
    assert gw.verifier.verifications == before  # waited like a verification, computed nothing
    actions = [e["action"] for e in audit(gw)]
    assert "login-failed" in actions and set(actions) <= {"login-failed", "login-refused"}  # refused: pool busy


def test_a_cached_basic_success_resets_the_count(gw: Gateway) -> None:
    right = basic("rob", USERS["rob"][1])
    assert call(gw, "GET", "/", headers=right).status == 200
    for n in range(gw.throttle.FREE - 1):
        assert call(gw, "GET", "/", headers=basic("rob", f"typo-{n}")).status == 401
    assert call(gw, "GET", "/", headers=right).status == 200  # from the cache: counts as a success
    for n in range(gw.throttle.FREE - 1):
        assert call(gw, "GET", "/", headers=basic("rob", f"typo-again-{n}")).status == 401
    assert gw.throttle.wait_left("rob", "127.0.0.1") == 0.0


def test_a_sign_in_post_works_once(gw: Gateway) -> None:
    """Was: the sign-in form's token was not single-use (a captured post could be replayed)."""
    import re
    from urllib.parse import quote

    form = call(gw, "GET", "/_sma/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.body).group(1).decode()
    post = dict(body=f"csrf_token={token}&user=rob&password={quote(USERS['rob'][1])}".encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"sma_login={form.cookies()['sma_login']}"})
    assert call(gw, "POST", "/_sma/login", **post).status == 303
    replayed = call(gw, "POST", "/_sma/login", **post)
    assert replayed.status == 403 and "sma_session" not in replayed.cookies()


def test_other_sessions_end_on_request(gw: Gateway) -> None:
    """Was: a second sign-in left the first session valid, with no way to end it."""
    first = session_of(form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.5"))
    second = session_of(form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.9"))
    landing = call(gw, "GET", "/", headers=first)
    assert b'data-role="researcher"' in landing.body  # two browsers, two sessions, by default
    # signing in again with end_other_sessions ends both earlier ones
    third = session_of(form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.9", extra="&end_other_sessions=1"))
    for old in (first, second):
        assert b'data-role="public"' in call(gw, "GET", "/", headers=old).body  # anonymous again
    assert b'data-role="researcher"' in call(gw, "GET", "/", headers=third).body
    # and from a signed-in page: POST /_sma/sessions/end-others (CSRF-checked) keeps only this one
    import re

    fourth = session_of(form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.5"))
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', call(gw, "GET", "/", headers=third).body).group(1)
    assert call(gw, "POST", "/_sma/sessions/end-others", headers=third, body=b"").status == 403  # no token
    done = call(gw, "POST", "/_sma/sessions/end-others", body=b"csrf_token=" + csrf,
                headers={**third, "Content-Type": "application/x-www-form-urlencoded"})
    assert done.status == 303
    assert b'data-role="public"' in call(gw, "GET", "/", headers=fourth).body
    assert b'data-role="researcher"' in call(gw, "GET", "/", headers=third).body
    assert any(e["action"] == "sessions-ended" and e["detail"]["ended"] == 1 for e in audit(gw))


class NoFreeGuesses(LoginThrottle):
    CLIENT_FREE = 0  # after one failure the client is refused unchecked: no verification pool waits


def _form_fields(page: bytes) -> list[dict[str, str]]:
    """The sign-in form's inputs as a browser sees them (a real HTML parser, not a regex)."""
    from html.parser import HTMLParser

    fields: list[dict[str, str]] = []

    class Inputs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "input":
                fields.append({k: v or "" for k, v in attrs})

    Inputs().feed(page.decode("utf-8"))
    return fields


def _browser_sign_in(gw: Gateway, password: str, client: str, tick: bool) -> dict[str, str]:
    """Fills and posts the sign-in form from the page itself: a ticked checkbox sends its name=value."""
    from urllib.parse import urlencode

    page = call(gw, "GET", "/_sma/login", client=client)
    values = {"user": "rob", "password": password}
    sent = {}
    for field in _form_fields(page.body):
        if field.get("type") == "checkbox":
            if tick:
                sent[field["name"]] = field.get("value") or "on"
        elif field.get("type") == "hidden":
            sent[field["name"]] = field["value"]
        else:
            sent[field["name"]] = values[field["name"]]
    return session_of(call(gw, "POST", "/_sma/login", client=client, body=urlencode(sent).encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"sma_login={page.cookies()['sma_login']}"}))


def test_the_sign_in_page_has_an_end_other_sessions_box(gw: Gateway) -> None:
    boxes = [f for f in _form_fields(call(gw, "GET", "/_sma/login").body) if f.get("type") == "checkbox"]
    assert [b["name"] for b in boxes] == ["end_other_sessions"] and "checked" not in boxes[0]  # off by default
    laptop = _browser_sign_in(gw, USERS["rob"][1], "10.0.0.5", tick=False)
    office = _browser_sign_in(gw, USERS["rob"][1], "10.0.0.6", tick=False)  # unticked: both stay signed in
    assert all(b'data-role="researcher"' in call(gw, "GET", "/", headers=s).body for s in (laptop, office))
    here = _browser_sign_in(gw, USERS["rob"][1], "10.0.0.9", tick=True)
    assert all(b'data-role="public"' in call(gw, "GET", "/", headers=s).body for s in (laptop, office))
    assert b'data-role="researcher"' in call(gw, "GET", "/", headers=here).body
    login = [e for e in audit(gw) if e["action"] == "login"]
    assert [e["detail"]["other_sessions_ended"] for e in login] == [0, 0, 2]


def test_failed_sign_ins_are_answered_late_in_bounded_slots(gw: Gateway) -> None:
    """Was: 32 guessers kept the gateway's queue full (a signed-in page 8-20x slower, bench/signin_load.py).
    Each failed or refused answer is held, at most `slots` at once; the rest are answered at once,
    and a signed-in user's page is answered while answers are held."""
    import time

    from replay.signin_flood import Tarpit

    signed_in = session_of(form_sign_in(gw, "rob", USERS["rob"][1], client="10.0.0.5"))
    gw.throttle = NoFreeGuesses()
    assert call(gw, "GET", "/", headers=basic("nobody", "x" * 12), client="10.0.0.66").status == 401
    gw.tarpit = Tarpit(hold=600.0, slots=2)  # held until released below: no wall-clock assertion
    with ThreadPoolExecutor(5) as pool:
        guesses = [pool.submit(call, gw, "GET", "/", headers=basic(f"nobody{n}", "x" * 12), client="10.0.0.66")
                   for n in range(5)]
        deadline = time.monotonic() + 120
        while sum(g.done() for g in guesses) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(g.done() for g in guesses) == 3 and gw.tarpit.held == 2  # two held, three answered
        assert all(g.result().status == 401 for g in guesses if g.done())
        assert b'data-role="researcher"' in call(gw, "GET", "/", headers=signed_in, client="10.0.0.5").body
        assert sum(g.done() for g in guesses) == 3  # the page was answered while the two were held
        gw.tarpit.release()
        assert all(g.result(timeout=60).status == 401 for g in guesses)
    assert gw.tarpit.answers == 5
    # the form's failure is held too
    gw.tarpit = Tarpit(hold=0.01, slots=2)
    assert form_sign_in(gw, "rob", "not-robs-password", client="10.0.0.7").status == 401
    assert gw.tarpit.answers == 1 and gw.tarpit.held == 1


def test_a_spray_of_names_makes_few_audit_entries(gw: Gateway) -> None:
    """Was: refusals were audited once per client AND name, so random names made an fsync'd entry each."""
    from replay.signin_flood import RefusalAudit

    gw.throttle = NoFreeGuesses()
    for n in range(1 + 40):
        assert call(gw, "GET", "/", headers=basic(f"spray{n}", "password-guess"), client="10.0.0.66").status == 401
    refused = [e for e in audit(gw) if e["action"] == "login-refused"]
    assert 1 <= len(refused) <= RefusalAudit.NAMES
    # after the interval, the next entry carries the count of the refusals that were not written
    gw.refusals.INTERVAL = 0.0
    call(gw, "GET", "/", headers=basic("spray-last", "password-guess"), client="10.0.0.66")
    last = [e for e in audit(gw) if e["action"] == "login-refused"][-1]
    assert len(refused) + last["detail"]["refused_since_last_entry"] == 40
