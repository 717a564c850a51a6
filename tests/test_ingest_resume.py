"""Crash safety and idempotency: a run killed with SIGKILL leaves no half-stored document,
and the re-run completes the rest without duplicates (same rows as one clean run)."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest_helpers import pdf_bytes
from weerbaar.ingest import Status, ingest
from weerbaar.store import open_workspace
from weerbaar.store.documents import count_rows

N_DOCS = 30
PAGES = 40  # per document: enough work that a kill lands half-way, also on a fast machine


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for i in range(N_DOCS):
        (root / f"doc{i:02d}.pdf").write_bytes(pdf_bytes(PAGES, seed=100 + i))
    (root / "kapot.pdf").write_bytes(b"%PDF-1.4 kapot")
    return root


def _fingerprint(db_path: Path) -> tuple[dict[str, int], str]:
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("documents", "document_names", "pages", "passages")
    }
    rows = db.execute(
        "SELECT d.sha256, d.status, p.seq, p.char_start, p.char_end, p.page_start, p.text_hash "
        "FROM passages p JOIN documents d ON d.id = p.document_id ORDER BY d.sha256, p.seq"
    ).fetchall()
    db.close()
    return counts, hashlib.sha256(repr(rows).encode()).hexdigest()


def _done(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        n = db.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
        db.close()
        return int(n)
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_run_then_rerun_equals_clean_run(corpus: Path, tmp_path: Path) -> None:
    clean = open_workspace(tmp_path / "schoon")
    first = ingest(clean, [corpus], progress=False)
    assert sum(i.status == Status.ok for i in first.items) == N_DOCS
    clean.close()
    expected_counts, expected_hash = _fingerprint(tmp_path / "schoon" / "weerbaar.sqlite")

    ws_dir = tmp_path / "gekild"
    db_path = ws_dir / "weerbaar.sqlite"
    cmd = [sys.executable, "-m", "weerbaar", "inlezen", str(corpus), "-w", str(ws_dir), "--stil"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while _done(db_path) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its forkserver and its parse worker
    finally:
        proc.wait(10)
    killed_at = _done(db_path)
    assert 3 <= killed_at < N_DOCS, "the run must be killed half-way"

    # no half-stored document: every stored document has all its pages and passages
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    clean_db = sqlite3.connect(tmp_path / "schoon" / "weerbaar.sqlite")
    per_doc = dict(
        clean_db.execute(
            "SELECT d.sha256, count(p.id) FROM documents d LEFT JOIN passages p "
            "ON p.document_id = d.id GROUP BY d.sha256"
        ).fetchall()
    )
    for sha, n, pages in db.execute(
        "SELECT d.sha256, (SELECT count(*) FROM passages p WHERE p.document_id = d.id), d.pages "
        "FROM documents d"
    ).fetchall():
        assert n == per_doc[sha]
        assert (
            pages
            == db.execute(
                "SELECT count(*) FROM pages WHERE document_id = (SELECT id FROM documents WHERE sha256 = ?)",
                (sha,),
            ).fetchone()[0]
        )
    db.close()
    leftovers = [p for p in (ws_dir / "bestanden").iterdir() if p.name.endswith(".part")]

    ws = open_workspace(ws_dir)
    rerun = ingest(ws, [corpus], progress=False)
    statuses = [i.status for i in rerun.items]
    assert statuses.count(Status.unchanged) >= killed_at
    assert statuses.count(Status.ok) == N_DOCS - statuses.count(Status.unchanged)
    ws.close()
    counts, digest = _fingerprint(db_path)
    assert counts == expected_counts
    assert digest == expected_hash
    # at most the one temporary copy of the file being read when killed was left behind
    assert len(leftovers) <= 1


def test_rerun_adds_nothing_and_parses_nothing(corpus: Path, tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    first = ingest(ws, [corpus], progress=False)
    assert first.pages_parsed == N_DOCS * PAGES
    with ws.read() as conn:
        before = count_rows(conn)
    second = ingest(ws, [corpus], progress=False)
    assert second.pages_parsed == 0
    assert {i.status for i in second.items} == {Status.unchanged}
    with ws.read() as conn:
        assert count_rows(conn) == before
    # the same content under a new name: one document, two names
    copy = tmp_path / "kopie van doc00.pdf"
    copy.write_bytes((corpus / "doc00.pdf").read_bytes())
    third = ingest(ws, [copy], progress=False)
    assert third.items[0].status == Status.duplicate
    with ws.read() as conn:
        after = count_rows(conn)
    assert after["documents"] == before["documents"]
    assert after["passages"] == before["passages"]
    assert after["document_names"] == before["document_names"] + 1


def test_force_reread_keeps_review_decisions(tmp_path: Path) -> None:
    from weerbaar.review import record_decision

    src = tmp_path / "plan.pdf"
    src.write_bytes(pdf_bytes(4, seed=5))
    ws = open_workspace(tmp_path / "ws")
    first = ingest(ws, [src], progress=False)
    doc_id = first.items[0].document_id
    db = ws.root / "weerbaar.sqlite"

    def passages() -> list[tuple[int, int, int]]:
        con = sqlite3.connect(db)
        rows = con.execute(
            "SELECT id, char_start, char_end FROM passages WHERE document_id = ? ORDER BY seq",
            (doc_id,),
        ).fetchall()
        con.close()
        return rows

    before = passages()
    chosen = [before[0][0], before[-1][0]]
    for pid in chosen:
        record_decision(ws, reviewer="anna", passage_id=pid, measure_id="2.2", relevant="ja")
    # same extractor: the passages keep their ids, the decisions stay attached
    again = ingest(ws, [src], progress=False, force=True)
    assert again.items[0].status == Status.ok and again.pages_parsed == 4
    assert passages() == before
    # a different cut (smaller passages): reviewed passages that are no longer produced
    # are kept, never deleted with their decisions
    from weerbaar.settings import load_settings

    ingest(ws, [src], progress=False, force=True, settings=load_settings(passage_max_words=20))
    con = sqlite3.connect(db)
    kept = {r[0] for r in con.execute("SELECT passage_id FROM decisions").fetchall()}
    assert kept == set(chosen)
    assert {r[0] for r in con.execute("SELECT id FROM passages")} >= set(chosen)
    con.close()
    ws.close()


def test_two_concurrent_runs_store_each_document_once(corpus: Path, tmp_path: Path) -> None:
    clean = open_workspace(tmp_path / "schoon")
    ingest(clean, [corpus], progress=False)
    clean.close()
    expected_counts, expected_hash = _fingerprint(tmp_path / "schoon" / "weerbaar.sqlite")

    ws_dir = tmp_path / "samen"
    open_workspace(ws_dir).close()  # created and migrated before the two runs start
    cmd = [sys.executable, "-m", "weerbaar", "inlezen", str(corpus), "-w", str(ws_dir), "--stil"]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    counts, digest = _fingerprint(ws_dir / "weerbaar.sqlite")
    assert counts["documents"] == expected_counts["documents"]
    assert counts["passages"] == expected_counts["passages"]
    assert digest == expected_hash


def test_hot_backup_during_ingest_holds_whole_documents(corpus: Path, tmp_path: Path) -> None:
    from weerbaar.store.backup import backup_database

    ws_dir = tmp_path / "ws"
    ws = open_workspace(ws_dir)
    cmd = [sys.executable, "-m", "weerbaar", "inlezen", str(corpus), "-w", str(ws_dir), "--stil"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _done(ws_dir / "weerbaar.sqlite") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        copy = backup_database(ws, tmp_path / "kopie.sqlite")
    finally:
        proc.wait(300)
    ws.close()
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert n_docs >= 2
    # every document in the copy is whole: its pages and passages are all there
    full = sqlite3.connect(ws_dir / "weerbaar.sqlite")
    for sha, pages, passages in db.execute(
        "SELECT sha256, (SELECT count(*) FROM pages WHERE document_id = d.id),"
        " (SELECT count(*) FROM passages WHERE document_id = d.id) FROM documents d"
    ).fetchall():
        assert (pages, passages) == full.execute(
            "SELECT (SELECT count(*) FROM pages WHERE document_id = d.id),"
            " (SELECT count(*) FROM passages WHERE document_id = d.id) FROM documents d"
            " WHERE sha256 = ?",
            (sha,),
        ).fetchone()
