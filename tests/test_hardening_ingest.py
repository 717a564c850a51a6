"""Hardening of ingest (issue 17): organisation moves only on request, a worker killed
from outside leaves its file to be retried, links and manifest rows never pull in files
from outside the given folders, and every input gets exactly one status."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from ingest_helpers import pdf_bytes
from weerbaar.ingest import Status, ingest
from weerbaar.review import list_decisions, record_decision
from weerbaar.review.sample import add_candidates
from weerbaar.store import Workspace
from weerbaar.store.audit import list_events, verify
from weerbaar.store.documents import get_document, list_passages
from weerbaar.store.organisations import add_organisation

KILL_MARKER = "WEERBAAR_TEST_KILL_MARKER"


def killed_once_parser(path: str, media_type: str, settings, progress):  # type: ignore[no-untyped-def]
    """Parse target for the worker: the first time it sees a file with 'SIGKILL-ME' in
    its name list, the worker is killed with SIGKILL (as the OOM killer or an
    administrator would); afterwards it reads normally."""
    from weerbaar.ingest.worker import parse_file

    marker = Path(os.environ[KILL_MARKER])
    if b"SIGKILL-ME" in Path(path).read_bytes()[-200:] and not marker.exists():
        marker.write_text("killed")
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_file(path, media_type, settings, progress)


def _orgs(ws: Workspace) -> None:
    add_organisation(ws, "VR97", "Veiligheidsregio Proef", "veiligheidsregio", fictional=True)
    add_organisation(ws, "GM9701", "Gemeente Eerstestad", "gemeente", "VR97", fictional=True)
    add_organisation(ws, "GM9702", "Gemeente Tweedestad", "gemeente", "VR97", fictional=True)


# --------------------------------------------------------------------------- 2: org move
def test_reingest_with_other_organisation_does_not_move(workspace: Workspace, tmp_path) -> None:
    _orgs(workspace)
    f = tmp_path / "plan.pdf"
    f.write_bytes(pdf_bytes(2, seed=7))
    first = ingest(workspace, [f], organisation="GM9701", progress=False)
    doc_id = first.items[0].document_id
    with workspace.read() as conn:
        pids = [p["id"] for p in list_passages(conn, document_id=doc_id)]
    add_candidates(workspace, organisation_code="GM9701", measure_id="2.2", passage_ids=pids)
    record_decision(workspace, reviewer="anna", passage_id=pids[0], measure_id="2.2", relevant="ja")

    again = ingest(workspace, [f], organisation="GM9702", progress=False)
    item = again.items[0]
    assert item.status == Status.organisation_conflict
    assert "GM9701" in item.reason and "--verplaats-organisatie" in item.reason
    with workspace.read() as conn:
        assert get_document(conn, doc_id)["organisation_code"] == "GM9701"
    assert list_decisions(workspace, organisation=["GM9701"])
    assert not list_decisions(workspace, organisation=["GM9702"])
    # also with --opnieuw (a re-read) the organisation stays
    forced = ingest(workspace, [f], organisation="GM9702", progress=False, force=True)
    assert forced.items[0].status == Status.organisation_conflict

    moved = ingest(
        workspace, [f], organisation="GM9702", progress=False, move_organisation=True, actor="beh"
    )
    assert moved.items[0].status == Status.unchanged
    assert "Verplaatst van GM9701 naar GM9702" in moved.items[0].reason
    with workspace.read() as conn:
        assert get_document(conn, doc_id)["organisation_code"] == "GM9702"
        events = list_events(conn, "document_verplaatst")
        assert [e["details"]["from"] for e in events] == ["GM9701"]
        assert events[0]["actor"] == "beh" and events[0]["details"]["decisions"] == 1
        assert all(r.broken_at is None for r in verify(conn))
        from sqlalchemy import text

        queue = conn.execute(
            text("SELECT count(*) FROM candidates WHERE organisation_code='GM9701'")
        ).scalar()
    assert queue == 0  # the old organisation's queue no longer offers the passages
    decisions = list_decisions(workspace, organisation=["GM9702"])
    assert [d["reviewer"] for d in decisions] == ["anna"]  # still attributed
    assert not list_decisions(workspace, organisation=["GM9701"])


def test_first_organisation_is_set_without_flag(workspace: Workspace, tmp_path) -> None:
    _orgs(workspace)
    f = tmp_path / "zonder.pdf"
    f.write_bytes(pdf_bytes(1, seed=8))
    doc = ingest(workspace, [f], progress=False).items[0].document_id
    item = ingest(workspace, [f], organisation="GM9701", progress=False).items[0]
    assert item.status == Status.unchanged
    with workspace.read() as conn:
        assert get_document(conn, doc)["organisation_code"] == "GM9701"


# --------------------------------------------------------------------------- 3: signals
def test_worker_killed_by_sigkill_is_interrupted_and_read_next_run(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KILL_MARKER, str(tmp_path / "killed"))
    src = tmp_path / "invoer"
    src.mkdir()
    (src / "a-goed.pdf").write_bytes(pdf_bytes(2, seed=11))
    (src / "b-geraakt.pdf").write_bytes(pdf_bytes(3, seed=12) + b"\n%SIGKILL-ME\n")
    (src / "c-goed.pdf").write_bytes(pdf_bytes(2, seed=13))
    target = "test_hardening_ingest:killed_once_parser"
    first = ingest(workspace, [src], progress=False, parser=target)
    got = {i.name: i for i in first.items}
    assert (tmp_path / "killed").exists()
    assert got["b-geraakt.pdf"].status == Status.interrupted
    assert "SIGKILL" in got["b-geraakt.pdf"].reason
    assert got["a-goed.pdf"].status == Status.ok and got["c-goed.pdf"].status == Status.ok
    # a normal re-run (no --opnieuw) reads it; the others are not read again
    second = ingest(workspace, [src], progress=False, parser=target)
    got = {i.name: i for i in second.items}
    assert got["b-geraakt.pdf"].status == Status.ok
    assert got["b-geraakt.pdf"].passages > 0
    assert got["a-goed.pdf"].status == Status.unchanged


def test_parser_crash_is_still_corrupt(workspace: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "abort.txt"
    f.write_bytes(b"ABORT dit bestand laat de lezer crashen")
    item = ingest(workspace, [f], progress=False, parser="ingest_helpers:misbehaving_parser").items[
        0
    ]
    assert item.status == Status.corrupt and "SIGABRT" in item.reason


# --------------------------------------------------------------------------- 4: inputs
def test_links_and_manifest_paths_stay_inside_their_folders(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "geheim"
    secret.mkdir()
    (secret / "passwd").write_text("root:x:0:0:GEHEIM-WACHTWOORD:/root:/bin/bash\n" * 20)
    (secret / "map").mkdir()
    (secret / "map" / "notities.txt").write_text("GEHEIME-NOTITIE over noodstroom. " * 20)
    work = tmp_path / "werk"
    work.mkdir()
    (work / "brief.txt").write_text("De gemeente richt noodsteunpunten in. " * 20)
    (work / "users.txt").symlink_to(secret / "passwd")  # a file link out
    (work / "buiten").symlink_to(secret / "map")  # a directory link out
    (work / "ook-brief.txt").symlink_to(work / "brief.txt")  # a link inside: fine
    (work / "docs").mkdir()
    (work / "docs" / "lus").symlink_to(work)  # a loop inside a folder
    manifest = work / "manifest.csv"
    manifest.write_text(
        "bestand;titel\n"
        "brief.txt;Brief\n"
        "../geheim/passwd;Uit de map\n"
        f"{secret / 'passwd'};Absoluut pad\n"
        "buiten/notities.txt;Via een link naar buiten\n"
    )
    monkeypatch.chdir(work)
    # as the shell expands `weerbaar inlezen *`
    names = sorted(p.name for p in work.iterdir())
    report = ingest(workspace, names, manifest=manifest, progress=False)
    by = {i.path: i for i in report.items}
    status = {Path(p).name: i.status for p, i in by.items()}
    assert status["users.txt"] == Status.link_not_followed
    assert status["buiten"] == Status.link_not_followed
    assert status["lus"] == Status.link_not_followed
    assert status["brief.txt"] in {Status.ok, Status.duplicate}
    assert status["ook-brief.txt"] in {Status.ok, Status.duplicate}
    outside = [i for i in report.items if i.status == Status.outside_folder]
    # '../' and the absolute path name the same file (one input); a path through a link
    assert sorted(i.name for i in outside) == ["notities.txt", "passwd"]
    assert all("buiten de map" in i.reason for i in outside)
    # every input has exactly one status, and nothing secret was stored
    assert len(report.items) == len({i.path for i in report.items})
    with workspace.read() as conn:
        texts = " ".join(p["text"] for p in list_passages(conn))
    assert "noodsteunpunten" in texts
    assert "GEHEIM" not in texts
