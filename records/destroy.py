"""Destruction with accountability: a proposed list (vernietigingslijst), an archivist's approval, a
crash-safe run, and a statement (verklaring van vernietiging) that is kept permanently.

    DIR/records/vernietigingslijsten/<id>.json   the list: what, category, term; approval
    DIR/records/verklaringen/<id>.json, .txt      what was destroyed, under which category, approved
                                                  by whom and when, which files were rewritten
    DIR/.sma/destroy/<id>.jsonl                   the run's journal (plan first, then each step)

The plan (every record id to remove) is written and fsynced before anything changes; every step is
idempotent (a WARC that no longer holds the records is left alone), so a run killed at any point
leaves each file old or new (write beside it, fsync, rename) and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from archive.jsonl import read_jsonl
from archive.layout import make_dir

from .holds import Holds, _audit
from .objects import InformationObject
from .redact import Traces, card_selectors, redact_member
from .redact_plan import plan_redactions, traces_for
from .warcmap import TREES, records_of, scan, scan_all

LISTS = Path("records") / "vernietigingslijsten"
STATEMENTS = Path("records") / "verklaringen"
JOURNALS = Path(".sma") / "destroy"


class DestroyError(Exception):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _items_digest(items: list[dict]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


def _item(obj: InformationObject) -> dict:
    return {"id": obj.id, "url": obj.url, "account": obj.account_id, "title": obj.title,
            "category_code": obj.category_code, "category_title": obj.category_title,
            "category_list": obj.category_list, "waardering": obj.waardering, "bewaartermijn": obj.bewaartermijn,
            "term_start": str(obj.term_start), "term_end": str(obj.term_end), "comments": obj.comments}


def propose(archive_dir: Path, objects: list[InformationObject], texts: dict[str, str], due_date: date,
            by: str) -> Path:
    """Writes a list of the posts whose term ended by `due_date`, without the held ones."""
    holds = Holds(archive_dir)
    items, held = [], []
    for obj in objects:
        if obj.kind != "post" or obj.waardering != "V" or not obj.term_end or obj.term_end > due_date:
            continue
        holding = holds.holding(obj, texts.get(obj.url, ""))
        if holding:
            held.append({"id": obj.id, "holds": [h.id for h in holding]})
        else:
            items.append(_item(obj))
    list_id = "vl-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + os.urandom(2).hex()
    path = Path(archive_dir) / LISTS / f"{list_id}.json"
    _write_json(path, {"id": list_id, "created": _now(), "created_by": by, "due": str(due_date),
                       "status": "proposed", "items": items, "held": held, "digest": _items_digest(items)})
    _audit(archive_dir, by, "archivist", "destroy.propose", list_id, {"items": len(items), "held": len(held)})
    return path


def load_list(archive_dir: Path, ref: str) -> tuple[Path, dict]:
    path = Path(ref)
    if not path.exists():
        path = Path(archive_dir) / LISTS / (ref if ref.endswith(".json") else ref + ".json")
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DestroyError(f"cannot read destruction list {ref}: {exc}") from None


def approve(archive_dir: Path, ref: str, by: str) -> dict:
    path, data = load_list(archive_dir, ref)
    if data.get("digest") != _items_digest(data.get("items", [])):
        raise DestroyError(f"{path}: the list was changed after it was proposed; propose a new one")
    if data.get("approved"):
        raise DestroyError(f"{path}: already approved by {data['approved']['by']}")
    data["approved"] = {"by": by, "at": _now(), "digest": data["digest"]}
    data["status"] = "approved"
    _write_json(path, data)
    _seal_list(archive_dir, path, f"destroy-approve {data['id']}")
    _audit(archive_dir, by, "archivist", "destroy.approve", data["id"], {"items": len(data["items"]),
                                                                        "digest": data["digest"]})
    return data


def _seal_list(archive_dir: Path, path: Path, by: str) -> None:
    """A list changes on purpose when it is approved and when it has run: its new digest is sealed."""
    from .fixity import seal_files

    if Path(path).resolve().is_relative_to(Path(archive_dir).resolve()):
        seal_files(archive_dir, [Path(archive_dir).resolve() / Path(path).resolve().relative_to(
            Path(archive_dir).resolve())], by)


class Run:
    """One destruction run of an approved list; `run()` resumes from the journal."""

    def __init__(self, archive_dir: Path, ref: str, by: str, fernet: Any = None, texts: dict | None = None) -> None:
        self.archive_dir = Path(archive_dir)
        self.path, self.list = load_list(archive_dir, ref)
        self.by = by
        self.fernet = fernet
        self.texts = texts or {}
        self.journal = self.archive_dir / JOURNALS / f"{self.list['id']}.jsonl"
        self.steps = 0
        self._scanned: dict[Path, list] = {}  # records per file, when this run made the plan itself

    def _check(self) -> None:
        approved = self.list.get("approved")
        if not approved:
            raise DestroyError(f"{self.path}: not approved (sma destroy approve {self.list['id']} --by NAME)")
        if approved.get("digest") != _items_digest(self.list["items"]):
            raise DestroyError(f"{self.path}: the list differs from what {approved['by']} approved")
        holds = Holds(self.archive_dir)
        held = []
        for item in self.list["items"]:
            obj = InformationObject(item["id"], "post", item["account"], "", item["url"], item["title"], None,
                                    item["category_code"], item["category_title"], "V", None, None, None, None)
            for hold in holds.holding(obj, self.texts.get(item["url"], "")):
                held.append(f"{item['url']} ({hold.id}: {hold.reason})")
        if held:
            raise DestroyError("refused: held objects in the list: " + "; ".join(held))

    def _log(self, row: dict) -> None:
        make_dir(self.journal.parent)
        with open(self.journal, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.steps += 1
        from sma.config import DESTROY_KILL_AFTER_STEP  # tests: a crash at a known step

        if DESTROY_KILL_AFTER_STEP.get() == str(self.steps):
            os.kill(os.getpid(), signal.SIGKILL)

    def _done_steps(self) -> list[dict]:
        return read_jsonl(self.journal)  # a step torn by a kill is passed over, and done again

    def run(self) -> dict:
        if self.list.get("status") == "destroyed":
            raise DestroyError(f"{self.path}: already destroyed (verklaring {self.list.get('verklaring')})")
        done = self._done_steps()
        plan = next((r for r in done if r["step"] == "plan"), None)
        if plan is None:
            self._check()  # a resumed run was checked when it started
            posts = {item["url"] for item in self.list["items"]}
            infos = scan_all(self.archive_dir)
            drop = records_of(infos, posts)
            for info in infos:
                self._scanned.setdefault(info.file, []).append(info)
            files: dict[str, list[str]] = {}
            for info in drop:
                files.setdefault(str(info.file.relative_to(self.archive_dir)), []).append(info.record_id)
            traces = traces_for(self.archive_dir, posts, drop, self.texts)
            redact = plan_redactions(self.archive_dir, infos, {i.record_id for i in drop}, traces, files)
            plan = {"step": "plan", "at": _now(), "posts": sorted(posts), "files": files, "redact": redact,
                    "traces": self._seal_traces(traces)}
            self._log(plan)
        finished = {r["file"] for r in done if r["step"] == "file"}
        drop_ids = {rid for ids in plan["files"].values() for rid in ids}
        results = {r["file"]: r for r in done if r["step"] == "file"}
        redact = plan.get("redact", {})
        traces = self._open_traces(plan.get("traces")) if redact else None
        selectors = card_selectors() if redact else []
        for name in sorted(set(plan["files"]) | set(redact)):
            if name in finished:
                continue
            path = self.archive_dir / name
            results[name] = {"step": "file", "file": name, **_rewrite(
                path, set(plan["files"].get(name, [])), self._scanned.get(path), set(redact.get(name, [])),
                traces, selectors, self.list["id"])}
            self._log(results[name])
        posts = set(plan["posts"])
        if not any(r["step"] == "side" for r in done):
            side = {"step": "side", **self._side_files(posts, drop_ids, {**plan["files"], **redact},
                                                       traces or self._open_traces(plan.get("traces")))}
            self._log(side)
        else:
            side = next(r for r in done if r["step"] == "side")
        statement = self._statement(plan, results, side)
        # The rewritten WARCs and the statement are changes on purpose: their new digests go into the
        # fixity manifest, so `sma verify --archive` keeps telling decay from destruction.
        from .fixity import seal_files

        seal_files(self.archive_dir, [self.archive_dir / name for name in sorted(set(plan["files"]) | set(redact))]
                   + self._side_changes()
                   + [self.archive_dir / statement["file"], (self.archive_dir / statement["file"]).with_suffix(".txt")],
                   f"destroy-run {self.list['id']}")
        self._log({"step": "done", "verklaring": statement["file"]})
        self._forget_traces()
        self.list["status"] = "destroyed"
        self.list["verklaring"] = statement["file"]
        _write_json(self.path, self.list)
        _seal_list(self.archive_dir, self.path, f"destroy-run {self.list['id']}")
        _audit(self.archive_dir, self.by, "archivist", "destroy.run", self.list["id"],
               {"posts": len(posts), "records": len(drop_ids), "verklaring": statement["file"]})
        return statement

    def _side_changes(self) -> list[Path]:
        """The side files this run rewrote, rebuilt or removed (ledgers, history, pages, crawl facts,
        pywb's and the search indexes) whose manifest line no longer matches: sealed anew, so that
        `sma verify` keeps telling decay from destruction. Only these kinds of file: a damaged WARC
        or audit log is not sealed over."""
        from .fixity import read_manifest, sha256_file

        side = ("crawls/", "accounts/", ".pywb/", ".sma/search/", "pages.jsonl", "access/pages.jsonl",
                "public/pages.jsonl", "access/.pywb/", "public/.pywb/")
        known = read_manifest(self.archive_dir)
        paths = {rel for rel in known if rel.startswith(side) and "broken" not in known[rel]}
        search = self.archive_dir / ".sma" / "search"
        if search.exists():
            paths |= {str(p.relative_to(self.archive_dir)) for p in search.rglob("*") if p.is_file()}
        changed = []
        for rel in sorted(paths):
            path, entry = self.archive_dir / rel, known.get(rel)
            if not path.exists():
                if entry:
                    changed.append(path)  # sealed as removed
            elif entry is None or entry.get("size") != path.stat().st_size or entry.get("sha256") != sha256_file(path):
                changed.append(path)
        return changed

    def _seal_traces(self, traces: Traces) -> str:
        """The traces are the destroyed text itself: encrypted with the organisation's key in the journal,
        and taken out of it when the run is done."""
        data = json.dumps(traces.to_json(), ensure_ascii=False).encode("utf-8")
        if self.fernet is None:
            return "plain:" + data.decode("utf-8")
        return self.fernet.encrypt(data).decode("ascii")

    def _open_traces(self, sealed: str | None) -> Traces:
        if not sealed:
            return Traces([], [])
        if sealed.startswith("plain:"):
            return Traces.from_json(json.loads(sealed[6:]))
        return Traces.from_json(json.loads(self.fernet.decrypt(sealed.encode("ascii"))))

    def _forget_traces(self) -> None:
        rows = self._done_steps()
        for row in rows:
            row.pop("traces", None)
        tmp = self.journal.with_name(self.journal.name + ".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.journal)

    def _side_files(self, posts: set[str], drop_ids: set[str], files: dict, traces: Traces) -> dict:
        """Ledgers, history, pages lists, derived indexes and reports: every trace outside the WARCs."""
        from .sidefiles import clean_side_files

        return clean_side_files(self.archive_dir, posts, drop_ids, files, self.fernet, traces)

    def _statement(self, plan: dict, results: dict, side: dict) -> dict:
        approved = self.list["approved"]
        statement = {
            "verklaring_van_vernietiging": self.list["id"],
            "organisation_archive": str(self.archive_dir),
            "list": str(self.path.relative_to(self.archive_dir)),
            "approved_by": approved["by"], "approved_at": approved["at"],
            "run_by": self.by, "run_started": plan["at"], "run_finished": _now(),
            "destroyed": self.list["items"],
            "records_removed": sum(r["removed"] for r in results.values()),
            "records_redacted": sum(r.get("redacted", 0) for r in results.values()),
            "files": [{k: v for k, v in r.items() if k != "step"} for r in results.values()],
            "side_files": {k: v for k, v in side.items() if k != "step"},
        }
        base = self.archive_dir / STATEMENTS / self.list["id"]
        _write_json(base.with_suffix(".json"), statement)
        lines = [f"Verklaring van vernietiging {self.list['id']}", "",
                 f"Goedgekeurd door {approved['by']} op {approved['at']}; uitgevoerd door {self.by} op "
                 f"{statement['run_finished']}.", f"Vernietigd: {len(self.list['items'])} informatieobjecten, "
                 f"{statement['records_removed']} WARC-records in {len(results)} bestanden.", ""]
        for item in self.list["items"]:
            lines.append(f"- {item['url']} | {item['category_code']} {item['category_title']} | "
                         f"{item['waardering']} {item['bewaartermijn']} | termijn {item['term_start']} t/m "
                         f"{item['term_end']}")
        tmp = base.with_suffix(".txt.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, base.with_suffix(".txt"))
        statement["file"] = str(base.with_suffix(".json").relative_to(self.archive_dir))
        return statement


def _rewrite(path: Path, drop: set[str], infos: list | None = None, redact: set[str] | None = None,
             traces: Traces | None = None, selectors: list[str] | None = None, note: str = "") -> dict:
    """Copies every record but `drop` (each record is its own gzip member: copied byte for byte), the
    records in `redact` without the destroyed posts' traces (records/redact.py), into a new file beside
    it, fsyncs it and renames it over the old one. `infos`: the file's records as the plan just read
    them (a resumed run reads the file again)."""
    if not path.exists():
        return {"removed": 0, "redacted": 0, "kept": 0, "sha256": None, "deleted": True}
    infos = infos if infos is not None else list(scan(path))
    keep = [i for i in infos if i.record_id not in drop]
    removed = len(infos) - len(keep)
    rewritten: dict[str, bytes] = {}
    if redact and traces is not None:
        with open(path, "rb") as src:
            for info in keep:
                if info.record_id in redact:
                    src.seek(info.offset)
                    new = redact_member(src.read(info.length), traces, selectors or [], note)
                    if new is not None:
                        rewritten[info.record_id] = new
    if removed == 0 and not rewritten:
        return {"removed": 0, "redacted": 0, "kept": len(keep), "sha256": _sha256(path), "deleted": False}
    if all(i.type == "warcinfo" for i in keep):
        path.unlink()
        _fsync_dir(path.parent)
        return {"removed": removed, "redacted": 0, "kept": 0, "sha256": None, "deleted": True}
    tmp = path.with_name(path.name + ".destroy-tmp")
    with open(path, "rb") as src, open(tmp, "wb") as out:
        for info in keep:
            if info.record_id in rewritten:
                out.write(rewritten[info.record_id])
                continue
            src.seek(info.offset)
            out.write(src.read(info.length))
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return {"removed": removed, "redacted": len(rewritten), "kept": len(keep), "sha256": _sha256(path),
            "deleted": False}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_derived(archive_dir: Path) -> None:
    """pywb's state is derived from the WARCs: drop it so the next replay re-indexes."""
    shutil.rmtree(Path(archive_dir) / ".pywb", ignore_errors=True)


__all__ = ["TREES", "DestroyError", "Run", "approve", "load_list", "propose", "remove_derived"]
