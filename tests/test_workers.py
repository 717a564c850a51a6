"""Parallel work: ``weerbaar inlezen --werkers N`` and several ``weerbaar inlezen`` and
``weerbaar scan`` processes on one PostgreSQL database, with a worker killed (SIGKILL)
half-way. Every document and every candidate must end up stored exactly once, the same as
one process alone would store them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from db_helpers import rows, scalar
from ingest_helpers import pdf_bytes
from weerbaar.ingest import Status, ingest
from weerbaar.search import scan
from weerbaar.store import open_workspace
from weerbaar.store.work import CLAIMED, DONE, OPEN, WorkQueue

ORGS = ["GM1680", "GM0358", "GM0197", "GM0059", "GM0482", "GM0613", "GM0361", "GM0141"]
N_DOCS = 24
PAGES = 16

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PDFs of eight municipalities and a manifest naming the organisation of each."""
    root = tmp_path_factory.mktemp("stukken")
    lines = ["bestand,organisatie,soort,jaar"]
    for i in range(N_DOCS):
        name = f"stuk{i:02d}.pdf"
        (root / name).write_bytes(pdf_bytes(PAGES, seed=500 + i))
        lines.append(f"{name},{ORGS[i % len(ORGS)]},beleidsplan,2025")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _documents(ws_dir: Path) -> list[tuple]:
    return rows(
        ws_dir,
        "SELECT d.sha256, d.organisation_code, d.status, count(p.id) FROM documents d "
        "LEFT JOIN passages p ON p.document_id = d.id "
        "GROUP BY d.sha256, d.organisation_code, d.status ORDER BY d.sha256",
    )


def _passages(ws_dir: Path) -> list[tuple]:
    return rows(
        ws_dir,
        "SELECT d.sha256, p.seq, p.char_start, p.char_end, p.text_hash FROM passages p "
        "JOIN documents d ON d.id = p.document_id ORDER BY d.sha256, p.seq",
    )


