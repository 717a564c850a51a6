"""The supervised passage -> measure model (scikit-learn for training, numpy at run time).

Features per passage: log-tf of hashed stems and character 4-5-grams (L2), the USE
embedding, and its similarity to each measure query (lexical cosine and dense cosine).
One logistic regression per measure (one-vs-rest, balanced classes); a measure without
training examples falls back to a shared model on the two query similarities, so the
model also ranks measures it was never shown. Saved as plain arrays (``.npz``, no
pickle) with ``FORMAT_VERSION`` in its metadata; loading any other version raises
``IncompatibleModelError``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from weerbaar.errors import IncompatibleModelError
from weerbaar.search import text as textmod
from weerbaar.search.embed import DEFAULT_MODEL, embed, model_info

FORMAT_VERSION = 1
METHOD = "weerbaar.hybrid.v1"
SCALE_DENSE = 1.0
SCALE_QLEX = 4.0
SCALE_QDENSE = 4.0


@dataclass
class PassageFeatures:
    """What the model needs of a set of passages (computed once, reused)."""

    tf: sp.csr_matrix  # log-tf rows, L2 normalised
    dense: np.ndarray  # float32 embeddings (USE)

    @classmethod
    def from_texts(cls, texts: list[str], embed_model: str = DEFAULT_MODEL) -> PassageFeatures:
        return cls(textmod.tf_rows(textmod.count_matrix(texts)), embed(texts, embed_model))

    def subset(self, idx: np.ndarray) -> PassageFeatures:
        return PassageFeatures(self.tf[idx], self.dense[idx])


@dataclass
class MatchModel:
    measure_ids: list[str]
    catalog_version: str
    q_tf: sp.csr_matrix  # measures x features (lexical query, log-tf L2)
    q_dense: np.ndarray  # measures x dim
    w_lex_idx: np.ndarray  # feature indices with a weight
    w_lex: np.ndarray  # len(w_lex_idx) x measures
    w_dense: np.ndarray  # dim x measures
    w_qlex: np.ndarray  # measures x measures (query similarity -> logit)
    w_qdense: np.ndarray  # measures x measures
    bias: np.ndarray  # measures
    threshold: float = 0.5
    embed_model: str = DEFAULT_MODEL
    meta: dict[str, Any] = field(default_factory=dict)
    # Learned fusion ("stack"): BM25 of the passage against the measure texts, dense
    # query similarity and the per-measure logit, combined by one shared logistic
    # regression over (passage, measure) pairs. None = per-measure probability only.
    q_bm25: sp.csr_matrix | None = None  # measures x features, BM25 weights
    stack: np.ndarray | None = None  # N_STACK coefficients + bias

    @property
    def method(self) -> str:
        return self.meta.get("method", METHOD)

    # ------------------------------------------------------------------ scoring
    def lex_weights(self) -> sp.csr_matrix:
        """The lexical weights as a sparse features x measures matrix."""
        cached = self.meta.get("_w_lex_sparse")
        if cached is None:
            n_m = len(self.measure_ids)
            rows = np.repeat(self.w_lex_idx, n_m)
            cols = np.tile(np.arange(n_m), len(self.w_lex_idx))
            cached = sp.csr_matrix(
                (self.w_lex.ravel().astype(np.float32), (rows, cols)),
                shape=(textmod.N_FEATURES, n_m),
            )
            self.meta["_w_lex_sparse"] = cached
        return cached

    def query_similarities(self, f: PassageFeatures) -> tuple[np.ndarray, np.ndarray]:
        ql = np.asarray((f.tf @ self.q_tf.T).todense(), dtype=np.float32)
        qd = (np.asarray(f.dense, dtype=np.float32) @ self.q_dense.T).astype(np.float32)
        return ql, qd

    def logits(self, f: PassageFeatures) -> np.ndarray:
        ql, qd = self.query_similarities(f)
        out = (f.tf @ self.lex_weights()).toarray() if len(self.w_lex_idx) else 0.0
        out = out + SCALE_DENSE * (np.asarray(f.dense, dtype=np.float32) @ self.w_dense)
        out = out + SCALE_QLEX * (ql @ self.w_qlex) + SCALE_QDENSE * (qd @ self.w_qdense)
        return np.asarray(out, dtype=np.float32) + self.bias

    def proba(self, f: PassageFeatures) -> np.ndarray:
        if self.stack is not None and self.q_bm25 is not None:
            x = self.stack_features(f)
            z = x @ self.stack[:-1] + self.stack[-1]
            return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return _sigmoid(self.logits(f))

    def stack_features(self, f: PassageFeatures, logits: np.ndarray | None = None) -> np.ndarray:
        """passages x measures x N_STACK features of the learned fusion."""
        assert self.q_bm25 is not None
        binary = f.tf.copy()
        binary.data[:] = 1.0
        bm = np.asarray((binary @ self.q_bm25.T).todense(), dtype=np.float32)
        ud = (np.asarray(f.dense, dtype=np.float32) @ self.q_dense.T).astype(np.float32)
        lg = np.clip(self.logits(f) if logits is None else logits, -15, 15)
        return np.stack(
            [
                np.log1p(bm),
                bm / (bm.max(axis=1, keepdims=True) + 1e-6),
                ud,
                ud - ud.max(axis=1, keepdims=True),
                lg / 5,
                (lg - lg.max(axis=1, keepdims=True)) / 5,
            ],
            axis=2,
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: Path) -> None:
        meta = {k: v for k, v in self.meta.items() if not k.startswith("_")}
        meta.update(
            format_version=FORMAT_VERSION,
            measure_ids=self.measure_ids,
            catalog_version=self.catalog_version,
            threshold=self.threshold,
            embed_model=self.embed_model,
            embed_name=model_info(self.embed_model).name,
            analyzer=textmod.ANALYZER_VERSION,
        )
        q = self.q_tf.tocsr()
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        with open(part, "wb") as fh:
            np.savez_compressed(
                fh,
                meta=np.asarray(json.dumps(meta)),
                q_data=q.data.astype(np.float32),
                q_indices=q.indices.astype(np.int32),
                q_indptr=q.indptr.astype(np.int64),
                q_dense=self.q_dense.astype(np.float32),
                w_lex_idx=self.w_lex_idx.astype(np.int32),
                w_lex=self.w_lex.astype(np.float16),
                w_dense=self.w_dense.astype(np.float32),
                w_qlex=self.w_qlex.astype(np.float32),
                w_qdense=self.w_qdense.astype(np.float32),
                bias=self.bias.astype(np.float32),
                **self._stack_arrays(),
            )
            fh.flush()
            os.fsync(fh.fileno())
        part.replace(path)

    def _stack_arrays(self) -> dict[str, np.ndarray]:
        if self.stack is None or self.q_bm25 is None:
            return {}
        b = self.q_bm25.tocsr()
        return {
            "stack": self.stack.astype(np.float32),
            "b_data": b.data.astype(np.float32),
            "b_indices": b.indices.astype(np.int32),
            "b_indptr": b.indptr.astype(np.int64),
        }

    @classmethod
    def load(cls, path: Path) -> MatchModel:
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IncompatibleModelError(f"Model {path} kan niet worden gelezen: {exc}") from exc
        with z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format_version") != FORMAT_VERSION:
                raise IncompatibleModelError(
                    f"Model {path.name} heeft formaatversie {meta.get('format_version')}; "
                    f"deze versie van weerbaar leest alleen versie {FORMAT_VERSION}. "
                    "Train het model opnieuw."
                )
            if meta.get("analyzer") != textmod.ANALYZER_VERSION:
                raise IncompatibleModelError(
                    f"Model {path.name} gebruikt tekstkenmerken {meta.get('analyzer')}; "
                    f"verwacht {textmod.ANALYZER_VERSION}. Train het model opnieuw."
                )
            n = len(meta["measure_ids"])
            q_tf = sp.csr_matrix(
                (z["q_data"], z["q_indices"], z["q_indptr"]), shape=(n, textmod.N_FEATURES)
            )
            q_bm25 = stack = None
            if "stack" in z.files:
                stack = z["stack"]
                q_bm25 = sp.csr_matrix(
                    (z["b_data"], z["b_indices"], z["b_indptr"]), shape=(n, textmod.N_FEATURES)
                )
            return cls(
                q_bm25=q_bm25,
                stack=stack,
                measure_ids=list(meta["measure_ids"]),
                catalog_version=meta["catalog_version"],
                q_tf=q_tf,
                q_dense=z["q_dense"],
                w_lex_idx=z["w_lex_idx"].astype(np.int64),
                w_lex=z["w_lex"].astype(np.float32),
                w_dense=z["w_dense"],
                w_qlex=z["w_qlex"],
                w_qdense=z["w_qdense"],
                bias=z["bias"],
                threshold=float(meta["threshold"]),
                embed_model=meta.get("embed_model", DEFAULT_MODEL),
                meta=meta,
            )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)


N_STACK = 6


# ---------------------------------------------------------------------- training
def _design(f: PassageFeatures, ql: np.ndarray, qd: np.ndarray) -> sp.csr_matrix:
    return sp.hstack(
        [
            f.tf,
            sp.csr_matrix(SCALE_DENSE * np.asarray(f.dense, dtype=np.float32)),
            sp.csr_matrix(SCALE_QLEX * ql),
            sp.csr_matrix(SCALE_QDENSE * qd),
        ],
        format="csr",
    )


def fit(
    features: PassageFeatures,
    labels: list[list[str]],
    *,
    measure_ids: list[str],
    catalog_version: str,
    q_tf: sp.csr_matrix,
    q_dense: np.ndarray,
    c: float = 4.0,
    min_positives: int = 2,
    threshold: float = 0.5,
    embed_model: str = DEFAULT_MODEL,
    meta: dict[str, Any] | None = None,
    seed: int = 13,
) -> MatchModel:
    """Train the model on labelled passages (``labels[i]`` = measure ids, [] = none)."""
    from sklearn.linear_model import LogisticRegression

    n_m = len(measure_ids)
    pos = {m: k for k, m in enumerate(measure_ids)}
    y = np.zeros((len(labels), n_m), dtype=np.int8)
    for i, ls in enumerate(labels):
        for m in ls:
            if m in pos:
                y[i, pos[m]] = 1
    base = MatchModel(
        measure_ids,
        catalog_version,
        q_tf,
        q_dense,
        np.zeros(0, np.int64),
        np.zeros((0, n_m), np.float32),
        np.zeros((q_dense.shape[1], n_m), np.float32),
        np.zeros((n_m, n_m), np.float32),
        np.zeros((n_m, n_m), np.float32),
        np.zeros(n_m, np.float32),
        threshold,
        embed_model,
        dict(meta or {}),
    )
    ql, qd = base.query_similarities(features)

    # Shared fallback: relevance from the two query similarities of the (passage,
    # measure) pair, for measures with too few examples.
    pair_x = np.column_stack([SCALE_QLEX * ql.ravel(), SCALE_QDENSE * qd.ravel()])
    pair_y = y.ravel()
    if pair_y.any() and not pair_y.all():
        g = LogisticRegression(C=1.0, class_weight="balanced", random_state=seed)
        g.fit(pair_x, pair_y)
        g_coef, g_bias = g.coef_[0], float(g.intercept_[0])
    else:
        g_coef, g_bias = np.asarray([1.0, 1.0]), -1.0

    x = _design(features, ql, qd)
    n_lex = features.tf.shape[1]
    dim = features.dense.shape[1]
    w_lex_full = np.zeros((n_lex, n_m), dtype=np.float32)
    w_dense = np.zeros((dim, n_m), dtype=np.float32)
    w_qlex = np.zeros((n_m, n_m), dtype=np.float32)
    w_qdense = np.zeros((n_m, n_m), dtype=np.float32)
    bias = np.zeros(n_m, dtype=np.float32)
    trained = []
    for k in range(n_m):
        if y[:, k].sum() >= min_positives and (y[:, k] == 0).sum() >= 2:
            clf = LogisticRegression(
                C=c,
                class_weight="balanced",
                solver="liblinear",
                dual=True,
                max_iter=1000,
                random_state=seed,
            )
            clf.fit(x, y[:, k])
            w = clf.coef_[0].astype(np.float32)
            w_lex_full[:, k] = w[:n_lex]
            w_dense[:, k] = w[n_lex : n_lex + dim]
            w_qlex[:, k] = w[n_lex + dim : n_lex + dim + n_m]
            w_qdense[:, k] = w[n_lex + dim + n_m :]
            bias[k] = float(clf.intercept_[0])
            trained.append(measure_ids[k])
        else:
            w_qlex[k, k] = g_coef[0]
            w_qdense[k, k] = g_coef[1]
            bias[k] = g_bias
    idx = np.flatnonzero(np.abs(w_lex_full).max(axis=1) > 1e-4)
    base.w_lex_idx = idx.astype(np.int64)
    base.w_lex = w_lex_full[idx]
    base.w_dense, base.w_qlex, base.w_qdense, base.bias = w_dense, w_qlex, w_qdense, bias
    base.meta.update(
        method=base.meta.get("method", METHOD),
        trained_measures=trained,
        training_size=len(labels),
        c=c,
        trained_at=base.meta.get("trained_at") or datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return base


def calibrate_threshold(
    proba: np.ndarray, labels: list[list[str]], measure_ids: list[str]
) -> tuple[float, list[dict[str, float]]]:
    """Pick the threshold on the best score that maximises the accuracy of the decision
    "best measure, or none below the threshold"; return it and the trade-off table."""
    best_idx = proba.argmax(axis=1)
    best = proba.max(axis=1)
    top = [measure_ids[i] for i in best_idx]
    is_neg = np.asarray([not ls for ls in labels])
    hit = np.asarray([t in ls for t, ls in zip(top, labels, strict=True)])
    table = []
    best_t, best_acc = 0.5, -1.0
    for t in np.round(np.concatenate([np.arange(0.02, 0.1, 0.01), np.arange(0.1, 0.96, 0.05)]), 2):
        above = best >= t
        neg_ok = float((~above[is_neg]).mean()) if is_neg.any() else 1.0
        pos_ok = float((above[~is_neg] & hit[~is_neg]).mean()) if (~is_neg).any() else 1.0
        pos_kept = float(above[~is_neg].mean()) if (~is_neg).any() else 1.0
        acc = float(np.where(is_neg, ~above, above & hit).mean())
        table.append(
            {
                "threshold": float(t),
                "negatives_empty": neg_ok,
                "positives_kept": pos_kept,
                "positives_top1_kept": pos_ok,
                "accuracy": acc,
            }
        )
        if acc > best_acc + 1e-9:
            best_t, best_acc = float(t), acc
    return best_t, table


def cross_val_proba(
    features: PassageFeatures, labels: list[list[str]], folds: int = 5, seed: int = 13, **kw: Any
) -> np.ndarray:
    """Out-of-fold probabilities (for calibrating the threshold on training data only)."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    order = rng.permutation(n)
    out = np.zeros((n, len(kw["measure_ids"])), dtype=np.float32)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        m = fit(features.subset(train), [labels[i] for i in train], seed=seed, **kw)
        out[test] = m.proba(features.subset(test))
    return out


