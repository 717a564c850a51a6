"""Active learning: a workspace re-ranker trained from reviewer decisions.

Cold start is the shipped evidence model. Each reviewer decision (``ja`` / ``nee`` /
``andere`` for a passage and a measure) is a label for that measure; per measure with at
least one ``ja`` and one other decision a logistic regression is fitted on the passage's
embedding and the default model's score, and its probability is blended with the default
score with a weight that grows with the number of decisions (n / (n + 10)).

The re-ranker only changes the **order** of a queue: which passages are in it is decided
by the default model's score and the scan's cut, so reviewing never makes a queue grow.
The model file is written atomically under a lock (one writer at a time, a unique
temporary name), so concurrent re-rank runs never corrupt it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from weerbaar.catalog import load_catalog
from weerbaar.files import atomic_open, file_lock
from weerbaar.search.data import dense_for_ids, features_for_ids, load_default_model
from weerbaar.search.index import ensure_vectors
from weerbaar.search.model import EvidenceModel, PassageFeatures, Scores
from weerbaar.store import Workspace

WORKSPACE_MODEL_FILE = "herrangschikker.npz"
# v3: on the e5 vectors of evidence model v3 (a v2 file, on USE vectors, is ignored)
RERANK_METHOD = "weerbaar.herrangschik.v3"
FORMAT_VERSION = 3
BLEND_HALF = 10.0


def workspace_model_path(ws: Workspace) -> Path:
    return ws.models_dir / WORKSPACE_MODEL_FILE


@dataclass
class WorkspaceReranker:
    """Per measure: weights over [embedding, logit of the default score], and bias."""

    measure_ids: list[str]
    w_dense: np.ndarray  # dim x measures
    w_base: np.ndarray  # measures
    bias: np.ndarray  # measures
    counts: dict[str, int] = field(default_factory=dict)  # decisions per measure
    trained: list[str] = field(default_factory=list)

    def proba(self, dense: np.ndarray, base_pair: np.ndarray) -> np.ndarray:
        logit_base = np.log(np.clip(base_pair, 1e-4, 1 - 1e-4) / np.clip(1 - base_pair, 1e-4, 1))
        z = dense @ self.w_dense + logit_base * self.w_base[None, :] + self.bias[None, :]
        return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)

    def weights(self) -> np.ndarray:
        w = np.zeros(len(self.measure_ids), dtype=np.float32)
        for k, m in enumerate(self.measure_ids):
            if m in self.trained:
                n = float(self.counts.get(m, 0))
                w[k] = n / (n + BLEND_HALF)
        return w

    def save(self, path: Path) -> None:
        meta = {
            "format_version": FORMAT_VERSION,
            "method": RERANK_METHOD,
            "measure_ids": self.measure_ids,
            "counts": self.counts,
            "trained": self.trained,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            file_lock(path.with_name(f".{path.name}.lock")),
            atomic_open(path, fsync=True, unique=True) as fh,
        ):
            np.savez(
                fh,
                meta=np.asarray(json.dumps(meta)),
                w_dense=self.w_dense.astype(np.float32),
                w_base=self.w_base.astype(np.float32),
                bias=self.bias.astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path) -> WorkspaceReranker | None:
        """The saved re-ranker, or ``None`` when there is none or it is of another
        version or unreadable (the default order is then used, and a rescan or the next
        decision writes a new one)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format_version") != FORMAT_VERSION:
                    return None
                return cls(
                    list(meta["measure_ids"]),
                    z["w_dense"],
                    z["w_base"],
                    z["bias"],
                    {k: int(v) for k, v in meta.get("counts", {}).items()},
                    list(meta.get("trained", [])),
                )
        except (OSError, ValueError, KeyError):
            return None


def load_workspace_model(ws: Workspace) -> WorkspaceReranker | None:
    path = workspace_model_path(ws)
    return WorkspaceReranker.load(path) if path.exists() else None


@dataclass
class BlendedModel:
    base: EvidenceModel
    local: WorkspaceReranker | None

    @property
    def measure_ids(self) -> list[str]:
        return self.base.measure_ids

    @property
    def method(self) -> str:
        if self.local is None or not self.local.trained:
            return self.base.method
        return f"{self.base.method}+{RERANK_METHOD}"

    @property
    def training_size(self) -> int:
        n = self.base.training_size
        if self.local is not None:
            n += int(sum(self.local.counts.values()))
        return n

    def order_scores(self, f: PassageFeatures, scores: Scores) -> np.ndarray:
        """Scores that order a queue: the default pair score, blended with the workspace
        re-ranker for the measures it learned."""
        if self.local is None or not self.local.trained or f.dense is None:
            return scores.pair
        if self.local.measure_ids != self.base.measure_ids:
            return scores.pair
        if self.local.w_dense.shape[0] != f.dense.shape[1]:  # made on other vectors
            return scores.pair
        w = self.local.weights()
        local = self.local.proba(f.dense, scores.pair)
        return ((1 - w)[None, :] * scores.pair + w[None, :] * local).astype(np.float32)


def model_for(ws: Workspace | None) -> BlendedModel:
    """The scorer for a workspace: the default model, with the workspace re-ranker
    trained from reviewer decisions when there is one (it only re-orders)."""
    base = load_default_model()
    if ws is None:
        return BlendedModel(base, None)
    return BlendedModel(base, load_workspace_model(ws))


