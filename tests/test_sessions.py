"""Login sessions through `sma session`, as a user runs it: stored 0600 outside the archive, values never shown."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from conftest import run_sma

COOKIE_VALUE = "s3cr3t-cookie-value-4f9a"
TOKEN_VALUE = "eyJhbGciOi.token+with/slash"
STATE = {
    "cookies": [
        {"name": "sessionid", "value": COOKIE_VALUE, "domain": "127.0.0.1", "path": "/", "expires": 1893456000,
         "httpOnly": True, "secure": False, "sameSite": "Lax"},
        {"name": "lang", "value": "nl", "domain": ".example.org", "path": "/", "expires": -1,
         "httpOnly": False, "secure": False, "sameSite": "Lax"},
    ],
    "origins": [{"origin": "http://127.0.0.1:8700", "localStorage": [{"name": "token", "value": TOKEN_VALUE}]}],
}


@pytest.fixture
def sessions(tmp_path: Path) -> dict:
    """The environment for a `sma session` run with its own sessions folder."""
    return {"SMA_SESSIONS_DIR": str(tmp_path / "sessions")}


def session(env: dict, *args: str):
    return run_sma("session", *args, env=env, timeout=60)


def state_file(tmp_path: Path, content: object, name: str = "state.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_import_stores_0600_in_a_0700_folder(tmp_path: Path, sessions: dict):
    proc = session(sessions, "import", "demo-login", str(state_file(tmp_path, STATE)))
    assert proc.returncode == 0, proc.stderr
    stored = Path(sessions["SMA_SESSIONS_DIR"]) / "demo-login.json"
    assert proc.stdout.strip() == f"session 'demo-login' stored in {stored} (mode 0600)"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert json.loads(stored.read_text()) == STATE
    assert [p.name for p in stored.parent.iterdir()] == ["demo-login.json"], "no temporary file left"
    assert COOKIE_VALUE not in proc.stdout + proc.stderr


def test_import_again_replaces_the_session(tmp_path: Path, sessions: dict):
    assert session(sessions, "import", "demo", str(state_file(tmp_path, STATE))).returncode == 0
    newer = {"cookies": [{"name": "sessionid", "value": "newer-value", "domain": "127.0.0.1"}]}
    assert session(sessions, "import", "demo", str(state_file(tmp_path, newer, "newer.json"))).returncode == 0
    stored = Path(sessions["SMA_SESSIONS_DIR"]) / "demo.json"
    assert json.loads(stored.read_text()) == newer and stat.S_IMODE(stored.stat().st_mode) == 0o600


@pytest.mark.parametrize("content, message", [
    ("not json at all", "is not a Playwright storage state: not JSON (Expecting value at line 1)"),
    ({"origins": []}, "is not a Playwright storage state: it needs a JSON object with a \"cookies\" list"),
    ([1, 2], "is not a Playwright storage state: it needs a JSON object with a \"cookies\" list"),
    ({"cookies": [{"name": "a", "domain": "x"}]},
     "is not a Playwright storage state: cookie #1 needs text \"name\", \"value\" and \"domain\""),
    ({"cookies": [], "origins": [{"origin": "http://x", "localStorage": [{"name": "t"}]}]},
     "is not a Playwright storage state: origin #1: \"localStorage\" must be a list of name/value pairs"),
])
def test_import_rejects_what_is_no_storage_state(tmp_path: Path, sessions: dict, content, message):
    source = state_file(tmp_path, content)
    proc = session(sessions, "import", "demo", str(source))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"sma: error: {source} {message}"
    folder = Path(sessions["SMA_SESSIONS_DIR"])
    assert not folder.exists() or list(folder.iterdir()) == [], "nothing stored"


def test_import_rejects_a_bad_name_and_a_missing_file(tmp_path: Path, sessions: dict):
    proc = session(sessions, "import", "../escape", str(state_file(tmp_path, STATE)))
    assert proc.returncode == 2
    assert proc.stderr.strip() == "sma: error: bad session name '../escape': use letters, digits, '_' and '-' only"
    proc = session(sessions, "import", "demo", str(tmp_path / "missing.json"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"sma: error: {tmp_path / 'missing.json'}: no such file"


def test_list_shows_names_domains_and_mode_never_values(tmp_path: Path, sessions: dict):
    assert session(sessions, "import", "demo-login", str(state_file(tmp_path, STATE))).returncode == 0
    proc = session(sessions, "list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ("demo-login  mode 0600  2 cookies (.example.org, 127.0.0.1), 1 origins, "
                                   "first expiry 2030-01-01")
    for secret in (COOKIE_VALUE, TOKEN_VALUE, "sessionid", "token"):
        assert secret not in proc.stdout + proc.stderr


def test_list_when_empty(sessions: dict):
    proc = session(sessions, "list")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"no sessions in {sessions['SMA_SESSIONS_DIR']}"


def test_remove(tmp_path: Path, sessions: dict):
    assert session(sessions, "import", "demo", str(state_file(tmp_path, STATE))).returncode == 0
    proc = session(sessions, "remove", "demo")
    assert proc.returncode == 0, proc.stderr
    assert not (Path(sessions["SMA_SESSIONS_DIR"]) / "demo.json").exists()
    proc = session(sessions, "remove", "demo")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "sma: error: no session 'demo'; import it with: sma session import demo FILE"


def test_secrets_and_path_for_the_crawler(tmp_path: Path, sessions: dict, monkeypatch: pytest.MonkeyPatch):
    from sma.sessions import SessionError, session_path, session_secrets

    monkeypatch.setenv("SMA_SESSIONS_DIR", sessions["SMA_SESSIONS_DIR"])
    assert session(sessions, "import", "demo", str(state_file(tmp_path, STATE))).returncode == 0
    assert session_path("demo") == Path(sessions["SMA_SESSIONS_DIR"]) / "demo.json"
    # "nl" is too short to be a secret (it would scrub ordinary text); the token also URL-encoded.
    assert session_secrets("demo") == [
        "eyJhbGciOi.token%2Bwith%2Fslash", "eyJhbGciOi.token+with/slash", COOKIE_VALUE]
    with pytest.raises(SessionError) as raised:
        session_path("other")
    assert str(raised.value) == "no session 'other'; import it with: sma session import other FILE"
