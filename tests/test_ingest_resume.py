"""Crash safety and idempotency: a run killed with SIGKILL leaves no half-stored document,
and the re-run completes the rest without duplicates (same rows as one clean run)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db_helpers import integrity_ok, restore_backup, rows, scalar
from ingest_helpers import pdf_bytes
from weerbaar.ingest import Status, ingest
from weerbaar.store import open_workspace
from weerbaar.store.documents import count_rows

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow

N_DOCS = 30
PAGES = 40  # per document: enough work that a kill lands half-way, also on a fast machine


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for i in range(N_DOCS):
        (root / f"doc{i:02d}.pdf").write_bytes(pdf_bytes(PAGES, seed=100 + i))
    (root / "kapot.pdf").write_bytes(b"%PDF-1.4 kapot")
    return root


def _fingerprint(ws_dir: Path) -> tuple[dict[str, int], str]:
    assert integrity_ok(ws_dir)
    counts = {
        t: scalar(ws_dir, f"SELECT count(*) FROM {t}")
        for t in ("documents", "document_names", "pages", "passages")
    }
    stored = rows(
        ws_dir,
        "SELECT d.sha256, d.status, p.seq, p.char_start, p.char_end, p.page_start, p.text_hash "
        "FROM passages p JOIN documents d ON d.id = p.document_id ORDER BY d.sha256, p.seq",
    )
    return counts, hashlib.sha256(repr(stored).encode()).hexdigest()


def _done(ws_dir: Path) -> int:
    try:
        return int(scalar(ws_dir, "SELECT count(*) FROM documents WHERE status = 'ok'"))
    except Exception:  # not created yet, or busy being created
        return 0


def test_sigkill_mid_run_then_rerun_equals_clean_run(corpus: Path, tmp_path: Path) -> None:
    clean = open_workspace(tmp_path / "schoon")
    first = ingest(clean, [corpus], progress=False)
    assert sum(i.status == Status.ok for i in first.items) == N_DOCS
    clean.close()
    expected_counts, expected_hash = _fingerprint(tmp_path / "schoon")

    ws_dir = tmp_path / "gekild"
    cmd = [sys.executable, "-m", "weerbaar", "inlezen", str(corpus), "-w", str(ws_dir), "--stil"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while _done(ws_dir) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its forkserver and its parse worker
    finally:
        proc.wait(10)
    killed_at = _done(ws_dir)
    assert 3 <= killed_at < N_DOCS, "the run must be killed half-way"

    # no half-stored document: every stored document has all its pages and passages
    assert integrity_ok(ws_dir)
    per_doc = dict(
        rows(
            tmp_path / "schoon",
            "SELECT d.sha256, count(p.id) FROM documents d LEFT JOIN passages p "
            "ON p.document_id = d.id GROUP BY d.sha256",
        )
    )
    for sha, n, pages in rows(
        ws_dir,
        "SELECT d.sha256, (SELECT count(*) FROM passages p WHERE p.document_id = d.id), d.pages "
        "FROM documents d",
    ):
        assert n == per_doc[sha]
        assert pages == scalar(
            ws_dir,
            "SELECT count(*) FROM pages WHERE document_id = "
            "(SELECT id FROM documents WHERE sha256 = :sha)",
            {"sha": sha},
        )
    leftovers = [p for p in (ws_dir / "bestanden").iterdir() if p.name.endswith(".part")]

    ws = open_workspace(ws_dir)
    rerun = ingest(ws, [corpus], progress=False)
    statuses = [i.status for i in rerun.items]
    assert statuses.count(Status.unchanged) >= killed_at
    assert statuses.count(Status.ok) == N_DOCS - statuses.count(Status.unchanged)
    ws.close()
    counts, digest = _fingerprint(ws_dir)
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

    def passages() -> list[tuple[int, int, int]]:
        return rows(
            ws.root,
            "SELECT id, char_start, char_end FROM passages WHERE document_id = :d ORDER BY seq",
            {"d": doc_id},
        )

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
    kept = {r[0] for r in rows(ws.root, "SELECT passage_id FROM decisions")}
    assert kept == set(chosen)
    assert {r[0] for r in rows(ws.root, "SELECT id FROM passages")} >= set(chosen)
    ws.close()


def test_two_concurrent_runs_store_each_document_once(corpus: Path, tmp_path: Path) -> None:
    clean = open_workspace(tmp_path / "schoon")
    ingest(clean, [corpus], progress=False)
    clean.close()
    expected_counts, expected_hash = _fingerprint(tmp_path / "schoon")

    ws_dir = tmp_path / "samen"
    open_workspace(ws_dir).close()  # created and migrated before the two runs start
    cmd = [sys.executable, "-m", "weerbaar", "inlezen", str(corpus), "-w", str(ws_dir), "--stil"]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    counts, digest = _fingerprint(ws_dir)
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
        while _done(ws_dir) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        copy = backup_database(ws, tmp_path / "kopie")
    finally:
        proc.wait(300)
    ws.close()
    restored = restore_backup(copy, tmp_path / "teruggezet")
    assert integrity_ok(restored)
    assert scalar(restored, "SELECT count(*) FROM documents") >= 2
    # every document in the copy is whole: its pages and passages are all there
    for sha, pages, passages in rows(
        restored,
        "SELECT sha256, (SELECT count(*) FROM pages WHERE document_id = d.id),"
        " (SELECT count(*) FROM passages WHERE document_id = d.id) FROM documents d",
    ):
        assert (pages, passages) == tuple(
            rows(
                ws_dir,
                "SELECT (SELECT count(*) FROM pages WHERE document_id = d.id),"
                " (SELECT count(*) FROM passages WHERE document_id = d.id) FROM documents d"
                " WHERE sha256 = :sha",
                {"sha": sha},
            )[0]
        )