def train_workspace_model(
    ws: Workspace, *, c: float = 1.0, seed: int = 13
) -> WorkspaceReranker | None:
    """Fit the workspace re-ranker on all reviewer decisions and save it; ``None`` (and
    no file) while no measure has both a ``ja`` and another decision."""
    from sklearn.linear_model import LogisticRegression

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
    pids = np.asarray(sorted({p for lab in labels.values() for p in lab}), dtype=np.int64)
    ok, feats = features_for_ids(ws, pids)
    pids = pids[ok]
    if not len(pids):
        return None
    ensure_vectors(ws, pids, embed_model=base.embed_model)
    sub = feats.subset(np.flatnonzero(ok))
    sub.dense = dense_for_ids(ws, pids, base.embed_model)
    pair = base.score(sub, prefilter=False).pair
    row_of = {int(p): i for i, p in enumerate(pids)}
    n_m, dim = len(base.measure_ids), sub.dense.shape[1]
    w_dense = np.zeros((dim, n_m), np.float32)
    w_base = np.zeros(n_m, np.float32)
    bias = np.full(n_m, -20.0, np.float32)
    trained, counts = [], {}
    for k, mid in enumerate(base.measure_ids):
        lab = {p: v for p, v in labels.get(mid, {}).items() if p in row_of}
        counts[mid] = len(lab)
        labels_m = np.asarray(list(lab.values()))
        if not len(labels_m) or labels_m.sum() < 1 or (labels_m == 0).sum() < 1:
            continue
        idx = np.asarray([row_of[p] for p in lab])
        logit = np.log(np.clip(pair[idx, k], 1e-4, 1 - 1e-4) / np.clip(1 - pair[idx, k], 1e-4, 1))
        x = np.column_stack([sub.dense[idx], logit])
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=1000, random_state=seed)
        clf.fit(x, labels_m)
        w_dense[:, k] = clf.coef_[0][:dim]
        w_base[k] = clf.coef_[0][dim]
        bias[k] = float(clf.intercept_[0])
        trained.append(mid)
    if not trained:
        return None
    model = WorkspaceReranker(list(base.measure_ids), w_dense, w_base, bias, counts, trained)
    save_workspace_model(ws, model)
    return model


_save_lock = threading.Lock()
FAILURE_FILE = "herrangschikker.fout"


def save_workspace_model(ws: Workspace, model: WorkspaceReranker) -> None:
    """Write the workspace model atomically (one writer at a time: a thread lock here and
    a file lock for other processes; a uniquely named temporary file, then a rename), so
    readers see the old or the new model, never a mix. A failure is written to
    ``modellen/herrangschikker.fout`` (shown by ``weerbaar werkruimte controleer``) and
    raised; a later success removes it."""
    try:
        with _save_lock:
            model.save(workspace_model_path(ws))
    except OSError as exc:
        _record_failure(ws, f"Het herrangschikmodel kon niet worden opgeslagen: {exc}")
        raise
    with contextlib.suppress(FileNotFoundError):
        (ws.models_dir / FAILURE_FILE).unlink()


def _record_failure(ws: Workspace, message: str) -> None:
    from weerbaar.store.db import utcnow

    with contextlib.suppress(OSError):
        ws.models_dir.mkdir(parents=True, exist_ok=True)
        (ws.models_dir / FAILURE_FILE).write_text(f"{utcnow()} {message}\n", encoding="utf-8")


def last_failure(ws: Workspace) -> str | None:
    """The last failure of writing or applying the workspace model, when not yet
    followed by a success (for the administrator)."""
    try:
        return (ws.models_dir / FAILURE_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def rerank_queue(ws: Workspace, measure_id: str, organisation: str | None = None) -> dict[str, Any]:
    """Re-rank one queue (see :func:`_rerank_queue`); a failure is also written where
    the administrator sees it (``weerbaar werkruimte controleer``) and raised."""
    try:
        return _rerank_queue(ws, measure_id, organisation)
    except Exception as exc:
        _record_failure(ws, f"Herrangschikken van {measure_id} mislukt: {exc}")
        raise


def _rerank_queue(
    ws: Workspace, measure_id: str, organisation: str | None = None
) -> dict[str, Any]:
    """Retrain the workspace re-ranker on the decisions so far and re-order the
    undecided part of the queue of ``measure_id`` (optionally one organisation). The
    queue keeps its passages: nothing is added or removed.

    Returns an estimate of how many relevant passages remain unread, for a stopping
    suggestion (``stop_suggested`` when fewer than 0.5 are expected among them)."""
    from weerbaar.store import candidates as cstore

    catalog = load_catalog()
    mid = catalog.measure(measure_id).id
    train_workspace_model(ws)
    blended = model_for(ws)
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
            "method": blended.method,
        }
    pids = np.asarray([r["passage_id"] for r in q], dtype=np.int64)
    ok, sub = features_for_ids(ws, pids)  # only these passages' rows, not the whole index
    sub.dense = dense_for_ids(ws, pids, blended.base.embed_model)
    col = blended.measure_ids.index(mid) if mid in blended.measure_ids else None
    if col is not None:
        base_scores = blended.base.score(sub, prefilter=False)
        scores = blended.order_scores(sub, base_scores)[:, col]
    else:
        scores = np.asarray([r["score"] for r in q], dtype=np.float32)
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
        cstore.update_queue_scores(conn, updates, blended.method)
    return {
        "measure_id": mid,
        "reranked": len(updates),
        "expected_relevant_remaining": round(expected, 2),
        "stop_suggested": expected < 0.5,
        "method": blended.method,
    }


def estimate_remaining(ws: Workspace, measure_id: str, organisation: str | None = None) -> float:
    """Expected number of relevant passages among the undecided candidates (sum of the
    calibrated scores), without changing the queue."""
    from weerbaar.store import candidates as cstore

    catalog = load_catalog()
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
    "WorkspaceReranker",
    "estimate_remaining",
    "last_failure",
    "load_workspace_model",
    "model_for",
    "rerank_queue",
    "save_workspace_model",
    "train_workspace_model",
]