def _queue(ws_dir: Path) -> list[tuple]:
    """The review queue by content (passage ids differ between workspaces)."""
    return rows(
        ws_dir,
        "SELECT c.organisation_code, c.measure_id, d.sha256, p.char_start, c.rank "
        "FROM candidates c JOIN passages p ON p.id = c.passage_id "
        "JOIN documents d ON d.id = p.document_id "
        "ORDER BY c.organisation_code, c.measure_id, c.rank",
    )


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "weerbaar", *args]


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 240) -> bool:  # type: ignore[no-untyped-def]
    """SIGKILL ``proc`` (and its parse workers) as soon as ``ready()``; False when the
    process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            return True
        time.sleep(0.02)
    return False


def _count(ws_dir: Path, sql: str) -> int:
    try:
        return int(scalar(ws_dir, sql))
    except Exception:  # not created yet
        return 0


def test_inlezen_werkers_stores_the_same_as_one_worker(corpus: Path, tmp_path: Path) -> None:
    one = open_workspace(tmp_path / "een")
    first = ingest(one, [], manifest=corpus / "manifest.csv", progress=False)
    one.close()
    assert [i.status for i in first.items] == [Status.ok] * N_DOCS
    out = subprocess.run(
        _cli("inlezen", "--manifest", str(corpus / "manifest.csv"), "-w", str(tmp_path / "drie"),
             "--werkers", "3", "--stil"),
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    # the same documents, passages and order (ids) as one worker
    assert _documents(tmp_path / "drie") == _documents(tmp_path / "een")
    assert _passages(tmp_path / "drie") == _passages(tmp_path / "een")
    ids = "SELECT d.sha256, min(p.id) FROM passages p JOIN documents d ON d.id = p.document_id GROUP BY d.sha256 ORDER BY 2"
    assert [r[0] for r in rows(tmp_path / "drie", ids)] == [
        r[0] for r in rows(tmp_path / "een", ids)
    ]


CLAIM_AND_HOLD = textwrap.dedent(
    """
    import sys, time
    from weerbaar.store import open_workspace
    from weerbaar.store.work import WorkQueue
    ws = open_workspace(sys.argv[1])
    claim = WorkQueue(ws, "test").claim()
    print(claim.item, flush=True)
    time.sleep(600)
    """
)


def test_work_queue_killed_worker_gives_its_item_back(tmp_path: Path) -> None:
    """A worker that dies holding an item (SIGKILL: no clean-up runs) loses it: the next
    claim gets it, on both stores; an item that is done is never handed out again."""
    ws = open_workspace(tmp_path / "ws")
    queue = WorkQueue(ws, "test")
    queue.fill(["a", "b", "c"])
    proc = subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_HOLD, str(tmp_path / "ws")],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        held = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert held == "a"
        claim = queue.claim()
        assert claim is not None and claim.item == "b"  # "a" is held by the other process
        with claim, claim.write():
            pass
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    got = []
    for claim in queue.claims(wait=False):
        with claim:
            got.append(claim.item)
            with claim.write():
                pass
    assert got == ["a", "c"]
    assert queue.counts() == {DONE: 3}
    assert queue.claim() is None and queue.remaining() == 0
    # a failing body gives the item back instead of marking it done
    queue.fill(["d"])
    with pytest.raises(RuntimeError), queue.claim() as claim:  # type: ignore[union-attr]
        raise RuntimeError("mislukt")
    assert queue.counts().get(OPEN, 0) + queue.counts().get(CLAIMED, 0) == 1
    ws.close()


def test_two_ingests_and_two_scans_at_once_one_killed(
    corpus: Path, tmp_path: Path, store: str
) -> None:
    if store != "postgresql":
        pytest.skip("meerdere processen op één database: PostgreSQL (pytest --store postgresql)")
    manifest = str(corpus / "manifest.csv")
    # one process alone: the reference
    ref = open_workspace(tmp_path / "alleen")
    ingest(ref, [], manifest=manifest, progress=False)
    scan(ref, progress=False)
    ref.close()
    expected_docs = _documents(tmp_path / "alleen")
    expected_queue = _queue(tmp_path / "alleen")
    assert len(expected_docs) == N_DOCS and expected_queue

    ws_dir = tmp_path / "samen"
    open_workspace(ws_dir).close()

    # two ingests at once; one is killed once a few documents are stored
    inlezen = _cli("inlezen", "--manifest", manifest, "-w", str(ws_dir), "--stil")
    procs = [subprocess.Popen(inlezen, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True) for _ in range(2)]  # fmt: skip
    stored = "SELECT count(*) FROM documents WHERE status = 'ok'"
    assert _kill_when(procs[0], lambda: _count(ws_dir, stored) >= 3), "first ingest ended early"
    out = procs[1].communicate(timeout=600)[0].decode()
    assert procs[1].returncode == 0, out
    assert _documents(ws_dir) == expected_docs  # every document once, whole
    assert _passages(ws_dir) == _passages(tmp_path / "alleen")

    # two scans at once; one is killed while both are embedding passages
    scan_cmd = _cli("scan", "-w", str(ws_dir), "--json")
    procs = [subprocess.Popen(scan_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True) for _ in range(2)]  # fmt: skip
    vectors = "SELECT count(*) FROM passage_vectors"
    assert _kill_when(procs[0], lambda: _count(ws_dir, vectors) >= 1), "first scan ended early"
    out, err = procs[1].communicate(timeout=600)
    assert procs[1].returncode == 0, err.decode()
    survivor = json.loads(out)
    assert _count(ws_dir, "SELECT count(*) FROM passages")
    # only passages the evidence model's pre-filter admits are embedded; the killed
    # worker's organisations were taken over: the same vectors as one process makes
    assert _count(ws_dir, vectors) == _count(tmp_path / "alleen", vectors) > 0
    assert sorted(survivor["organisations_by_worker"]) == sorted(ORGS)
    assert _queue(ws_dir) == expected_queue  # every candidate once, as one process finds it
    run = rows(ws_dir, "SELECT id, finished_at FROM scan_runs ORDER BY id DESC")[0]
    assert run[1] is not None
    assert rows(ws_dir, "SELECT DISTINCT state FROM work_items WHERE queue = :q",
                {"q": f"scan:{run[0]}"}) == [(DONE,)]  # fmt: skip

    # new documents, then two scans at once that both finish: each organisation and each
    # new passage is done by exactly one of them
    extra = tmp_path / "extra"
    extra.mkdir()
    for i in range(4):
        (extra / f"nieuw{i}.pdf").write_bytes(pdf_bytes(PAGES, seed=900 + i))
    ws = open_workspace(ws_dir)
    ingest(ws, [extra], organisation=ORGS[0], progress=False)
    ws.close()
    before = _count(ws_dir, vectors)
    procs = [subprocess.Popen(scan_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]  # fmt: skip
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
        reports.append(json.loads(out))
    assert reports[0]["scan_run_id"] == reports[1]["scan_run_id"]  # one run, shared
    done = [set(r["organisations_by_worker"]) for r in reports]
    assert not (done[0] & done[1]) and done[0] | done[1] == set(ORGS)
    embedded = [r["index"]["vectoren_nieuw"] for r in reports]
    assert sum(embedded) == _count(ws_dir, vectors) - before  # no passage embedded twice
    pairs = "SELECT count(*), count(DISTINCT catalog_version || measure_id || passage_id) FROM candidates"
    total, distinct = rows(ws_dir, pairs)[0]
    assert total == distinct > len(expected_queue)
