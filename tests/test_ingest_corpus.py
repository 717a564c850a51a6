"""Real public texts (../shared/corpus): every labelled passage survives ingest (it lies
within the stored text, whitespace aside) and the organisation, type and year inferred
from file name and text agree with the labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from weerbaar.ingest import Status, ingest
from weerbaar.ingest.metadata import DOC_TYPES
from weerbaar.store import Workspace
from weerbaar.store.documents import document_text, list_documents
from weerbaar.store.organisations import resolve_organisation

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_corpus_texts_and_inferred_metadata(workspace: Workspace, corpus_dir: Path) -> None:
    labels = json.loads((corpus_dir / "labels.json").read_text(encoding="utf-8"))
    files = sorted({corpus_dir / row["file"] for row in labels})
    report = ingest(workspace, files, progress=False)
    assert all(i.status == Status.ok for i in report.items)
    by_name = {Path(i.path).name: i.document_id for i in report.items}
    with workspace.read() as conn:
        docs = {d["id"]: d for d in list_documents(conn)}
        texts = {doc_id: _squash(document_text(conn, doc_id)) for doc_id in by_name.values()}
    for row in labels:
        assert _squash(row["text"]) in texts[by_name[row["file"]]], row["text"][:60]
    right = {"organisation": 0, "doc_type": 0, "year": 0}
    known = typed = dated = 0
    for name, doc_id in by_name.items():
        truth = next(r for r in labels if r["file"] == name)
        doc = docs[doc_id]
        try:
            code = resolve_organisation(workspace, truth["organisation"]).code
        except Exception:  # e.g. a GHOR, not in the register
            code = None
        if code is not None:
            known += 1
            right["organisation"] += doc["organisation"] == code
        # the labels say "jaarverslag" for our "jaarstukken"; news items, web pages and
        # "other" have no type of ours: only the documents of a type we know are scored
        want = {"jaarverslag": "jaarstukken"}.get(truth["doc_type"], truth["doc_type"])
        # our types are finer than the labels': a kadernota is no budget, a memo a nota
        finer = {"begroting": {"kadernota"}, "raadsbrief": {"raadsinformatiebrief", "nota"}}
        if want in DOC_TYPES:
            typed += 1
            right["doc_type"] += doc["type"] == want or doc["type"] in finer.get(want, ())
        if isinstance(truth["year"], int):
            dated += 1
            right["year"] += doc["year"] == truth["year"]
        if doc["organisation"] is not None:
            assert doc["inferred"]["organisation"]["how"]
    assert right["organisation"] == known  # every register organisation found
    assert typed >= 20 and right["doc_type"] >= typed - 1, (right, typed)
    # news items name other years than their own (a 2023 item about the plan 2024-2027)
    assert right["year"] >= 0.85 * dated, (right, dated)
