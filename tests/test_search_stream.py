"""The scan reads one organisation at a time from the index files: the rows it reads are
the rows of the whole index, and the queue does not depend on how the index is split."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from sqlalchemy import select

from search_workspace import add_document
from weerbaar.search import core, data, index, scan
from weerbaar.search.index import LexicalSnapshot, load_lexical, update_index
from weerbaar.store import Workspace
from weerbaar.store.documents import clear_content
from weerbaar.store.schema import candidates

WORDS = [
    "noodstroom",
    "aggregaat",
    "drinkwater",
    "noodwater",
    "evacuatie",
    "crisisteam",
    "wijk",
    "inwoners",
    "zorg",
    "begroting",
    "raad",
    "sportpark",
    "marktplein",
    "fietspad",
    "communicatie",
    "oefening",
    "voorraad",
]


def _text(rng: np.random.Generator, n: int = 25) -> str:
    return " ".join(rng.choice(WORDS, n)) + "."


def _fill(ws: Workspace, rounds: int = 4) -> list[int]:
    """Documents of three organisations, indexed after every round (several segments)."""
    rng = np.random.default_rng(3)
    docs = []
    for r in range(rounds):
        for org in ("GM0363", "GM0193", "VR13"):
            texts = [_text(rng) for _ in range(3 + r)]
            docs.append(add_document(ws, org, texts, year=2020 + r))
        update_index(ws)
    return docs


def test_snapshot_reads_the_rows_of_the_whole_index(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "SEGMENT_ROWS", 4)  # many segments, merged and cleaned
    monkeypatch.setattr(index, "MAX_SEGMENTS", 2)
    docs = _fill(workspace)
    with workspace.write() as conn:
        clear_content(conn, docs[4])  # removed passages: segments rewritten without them
    update_index(workspace)
    manifest = (workspace.index_dir / "lexicaal" / "manifest.json").read_text()
    assert manifest.count('"file"') > 3
    whole = load_lexical(workspace)
    rng = np.random.default_rng(5)
    with LexicalSnapshot(workspace) as snap:
        assert np.array_equal(snap.ids, whole.ids)
        for n in (1, 5, whole.size):
            want = rng.choice(whole.ids, n, replace=False)
            ids, counts, stance = snap.features(np.r_[want, 10**9])  # unknown id: left out
            rows = whole.rows(np.sort(want))
            assert np.array_equal(ids, np.sort(want))
            assert counts.shape == (n, whole.counts.shape[1])
            assert (counts != whole.counts[rows]).nnz == 0
            assert np.array_equal(stance, whole.stance[rows])


def _queues(ws: Workspace) -> list[tuple]:
    with ws.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    candidates.c.organisation_code,
                    candidates.c.measure_id,
                    candidates.c.rank,
                    candidates.c.passage_id,
                    candidates.c.score,
                ).order_by(
                    candidates.c.organisation_code, candidates.c.measure_id, candidates.c.rank
                )
            )
        ]


def test_scan_never_loads_the_whole_index_and_its_queue_ignores_the_split(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(workspace, rounds=2)
    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0")  # every queue filled: more to compare

    def whole_index(*_a: object, **_k: object) -> None:
        raise AssertionError("the scan loaded every passage")

    with monkeypatch.context() as m:
        m.setattr(core, "load_workspace_data", whole_index)
        m.setattr(data, "load_lexical", whole_index)
        m.setattr(index, "load_lexical", whole_index)
        first = scan(workspace, progress=False)
    one_go = _queues(workspace)
    assert first.candidates == len(one_go) > 0
    assert {r[0] for r in one_go} == {"GM0363", "GM0193", "VR13"}

    # the same passages in segments of three: the same queue, rank for rank
    shutil.rmtree(workspace.index_dir / "lexicaal")
    monkeypatch.setattr(index, "SEGMENT_ROWS", 3)
    again = scan(workspace, progress=False)
    assert again.index["lexicaal_nieuw"] == again.passages == first.passages
    assert _queues(workspace) == one_go
