"""Appraisal, legal hold and destruction on a real (small) crawl of the demo platform.

One crawl of three posts is shared by the module; every test works on its own copy. The clock is
moved forward with `--due` (the day the list is drawn up), years after the posts' terms ended.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import crawl, run_sma

RECORDS_DUE = "2031-01-01"  # five years and more after the demo's posts (2025)


@pytest.fixture(scope="module")
def small(platform, tmp_path_factory):
    truth = platform.truth("mastodon")
    archive = tmp_path_factory.mktemp("records-crawl") / "a"
    run = crawl(truth["profile_url"], archive, "--account", "campaign", "--max-posts", "3")
    assert run.returncode == 0, run.stderr
    state = json.loads((archive / "accounts" / "campaign" / "state.json").read_text())
    posts = {p["url"]: p for p in truth["posts"] if p["url"] in state["posts"]}
    assert len(posts) == 3
    ordered = sorted(posts.values(), key=lambda p: -p["comment_count"])
    doomed, held, hot = ordered[0], ordered[1], ordered[2]
    assert doomed["comment_count"] > 0
    hot_word = max((w.strip(".,?!:") for w in hot["text"].split()), key=len).lower()
    assert hot_word not in doomed["text"].lower() + held["text"].lower()
    registry = tmp_path_factory.mktemp("records-registry") / "registry.yaml"
    base = truth["profile_url"].split("/@")[0]
    registry.write_text(f"""\
organisation: {{id: ministerie-demo, name: Ministerie van Demo}}
processes:
  campagnes: PV-2
hotspots:
  - "test 2025-01-01..2025-12-31 {hot_word}"
accounts:
  - {{id: a-oneway, platform: linkedin, url: "{base}/linkedin/company/ministerie-demo/", type: corporate,
     comments: false, process: publieksvoorlichting, schedule: daily}}
  - {{id: b-dialog, platform: x, url: "{base}/x/ministerie-demo", type: corporate, comments: true,
     process: webcare, schedule: daily}}
  - {{id: c-hybrid, platform: x, url: "{base}/x/minister-demo", type: hybrid, comments: true,
     process: webcare, schedule: manual}}
  - {{id: campaign, platform: mastodon, url: "{truth['profile_url']}", type: corporate, comments: true,
     process: campagnes, schedule: daily}}
""")
    return {"archive": archive, "registry": registry, "doomed": doomed, "held": held, "hot": hot,
            "hot_word": hot_word}


def copy(small, tmp_path: Path, name: str = "a") -> Path:
    target = tmp_path / name
    shutil.copytree(small["archive"], target, symlinks=True)
    return target


def sma(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real CLI; in this process (cheap) unless the test needs its own process (a SIGKILL)."""
    if env:
        return run_sma(*args, timeout=300, env=env)
    from sma.cli import main

    out, err, umask = io.StringIO(), io.StringIO(), os.umask(0o077)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.umask(umask)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def every_byte(archive: Path) -> bytes:
    """Every file of the archive, WARCs decompressed: what a disk search would find."""
    chunks = []
    for root, _, files in os.walk(archive):
        for name in files:
            data = (Path(root) / name).read_bytes()
            chunks.append(gzip.decompress(data) if name.endswith(".gz") else data)
    return b"\n".join(chunks)


def files_holding(archive: Path, needle: bytes, under: Path | None = None) -> list[str]:
    """The archive's files (WARCs decompressed) holding `needle`, relative to the archive."""
    found = []
    for root, _, files in os.walk(under or archive):
        for name in files:
            data = (Path(root) / name).read_bytes()
            if needle in (gzip.decompress(data) if name.endswith(".gz") else data):
                found.append(str((Path(root) / name).relative_to(archive)))
    return found


