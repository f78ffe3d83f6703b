"""Issue 13 finding 4, the parts done: strict parsing of the audit log, and a torn last line that
never breaks serving (repaired when the gateway starts, and reported)."""

from __future__ import annotations

import json
from pathlib import Path

from security_support import USERS, basic, call, make_gateway

from replay.audit import AuditLog, audit_path, verify


def _log_with_entries(archive: Path, n: int = 3) -> Path:
    log = AuditLog(archive)
    for i in range(n):
        log.append("anna", "archivist", "view", f"http://example.org/{i}")
    return audit_path(archive)


def test_a_duplicate_key_fails_verify(tmp_path: Path) -> None:
    path = _log_with_entries(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    # The same entry with a second "action": a reader taking the last key sees "login"; the hash
    # (over the parsed object) would still match for a lenient parser.
    lines[1] = lines[1].replace(b'"action":"view"', b'"action":"view","action":"login"')
    path.write_bytes(b"".join(lines))
    verdict = verify(tmp_path)
    assert not verdict.ok and verdict.broken_seq == 2 and "duplicate" in verdict.reason


def test_a_torn_last_line_fails_verify_and_is_repaired_on_start(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    gateway = make_gateway(archive)
    assert call(gateway, "GET", "/", headers=basic("anna", USERS["anna"][1])).status == 200
    path = audit_path(archive)
    with open(path, "ab") as fh:
        fh.write(b'{"seq":99,"at":"2026-')  # a crash mid-append
    assert not verify(archive).ok
    restarted = make_gateway_again(archive)
    assert "torn" in restarted.audit_repair
    answer = call(restarted, "GET", "/", headers=basic("anna", USERS["anna"][1]))
    assert answer.status == 200  # serving (and auditing) goes on
    verdict = verify(archive)
    assert verdict.ok, verdict.reason
    kept = list(path.parent.glob("audit.jsonl.torn-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"seq":99,"at":"2026-'
    assert any(b'"audit-repaired"' in line for line in path.read_bytes().splitlines())


def make_gateway_again(archive: Path):  # noqa: ANN201 - a Gateway on an archive that has its users
    from security_support import HOST, NoViews

    from replay.gateway import Gateway

    return Gateway(archive, NoViews(), allowed_hosts={HOST})  # type: ignore[arg-type]


# -- the HMAC chain and signed checkpoints ---------------------------------------------------------
def _rechain(path: Path, entries: list[dict]) -> None:
    """What an attacker with write access to the archive can do: renumber, re-link, re-hash."""
    from replay.audit import entry_hash

    prev = ""
    for seq, entry in enumerate(entries, start=1):
        entry["seq"], entry["prev"] = seq, prev
        entry["hash"] = entry_hash(entry)
        prev = entry["hash"]
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries))


def _entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_edited_deleted_or_reordered_entries_fail_even_when_rechained(tmp_path: Path) -> None:
    """Was: change an entry and re-hash the chain forward, or delete and renumber: verify exit 0."""
    path = _log_with_entries(tmp_path, 5)
    original = _entries(path)
    assert verify(tmp_path).ok
    edited = [dict(e) for e in original]
    edited[2]["target"] = "http://example.org/something-else"
    for name, tampered in (("edited", edited), ("deleted", [dict(e) for e in original[:1] + original[2:]]),
                           ("reordered", [dict(e) for e in (original[0], original[2], original[1], *original[3:])])):
        _rechain(path, tampered)
        verdict = verify(tmp_path)
        assert not verdict.ok and "HMAC" in verdict.reason, (name, verdict)
        # ...and without the key outside the archive, nobody can tell: verify refuses to say "intact"
    _rechain(path, [dict(e) for e in original])
    for entry in original:
        entry.pop("mac")
    _rechain(path, original)  # HMACs stripped: looks like an old, unsealed log
    assert not verify(tmp_path).ok


def test_a_cut_off_tail_fails_against_the_last_checkpoint(tmp_path: Path) -> None:
    from replay.audit_checkpoints import write_checkpoint

    path = _log_with_entries(tmp_path, 4)
    record = write_checkpoint(tmp_path)
    assert record["seq"] == 4 and record["signature"]
    kept = tmp_path.parent / f"{tmp_path.name}-kept-checkpoints.jsonl"  # kept elsewhere
    kept.write_text(json.dumps(record) + "\n")
    AuditLog(tmp_path).append("anna", "archivist", "view", "http://example.org/later")
    assert verify(tmp_path, (kept,)).ok
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]))  # the newest two entries cut off (a valid chain of 3)
    verdict = verify(tmp_path)
    assert not verdict.ok and "cut off" in verdict.reason
    (tmp_path / ".sma" / "audit-checkpoints.jsonl").unlink()  # the attacker removes the archive's copy too
    verdict = verify(tmp_path, (kept,))
    assert not verdict.ok and "cut off" in verdict.reason
    forged = dict(record, seq=3, hash=json.loads(lines[2])["hash"])  # re-pointed without the private key
    kept.write_text(json.dumps(forged) + "\n")
    assert "signature" in verify(tmp_path, (kept,)).reason


def test_sma_audit_checkpoint_and_verify_commands(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import ROOT

    _log_with_entries(tmp_path, 2)
    env = {**os.environ}
    out = tmp_path.parent / f"{tmp_path.name}-cp.jsonl"
    made = subprocess.run([sys.executable, "-m", "sma.cli", "audit", "checkpoint", "--archive", str(tmp_path),
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["seq"] == 2 and out.is_file()
    ok = subprocess.run([sys.executable, "-m", "sma.cli", "audit", "verify", "--archive", str(tmp_path),
                         "--checkpoint", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "2 entries" in ok.stdout, ok.stderr