def fit_stack(
    model: MatchModel,
    features: PassageFeatures,
    labels: list[list[str]],
    oof_logits: np.ndarray,
    q_counts: sp.csr_matrix,
    seed: int = 13,
) -> MatchModel:
    """Learn the fusion on out-of-fold logits of the training passages (no leakage of a
    passage's own label into its per-measure score)."""
    from sklearn.linear_model import LogisticRegression

    from weerbaar.search.index import bm25_weights

    model.q_bm25 = bm25_weights(q_counts)
    x = model.stack_features(features, logits=oof_logits)
    pos = {m: k for k, m in enumerate(model.measure_ids)}
    y = np.zeros(x.shape[:2], dtype=np.int8)
    for i, ls in enumerate(labels):
        for m in ls:
            if m in pos:
                y[i, pos[m]] = 1
    clf = LogisticRegression(C=1.0, random_state=seed, max_iter=1000)
    clf.fit(x.reshape(-1, x.shape[2]), y.ravel())
    model.stack = np.concatenate([clf.coef_[0], clf.intercept_]).astype(np.float32)
    model.meta["stack_method"] = "weerbaar.fusie.v1"
    return model


def train_model(
    features: PassageFeatures,
    labels: list[list[str]],
    *,
    q_counts: sp.csr_matrix,
    c: float,
    folds: int = 5,
    seed: int = 13,
    meta: dict[str, Any] | None = None,
    **kw: Any,
) -> tuple[MatchModel, list[dict[str, float]]]:
    """The full recipe: per-measure models, learned fusion on out-of-fold logits, and a
    threshold for "no measure" from out-of-fold fused probabilities. Train data only."""
    oof_p = cross_val_proba(features, labels, folds=folds, seed=seed, c=c, **kw)
    oof_logit = np.log(np.clip(oof_p, 1e-6, 1 - 1e-6) / np.clip(1 - oof_p, 1e-6, 1))
    model = fit(features, labels, c=c, seed=seed, meta=meta, **kw)
    fit_stack(model, features, labels, oof_logit, q_counts, seed=seed)
    x = model.stack_features(features, logits=oof_logit)
    fused = _sigmoid(x @ model.stack[:-1] + model.stack[-1])  # type: ignore[index]
    model.threshold, table = calibrate_threshold(fused, labels, model.measure_ids)
    return model, table