def report_rows(archive: Path, registry: Path) -> dict[str, dict]:
    proc = sma("appraisal", "report", "--archive", str(archive), "--registry", str(registry), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return {row["id"]: row for row in csv.DictReader(io.StringIO(proc.stdout))}


def propose_and_approve(archive: Path, registry: Path) -> str:
    proc = sma("destroy", "list", "--archive", str(archive), "--registry", str(registry), "--due", RECORDS_DUE,
               "--by", "recordmanager")
    assert proc.returncode == 0, proc.stderr
    list_id = proc.stdout.strip().splitlines()[-1].split(":")[0]
    proc = sma("destroy", "approve", list_id, "--archive", str(archive), "--by", "A. Archivaris")
    assert proc.returncode == 0, proc.stderr
    return list_id


def test_every_post_is_appraised_with_category_hotspot_and_term(small, tmp_path: Path):
    rows = report_rows(small["archive"], small["registry"])
    doomed, hot = rows[f"post:{small['doomed']['url']}"], rows[f"post:{small['hot']['url']}"]
    assert (doomed["category_code"], doomed["waardering"], doomed["bewaartermijn"]) == ("PV-2", "V", "P5Y")
    year, rest = doomed["term_start"].split("-", 1)
    assert doomed["term_end"] == f"{int(year) + 5}-{rest}" and doomed["term_start"] == doomed["post_date"]
    assert int(doomed["comments"]) == small["doomed"]["comment_count"]
    assert (hot["waardering"], hot["hotspot"], hot["term_end"]) == ("B", "test", "")
    account = rows["account:campaign"]
    assert account["kind"] == "account" and len(account["reason"]) > 0
    html = sma("appraisal", "report", "--archive", str(small["archive"]), "--registry", str(small["registry"]),
               "--format", "html").stdout
    assert "<h2>Posts per category and year</h2>" in html and "<th>2025</th>" in html


def test_approved_destruction_removes_the_post_everywhere_and_keeps_the_rest(small, tmp_path: Path):
    archive = copy(small, tmp_path)
    registry = small["registry"]
    hold = sma("hold", "add", "--archive", str(archive), "--post", small["held"]["url"], "--reason",
               "Woo-verzoek 2030-17", "--by", "jurist")
    assert hold.returncode == 0, hold.stderr
    list_id = propose_and_approve(archive, registry)
    listed = json.loads((archive / "records" / "vernietigingslijsten" / f"{list_id}.json").read_text())
    assert [i["url"] for i in listed["items"]] == [small["doomed"]["url"]]  # held and hotspot posts are not
    assert [h["id"] for h in listed["held"]] == [f"post:{small['held']['url']}"]
    before = every_byte(archive)
    comment_texts = [c["text"].encode() for c in small["doomed"]["comments"]]
    assert all(text in before for text in comment_texts)
    doomed_url = small["doomed"]["url"]
    post_id = doomed_url.rstrip("/").rsplit("/", 1)[1]
    traces = [doomed_url.encode(), doomed_url.split("//", 1)[1].split("/", 1)[1].encode(), post_id.encode(),
              small["doomed"]["text"][:60].encode()]  # URL, path, id, the opening a timeline shows
    timelines = [f for f in files_holding(archive, traces[-1])
                 if f.endswith(".warc.gz")]  # the profile page's captures show the opening too
    assert timelines and all(t in before for t in traces)
    assert sma("verify", "--archive", str(archive), "--seal").returncode == 0

    proc = sma("destroy", "run", list_id, "--archive", str(archive), "--by", "beheerder")
    assert proc.returncode == 0, proc.stderr
    after = every_byte(archive)
    assert [t for t in comment_texts if t in after] == []  # WARCs, access copy, ledgers, history, pages
    # Not in any byte either: the post's URL, path, id and opening, in every capture (the timeline's
    # HTML, DOM, text, screenshot, JSON), index, ledger, crawl fact; only the accountability files
    # (the list, the verklaring, the run's journal) say what was destroyed.
    accountability = {"records/vernietigingslijsten", "records/verklaringen", ".sma/destroy"}
    for trace in traces:
        holding = {str(Path(f).parent) for f in files_holding(archive, trace)}
        assert holding <= accountability, (trace, holding)
    assert not files_holding(archive, small["doomed"]["text"][:60].encode(), under=archive / ".sma" / "destroy")
    verified = sma("verify", "--archive", str(archive))  # the rewritten files were sealed by the run
    assert verified.returncode == 0 and "FAIL" not in verified.stdout, verified.stdout
    for name in ("pages.jsonl", "access/pages.jsonl"):
        assert small["doomed"]["url"] not in (archive / name).read_text()
    state = json.loads((archive / "accounts" / "campaign" / "state.json").read_text())
    assert set(state["posts"]) == {small["held"]["url"], small["hot"]["url"]}
    warcs = sorted(archive.glob("**/warcs/*.warc.gz"))
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    from crawler.archive.read import iter_records

    kept = {r.uri for r in iter_records(archive) if r.type == "response"}
    assert {small["held"]["url"], small["hot"]["url"]} <= kept and small["doomed"]["url"] not in kept
    statement = json.loads((archive / "records" / "verklaringen" / f"{list_id}.json").read_text())
    assert statement["approved_by"] == "A. Archivaris" and statement["run_by"] == "beheerder"
    assert [(d["url"], d["category_code"]) for d in statement["destroyed"]] == [(small["doomed"]["url"], "PV-2")]
    assert statement["records_removed"] > 0
    audit = [json.loads(line)["action"] for line in (archive / ".sma" / "audit.jsonl").read_text().splitlines()]
    assert audit == ["hold.add", "destroy.propose", "destroy.approve", "destroy.run"]
    again = sma("destroy", "run", list_id, "--archive", str(archive))
    assert again.returncode != 0 and "already destroyed" in again.stderr
    assert_replay(archive, kept=[small["held"]["url"], small["hot"]["url"]], gone=small["doomed"]["url"])


def assert_replay(archive: Path, kept: list[str], gone: str) -> None:
    """`sma replay`, re-indexing the rewritten WARCs, replays the kept posts to the archivist and has
    nothing of the destroyed one. On a copy: the gateway writes users, audit log and indexes."""
    import urllib.error
    import urllib.request

    from gateway_helpers import PASSWORDS, basic, copy_archive, serve_for_archivist, stop_gateway

    rows = [json.loads(line) for line in (archive / "pages.jsonl").read_text().splitlines()[1:]]
    ts = {row["url"]: re.sub(r"\D", "", row["ts"]) for row in rows}
    gateway = serve_for_archivist(copy_archive(archive, archive.with_name(archive.name + "-replay")))
    auth = {"Authorization": basic("arch", PASSWORDS["arch"][1])}
    try:
        base = f"{gateway.base}/archive"
        for url in kept:
            request = urllib.request.Request(f"{base}/{ts[url]}id_/{url}", headers=auth)
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200 and len(response.read()) > 1000
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(urllib.request.Request(f"{base}/{ts[kept[0]]}id_/{gone}", headers=auth), timeout=60)
        assert missing.value.code == 404
        # The timeline the profile page fetched replays, rewritten without the destroyed post.
        from crawler.archive.read import iter_records

        timeline = next(r for r in iter_records(archive) if r.type == "response" and "/statuses?" in r.uri)
        request = urllib.request.Request(f"{base}/{ts[kept[0]]}id_/{timeline.uri}", headers=auth)
        with urllib.request.urlopen(request, timeout=60) as response:
            statuses = json.loads(response.read())
        assert statuses and gone not in json.dumps(statuses) and set(kept) & {s.get("url") for s in statuses}
    finally:
        stop_gateway(gateway)


def test_run_refuses_a_post_held_after_approval_and_changes_nothing(small, tmp_path: Path):
    archive = copy(small, tmp_path)
    list_id = propose_and_approve(archive, small["registry"])
    word = small["doomed"]["text"].split()[2]
    assert sma("hold", "add", "--archive", str(archive), "--query", word, "--reason", "bezwaar").returncode == 0
    before = {p: p.read_bytes() for p in archive.glob("**/warcs/*.warc.gz")}
    proc = sma("destroy", "run", list_id, "--archive", str(archive))
    assert proc.returncode == 2 and "held" in proc.stderr
    assert {p: p.read_bytes() for p in archive.glob("**/warcs/*.warc.gz")} == before
    hold_id = sma("hold", "list", "--archive", str(archive)).stdout.split()[0]
    assert sma("hold", "release", hold_id, "--archive", str(archive), "--reason", "bezwaar ingetrokken"
               ).returncode == 0
    assert sma("hold", "list", "--archive", str(archive)).stdout == ""
    assert sma("destroy", "run", list_id, "--archive", str(archive)).returncode == 0


def test_unapproved_or_changed_lists_are_refused(small, tmp_path: Path):
    archive = copy(small, tmp_path)
    proc = sma("destroy", "list", "--archive", str(archive), "--registry", str(small["registry"]),
               "--due", RECORDS_DUE)
    list_id = proc.stdout.strip().splitlines()[-1].split(":")[0]
    refused = sma("destroy", "run", list_id, "--archive", str(archive))
    assert refused.returncode == 2 and "not approved" in refused.stderr
    path = archive / "records" / "vernietigingslijsten" / f"{list_id}.json"
    data = json.loads(path.read_text())
    data["items"].append(dict(data["items"][0], url=small["hot"]["url"]))
    path.write_text(json.dumps(data))
    refused = sma("destroy", "approve", list_id, "--archive", str(archive), "--by", "x")
    assert refused.returncode == 2 and "changed" in refused.stderr


def fingerprint(archive: Path) -> dict[str, str]:
    # What differs by design: the audit log and its id, the lists' and run's own ids, Fernet tokens,
    # the fixity manifest (the time each file was sealed).
    skip = ("audit.jsonl", "audit-id", "destroy", "vernietigingslijsten", "verklaringen", "search", "fixity.jsonl")
    out = {}
    for path in sorted(archive.rglob("*")):
        if path.is_file() and not any(part in skip for part in path.relative_to(archive).parts) \
                and not path.name.endswith(".enc"):  # Fernet tokens differ on every encryption
            data = path.read_bytes()
            if path.name.endswith(".warc.gz"):  # a rewritten record names its list (WARC-SMA-Redacted)
                data = re.sub(rb"vl-\d{14}-[0-9a-f]{4}", b"vl-ID", gzip.decompress(data))
            out[str(path.relative_to(archive))] = hashlib.sha256(data).hexdigest()
    return out


@pytest.mark.parametrize("kill_after", [1, 2])
def test_a_run_killed_half_way_resumes_to_the_same_result(small, tmp_path: Path, kill_after: int):
    clean, killed = copy(small, tmp_path, "clean"), copy(small, tmp_path, "killed")
    clean_list, killed_list = (propose_and_approve(a, small["registry"]) for a in (clean, killed))
    assert sma("destroy", "run", clean_list, "--archive", str(clean)).returncode == 0
    proc = sma("destroy", "run", killed_list, "--archive", str(killed),
               env={"SMA_DESTROY_KILL_AFTER_STEP": str(kill_after)})
    assert proc.returncode == -9  # SIGKILL: no cleanup ran
    assert not list(killed.glob("**/*.destroy-tmp"))  # each WARC is old or new, never half
    resumed = sma("destroy", "run", killed_list, "--archive", str(killed))
    assert resumed.returncode == 0, resumed.stderr
    assert fingerprint(killed) == fingerprint(clean)


def test_a_woo_request_created_in_the_review_ui_holds_its_pages(small, tmp_path: Path):
    from replay.gateway_types import GatewayRequest
    from replay.woo.app import handle

    archive = copy(small, tmp_path)
    word = max(small["doomed"]["text"].split(), key=len).strip(".,?!:")
    response = handle(GatewayRequest(
        method="POST", path="/_sma/woo/requests", query={}, user="officer", role="woo-officer", csrf_token="t",
        form={"subject": word, "period_from": "2020-01-01", "period_to": "2035-12-31"}, archive_dir=archive,
        audit=lambda *entry: None, views=None))
    assert response.status == 303
    listed = sma("hold", "list", "--archive", str(archive)).stdout
    assert small["doomed"]["url"] in listed and "Woo-verzoek woo-" in listed
    list_id = propose_and_approve(archive, small["registry"])
    items = json.loads((archive / "records" / "vernietigingslijsten" / f"{list_id}.json").read_text())["items"]
    assert small["doomed"]["url"] not in [i["url"] for i in items]


def test_a_woo_request_created_on_the_command_line_holds_its_pages(small, tmp_path: Path):
    archive = copy(small, tmp_path)
    word = max(small["doomed"]["text"].split(), key=len).strip(".,?!:")
    proc = sma("woo", "request", "create", "--archive", str(archive), "--subject", word,
               "--from", "2020-01-01", "--to", "2035-12-31", "--by", "officer")
    assert proc.returncode == 0, proc.stderr
    woo_id = proc.stdout.split()[0]
    listed = sma("hold", "list", "--archive", str(archive)).stdout
    assert small["doomed"]["url"] in listed and f"Woo-verzoek {woo_id}" in listed
    assert small["hot"]["url"] not in listed  # only what the request's search proposes
    list_id = propose_and_approve(archive, small["registry"])
    items = json.loads((archive / "records" / "vernietigingslijsten" / f"{list_id}.json").read_text())["items"]
    assert small["doomed"]["url"] not in [i["url"] for i in items]


class _Gateway:
    """What records_views needs of replay.gateway.Gateway: the archive and its two ways to answer."""

    def __init__(self, archive: Path) -> None:
        self.archive_dir = archive

    def _respond(self, start_response, status, body, headers):  # noqa: ANN001, ANN202
        start_response(str(status), headers)
        return [body]

    def error_response(self, start_response, status, note=""):  # noqa: ANN001, ANN202
        return self._respond(start_response, status, note.encode(), [])


def _serve(archive: Path, role: str, method: str, path: str) -> tuple[int, bytes]:
    from replay.gateway import Principal
    from replay.records_views import serve

    session = type("S", (), {"csrf": "token-1"})()
    seen = {}
    body = serve(_Gateway(archive), lambda status, headers: seen.update(status=int(status)),
                 Principal("kees", role, session), method, path, {"csrf_token": "token-1"})
    return seen["status"], b"".join(body)


def test_an_archivist_approves_a_list_in_the_gateway(small, tmp_path: Path):
    archive = copy(small, tmp_path)
    proc = sma("destroy", "list", "--archive", str(archive), "--registry", str(small["registry"]),
               "--due", RECORDS_DUE, "--by", "recordmanager")
    list_id = proc.stdout.strip().splitlines()[-1].split(":")[0]
    assert _serve(archive, "researcher", "GET", "/_sma/records/destroy")[0] == 403
    assert _serve(archive, "woo-officer", "POST", f"/_sma/records/destroy/{list_id}/approve")[0] == 403
    status, page = _serve(archive, "archivist", "GET", "/_sma/records/destroy")
    assert status == 200 and small["doomed"]["url"].encode() in page
    assert f'action="/_sma/records/destroy/{list_id}/approve"'.encode() in page and b'value="token-1"' in page
    assert _serve(archive, "archivist", "POST", f"/_sma/records/destroy/{list_id}/approve")[0] == 303
    assert _serve(archive, "archivist", "POST", f"/_sma/records/destroy/{list_id}/approve")[0] == 409
    listed = json.loads((archive / "records" / "vernietigingslijsten" / f"{list_id}.json").read_text())
    assert listed["approved"]["by"] == "kees"
    last = json.loads((archive / ".sma" / "audit.jsonl").read_text().splitlines()[-1])
    assert (last["action"], last["user"], last["target"]) == ("destroy.approve", "kees", list_id)
    assert b"goedgekeurd door kees" in _serve(archive, "archivist", "GET", "/_sma/records/destroy")[1]


def test_a_dialogue_term_starts_when_the_account_is_no_longer_used(small, tmp_path: Path):
    from records.objects import information_objects
    from records.selection import load_selection_list
    from sma.registry import load_registry

    selection = tmp_path / "dialoog.yaml"
    selection.write_text("""\
name: Dialoog tijdelijk (test)
defaults: {one_way: PV, two_way: DI}
categories:
  - {code: PV, title: Publieksvoorlichting, waardering: B, trigger: publicatie}
  - {code: DI, title: Het voeren van dialoog tussen overheid en burgers, waardering: V, bewaartermijn: P10Y,
     trigger: einde gebruik account, process: dialoog}
""")
    text = small["registry"].read_text().replace("    process: campagnes, schedule: daily}",
                                                 "    process: webcare, schedule: daily, ended: 2026-06-30}")
    registry = tmp_path / "registry.yaml"
    registry.write_text(text.replace("processes:\n  campagnes: PV-2\n", ""))
    objects = information_objects(small["archive"], load_registry(registry), load_selection_list(selection), [])
    posts = [o for o in objects if o.kind == "post"]
    assert len(posts) == 3
    assert {(o.category_code, o.term_start.isoformat(), o.term_end.isoformat()) for o in posts} == {
        ("DI", "2026-06-30", "2036-06-30")}
    # Without a registry (so without `ended`) the account counts as still in use: no term runs yet.
    still_used = information_objects(small["archive"], None, load_selection_list(selection), [])
    assert {(o.term_start, o.term_end) for o in still_used if o.kind == "post"} == {(None, None)}


def test_a_year_end_trigger_proposes_a_post_in_the_yearly_round_after_its_term(small, tmp_path: Path):
    archive = copy(small, tmp_path)
    selection = tmp_path / "jaar.yaml"
    selection.write_text("""\
name: Jaarlijkse vernietiging (test)
defaults: {one_way: PV-2, two_way: PV-2}
categories:
  - {code: PV-2, title: Publieksvoorlichting overig, waardering: V, bewaartermijn: P5Y,
     trigger: "publicatie, na afsluiting van het kalenderjaar", process: campagnes}
""")
    common = ("--archive", str(archive), "--registry", str(small["registry"]), "--selection-list", str(selection))
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        sma("appraisal", "report", *common, "--format", "csv").stdout))}
    doomed = rows[f"post:{small['doomed']['url']}"]
    year = int(doomed["post_date"][:4])
    assert (doomed["term_start"], doomed["term_end"]) == (f"{year + 1}-01-01", f"{year + 6}-01-01")
    early = sma("destroy", "list", *common, "--due", str(year + 5))  # the round of that year: not yet
    assert early.returncode == 0 and small["doomed"]["url"] not in early.stdout
    due = sma("destroy", "list", *common, "--due", str(year + 6))
    assert due.returncode == 0 and small["doomed"]["url"] in due.stdout
    bad = sma("destroy", "list", *common, "--due", "volgend jaar")
    assert bad.returncode == 2 and "end-of-year" in bad.stderr
