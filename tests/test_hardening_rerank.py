"""The workspace re-ranker writes its model atomically under a lock (issue 17, point 6):
1,000 saves in parallel (threads, and two other processes at the same time), each
followed by a load, give no failure and leave no temporary file behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from weerbaar.search.core import load_default_model
from weerbaar.search.rerank import (
    WorkspaceReranker,
    last_failure,
    load_workspace_model,
    save_workspace_model,
    workspace_model_path,
)
from weerbaar.store import open_workspace

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow

RUNS = 1_000
THREADS = 8


def tiny_model(tag: int) -> WorkspaceReranker:
    """A re-ranker for two measures (small and quick to write); ``tag`` lands in the
    bias so a reader can tell which writer it got."""
    base = load_default_model()
    dim = base.q_dense.shape[1]
    return WorkspaceReranker(
        measure_ids=base.measure_ids[:2],
        w_dense=np.zeros((dim, 2), dtype=np.float32),
        w_base=np.ones(2, dtype=np.float32),
        bias=np.asarray([float(tag), float(tag)], dtype=np.float32),
        counts={base.measure_ids[0]: 3},
        trained=[base.measure_ids[0]],
    )


OTHER_PROCESS = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from test_hardening_rerank import tiny_model
    from weerbaar.search.rerank import load_workspace_model, save_workspace_model
    from weerbaar.store import open_workspace
    ws = open_workspace({root!r})
    for i in range({n}):
        save_workspace_model(ws, tiny_model({tag}))
        assert load_workspace_model(ws).measure_ids
    print("klaar")
    """
)


def test_thousand_parallel_saves_never_fail(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "werkruimte")
    models = [tiny_model(t) for t in range(THREADS)]
    others = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                OTHER_PROCESS.format(
                    tests=str(Path(__file__).parent), root=str(ws.root), n=100, tag=100 + k
                ),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for k in range(2)
    ]

    def run(i: int) -> int:
        save_workspace_model(ws, models[i % THREADS])
        got = load_workspace_model(ws)
        assert got is not None and len(got.measure_ids) == 2
        return int(got.bias[0])

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, range(RUNS)))
    assert len(results) == RUNS
    for proc in others:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert b"klaar" in out
    final = load_workspace_model(ws)
    assert final is not None and int(final.bias[0]) in set(range(THREADS)) | {100, 101}
    leftovers = [
        p.name
        for p in workspace_model_path(ws).parent.iterdir()
        if p.name.endswith((".tmp", ".part"))
    ]
    assert leftovers == []
    assert last_failure(ws) is None
    ws.close()


def test_write_failure_is_reported_for_the_administrator(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "werkruimte")
    path = workspace_model_path(ws)
    path.mkdir(parents=True)  # a folder where the file should go: the rename fails
    try:
        save_workspace_model(ws, tiny_model(1))
    except OSError:
        pass
    else:
        raise AssertionError("the save should have failed")
    failure = last_failure(ws)
    assert failure is not None and "kon niet worden opgeslagen" in failure
    path.rmdir()
    save_workspace_model(ws, tiny_model(2))
    assert last_failure(ws) is None
    ws.close()


def test_full_rerank_runs_in_parallel_without_failure(tmp_path: Path) -> None:
    """The whole re-rank (train on the decisions, save, re-order the queue) from 8
    threads at once, as the web app's background scheduler does for several queues."""
    from test_web_active_learning import TEXTS
    from weerbaar.review import record_decision
    from weerbaar.review.sample import add_document
    from weerbaar.search import rerank_queue, scan
    from weerbaar.store import decisions as q

    ws = open_workspace(tmp_path / "werkruimte")
    add_document(ws, organisation_code="GM9999", title="Begroting", pages=[TEXTS])
    scan(ws, progress=False)
    with ws.read() as conn:
        queue = q.queue(conn, organisation="GM9999", measure_id="3.2", limit=100)
    for r, v in zip(queue[:2], ["ja", "nee"], strict=True):
        record_decision(
            ws, reviewer="anna", passage_id=r["passage_id"], measure_id="3.2", relevant=v
        )

    def run(_: int) -> int:
        return int(rerank_queue(ws, "3.2", "GM9999")["reranked"])

    with ThreadPoolExecutor(THREADS) as pool:
        done = list(pool.map(run, range(100)))
    assert done == [len(queue)] * 100
    assert load_workspace_model(ws) is not None
    assert last_failure(ws) is None
    ws.close()
