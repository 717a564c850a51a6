"""Active learning: a workspace re-ranker trained from reviewer decisions.

Cold start is the shipped default model. Each reviewer decision (``ja`` / ``nee`` /
``andere`` for a passage and a measure) is a label for that measure; per measure with at
least one ``ja`` and one other decision a logistic regression is fitted on the same
features as the default model, and its probability is blended with the default one with
a weight that grows with the number of decisions (n / (n + 10)). The workspace model is
saved in ``ws.models_dir`` (``FORMAT_VERSION``; atomic write under a lock, one writer at a
time, see :func:`save_workspace_model`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from weerbaar.search.model import METHOD, MatchModel, PassageFeatures, _design
from weerbaar.store import Workspace

WORKSPACE_MODEL_FILE = "herrangschikker.npz"
RERANK_METHOD = "weerbaar.rerank.v1"
BLEND_HALF = 10.0


def workspace_model_path(ws: Workspace) -> Path:
    return ws.models_dir / WORKSPACE_MODEL_FILE


def load_workspace_model(ws: Workspace) -> MatchModel | None:
    path = workspace_model_path(ws)
    return MatchModel.load(path) if path.exists() else None


@dataclass
class BlendedModel:
    base: MatchModel
    local: MatchModel | None

    @property
    def measure_ids(self) -> list[str]:
        return self.base.measure_ids

    @property
    def threshold(self) -> float:
        return self.base.threshold

    @property
    def embed_model(self) -> str:
        return self.base.embed_model

    @property
    def method(self) -> str:
        if self.local is None:
            return self.base.method
        return f"{self.base.method}+{RERANK_METHOD}"

    @property
    def training_size(self) -> int:
        n = int(self.base.meta.get("training_size", 0))
        if self.local is not None:
            n += int(sum(self.local.meta.get("label_counts", {}).values()))
        return n

    def weights(self) -> np.ndarray:
        w = np.zeros(len(self.base.measure_ids), dtype=np.float32)
        if self.local is None:
            return w
        counts = self.local.meta.get("label_counts", {})
        trained = set(self.local.meta.get("trained_measures", []))
        for k, m in enumerate(self.base.measure_ids):
            if m in trained:
                n = float(counts.get(m, 0))
                w[k] = n / (n + BLEND_HALF)
        return w

    def proba(self, f: PassageFeatures) -> np.ndarray:
        p = self.base.proba(f)
        if self.local is None:
            return p
        w = self.weights()
        if not w.any():
            return p
        return (1 - w) * p + w * self.local.proba(f)


def train_workspace_model(ws: Workspace, *, c: float = 1.0, seed: int = 13) -> MatchModel | None:
    """Fit the workspace re-ranker on all reviewer decisions and save it; ``None`` (and
    no file) while no measure has both a ``ja`` and another decision."""
    from weerbaar.search.core import load_default_model, load_workspace_data
    from weerbaar.store import candidates as cstore

    base = load_default_model()
    with ws.read() as conn:
        rows = cstore.decided(conn)
    if not rows:
        return None
    labels: dict[str, dict[int, int]] = {}
    for pid, mid, relevant, other in rows:
        # Several reviewers may disagree: a 'ja' of anyone counts as positive.
        y = 1 if relevant == "ja" else 0
        labels.setdefault(mid, {})
        labels[mid][pid] = max(labels[mid].get(pid, 0), y)
        if relevant == "andere" and other:
            labels.setdefault(other, {})[pid] = 1
    data = load_workspace_data(ws, base.embed_model)
    ql, qd = base.query_similarities(data.features)
    x_all = _design(data.features, ql, qd)
    from sklearn.linear_model import LogisticRegression

    n_m = len(base.measure_ids)
    n_lex = data.features.tf.shape[1]
    dim = data.features.dense.shape[1]
    w_lex = np.zeros((n_lex, n_m), np.float32)
    w_dense = np.zeros((dim, n_m), np.float32)
    w_qlex = np.zeros((n_m, n_m), np.float32)
    w_qdense = np.zeros((n_m, n_m), np.float32)
    bias = np.full(n_m, -20.0, np.float32)  # untrained measures: weight 0 in the blend
    trained, counts = [], {}
    for k, mid in enumerate(base.measure_ids):
        lab = labels.get(mid, {})
        rows_idx = data.lexical.rows(np.asarray(list(lab), dtype=np.int64))
        y = np.asarray(list(lab.values()))
        ok = rows_idx >= 0
        rows_idx, y = rows_idx[ok], y[ok]
        counts[mid] = len(y)
        if y.sum() < 1 or (y == 0).sum() < 1:
            continue
        clf = LogisticRegression(
            C=c,
            class_weight="balanced",
            solver="liblinear",
            dual=True,
            max_iter=1000,
            random_state=seed,
        )
        clf.fit(x_all[rows_idx], y)
        w = clf.coef_[0].astype(np.float32)
        w_lex[:, k] = w[:n_lex]
        w_dense[:, k] = w[n_lex : n_lex + dim]
        w_qlex[:, k] = w[n_lex + dim : n_lex + dim + n_m]
        w_qdense[:, k] = w[n_lex + dim + n_m :]
        bias[k] = float(clf.intercept_[0])
        trained.append(mid)
    if not trained:
        return None
    idx = np.flatnonzero(np.abs(w_lex).max(axis=1) > 1e-4)
    model = MatchModel(
        measure_ids=base.measure_ids,
        catalog_version=base.catalog_version,
        q_tf=base.q_tf,
        q_dense=base.q_dense,
        w_lex_idx=idx,
        w_lex=w_lex[idx],
        w_dense=w_dense,
        w_qlex=w_qlex,
        w_qdense=w_qdense,
        bias=bias,
        threshold=base.threshold,
        embed_model=base.embed_model,
        meta={
            "method": RERANK_METHOD,
            "trained_measures": trained,
            "label_counts": counts,
            "base_method": base.meta.get("method", METHOD),
        },
    )
    save_workspace_model(ws, model)
    return model


_save_lock = threading.Lock()
FAILURE_FILE = "herrangschikker.fout"


def save_workspace_model(ws: Workspace, model: MatchModel) -> None:
    """Write the workspace model atomically: one writer at a time (a thread lock and a
    file lock for other processes), a temporary file with a unique name, then a rename,
    so readers see the old or the new model, never a mix. A failure is written to
    ``modellen/herrangschikker.fout`` (shown by ``weerbaar werkruimte controleer``) and
    raised; a later success removes it."""
    path = workspace_model_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with _save_lock, open(path.with_name(path.name + ".lock"), "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                model.save(tmp)
                tmp.replace(path)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    except OSError as exc:
        _record_failure(ws, f"Het herrangschikmodel kon niet worden opgeslagen: {exc}")
        raise
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".part")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    with contextlib.suppress(FileNotFoundError):
        (ws.models_dir / FAILURE_FILE).unlink()


def _record_failure(ws: Workspace, message: str) -> None:
    from weerbaar.store.db import utcnow

    with contextlib.suppress(OSError):
        (ws.models_dir / FAILURE_FILE).write_text(f"{utcnow()} {message}\n", encoding="utf-8")


def last_failure(ws: Workspace) -> str | None:
    """The last failure of writing the workspace model, when not yet followed by a
    success (for the administrator)."""
    try:
        return (ws.models_dir / FAILURE_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def rerank_queue(ws: Workspace, measure_id: str, organisation: str | None = None) -> dict:
    """Re-rank one queue (see :func:`_rerank_queue`); a failure is also written where
    the administrator sees it (``weerbaar werkruimte controleer``) and raised."""
    try:
        return _rerank_queue(ws, measure_id, organisation)
    except Exception as exc:
        _record_failure(ws, f"Herrangschikken van {measure_id} mislukt: {exc}")
        raise


def _rerank_queue(ws: Workspace, measure_id: str, organisation: str | None = None) -> dict:
    """Retrain the workspace re-ranker on the decisions so far and re-order the
    undecided part of the queue of ``measure_id`` (optionally one organisation).

    Returns the new order and an estimate of how many relevant passages remain
    unread, for a stopping suggestion (``stop_suggested`` when fewer than 0.5 are
    expected among the remaining ones).
    """
    from weerbaar.search.core import _catalog, load_workspace_data, model_for
    from weerbaar.store import candidates as cstore

    catalog = _catalog()
    mid = catalog.measure(measure_id).id
    train_workspace_model(ws)
    model = model_for(ws)
    with ws.read() as conn:
        q = cstore.queue(
            conn, catalog_version=catalog.version, measure_id=mid, organisation_code=organisation
        )
        decided = {(p, m) for p, m, _, _ in cstore.decided(conn, catalog_version=catalog.version)}
    if not q:
        return {
            "measure_id": mid,
            "reranked": 0,
            "expected_relevant_remaining": 0.0,
            "stop_suggested": True,
            "method": model.method,
        }
    data = load_workspace_data(ws, model.embed_model)
    pids = np.asarray([r["passage_id"] for r in q], dtype=np.int64)
    rows = data.lexical.rows(pids)
    ok = rows >= 0
    feats = PassageFeatures(
        data.features.tf[np.where(ok, rows, 0)],
        data.features.dense[np.where(ok, rows, 0)],
    )
    col = model.measure_ids.index(mid) if mid in model.measure_ids else None
    scores = (
        model.proba(feats)[:, col]
        if col is not None
        else np.asarray([r["score"] for r in q], dtype=np.float32)
    )
    scores = np.where(ok, scores, 0.0)
    updates = []
    expected = 0.0
    by_org: dict[str, list[int]] = {}
    for i, r in enumerate(q):
        by_org.setdefault(r["organisation_code"], []).append(i)
    for _org, idx in by_org.items():
        done_idx = [i for i in idx if (q[i]["passage_id"], mid) in decided]
        open_idx = [i for i in idx if (q[i]["passage_id"], mid) not in decided]
        open_idx.sort(key=lambda i: -scores[i])
        # Decided passages keep their place at the top; open ones follow, re-ordered.
        for rank, i in enumerate(sorted(done_idx, key=lambda i: q[i]["rank"]) + open_idx, 1):
            updates.append((q[i]["id"], rank, float(scores[i])))
        expected += float(sum(scores[i] for i in open_idx))
    with ws.write() as conn:
        cstore.update_queue_scores(conn, updates, model.method)
    return {
        "measure_id": mid,
        "reranked": len(updates),
        "expected_relevant_remaining": round(expected, 2),
        "stop_suggested": expected < 0.5,
        "method": model.method,
    }


def estimate_remaining(ws: Workspace, measure_id: str, organisation: str | None = None) -> float:
    """Expected number of relevant passages among the undecided candidates (sum of the
    calibrated scores), without changing the queue."""
    from weerbaar.search.core import _catalog
    from weerbaar.store import candidates as cstore

    catalog = _catalog()
    with ws.read() as conn:
        q = cstore.queue(
            conn,
            catalog_version=catalog.version,
            measure_id=measure_id,
            organisation_code=organisation,
        )
        decided = {(p, m) for p, m, _, _ in cstore.decided(conn, catalog_version=catalog.version)}
    return float(sum(r["score"] for r in q if (r["passage_id"], measure_id) not in decided))


__all__ = [
    "BlendedModel",
    "estimate_remaining",
    "load_workspace_model",
    "rerank_queue",
    "sp",
    "train_workspace_model",
]
